"""Evaluation tier: the figures the product is judged by, over fixed, labelled sets.

``retrieval`` (hit@k, MRR and no-answer accuracy, beside the ``baselines``), ``grader``
(agreement with auditors' labels, threshold fitting with cross-organisation folds) and
``organisations`` (each evaluation organisation indexed apart, from ``evals/organisations.toml``).
Above the factory, because it builds one assistant per organisation.
"""
