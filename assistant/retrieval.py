"""Hybrid retrieval: dense (MiniLM + Chroma) and BM25 candidates fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.index.embedder import Embedder
from assistant.index.store import IndexStore
from assistant.models import Evidence


@dataclass(frozen=True)
class RetrievalParams:
    dense_candidates: int = 30
    lexical_candidates: int = 30
    rrf_k: int = 60


class Retriever:
    def __init__(self, store: IndexStore, embedder: Embedder, params: RetrievalParams) -> None:
        self.store = store
        self.embedder = embedder
        self.params = params

    def search(self, query: str, k: int = 5, expansion: str = "") -> list[Evidence]:
        """``expansion`` (e.g. a clause's title and synonyms) joins the query so the standard's
        wording reaches the company's wording."""
        p = self.params
        full = f"{query}\n{expansion}" if expansion else query
        dense = self.store.vectors.query(self.embedder.encode_query(full), p.dense_candidates)
        lexical = self.store.lexical.query(full, p.lexical_candidates)
        scores: dict[str, float] = {}
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
        lexical_rank = {cid: r for r, (cid, _) in enumerate(lexical, 1)}
        for ranks in (dense_rank, lexical_rank):
            for cid, r in ranks.items():
                scores[cid] = scores.get(cid, 0.0) + 1.0 / (p.rrf_k + r)
        best = sorted(scores, key=scores.__getitem__, reverse=True)[:k]
        chunks = self.store.manifest.chunks_by_id(best)
        return [
            Evidence(chunks[cid], scores[cid], dense_rank.get(cid), lexical_rank.get(cid))
            for cid in best
            if cid in chunks
        ]
