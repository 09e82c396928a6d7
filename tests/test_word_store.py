"""The passages' words kept at ingest for the word re-ranking (index/word_store.py): written
whole, read back close to what was read, reused for passages kept, and a cache (a missing
passage is None, never an error)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.embedder import DIMENSIONS
from assistant.index.word_store import (
    DIRECTIONS,
    WordStore,
    basis,
    fit_basis,
    project,
    refresh,
)


def _words(n: int, seed: int, dims: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dims)).astype(np.float32)
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
        return [_words(2, len(t), DIMENSIONS) for t in texts]

    assert refresh(folder, [("a", "alpha"), ("b", "beta")], reader) == 2
    assert refresh(folder, [("b", "beta"), ("c", "gamma!")], reader) == 1
    assert read == ["alpha", "beta", "gamma!"]  # "beta" was kept, not read again
    store = WordStore.load(folder)
    assert store.ids() == {"b", "c"}
    # kept as read, projected on the shipped directions
    got = store.get("c")
    assert got is not None and np.allclose(got, project(_words(2, 6, DIMENSIONS)), atol=0.01)


@pytest.mark.fast
def test_words_projected_on_another_basis_are_not_current(tmp_path):
    """A folder written before the basis changed (or before there was one) is rebuilt by the
    next ingest, never read as if it were in today's space."""
    folder = tmp_path / "words"
    WordStore.build(folder, {"a": _words(2, 1)})
    assert WordStore.stored_ids(folder) == ["a"]
    (folder / "basis.txt").write_text("another")
    assert WordStore.stored_ids(folder) is None
    (folder / "basis.txt").unlink()
    assert WordStore.stored_ids(folder) is None


@pytest.mark.fast
def test_shipped_basis_is_orthonormal_and_projection_gives_cosines():
    b = basis()
    assert b.shape == (DIMENSIONS, DIRECTIONS)
    assert np.allclose(b.T @ b, np.eye(DIRECTIONS), atol=1e-4)
    # two words inside the kept directions: their projected dot product is their cosine
    inside = _words(2, 7, DIRECTIONS) @ b.T
    p = project(inside)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5)
    assert np.isclose(p[0] @ p[1], inside[0] @ inside[1], atol=1e-4)
    assert project(np.zeros((0, DIMENSIONS))).shape == (0, DIRECTIONS)


@pytest.mark.fast
def test_fit_basis_finds_the_directions_the_words_lie_in_the_same_way_each_time():
    rng = np.random.default_rng(3)
    span = np.linalg.qr(rng.normal(size=(16, 3)))[0]  # three directions in 16 dimensions
    words = rng.normal(size=(200, 3)) * [5.0, 2.0, 1.0] @ span.T
    found = fit_basis(words, 3)
    # the same space, the largest direction first
    assert np.allclose(span @ (span.T @ found), found, atol=1e-4)
    assert abs(found[:, 0] @ span[:, 0]) > 0.99
    assert np.allclose(found, fit_basis(words[::-1], 3), atol=1e-6)  # signs fixed, not arbitrary
