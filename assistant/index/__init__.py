"""Index tier: what is stored and how it stays consistent.

The manifest (SQLite) is the truth: every file, its hash, status and chunks. The vectors
(Chroma, embedded or a server; ``vector_store.CLIENTS``), the BM25 index and the NumPy vector
snapshot are derived from it and rebuilt whole when they drift. ``embedder`` runs MiniLM
(sentence-transformers at ingest, an ONNX copy for questions); ``plan`` decides what an ingest
does and ``ingest`` applies it in an order that an interrupted run can repair; ``lock`` keeps
one writer at a time.
"""
