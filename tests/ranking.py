"""A retriever with no store or model, for tests of how documents are ranked from passages
(``Retriever._documents``): the fusion's parameters at test values, overridable."""

from __future__ import annotations

from typing import Any

from assistant.core.models import Chunk, Evidence
from assistant.search.retrieval import RetrievalParams, Retriever


def passage(file: str, n: int, score: float) -> Evidence:
    """Passage ``n`` of ``file`` with this fused score."""
    chunk = Chunk(f"{file}-{n}", file, file, file, file[:5], "", "", None, n, "text")
    return Evidence(chunk, score)


def ranking_retriever(**params: Any) -> Retriever:
    values: dict[str, Any] = {
        "dense_candidates": 60,
        "lexical_candidates": 30,
        "rrf_k": 30,
        "cite_boost": 0.02,
        "max_doc_citations": 8,
        "doc_second_weight": 0.3,
        "max_passages_per_document": 2,
        "first_place_bonus": 0.02,
    }
    retriever = Retriever.__new__(Retriever)  # no store or model: only the ranking is tested
    retriever.params = RetrievalParams(**(values | params))
    return retriever
