"""The passages' words kept at ingest for the word re-ranking (index/word_store.py): written
whole, read back close to what was read, reused for passages kept, and a cache (a missing
passage is None, never an error)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.word_store import WordStore, refresh


def _words(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.fast
def test_words_are_read_back_as_written_to_within_int8(tmp_path):
    entries = {"a": _words(5, 1), "b": _words(0, 2).reshape(0, 8), "c": _words(3, 3)}
    WordStore.build(tmp_path / "words", entries)
    store = WordStore.load(tmp_path / "words")
    assert store.ids() == {"a", "b", "c"}
    for cid, words in entries.items():
        got = store.get(cid)
        assert got is not None and got.shape == words.shape
        assert np.allclose(got, words, atol=0.01)  # cosines move by well under 0.01
    assert store.get("gone") is None


@pytest.mark.fast
def test_refresh_reads_only_new_passages_and_drops_removed_ones(tmp_path):
    folder = tmp_path / "words"
    read: list[str] = []

    def reader(texts: list[str]) -> list[np.ndarray]:
        read.extend(texts)
        return [_words(2, len(t)) for t in texts]

    assert refresh(folder, [("a", "alpha"), ("b", "beta")], reader) == 2
    assert refresh(folder, [("b", "beta"), ("c", "gamma!")], reader) == 1
    assert read == ["alpha", "beta", "gamma!"]  # "beta" was kept, not read again
    assert WordStore.load(folder).ids() == {"b", "c"}
