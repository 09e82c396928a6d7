"""Planning an ingest: what each walked file needs, decided from its bytes and the manifest.

Pure: files are read through the functions given, nothing is written (no model, no vector
store, no SQLite), so every decision is testable with in-memory files. ``Ingestor`` in
assistant/index/ingest.py applies the plan.

Per file, in walk order, the first rule that holds decides:

1. it cannot be sized or read, or is over the size limit: refused before any index write;
2. it has the same non-empty content as an earlier file of this run, or as an indexed file
   still on disk that this run does not walk (another folder indexed before): skipped as its
   duplicate (an indexed file counts when it is walked too: ``unchanged`` files take part). A
   passage's id comes from its document's content, so a second copy would share the first's
   ids and, once either copy is removed, take its passages with it. An indexed file whose
   content became such a copy is removed as well as skipped;
3. it is indexed ("ok") with this content: unchanged;
4. its path is not indexed and its content is that of an indexed file now gone from disk: a
   rename, which keeps the vectors;
5. it is empty: refused, in reading order (with the failures of parsing, as the report lists);
6. otherwise it is new or changed: parsed, chunked and embedded when the plan is applied.

Parsing needs the document loaders, so it happens when the plan is applied: a file that
fails to parse is a pending file here, and ``failure_record`` says what the manifest keeps
for it (the previously indexed version, if any). Indexed files gone from disk and not renamed
are removed: the documents are the truth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.index.manifest import FileRecord

EMPTY_FILE = "empty file (0 bytes)"
KEPT_PREVIOUS = "; the previously indexed version is kept"


@dataclass(frozen=True)
class PendingFile:
    """A new or changed file, read, to be parsed, chunked and embedded."""

    path: Path
    data: bytes
    sha256: str
    previous: FileRecord | None  # its manifest row (ok, stale or failed), if it has one

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def replaces_indexed(self) -> bool:
        """Reported as updated rather than added: it has a row that is not a failure (a file
        whose last version failed has nothing indexed, so it is added)."""
        return self.previous is not None and self.previous.status != "failed"


@dataclass(frozen=True)
class RefusedFile:
    """A file that is not indexed this run, and why (shown to the user as it is)."""

    path: Path
    sha256: str  # "" when the file could not be read
    size: int  # 0 when the file could not be read
    reason: str
    previous: FileRecord | None  # its manifest row, whose indexed version may be kept


@dataclass(frozen=True)
class DuplicateFile:
    """A file with the same content as an earlier file of this run, or as an indexed file in
    another folder: not indexed twice."""

    path: Path
    original: Path

    @property
    def reason(self) -> str:
        same_folder = self.original.parent == self.path.parent
        return f"duplicate of {self.original.name if same_folder else self.original}"


@dataclass(frozen=True)
class RenamedFile:
    """An indexed file gone from disk whose content reappears under a new path."""

    old: FileRecord
    new_path: Path


@dataclass(frozen=True)
class IngestPlan:
    unchanged: tuple[Path, ...] = ()
    duplicates: tuple[DuplicateFile, ...] = ()
    # Unreadable or too large: recorded before any index write.
    refused: tuple[RefusedFile, ...] = ()
    renamed: tuple[RenamedFile, ...] = ()
    # In walk order, what the load step goes through: files to parse, and empty files,
    # refused there so that failures keep the order of the files.
    to_load: tuple[PendingFile | RefusedFile, ...] = ()
    removed: tuple[FileRecord, ...] = ()

    @property
    def pending(self) -> tuple[PendingFile, ...]:
        return tuple(f for f in self.to_load if isinstance(f, PendingFile))

    @property
    def new(self) -> tuple[PendingFile, ...]:
        """Pending files that will be reported as added."""
        return tuple(f for f in self.pending if not f.replaces_indexed)

    @property
    def changed(self) -> tuple[PendingFile, ...]:
        """Pending files that will be reported as updated."""
        return tuple(f for f in self.pending if f.replaces_indexed)

    @property
    def empty(self) -> tuple[RefusedFile, ...]:
        return tuple(f for f in self.to_load if isinstance(f, RefusedFile))

    @property
    def needs_apply(self) -> bool:
        """Files to load, renames or removals: the index is written. An empty file counts, as
        a file that fails to parse does (its failure is recorded in the load step)."""
        return bool(self.to_load or self.renamed or self.removed)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def size_refusal(size: int, limit: int) -> str | None:
    """Why a file of ``size`` bytes is refused, or None when it is within ``limit``."""
    if size <= limit:
        return None
    return f"file is {size / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB limit"


def plan_ingest(
    files: Sequence[Path],
    known: Mapping[str, FileRecord],
    *,
    read: Callable[[Path], bytes],
    size_of: Callable[[Path], int],
    exists: Callable[[Path], bool],
    max_bytes: int,
) -> IngestPlan:
    """Decide what an ingest of ``files`` does, given the manifest's rows (``known``, by path,
    in the manifest's order). ``size_of`` and ``read`` may raise OSError (the file is then
    refused); ``size_of`` is asked first, so a file over ``max_bytes`` is never read."""
    # A gone file whose content reappears under a new name is a rename; the last gone
    # record with that content is the one renamed, each at most once.
    gone = {p: r for p, r in known.items() if not exists(Path(p))}
    gone_by_sha = {r.sha256: r for r in gone.values() if r.status == "ok"}

    # Indexed files this run does not walk but that are still on disk: a walked copy of one
    # is its duplicate, as a copy within the run is.
    walked = {str(p) for p in files}
    elsewhere = {
        r.sha256: Path(p)
        for p, r in known.items()
        if r.status == "ok" and p not in walked and p not in gone
    }
    superseded: list[FileRecord] = []
    unchanged: list[Path] = []
    duplicates: list[DuplicateFile] = []
    refused: list[RefusedFile] = []
    renamed: list[RenamedFile] = []
    to_load: list[PendingFile | RefusedFile] = []
    first_with_sha: dict[str, Path] = {}
    for path in files:
        rec = known.get(str(path))
        try:
            size = size_of(path)
            too_large = size_refusal(size, max_bytes)
            if too_large is not None:
                refused.append(RefusedFile(path, "", 0, too_large, rec))
                continue
            data = read(path)
        except OSError as exc:
            refused.append(RefusedFile(path, "", 0, f"cannot read: {exc}", rec))
            continue
        sha = sha256_of(data)
        original = first_with_sha.get(sha) or elsewhere.get(sha)
        if original is not None and data:
            duplicates.append(DuplicateFile(path, original))
            if rec is not None and rec.sha256 != sha:
                superseded.append(rec)
            continue
        first_with_sha[sha] = path
        if rec and rec.sha256 == sha and rec.status == "ok":
            unchanged.append(path)
        elif rec is None and sha in gone_by_sha:
            renamed.append(RenamedFile(gone_by_sha.pop(sha), path))
        elif not data:
            to_load.append(RefusedFile(path, sha, 0, EMPTY_FILE, rec))
        else:
            to_load.append(PendingFile(path, data, sha, rec))

    renamed_from = {r.old.path for r in renamed}
    return IngestPlan(
        unchanged=tuple(unchanged),
        duplicates=tuple(duplicates),
        refused=tuple(refused),
        renamed=tuple(renamed),
        to_load=tuple(to_load),
        removed=tuple(r for p, r in gone.items() if p not in renamed_from) + tuple(superseded),
    )


def failure_record(refused: RefusedFile, now: float) -> FileRecord:
    """The manifest row of a file that failed: it keeps its previous good version, if any
    (status "stale", its chunks still searchable), and says why it failed."""
    previous = refused.previous
    if previous is not None and previous.status in ("ok", "stale") and previous.chunk_ids:
        return FileRecord(
            path=str(refused.path),
            file=refused.path.name,
            sha256=previous.sha256,
            size=previous.size,
            status="stale",
            reason=refused.reason + KEPT_PREVIOUS,
            title=previous.title,
            doc_no=previous.doc_no,
            revision=previous.revision,
            doc_status=previous.doc_status,
            chunk_ids=previous.chunk_ids,
            ingested_at=now,
        )
    return FileRecord(
        path=str(refused.path),
        file=refused.path.name,
        sha256=refused.sha256,
        size=refused.size,
        status="failed",
        reason=refused.reason,
        ingested_at=now,
    )
