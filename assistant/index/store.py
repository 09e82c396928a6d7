"""The index of one data directory: manifest (truth), Chroma vectors and BM25, kept in step.

Layout of DATA_DIR: ``manifest.sqlite`` (the truth), a Chroma folder (``chroma``, or the
``chroma-<id>`` the manifest names after a rebuild), ``bm25/`` and ``vectors/`` (derived, each
checked against the manifest's chunk ids before use) and ``ingest.lock``. A rebuild is built in
``.rebuild-<pid>/`` with the same layout and switched in by ``replace_with``.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.models import Chunk
from assistant.index.boilerplate import repeated_lines, without
from assistant.index.folders import swap_in
from assistant.index.lexical import LexicalIndex
from assistant.index.lock import lock_holder
from assistant.index.manifest import FileRecord, Manifest
from assistant.index.revisions import Superseded, superseded
from assistant.index.snapshot import VectorSnapshot
from assistant.index.vector_store import ChromaStore, VectorConfig
from assistant.index.word_store import WordStore


@dataclass(frozen=True)
class Consistency:
    consistent: bool
    problems: list[str]


# Manifest key naming the Chroma folder in use: a rebuild writes a new folder and switches to
# it with the manifest, so no process ever sees a Chroma folder renamed under it.
_CHROMA_FOLDER = "chroma_folder"
_LEGACY_CHROMA = "chroma"
STAGING_PREFIX = ".rebuild-"


class IndexStore:
    def __init__(
        self,
        data_dir: Path,
        vector_config: VectorConfig | None = None,
        set_aside_superseded: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.vector_config = vector_config or VectorConfig()
        # Old revisions beside their successors are left out of every search (revisions.py);
        # off, every indexed file is searched and ``superseded`` finds none.
        self.set_aside_superseded = set_aside_superseded
        self.manifest = Manifest(data_dir / "manifest.sqlite")
        self._lexical: LexicalIndex | None = None
        self._lexical_lock = threading.Lock()
        self._snapshot: VectorSnapshot | None = None
        self._words: WordStore | None = None
        # (path -> how it is superseded, the passages of those files), made together
        self._superseded: tuple[dict[str, Superseded], frozenset[str]] | None = None
        # The index version (last_ingest) the cached BM25 and snapshot were loaded for: another
        # process's ingest or rebuild makes them stale in a long-lived reader (the web app).
        self._derived_version: str | None = None
        self._vectors: ChromaStore | None = None
        self._vectors_dir: Path | None = None
        self._vectors_lock = threading.Lock()

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / (self.manifest.get(_CHROMA_FOLDER) or _LEGACY_CHROMA)

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def snapshot_dir(self) -> Path:
        return self.data_dir / "vectors"

    @property
    def words_dir(self) -> Path:
        return self.data_dir / "words"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"

    @property
    def vectors(self) -> ChromaStore:
        """The Chroma store the manifest names; reopened when a rebuild switched folders."""
        directory = self.chroma_dir
        with self._vectors_lock:
            if self._vectors is None or self._vectors_dir != directory:
                stale = self._vectors
                self._vectors = ChromaStore(directory, self.vector_config)
                self._vectors_dir = directory
                if stale is not None:
                    stale.close()
            return self._vectors

    def close_vectors(self) -> None:
        """Release the Chroma client (its files can then be moved or deleted)."""
        with self._vectors_lock:
            if self._vectors is not None:
                self._vectors.close()
            self._vectors = self._vectors_dir = None

    def _forget_stale_derived(self) -> None:
        """Drop the cached BM25 and snapshot when the index changed since they were loaded
        (called with ``_lexical_lock`` held)."""
        version = self.manifest.get("last_ingest")
        if version != self._derived_version:
            self._lexical = self._snapshot = self._words = self._superseded = None
            self._derived_version = version

    @property
    def lexical(self) -> LexicalIndex:
        with self._lexical_lock:
            self._forget_stale_derived()
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
            self._forget_stale_derived()
            if self._snapshot is None and self.snapshot_is_current():
                self._snapshot = VectorSnapshot.load(self.snapshot_dir)
            snapshot = self._snapshot
        return snapshot if snapshot is not None else self.vectors

    @property
    def words(self) -> WordStore:
        """The passages' words in context kept at ingest (a cache: it may lack passages)."""
        with self._lexical_lock:
            self._forget_stale_derived()
            if self._words is None:
                self._words = WordStore.load(self.words_dir)
            return self._words

    def _superseded_view(self) -> tuple[dict[str, Superseded], frozenset[str]]:
        with self._lexical_lock:
            self._forget_stale_derived()
            if self._superseded is None:
                files = self.manifest.files().values() if self.set_aside_superseded else ()
                found = superseded(files)
                ids = frozenset(i for s in found.values() for i in s.chunk_ids)
                self._superseded = (found, ids)
            return self._superseded

    def superseded(self) -> dict[str, Superseded]:
        """Indexed path -> why it is set aside (``revisions.py``: a later indexed revision of
        the same document, or the document's own status): listed, never searched or quoted.
        Empty when the store does not set them aside."""
        return self._superseded_view()[0]

    def set_aside_ids(self) -> frozenset[str]:
        """The passages of every file set aside (``superseded``): left out of every search."""
        return self._superseded_view()[1]

    def current_chunks(self) -> list[Chunk]:
        """Every passage of the documents in force (all but the superseded files'), in
        reading order."""
        aside = self.set_aside_ids()
        return [c for c in self.manifest.all_chunks() if c.id not in aside]

    def words_are_current(self) -> bool:
        return self._holds_every_chunk(WordStore.stored_ids(self.words_dir))

    def snapshot_is_current(self) -> bool:
        return self._holds_every_chunk(VectorSnapshot.stored_ids(self.snapshot_dir))

    def _holds_every_chunk(self, ids: list[str] | None) -> bool:
        """A derived folder's chunk ids (None: missing or not whole) are the manifest's."""
        return ids is not None and set(ids) == self.manifest.chunk_ids()

    def derived_is_current(self) -> bool:
        """BM25, the passages' words and (for an embedded store) the vector snapshot match the
        manifest."""
        return (
            self.lexical_is_current()
            and self.words_are_current()
            and (self.vector_config.kind != "embedded" or self.snapshot_is_current())
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
            self._words = None
            self._superseded = None

    def lexical_is_current(self) -> bool:
        return self._holds_every_chunk(LexicalIndex.stored_ids(self.bm25_dir))

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
        for rec in self.files_missing_chunks(truth):
            problems.append(
                f"{rec.file} has lost passages ({len(set(rec.chunk_ids) - truth)} of "
                f"{len(rec.chunk_ids)}); the next ingest reads it again"
            )
        return Consistency(not problems, problems)

    def files_missing_chunks(self, truth: set[str] | None = None) -> list[FileRecord]:
        """Indexed files some of whose passages are gone from the manifest: an index written
        before copies in two folders were told apart lost the passages both shared."""
        truth = self.manifest.chunk_ids() if truth is None else truth
        return [
            r
            for r in self.manifest.files().values()
            if r.status == "ok" and r.chunk_ids and not set(r.chunk_ids) <= truth
        ]

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
        chroma_folder = self.manifest.get(_CHROMA_FOLDER)
        self.manifest.dirty = True
        self.vectors.clear()
        self.manifest.clear()
        if chroma_folder:  # the vectors stay in the folder they are in
            self.manifest.set(_CHROMA_FOLDER, chroma_folder)
        self.rebuild_lexical()
        self.manifest.dirty = False

    # -- rebuilding beside the live index ---------------------------------------------------
    def staging(self) -> IndexStore:
        """An empty index in ``DATA_DIR/.rebuild-<pid>/``, built while this one keeps
        answering, then switched in by ``replace_with``. Only for an embedded vector store:
        a Chroma server has one collection, which cannot hold two indexes side by side."""
        folder = self.data_dir / f"{STAGING_PREFIX}{os.getpid()}"
        shutil.rmtree(folder, ignore_errors=True)
        return IndexStore(folder, self.vector_config, self.set_aside_superseded)

    def replace_with(self, staged: IndexStore) -> None:
        """Switch this data directory to the complete index in ``staged``.

        Order, so that a crash at any point leaves a working index: (1) the staged Chroma
        folder moves in under a new name, unused so far; (2) the manifest takes the staged
        content in one SQLite step, naming that folder: from here readers see the new index
        (the old BM25 and snapshot no longer match the manifest's ids, so they are not used);
        (3) the staged BM25 and snapshot folders replace the old ones, each in one rename;
        (4) the old Chroma folder is deleted. A crash before (2) leaves the old index and
        leftovers that ``discard_leftovers`` removes; after it, the next ingest rebuilds BM25
        and the snapshot from the new manifest. Processes reading the old files keep their
        open copies (deleted files live on while open) and move to the new ones on their next
        question."""
        new_folder = f"chroma-{uuid.uuid4().hex[:12]}"
        staged_chroma = staged.chroma_dir
        staged.close_vectors()
        if staged_chroma.exists():
            os.replace(staged_chroma, self.data_dir / new_folder)
        staged.manifest.set(_CHROMA_FOLDER, new_folder)
        old_chroma = self.chroma_dir
        self.close_vectors()
        self.manifest.replace_with(staged.manifest)
        for name in (self.bm25_dir.name, self.snapshot_dir.name, self.words_dir.name):
            _replace_folder(staged.data_dir / name, self.data_dir / name)
        with self._lexical_lock:
            self._lexical = self._snapshot = self._words = None
            self._derived_version = None
        if old_chroma.name != new_folder:
            shutil.rmtree(old_chroma, ignore_errors=True)

    def discard_leftovers(self) -> list[str]:
        """Remove what an interrupted rebuild left: its staging folder and a Chroma folder the
        manifest does not name. Call with the write lock held (only its holder makes them)."""
        in_use = self.chroma_dir.name
        removed = []
        for path in sorted(self.data_dir.iterdir()):
            leftover = path.name.startswith(STAGING_PREFIX) or (
                path.name.startswith("chroma-") and path.name != in_use
            )
            if leftover and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        if in_use != _LEGACY_CHROMA:
            legacy = self.data_dir / _LEGACY_CHROMA
            if legacy.is_dir():
                shutil.rmtree(legacy, ignore_errors=True)
                removed.append(legacy.name)
        return removed

    def close(self) -> None:
        self.close_vectors()
        self.manifest.close()


def _replace_folder(new: Path, target: Path) -> None:
    """``target`` becomes ``new`` (when the rebuild made one); a reader sees one or the other."""
    if new.exists():
        swap_in(new, target)
