"""The passages' words kept at ingest for the word re-ranking (index/word_store.py): read back
close to what was read, reused for passages kept, written by segment (an ingest writes only what
it read), and a cache (a missing passage is None, never an error)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.word_store import WordStore, quantise, refresh


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


def _reader(read: list[str]):
    def reader(texts: list[str]) -> list[np.ndarray]:
        read.extend(texts)
        return [_words(2, len(t)) for t in texts]

    return reader


def _names(folder) -> list[str]:
    return [s.name for s in WordStore.load(folder).segments()]


@pytest.mark.fast
def test_an_ingest_that_adds_passages_writes_only_them_and_leaves_the_others_files(tmp_path):
    """At about 36 KB a passage, rewriting the whole store on each ingest would write 700 MB
    at 20,000 passages: passages read are a new segment, the earlier ones stay as written."""
    folder = tmp_path / "words"
    read: list[str] = []
    chunks = [(f"c{i}", f"text {i}") for i in range(8)]
    refresh(folder, chunks, _reader(read))
    (first,) = _names(folder)
    written = (folder / first / "words.npy").stat().st_mtime_ns
    assert refresh(folder, [*chunks, ("c8", "text 8")], _reader(read)) == 1
    assert _names(folder)[0] == first and len(_names(folder)) == 2
    assert (folder / first / "words.npy").stat().st_mtime_ns == written
    store = WordStore.load(folder)
    assert store.ids() == {f"c{i}" for i in range(9)}
    assert np.allclose(store.get("c8"), _words(2, len("text 8")), atol=0.01)
    # nothing changed: nothing written
    assert refresh(folder, [*chunks, ("c8", "text 8")], _reader(read)) == 0
    assert len(_names(folder)) == 2


@pytest.mark.fast
def test_removed_passages_are_dropped_then_merged_away(tmp_path):
    folder = tmp_path / "words"
    chunks = [(f"c{i}", f"text {i}") for i in range(10)]
    refresh(folder, chunks, _reader([]))
    (first,) = _names(folder)
    refresh(folder, chunks[1:], _reader([]))  # one of ten dropped: under COMPACT_SHARE
    assert _names(folder) == [first]
    assert WordStore.stored_ids(folder) == [f"c{i}" for i in range(1, 10)]
    assert WordStore.load(folder).get("c0") is None
    # a dropped passage that comes back is read again, into a new segment
    assert refresh(folder, chunks, _reader([])) == 1
    assert WordStore.load(folder).ids() == {f"c{i}" for i in range(10)}
    refresh(folder, chunks[5:], _reader([]))  # half dropped: merged into one segment
    (merged,) = _names(folder)
    assert merged != first and not (folder / first).exists()
    store = WordStore.load(folder)
    assert store.ids() == {f"c{i}" for i in range(5, 10)}
    assert np.allclose(store.get("c7"), _words(2, len("text 7")), atol=0.01)


@pytest.mark.fast
def test_many_ingests_are_merged_at_max_segments(tmp_path):
    from assistant.index.word_store import MAX_SEGMENTS

    folder = tmp_path / "words"
    chunks: list[tuple[str, str]] = []
    for i in range(MAX_SEGMENTS + 1):
        chunks.append((f"c{i}", f"text {i}"))
        refresh(folder, chunks, _reader([]))
        assert 1 <= len(_names(folder)) <= MAX_SEGMENTS
    assert WordStore.load(folder).ids() == {c for c, _ in chunks}


@pytest.mark.fast
def test_stop_16s_single_folder_is_read_and_replaced_on_a_merge(tmp_path):
    """A data directory written before segments (the store's files in words/ itself) keeps its
    words: read as one segment, its files removed when the segments are merged."""
    from assistant.index.word_store import _write_segment

    folder = tmp_path / "words"
    folder.mkdir()
    name = _write_segment(folder, {"a": quantise(_words(3, 1)), "b": quantise(_words(2, 2))})
    for f in (folder / name).iterdir():
        f.rename(folder / f.name)
    (folder / name).rmdir()
    assert WordStore.stored_ids(folder) == ["a", "b"]
    assert np.allclose(WordStore.load(folder).get("a"), _words(3, 1), atol=0.01)
    read: list[str] = []
    refresh(folder, [("a", "x"), ("b", "y"), ("c", "z")], _reader(read))
    assert read == ["z"] and _names(folder)[0] == "."
    refresh(folder, [("c", "z")], _reader(read))  # two of three dropped: merged
    assert read == ["z"] and _names(folder) != ["."]
    assert not (folder / "ids.json").exists() and WordStore.load(folder).ids() == {"c"}


@pytest.mark.fast
def test_a_segment_gone_under_a_reader_is_an_empty_cache_not_an_error(tmp_path):
    import shutil

    folder = tmp_path / "words"
    refresh(folder, [("a", "alpha")], _reader([]))
    shutil.rmtree(folder / _names(folder)[0])
    assert WordStore.stored_ids(folder) is None
    assert WordStore.load(folder).get("a") is None


@pytest.mark.fast
def test_a_damaged_segment_list_is_a_missing_store(tmp_path):
    folder = tmp_path / "words"
    refresh(folder, [("a", "alpha")], _reader([]))
    for damaged in ("not json", '[{"nom": "x"}]', '{"name": 1}'):
        (folder / "segments.json").write_text(damaged)
        assert WordStore.stored_ids(folder) is None
        assert WordStore.load(folder).ids() == set()
    assert refresh(folder, [("a", "alpha")], _reader([])) == 1  # the next ingest rebuilds it
    assert WordStore.load(folder).ids() == {"a"}
