"""BM25 over the same chunks as the vector store, persisted beside it (bm25s)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.index.folders import read_ids, write_folder

_IDS = "chunk_ids.json"


def english_stemmer():  # noqa: ANN201 - PyStemmer has no type information
    """The Snowball stemmer BM25 indexes with (the clause resolver reads names with it too)."""
    import Stemmer

    return Stemmer.Stemmer("english")


class LexicalIndex:
    def __init__(self, retriever: Any, ids: list[str]) -> None:
        self._retriever = retriever
        self._ids = ids
        self._stem = english_stemmer()

    @staticmethod
    def build(directory: Path, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Write a fresh index to a temporary folder, then swap it in: never half-written."""
        import bm25s

        def write(tmp: Path) -> None:
            if ids:
                tokens = bm25s.tokenize(
                    list(texts), stopwords="en", stemmer=english_stemmer(), show_progress=False
                )
                retriever = bm25s.BM25()
                retriever.index(tokens, show_progress=False)
                retriever.save(str(tmp), show_progress=False)
            (tmp / _IDS).write_text(json.dumps(list(ids)))

        write_folder(directory, write)

    @staticmethod
    def stored_ids(directory: Path) -> list[str] | None:
        return read_ids(directory / _IDS)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        ids = cls.stored_ids(directory) or []
        retriever = bm25s.BM25.load(str(directory), show_progress=False) if ids else None
        return cls(retriever, ids)

    def mentions(self, word: str) -> bool:
        """Whether any indexed chunk contains this word (after stemming)."""
        if self._retriever is None:
            return False
        return self._stem.stemWord(word.lower()) in self._retriever.vocab_dict

    def query(self, text: str, n: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score), best first; empty when no query word is in the index."""
        if self._retriever is None or not self._ids:
            return []
        import bm25s

        tokens = bm25s.tokenize(
            [text], stopwords="en", stemmer=self._stem, show_progress=False, return_ids=False
        )
        vocab = self._retriever.vocab_dict
        known = [[t for t in tokens[0] if t in vocab]]
        if not known[0]:
            return []
        docs, scores = self._retriever.retrieve(
            known, k=min(n, len(self._ids)), show_progress=False
        )
        return [(self._ids[d], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
