"""The index of one data directory: manifest (truth), Chroma vectors and BM25, kept in step."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.index.boilerplate import repeated_lines, without
from assistant.index.lexical import LexicalIndex
from assistant.index.lock import lock_holder
from assistant.index.manifest import Manifest
from assistant.index.snapshot import VectorSnapshot
from assistant.index.vector_store import ChromaStore, VectorConfig


@dataclass(frozen=True)
class Consistency:
    consistent: bool
    problems: list[str]


class IndexStore:
    def __init__(self, data_dir: Path, vector_config: VectorConfig | None = None) -> None:
        self.data_dir = data_dir
        self.vector_config = vector_config or VectorConfig()
        self.manifest = Manifest(data_dir / "manifest.sqlite")
        self._lexical: LexicalIndex | None = None
        self._lexical_lock = threading.Lock()
        self._snapshot: VectorSnapshot | None = None

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def snapshot_dir(self) -> Path:
        return self.data_dir / "vectors"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"

    @cached_property
    def vectors(self) -> ChromaStore:
        return ChromaStore(self.chroma_dir, self.vector_config)

    @property
    def lexical(self) -> LexicalIndex:
        with self._lexical_lock:
            if self._lexical is None:
                self._lexical = LexicalIndex.load(self.bm25_dir)
            return self._lexical

    @property
    def reader(self) -> ChromaStore | VectorSnapshot:
        """Where questions read vectors from: the snapshot when the vectors live in this data
        directory and the snapshot matches the manifest (no chromadb import), else Chroma."""
        if self.vector_config.kind != "embedded":
            return self.vectors
        with self._lexical_lock:
            if self._snapshot is None and self.snapshot_is_current():
                self._snapshot = VectorSnapshot.load(self.snapshot_dir)
            snapshot = self._snapshot
        return snapshot if snapshot is not None else self.vectors

    def snapshot_is_current(self) -> bool:
        ids = VectorSnapshot.stored_ids(self.snapshot_dir)
        return ids is not None and set(ids) == self.manifest.chunk_ids()

    def derived_is_current(self) -> bool:
        """BM25 and (for an embedded store) the vector snapshot match the manifest."""
        return self.lexical_is_current() and (
            self.vector_config.kind != "embedded" or self.snapshot_is_current()
        )

    def rebuild_lexical(self) -> None:
        """Rebuild the derived read indexes (BM25 and the vector snapshot) from the manifest
        and the vector store, after every write to the index."""
        chunks = self.manifest.all_chunks()
        ids = [c.id for c in chunks]
        boilerplate = repeated_lines(chunks)  # licence footers, template instructions
        texts = [without(c.embedding_text(), boilerplate) for c in chunks]
        LexicalIndex.build(self.bm25_dir, ids, texts)
        if self.vector_config.kind == "embedded":
            stored: dict[str, np.ndarray] = {}
            for start in range(0, len(ids), 5000):
                stored.update(self.vectors.embeddings(ids[start : start + 5000]))
            kept = [i for i in ids if i in stored]  # a missing vector: Chroma stays the reader
            VectorSnapshot.build(
                self.snapshot_dir, kept, np.array([stored[i] for i in kept], dtype=np.float32)
            )
        with self._lexical_lock:
            self._lexical = None
            self._snapshot = None

    def lexical_is_current(self) -> bool:
        ids = LexicalIndex.stored_ids(self.bm25_dir)
        return ids is not None and set(ids) == self.manifest.chunk_ids()

    def check(self) -> Consistency:
        """Does every part of the index agree with the manifest?"""
        problems = []
        if self.manifest.dirty:
            holder = lock_holder(self.lock_path)
            problems.append(
                f"an ingest is running ({holder}); these figures change when it finishes"
                if holder
                else "an ingest was interrupted; the next ingest repairs it"
            )
        truth = self.manifest.chunk_ids()
        try:
            in_vectors = self.vectors.ids()
        except Exception as exc:
            if not self.manifest.read_only:
                raise  # a server that is down is the caller's one-line error
            # A read-only copy: Chroma will not open it, but questions read the snapshot.
            problems.append(f"the vector store could not be checked ({type(exc).__name__})")
            in_vectors = truth
        if in_vectors != truth:
            problems.append(
                f"vector store differs from manifest: {len(in_vectors - truth)} extra, "
                f"{len(truth - in_vectors)} missing chunks"
            )
        if not self.lexical_is_current():
            problems.append("BM25 index is missing or out of date")
        if self.vector_config.kind == "embedded" and not self.snapshot_is_current():
            problems.append("vector snapshot is missing or out of date; the next ingest makes it")
        for rec in self.manifest.files().values():
            if rec.status == "ok" and not rec.chunk_ids:
                problems.append(f"{rec.file} has no chunks")
        return Consistency(not problems, problems)

    def repair(self) -> list[str]:
        """Make vectors and BM25 agree with the manifest. Files whose vectors are missing are
        dropped from the manifest so the caller re-ingests them. Returns what was done."""
        done = []
        truth = self.manifest.chunk_ids()
        in_vectors = self.vectors.ids()
        extra = in_vectors - truth
        if extra:
            self.vectors.delete(sorted(extra))
            done.append(f"removed {len(extra)} orphan vectors")
        missing = truth - in_vectors
        if missing:
            paths = self.manifest.paths_of_chunks(missing)
            with self.manifest.transaction() as db:
                for p in paths:
                    self.manifest.delete_file(db, p)
            done.append(f"{len(paths)} file(s) with missing vectors will be re-ingested")
        self.rebuild_lexical()
        self.manifest.dirty = False
        return done

    def clear(self) -> None:
        self.manifest.dirty = True
        self.vectors.clear()
        self.manifest.clear()
        self.rebuild_lexical()
        self.manifest.dirty = False
