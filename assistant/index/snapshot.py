"""A read-only copy of the index's vectors as one NumPy matrix, for answering questions
without opening Chroma (importing chromadb alone takes about 0.6 s of a cold question).

Derived data like the BM25 index: rebuilt from the vector store at the end of every write to
the index, written to a temporary folder and swapped in (never half-written), and used only
while its ids are exactly the manifest's. Search is exact (a dot product over every vector:
about 5 ms at 20,000 passages), so it ranks at least as well as Chroma's approximate HNSW.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.index.folders import read_ids, write_folder

_IDS = "ids.json"
_VECTORS = "vectors.npy"


class VectorSnapshot:
    def __init__(self, ids: list[str], vectors: np.ndarray) -> None:
        self._ids = ids
        self._row = {i: n for n, i in enumerate(ids)}
        self._vectors = vectors

    @staticmethod
    def build(directory: Path, ids: Sequence[str], vectors: np.ndarray) -> None:
        def write(tmp: Path) -> None:
            matrix = np.asarray(vectors, dtype=np.float32)
            np.save(tmp / _VECTORS, matrix.reshape(len(ids), -1) if len(ids) else matrix)
            (tmp / _IDS).write_text(json.dumps(list(ids)))

        write_folder(directory, write)

    @staticmethod
    def stored_ids(directory: Path) -> list[str] | None:
        return read_ids(directory / _IDS)

    @classmethod
    def load(cls, directory: Path) -> VectorSnapshot:
        ids = cls.stored_ids(directory) or []
        vectors = (
            np.load(directory / _VECTORS, mmap_mode="r") if ids else np.zeros((0, 0), np.float32)
        )
        return cls(ids, vectors)

    def ids(self) -> set[str]:
        return set(self._ids)

    def count(self) -> int:
        return len(self._ids)

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id (missing ids are left out)."""
        return {i: np.asarray(self._vectors[self._row[i]]) for i in ids if i in self._row}

    def query(self, embedding: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first (vectors are L2-normalised)."""
        if not self._ids:
            return []
        scores = np.asarray(self._vectors) @ np.asarray(embedding, dtype=np.float32)
        n = min(n, len(self._ids))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self._ids[i], float(scores[i])) for i in top]
