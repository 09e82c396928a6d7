"""Incremental ingestion: only new or changed files are read and embedded.

Order of writes per file, so an interrupted run is always repairable: (1) mark the manifest
dirty, (2) upsert the new vectors (ids derive from content), (3) swap the file's manifest row and
chunks in one SQLite transaction, (4) delete the file's old vectors. At the end BM25 is rebuilt
from the manifest and the dirty mark cleared. A run that finds the mark reconciles first.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.errors import DocumentError, UsageError
from assistant.core.models import Chunk
from assistant.core.progress import NoProgress, Progress
from assistant.documents import loaders
from assistant.documents.chunking import ChunkingParams, chunk_document
from assistant.index.embedder import MODEL_ID, Embedder
from assistant.index.lock import WriteLock
from assistant.index.manifest import FileRecord
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
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.renamed or self.repaired)


def walk(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Supported files under ``paths`` and the files skipped for their type."""
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
            if loaders.is_supported(p):
                files.append(p.resolve())
            else:
                skipped.append((str(p), f"not a supported type ({p.suffix or 'no extension'})"))
    return list(dict.fromkeys(files)), skipped


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
            f"{MODEL_ID}|{self.params.fingerprint()}|parser={loaders.PARSER_VERSION}|store={where}"
        )

    def run(
        self, paths: list[Path], rebuild: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        progress = progress or NoProgress()
        started = time.perf_counter()
        with WriteLock(self.store.lock_path):
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
        manifest = self.store.manifest
        stored_fp = manifest.get("fingerprint")
        if rebuild or (stored_fp is not None and stored_fp != self.fingerprint):
            if not rebuild:
                report.repaired.append("model or chunking settings changed: rebuilt the index")
            self.store.clear()
        elif manifest.dirty:
            report.repaired += self.store.repair() or ["finished an interrupted ingest"]
        manifest.set("fingerprint", self.fingerprint)
        manifest.set("last_skipped", json.dumps(report.skipped))

        known = manifest.files()
        # Files gone from disk leave the index (documents are the truth); a gone file whose
        # content reappears under a new name is a rename and keeps its vectors.
        gone = {p: r for p, r in known.items() if not Path(p).exists()}
        gone_by_sha = {r.sha256: r for r in gone.values() if r.status == "ok"}

        todo: list[tuple[Path, bytes, str, FileRecord | None]] = []
        renames: list[tuple[FileRecord, Path]] = []
        seen_sha: dict[str, str] = {}
        for path in files:
            key = str(path)
            rec = known.get(key)
            try:
                size = path.stat().st_size
                if size > self.max_bytes:
                    raise DocumentError(
                        f"file is {size / 2**20:.1f} MB, over the "
                        f"{self.max_bytes / 2**20:.0f} MB limit"
                    )
                data = path.read_bytes()
            except (OSError, DocumentError) as exc:
                reason = str(exc) if isinstance(exc, DocumentError) else f"cannot read: {exc}"
                self._record_failure(path, "", 0, reason, rec, report)
                continue
            sha = _sha256(data)
            if sha in seen_sha and data:
                report.skipped.append((key, f"duplicate of {seen_sha[sha]}"))
                continue
            seen_sha[sha] = path.name
            if rec and rec.sha256 == sha and rec.status == "ok":
                report.unchanged.append(path.name)
            elif rec is None and sha in gone_by_sha:
                renames.append((gone_by_sha.pop(sha), path))
            else:
                todo.append((path, data, sha, rec))

        renamed_from = {old.path for old, _ in renames}
        removed = [r for p, r in gone.items() if p not in renamed_from]
        if not (todo or renames or removed) and self.store.derived_is_current():
            return report  # nothing to do: no heavy import, no index write

        manifest.dirty = True
        self._apply_renames(renames, report)
        loaded = self._load(todo, report, progress)
        self._embed_and_write(loaded, report, progress)
        self._delete(removed, report)
        self.store.rebuild_lexical()
        manifest.set("last_ingest", str(time.time()))
        manifest.dirty = False
        return report

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

    def _delete(self, records: list[FileRecord], report: IngestReport) -> None:
        if not records:
            return
        manifest = self.store.manifest
        with manifest.transaction() as db:
            for r in records:
                manifest.delete_file(db, r.path)
        self.store.vectors.delete([i for r in records for i in r.chunk_ids])
        report.removed += [r.file for r in records]

    def _record_failure(
        self,
        path: Path,
        sha: str,
        size: int,
        reason: str,
        rec: FileRecord | None,
        report: IngestReport,
    ) -> None:
        """A failed file keeps its previous good version, if any, and says why it failed."""
        report.failed.append((path.name, reason))
        manifest = self.store.manifest
        keep = rec is not None and rec.status in ("ok", "stale") and bool(rec.chunk_ids)
        new = FileRecord(
            path=str(path),
            file=path.name,
            sha256=rec.sha256 if keep and rec else sha,
            size=rec.size if keep and rec else size,
            status="stale" if keep else "failed",
            reason=reason + ("; the previously indexed version is kept" if keep else ""),
            title=rec.title if keep and rec else "",
            doc_no=rec.doc_no if keep and rec else "",
            revision=rec.revision if keep and rec else "",
            chunk_ids=rec.chunk_ids if keep and rec else [],
            ingested_at=time.time(),
        )
        with manifest.transaction() as db:
            manifest.put_file(db, new)

    def _apply_renames(self, renames: list[tuple[FileRecord, Path]], report: IngestReport) -> None:
        manifest = self.store.manifest
        for old, path in renames:
            chunks = [
                Chunk(**{**c.to_dict(), "file": path.name, "path": str(path)})
                for c in manifest.chunks_by_id(old.chunk_ids).values()
            ]
            self.store.vectors.update_metadata([c.to_dict() for c in chunks])
            old_name = old.file
            with manifest.transaction() as db:
                manifest.delete_file(db, old.path)
                old.path, old.file, old.ingested_at = str(path), path.name, time.time()
                manifest.put_file(db, old)
                manifest.put_chunks(db, old.path, chunks)
            report.renamed.append((old_name, path.name))

    def _load(self, todo, report: IngestReport, progress: Progress):
        progress.stage("reading files", len(todo))
        loaded = []
        for path, data, sha, rec in todo:
            try:
                doc = loaders.parse(data, path, path.suffix.lower()) if data else None
                if doc is None:
                    raise DocumentError("empty file (0 bytes)")
                chunks = chunk_document(doc, sha, self.params)
                loaded.append((path, sha, len(data), rec, doc, chunks))
                report.warnings += [(path.name, w) for w in doc.warnings]
            except DocumentError as exc:
                self._record_failure(path, sha, len(data), str(exc), rec, report)
            except Exception as exc:  # a loader bug on one file must not stop the ingest
                self._record_failure(
                    path,
                    sha,
                    len(data),
                    f"could not be read ({type(exc).__name__}: {exc})",
                    rec,
                    report,
                )
            progress.advance()
        return loaded

    def _embed_and_write(self, loaded, report: IngestReport, progress: Progress) -> None:
        """Embed and commit files in groups: big enough batches for the model, and an
        interrupted run loses at most one group."""
        progress.stage("embedding chunks", sum(len(item[-1]) for item in loaded))
        group: list = []
        for item in loaded:
            group.append(item)
            if sum(len(g[-1]) for g in group) >= _GROUP_CHUNKS:
                self._write_group(group, report, progress)
                group = []
        if group:
            self._write_group(group, report, progress)

    def _write_group(self, group, report: IngestReport, progress: Progress) -> None:
        all_chunks = [c for *_, chunks in group for c in chunks]
        vectors = self.embedder.encode_passages(
            [c.embedding_text() for c in all_chunks], on_batch=progress.advance
        )
        report.chunks_embedded += len(all_chunks)
        manifest = self.store.manifest
        offset = 0
        for path, sha, size, rec, doc, chunks in group:
            part = vectors[offset : offset + len(chunks)]
            offset += len(chunks)
            self.store.vectors.upsert([c.to_dict() for c in chunks], part)
            info = doc.info
            new = FileRecord(
                str(path),
                path.name,
                sha,
                size,
                "ok",
                "",
                doc.warnings,
                info.title,
                info.doc_no,
                info.revision,
                [c.id for c in chunks],
                time.time(),
            )
            with manifest.transaction() as db:
                manifest.put_file(db, new)
                manifest.put_chunks(db, str(path), chunks)
            stale = set(rec.chunk_ids) - set(new.chunk_ids) if rec else set()
            if stale:
                self.store.vectors.delete(sorted(stale))
            (report.updated if rec and rec.status != "failed" else report.added).append(path.name)
