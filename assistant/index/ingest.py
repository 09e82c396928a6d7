"""Incremental ingestion: only new or changed files are read and embedded.

Each run plans, then applies. The plan (assistant/index/plan.py, pure) decides from the files'
bytes and the manifest what is unchanged, new, changed, renamed, duplicated, refused or removed.
Applying it writes, per file, in an order that keeps an interrupted run repairable: (1) mark the
manifest dirty, (2) upsert the new vectors (ids derive from content), (3) swap the file's
manifest row and chunks in one SQLite transaction, (4) delete the file's old vectors. At the end
BM25 and the vector snapshot are rebuilt from the manifest and the dirty mark cleared. A run that
finds the mark reconciles first.

Starting over (``--rebuild``, or a changed model or chunking) builds a whole new index beside the
live one, in ``DATA_DIR/.rebuild-<pid>/``, and switches to it when it is complete: questions keep
being answered from the old index meanwhile, and a rebuild that dies leaves the old index as it
was (the next run removes the leftovers). With a Chroma server (``vector_store = "server"``) the
collection cannot hold two indexes side by side, so there the index is still cleared first and
refilled in place: questions asked meanwhile find only what has been indexed so far.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.core.errors import DocumentError, UsageError
from assistant.core.models import SEARCH_TEXT_VERSION, Chunk, LoadedDocument
from assistant.core.progress import NoProgress, Progress
from assistant.documents import loaders
from assistant.documents.chunking import ChunkingParams, chunk_document
from assistant.documents.formats import skip_reason
from assistant.index import word_store
from assistant.index.embedder import MODEL_ID, Embedder
from assistant.index.lock import WriteLock
from assistant.index.manifest import FileRecord
from assistant.index.plan import (
    PendingFile,
    RefusedFile,
    RenamedFile,
    failure_record,
    plan_ingest,
)
from assistant.index.store import IndexStore

# Chunks embedded and committed together (see _embed_and_write).
_GROUP_CHUNKS = 128


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    # (file, "superseded by ...") for each indexed file a later indexed revision replaces
    set_aside: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.renamed or self.repaired)


# A folder of documents no longer in force ("Obsolete", "Superseded docs", "_withdrawn"): its
# files are skipped when a folder above it is ingested, as quoting them would teach what an
# auditor writes up. Not "archive": QMS shares keep past years' records there, which are
# evidence. Ingesting such a folder itself (or a file in it) indexes it.
_OBSOLETE_FOLDER = re.compile(r"(?<![a-z])(obsolete|superseded|withdrawn)(?![a-z])", re.IGNORECASE)


def _obsolete_folder(relative: Path) -> str | None:
    """The first folder of ``relative`` (a file's path under the ingested root) that holds
    documents no longer in force, or None."""
    return next((part for part in relative.parts[:-1] if _OBSOLETE_FOLDER.search(part)), None)


def walk(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Supported files under ``paths`` and the files skipped for their type or for lying in a
    folder of obsolete documents."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for root in paths:
        if not root.exists():
            raise UsageError(f"no such file or folder: {root}")
        candidates = (
            [root]
            if root.is_file()
            else sorted(
                p
                for p in root.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
        )
        for p in candidates:
            folder = _obsolete_folder(p.relative_to(root)) if root.is_dir() else None
            if folder is not None:
                skipped.append(
                    (
                        str(p),
                        f"in a folder of documents no longer in force ({folder!r}): not indexed;"
                        " ingest that folder itself to include it",
                    )
                )
            elif (reason := skip_reason(p.name)) is None:
                files.append(p.resolve())
            else:
                skipped.append((str(p), reason))
    return list(dict.fromkeys(files)), skipped


def _size_on_disk(path: Path) -> int:
    return path.stat().st_size


@dataclass(frozen=True)
class LoadedFile:
    """A pending file parsed and chunked, ready to embed."""

    pending: PendingFile
    doc: LoadedDocument
    chunks: list[Chunk]

    def manifest_row(self, now: float) -> FileRecord:
        info = self.doc.info
        return FileRecord(
            path=str(self.pending.path),
            file=self.pending.path.name,
            sha256=self.pending.sha256,
            size=self.pending.size,
            status="ok",
            reason="",
            warnings=self.doc.warnings,
            title=info.title,
            doc_no=info.doc_no,
            revision=info.revision,
            doc_status=info.status,
            chunk_ids=[c.id for c in self.chunks],
            ingested_at=now,
        )


# What an ingest reports when the index's fingerprint no longer matches (an upgrade that reads
# or searches documents differently, another model or chunk size, another vector store).
_REBUILT = "the model, the chunking or how documents are read or searched changed: index rebuilt"


class Ingestor:
    def __init__(
        self, store: IndexStore, embedder: Embedder, params: ChunkingParams, max_bytes: int
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.params = params
        self.max_bytes = max_bytes

    @property
    def fingerprint(self) -> str:
        # Where the vectors live is part of it: moving to a server (or another collection)
        # re-embeds into the new store instead of trusting a manifest written for the old one.
        v = self.store.vector_config
        where = "embedded" if v.kind == "embedded" else f"{v.host}:{v.port}/{v.collection}"
        return (
            f"{MODEL_ID}|{self.params.fingerprint()}|parser={loaders.PARSER_VERSION}"
            f"|search={SEARCH_TEXT_VERSION}|store={where}"
        )

    def run(
        self, paths: list[Path], rebuild: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        progress = progress or NoProgress()
        started = time.perf_counter()
        with WriteLock(self.store.lock_path):
            self.store.discard_leftovers()
            if self._starts_over(rebuild) and self.store.vector_config.kind == "embedded":
                report = self._rebuild_beside(paths, rebuild, progress)
            else:
                report = self._run(paths, rebuild, progress)
        # Questions are embedded by an ONNX copy of the model (no torch on the query path);
        # made once here, where torch may already be loaded, when it is missing.
        if self.store.manifest.chunk_count():
            self.embedder.ensure_fast()
        progress.close()
        report.seconds = time.perf_counter() - started
        return report

    def _run(self, paths: list[Path], rebuild: bool, progress: Progress) -> IngestReport:
        report = IngestReport()
        files, report.skipped = walk(paths)
        self._reconcile(rebuild, report)
        manifest = self.store.manifest
        plan = plan_ingest(
            files,
            manifest.files(),
            read=Path.read_bytes,
            size_of=_size_on_disk,
            exists=Path.exists,
            max_bytes=self.max_bytes,
        )
        report.unchanged += [p.name for p in plan.unchanged]
        report.skipped += [(str(d.path), d.reason) for d in plan.duplicates]
        for refused in plan.refused:
            self._record_failure(refused, report)
        if not plan.needs_apply and self.store.derived_is_current():
            return report  # nothing to do: no heavy import, no index write

        manifest.dirty = True
        self._apply_renames(plan.renamed, report)
        loaded = self._load(plan.to_load, report, progress)
        self._embed_and_write(loaded, report, progress)
        self._delete(plan.removed, report)
        self.store.rebuild_lexical()  # BM25 and the vector snapshot
        self._read_words(progress)
        manifest.set("last_ingest", str(time.time()))
        manifest.dirty = False
        return report

    def _read_words(self, progress: Progress) -> None:
        """Keep every passage's words in context for re-ranking (index/word_store.py): those
        of new passages are read, the others kept."""
        chunks = self.store.manifest.all_chunks()

        def before_reading(missing: int) -> None:
            if missing:
                # The ONNX copy reads words twice as fast as torch (measured at stop 16: 96
                # passages in 3.6 s against 7.2 s, batched alike); a first ingest makes it here
                # instead of after the words.
                self.embedder.ensure_fast()
            progress.stage("reading passages' words", missing)

        word_store.refresh(
            self.store.words_dir,
            [(c.id, c.embedding_text()) for c in chunks],
            lambda texts: [
                np.array([v for _, v in words])
                for words in self.embedder.word_vectors(texts, word_store.PASSAGE_TOKENS)
            ],
            on_batch=progress.advance,
            on_missing=before_reading,
        )

    def _starts_over(self, rebuild: bool) -> bool:
        """Asked to, or the stored index was made with another model, chunking or store."""
        stored_fp = self.store.manifest.get("fingerprint")
        return rebuild or (stored_fp is not None and stored_fp != self.fingerprint)

    def _rebuild_beside(self, paths: list[Path], rebuild: bool, progress: Progress) -> IngestReport:
        """A complete new index built in a staging folder, then switched in; the live index is
        not touched until then (see IndexStore.replace_with)."""
        staged = self.store.staging()
        try:
            builder = Ingestor(staged, self.embedder, self.params, self.max_bytes)
            report = builder._run(paths, rebuild=False, progress=progress)
            if not staged.manifest.get("last_ingest"):  # nothing to index: still a new version
                staged.manifest.set("last_ingest", str(time.time()))
            self.store.replace_with(staged)
        finally:
            staged.close()
            shutil.rmtree(staged.data_dir, ignore_errors=True)
        if not rebuild:
            report.repaired.insert(0, _REBUILT)
        return report

    def _reconcile(self, rebuild: bool, report: IngestReport) -> None:
        """Start from a sound index: cleared when asked or when the fingerprint (model,
        chunking, reader, searched text, store) changed, repaired after an interrupted run.
        Records this run's fingerprint and the files skipped for their type."""
        manifest = self.store.manifest
        stored_fp = manifest.get("fingerprint")
        if rebuild or (stored_fp is not None and stored_fp != self.fingerprint):
            if not rebuild:
                report.repaired.append(_REBUILT)
            self.store.clear()
        elif manifest.dirty:
            report.repaired += self.store.repair() or ["finished an interrupted ingest"]
        lost = self.store.files_missing_chunks()
        if lost:  # forgotten here, so the plan reads them again as new files
            with manifest.transaction() as db:
                for r in lost:
                    manifest.delete_file(db, r.path)
            report.repaired.append(f"{len(lost)} file(s) had lost passages: read again")
        manifest.set("fingerprint", self.fingerprint)
        manifest.set("last_skipped", json.dumps(report.skipped))

    def remove(self, paths: list[str]) -> IngestReport:
        """Take documents out of the index (by their indexed path), files left as they are."""
        started = time.perf_counter()
        report = IngestReport()
        with WriteLock(self.store.lock_path):
            manifest = self.store.manifest
            known = manifest.files()
            records = [known[p] for p in paths if p in known]
            if records:
                manifest.dirty = True
                self._delete(records, report)
                self.store.rebuild_lexical()
                manifest.set("last_ingest", str(time.time()))
                manifest.dirty = False
        report.seconds = time.perf_counter() - started
        return report

    def _delete(self, records: Sequence[FileRecord], report: IngestReport) -> None:
        if not records:
            return
        manifest = self.store.manifest
        with manifest.transaction() as db:
            for r in records:
                manifest.delete_file(db, r.path)
        self.store.vectors.delete([i for r in records for i in r.chunk_ids])
        report.removed += [r.file for r in records]

    def _record_failure(self, refused: RefusedFile, report: IngestReport) -> None:
        """A failed file keeps its previous good version, if any, and says why it failed."""
        report.failed.append((refused.path.name, refused.reason))
        manifest = self.store.manifest
        with manifest.transaction() as db:
            manifest.put_file(db, failure_record(refused, now=time.time()))

    def _apply_renames(self, renames: Sequence[RenamedFile], report: IngestReport) -> None:
        """Move a renamed file's row, chunks and vector metadata to its new path; its vectors
        are kept (same content, same chunk ids)."""
        manifest = self.store.manifest
        for rename in renames:
            old, path = rename.old, rename.new_path
            chunks = [
                replace(c, file=path.name, path=str(path))
                for c in manifest.chunks_by_id(old.chunk_ids).values()
            ]
            self.store.vectors.update_metadata([c.to_dict() for c in chunks])
            moved = replace(old, path=str(path), file=path.name, ingested_at=time.time())
            with manifest.transaction() as db:
                manifest.delete_file(db, old.path)
                manifest.put_file(db, moved)
                manifest.put_chunks(db, moved.path, chunks)
            report.renamed.append((old.file, path.name))

    def _load(
        self,
        to_load: Sequence[PendingFile | RefusedFile],
        report: IngestReport,
        progress: Progress,
    ) -> list[LoadedFile]:
        """Parse and chunk the pending files; a file refused by the plan (empty) or failing
        here is recorded as failed, in the order of the files."""
        progress.stage("reading files", len(to_load))
        loaded: list[LoadedFile] = []
        for item in to_load:
            outcome = item if isinstance(item, RefusedFile) else self._parse(item)
            if isinstance(outcome, RefusedFile):
                self._record_failure(outcome, report)
            else:
                loaded.append(outcome)
                report.warnings += [(item.path.name, w) for w in outcome.doc.warnings]
            progress.advance()
        return loaded

    def _parse(self, pending: PendingFile) -> LoadedFile | RefusedFile:
        try:
            doc = loaders.parse(pending.data, pending.path, pending.path.suffix.lower())
            chunks = chunk_document(doc, pending.sha256, self.params)
        except DocumentError as exc:
            reason = str(exc)
        except Exception as exc:  # a loader bug on one file must not stop the ingest
            reason = f"could not be read ({type(exc).__name__}: {exc})"
        else:
            return LoadedFile(pending, doc, chunks)
        return RefusedFile(pending.path, pending.sha256, pending.size, reason, pending.previous)

    def _embed_and_write(
        self, loaded: list[LoadedFile], report: IngestReport, progress: Progress
    ) -> None:
        """Embed and commit files in groups: big enough batches for the model, and an
        interrupted run loses at most one group."""
        progress.stage("embedding chunks", sum(len(f.chunks) for f in loaded))
        group: list[LoadedFile] = []
        for item in loaded:
            group.append(item)
            if sum(len(f.chunks) for f in group) >= _GROUP_CHUNKS:
                self._write_group(group, report, progress)
                group = []
        if group:
            self._write_group(group, report, progress)

    def _write_group(
        self, group: list[LoadedFile], report: IngestReport, progress: Progress
    ) -> None:
        all_chunks = [c for f in group for c in f.chunks]
        vectors = self.embedder.encode_passages(
            [c.embedding_text() for c in all_chunks], on_batch=progress.advance
        )
        report.chunks_embedded += len(all_chunks)
        manifest = self.store.manifest
        offset = 0
        for f in group:
            part = vectors[offset : offset + len(f.chunks)]
            offset += len(f.chunks)
            self.store.vectors.upsert([c.to_dict() for c in f.chunks], part)
            row = f.manifest_row(now=time.time())
            with manifest.transaction() as db:
                manifest.put_file(db, row)
                manifest.put_chunks(db, row.path, f.chunks)
            previous = f.pending.previous
            old_ids = set(previous.chunk_ids) - set(row.chunk_ids) if previous else set()
            if old_ids:
                self.store.vectors.delete(sorted(old_ids))
            (report.updated if f.pending.replaces_indexed else report.added).append(row.file)
