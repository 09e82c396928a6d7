"""Search tier: from a question to ranked, cited passages.

The clause catalogue (``clauses``: our summaries of ISO 9001:2015, one card per clause), the
clause resolver (``clause_resolver``: "8.7", "control of nonconforming outputs", "calibration"
-> clause ids) and the hybrid retriever (``retrieval``: dense + BM25, fused, diversified per
document, clause-citation boosts). It reads the index; it composes no answers.
"""
