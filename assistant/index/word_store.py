"""Each passage's words as the model reads them in context, kept from ingest.

A question's subject words matched against a passage's words in context (each to its closest,
averaged: ``usecases/not_covered.word_recall``) tell whether the passage speaks of the thing
asked better than one vector per passage does, and they re-rank a plain question's documents
(docs/retrieval.md, "Words in context re-rank plain questions"). Reading a passage's words takes
about 16 ms on a 2-core machine, too slow for the eight documents a question re-ranks, so they
are read once, at ingest, and kept here: int8, each word scaled by its largest value (the
re-ranking's figures are those of float32 to three places: docs/retrieval.md), one matrix for
all passages, with each passage's first row. Like BM25 and the vector snapshot it is derived
from the manifest and written beside and swapped in whole; unlike them it is a cache: a passage
missing from it (an index repaired without the model at hand) is read when asked for, and the
next ingest adds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.index.folders import read_ids, write_folder

_IDS = "ids.json"
_ROWS = "rows.npy"  # passage n's words are rows[n]:rows[n + 1] of the matrix
_WORDS = "words.npy"
_SCALES = "scales.npy"  # per word: its largest absolute value / 127
# Each passage is read up to this many tokens: the not-covered model's choice, made with its
# folds (usecases/not_covered.py: 256 / 128 / 96 tokens right on 230 / 232 / 225 questions).
PASSAGE_TOKENS = 128


# A passage's words as kept: int8 rows and, per row, the scale that gives them back.
Quantised = tuple[np.ndarray, np.ndarray]


def quantise(words: np.ndarray) -> Quantised:
    """Word vectors (one a row) as int8, each row scaled by its largest absolute value."""
    matrix = np.asarray(words, dtype=np.float32)
    if not len(matrix):
        return np.zeros((0, 0), np.int8), np.zeros((0, 1), np.float32)
    scales = np.abs(matrix).max(axis=1, keepdims=True) / 127.0
    scales[scales == 0] = 1.0  # an all-zero word stays zero
    return np.round(matrix / scales).astype(np.int8), scales.astype(np.float32)


class WordStore:
    def __init__(
        self, ids: list[str], rows: np.ndarray, words: np.ndarray, scales: np.ndarray
    ) -> None:
        self._index = {i: n for n, i in enumerate(ids)}
        self._rows = rows
        self._words = words
        self._scales = scales

    @staticmethod
    def build(directory: Path, entries: dict[str, np.ndarray]) -> None:
        """Write the passages' word matrices (one array of word vectors per chunk id)."""
        WordStore._write(directory, {cid: quantise(words) for cid, words in entries.items()})

    @staticmethod
    def _write(directory: Path, entries: dict[str, Quantised]) -> None:
        ids = list(entries)
        kept = [entries[i] for i in ids if len(entries[i][0])]

        def write(tmp: Path) -> None:
            sizes = [len(entries[i][0]) for i in ids]
            rows = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
            words = np.concatenate([q for q, _ in kept]) if kept else np.zeros((0, 0), np.int8)
            scales = np.concatenate([s for _, s in kept]) if kept else np.zeros((0, 1))
            np.save(tmp / _ROWS, rows)
            np.save(tmp / _WORDS, words.astype(np.int8))
            np.save(tmp / _SCALES, scales.astype(np.float32))
            (tmp / _IDS).write_text(json.dumps(ids))

        write_folder(directory, write)

    @staticmethod
    def stored_ids(directory: Path) -> list[str] | None:
        """The chunk ids kept, or None when the folder is missing or not whole (a folder of an
        earlier format, without scales, is rebuilt by the next ingest)."""
        if not (directory / _SCALES).is_file():
            return None
        return read_ids(directory / _IDS)

    @classmethod
    def load(cls, directory: Path) -> WordStore:
        ids = cls.stored_ids(directory) or []
        if not ids:
            return cls([], np.zeros(1, np.int64), np.zeros((0, 0), np.int8), np.ones((0, 1)))
        return cls(
            ids,
            np.load(directory / _ROWS),
            np.load(directory / _WORDS, mmap_mode="r"),
            np.load(directory / _SCALES, mmap_mode="r"),
        )

    def ids(self) -> set[str]:
        return set(self._index)

    def get(self, chunk_id: str) -> np.ndarray | None:
        """A passage's words in context (float32, one row a word), or None when not kept."""
        kept = self.raw(chunk_id)
        if kept is None:
            return None
        return np.asarray(kept[0], dtype=np.float32) * kept[1]

    def raw(self, chunk_id: str) -> Quantised | None:
        """A passage's words as kept (int8 and scales), or None when not kept: an ingest
        copies these over as they are, without making float32 of every passage it keeps."""
        n = self._index.get(chunk_id)
        if n is None:
            return None
        rows = slice(self._rows[n], self._rows[n + 1])
        return np.asarray(self._words[rows]), np.asarray(self._scales[rows])


def refresh(
    directory: Path,
    chunks: Sequence[tuple[str, str]],
    read: Callable[[list[str]], list[np.ndarray]],
    batch: int = 16,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Make the store hold exactly these (chunk id, text) passages: kept words are reused,
    missing ones read with ``read`` in batches. Returns how many passages were read."""
    old = WordStore.load(directory) if WordStore.stored_ids(directory) else None
    entries: dict[str, Quantised] = {}
    missing: list[tuple[str, str]] = []
    for cid, text in chunks:
        kept = old.raw(cid) if old is not None else None
        if kept is None:
            missing.append((cid, text))
        else:
            entries[cid] = kept
    for start in range(0, len(missing), batch):
        part = missing[start : start + batch]
        for (cid, _), words in zip(part, read([t for _, t in part]), strict=True):
            entries[cid] = quantise(words)
        if on_batch is not None:
            on_batch(len(part))
    if missing or old is None or old.ids() != set(entries):
        WordStore._write(directory, {cid: entries[cid] for cid, _ in chunks})
    return len(missing)
