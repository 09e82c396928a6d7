"""Each passage's words as the model reads them in context, kept from ingest.

A question's subject words matched against a passage's words in context (each to its closest,
averaged: ``usecases/not_covered.word_recall``) tell whether the passage speaks of the thing
asked better than one vector per passage does, and they re-rank a plain question's documents
(docs/retrieval.md, "Words in context re-rank plain questions"). Reading a passage's words takes
about 16 ms on a 2-core machine, too slow for the eight documents a question re-ranks, so they
are read once, at ingest, and kept here: int8, each word scaled by its largest value (the
re-ranking's figures are those of float32 to three places: docs/retrieval.md), one matrix for
all passages of a segment, with each passage's first row. It is derived from the manifest like
BM25 and the vector snapshot, but at about 36 KB a passage (700 MB at 20,000) it is not
rewritten whole on each ingest: an ingest writes the passages it read as a new segment, and
passages removed are listed as dropped from theirs, both taking effect with one atomic
replacement of ``segments.json``; the segments are merged into one when dropped passages reach
COMPACT_SHARE of those kept or there are more than MAX_SEGMENTS. Unlike BM25 and the snapshot
it is a cache: a passage missing from it (an index repaired without the model at hand, a segment
removed under a reader) is read when asked for, and the next ingest adds it.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.index.folders import read_ids, write_folder

_SEGMENTS = "segments.json"  # [{"name": folder, "dropped": [chunk ids]}], in writing order
# Stop 16's layout: one segment's files in the folder itself, read as the segment ".".
_ROOT = "."
_IDS = "ids.json"
_ROWS = "rows.npy"  # passage n's words are rows[n]:rows[n + 1] of the matrix
_WORDS = "words.npy"
_SCALES = "scales.npy"  # per word: its largest absolute value / 127
# Hand-set, not measured (disk against the time of a merge): merge when the passages dropped
# reach this share of those kept (an edited document drops its old passages), or when an ingest
# would leave more segments than MAX_SEGMENTS (each is a few files to open per question).
COMPACT_SHARE = 0.25
MAX_SEGMENTS = 8
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


@dataclass
class _Segment:
    """One folder of passages' words as written by one ingest; ``dropped``: its passages
    removed since (their rows stay until the segments are merged)."""

    name: str
    ids: list[str]
    dropped: set[str] = field(default_factory=set)

    def live(self) -> list[str]:
        return [i for i in self.ids if i not in self.dropped]


def _segments(directory: Path) -> list[_Segment] | None:
    """The segments as the folder lists them, or None when it is missing or not whole."""
    listed = directory / _SEGMENTS
    try:
        entries = json.loads(listed.read_text()) if listed.is_file() else None
    except (OSError, ValueError):
        return None
    if entries is None:  # stop 16's layout, or nothing
        if not (directory / _SCALES).is_file():
            return None
        entries = [{"name": _ROOT, "dropped": []}]
    out = []
    try:
        for entry in entries:
            ids = read_ids(directory / entry["name"] / _IDS)
            if ids is None or not (directory / entry["name"] / _SCALES).is_file():
                return None
            out.append(_Segment(entry["name"], ids, set(entry["dropped"])))
    except (KeyError, TypeError):  # a list this code did not write
        return None
    return out


def _write_segment(directory: Path, entries: dict[str, Quantised]) -> str:
    """A new segment folder holding these passages, complete before it is named; its name."""
    name = f"s-{uuid.uuid4().hex[:12]}"
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

    write_folder(directory / name, write)
    return name


def _list(directory: Path, segments: list[_Segment]) -> None:
    """Make ``segments`` the store (one atomic replacement of the list), then remove what no
    longer belongs to it: a reader sees the old list or the new one, and a reader still on a
    removed segment reads its passages again (the store is a cache)."""
    listed = directory / _SEGMENTS
    tmp = directory / f"{_SEGMENTS}.tmp"
    entries = [{"name": s.name, "dropped": sorted(s.dropped)} for s in segments]
    tmp.write_text(json.dumps(entries))
    os.replace(tmp, listed)
    names = {s.name for s in segments}
    for path in directory.iterdir():
        if path.is_dir() and path.name not in names:
            shutil.rmtree(path, ignore_errors=True)
    if _ROOT not in names:
        for leftover in (_IDS, _ROWS, _WORDS, _SCALES):
            (directory / leftover).unlink(missing_ok=True)


class WordStore:
    def __init__(self, parts: list[tuple[_Segment, np.ndarray, np.ndarray, np.ndarray]]) -> None:
        # chunk id -> (segment's arrays, its position there); the latest segment wins
        self._index: dict[str, tuple[int, int]] = {}
        self._parts = parts
        for p, (segment, *_) in enumerate(parts):
            for n, cid in enumerate(segment.ids):
                if cid not in segment.dropped:
                    self._index[cid] = (p, n)

    @staticmethod
    def build(directory: Path, entries: dict[str, np.ndarray]) -> None:
        """Write the passages' word matrices (one array of word vectors per chunk id) as the
        whole store."""
        directory.mkdir(parents=True, exist_ok=True)
        name = _write_segment(directory, {cid: quantise(w) for cid, w in entries.items()})
        _list(directory, [_Segment(name, list(entries))])

    @staticmethod
    def stored_ids(directory: Path) -> list[str] | None:
        """The chunk ids kept, or None when the folder is missing or not whole (a folder of an
        earlier format, without scales, is rebuilt by the next ingest)."""
        segments = _segments(directory)
        if segments is None:
            return None
        return list(dict.fromkeys(i for s in segments for i in s.live()))

    @classmethod
    def load(cls, directory: Path) -> WordStore:
        """The store, its words memory-mapped; empty when missing or not whole (a cache)."""
        parts = []
        try:
            for segment in _segments(directory) or []:
                folder = directory / segment.name
                parts.append(
                    (
                        segment,
                        np.load(folder / _ROWS),
                        np.load(folder / _WORDS, mmap_mode="r"),
                        np.load(folder / _SCALES, mmap_mode="r"),
                    )
                )
        except (OSError, ValueError):  # merged away under this reader: read when asked for
            return cls([])
        return cls(parts)

    def ids(self) -> set[str]:
        return set(self._index)

    def segments(self) -> list[_Segment]:
        return [segment for segment, *_ in self._parts]

    def get(self, chunk_id: str) -> np.ndarray | None:
        """A passage's words in context (float32, one row a word), or None when not kept."""
        kept = self.raw(chunk_id)
        if kept is None:
            return None
        return np.asarray(kept[0], dtype=np.float32) * kept[1]

    def raw(self, chunk_id: str) -> Quantised | None:
        """A passage's words as kept (int8 and scales), or None when not kept: a merge copies
        these over as they are, without making float32 of every passage it keeps."""
        at = self._index.get(chunk_id)
        if at is None:
            return None
        _, rows, words, scales = self._parts[at[0]]
        span = slice(rows[at[1]], rows[at[1] + 1])
        return np.asarray(words[span]), np.asarray(scales[span])


def refresh(
    directory: Path,
    chunks: Sequence[tuple[str, str]],
    read: Callable[[list[str]], list[np.ndarray]],
    batch: int = 16,
    on_batch: Callable[[int], None] | None = None,
    on_missing: Callable[[int], None] | None = None,
) -> int:
    """Make the store hold exactly these (chunk id, text) passages: kept words are reused,
    missing ones read with ``read`` in batches and written as a new segment, removed ones
    dropped (the segments merged when COMPACT_SHARE or MAX_SEGMENTS is reached). Returns how
    many passages were read. ``on_missing`` is told how many before any is read."""
    old = WordStore.load(directory)  # empty when missing or not whole
    have = old.ids()
    wanted = {cid for cid, _ in chunks}
    missing = [(cid, text) for cid, text in chunks if cid not in have]
    if on_missing is not None:
        on_missing(len(missing))
    new: dict[str, Quantised] = {}
    for start in range(0, len(missing), batch):
        part = missing[start : start + batch]
        for (cid, _), words in zip(part, read([t for _, t in part]), strict=True):
            new[cid] = quantise(words)
        if on_batch is not None:
            on_batch(len(part))
    gone = have - wanted
    if not new and not gone and old.segments():
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    segments = [_Segment(s.name, s.ids, s.dropped | (set(s.ids) & gone)) for s in old.segments()]
    dropped = sum(len(s.ids) - len(s.live()) for s in segments)
    if dropped > COMPACT_SHARE * max(len(wanted), 1) or len(segments) + 1 > MAX_SEGMENTS:
        # merged: every passage kept, copied as int8, and the new ones, in the chunks' order
        merged: dict[str, Quantised] = {}
        for cid, _ in chunks:
            kept = new.get(cid) or old.raw(cid)
            if kept is not None:
                merged[cid] = kept
        segments = [_Segment(_write_segment(directory, merged), list(merged))]
    elif new:
        segments.append(_Segment(_write_segment(directory, new), list(new)))
    _list(directory, segments)
    return len(missing)
