"""The ingest planner on in-memory files and hand-made manifest rows: no model, no store.

What is checked is what a user sees after an ingest: which files are added, updated, left
unchanged, renamed, skipped as duplicates, refused (and with which message) or removed, and
that a file failing after a good version keeps that version searchable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.index.manifest import FileRecord
from assistant.index.plan import (
    DuplicateFile,
    IngestPlan,
    PendingFile,
    RefusedFile,
    RenamedFile,
    failure_record,
    plan_ingest,
    sha256_of,
)

pytestmark = pytest.mark.fast

DOCS = Path("/docs")
MB = 2**20
QP11 = b"# QP-11 Nonconforming product\n\nQuarantine the part and raise an NCR.\n"
QP13 = b"<h1>QP-13 Internal audit</h1><p>Audit every process once a year.</p>"


class FakeDisk:
    """Files as a dict name -> bytes. ``sizes`` overrides what a file's size reads as (a big
    file without its bytes); ``unreadable`` files can be sized but raise when read."""

    def __init__(
        self,
        files: dict[str, bytes],
        sizes: dict[str, int] | None = None,
        unreadable: dict[str, OSError] | None = None,
    ) -> None:
        self.files = {DOCS / name: data for name, data in files.items()}
        self.sizes = {DOCS / name: size for name, size in (sizes or {}).items()}
        self.unreadable = {DOCS / name: exc for name, exc in (unreadable or {}).items()}
        self.reads: list[Path] = []

    def _missing(self, path: Path) -> FileNotFoundError:
        return FileNotFoundError(2, "No such file or directory", str(path))

    def size_of(self, path: Path) -> int:
        if path in self.sizes:
            return self.sizes[path]
        if path in self.unreadable:
            return 10
        if path not in self.files:
            raise self._missing(path)
        return len(self.files[path])

    def read(self, path: Path) -> bytes:
        self.reads.append(path)
        if path in self.unreadable:
            raise self.unreadable[path]
        if path not in self.files:
            raise self._missing(path)
        return self.files[path]

    def exists(self, path: Path) -> bool:
        return path in self.files or path in self.unreadable


def indexed(name: str, data: bytes, status: str = "ok") -> FileRecord:
    """A manifest row as a successful (or stale/failed) earlier ingest left it."""
    sha = sha256_of(data)
    return FileRecord(
        path=str(DOCS / name),
        file=name,
        sha256=sha,
        size=len(data),
        status=status,
        title=name.rsplit(".", 1)[0],
        chunk_ids=[] if status == "failed" else [f"{sha[:16]}-0000", f"{sha[:16]}-0001"],
        ingested_at=1.0,
    )


def plan(
    disk: FakeDisk, *records: FileRecord, walked: list[str] | None = None, max_bytes: int = MB
) -> IngestPlan:
    names = walked if walked is not None else [*(p.name for p in disk.files), *disk.unreadable]
    return plan_ingest(
        sorted(DOCS / n for n in names),
        {r.path: r for r in sorted(records, key=lambda r: r.file)},
        read=disk.read,
        size_of=disk.size_of,
        exists=disk.exists,
        max_bytes=max_bytes,
    )


def test_a_new_file_is_read_to_be_added():
    result = plan(FakeDisk({"QP-11.md": QP11}))
    assert result.to_load == (PendingFile(DOCS / "QP-11.md", QP11, sha256_of(QP11), None),)
    assert result.new == result.pending and result.changed == ()
    assert result.unchanged == result.refused == result.renamed == result.removed == ()
    assert result.needs_apply


def test_an_unchanged_file_is_left_alone_and_nothing_is_written():
    result = plan(FakeDisk({"QP-11.md": QP11}), indexed("QP-11.md", QP11))
    assert result.unchanged == (DOCS / "QP-11.md",)
    assert result.to_load == () and not result.needs_apply


def test_a_changed_file_is_read_to_replace_its_indexed_version():
    before = indexed("QP-11.md", QP11)
    edited = QP11 + b"\n## 9 Escalation\n\nCall extension 2217.\n"
    result = plan(FakeDisk({"QP-11.md": edited}), before)
    assert result.changed == (PendingFile(DOCS / "QP-11.md", edited, sha256_of(edited), before),)
    assert result.new == () and result.unchanged == ()


def test_a_file_that_failed_before_is_tried_again_and_counts_as_added():
    failed = indexed("QP-11.md", QP11, status="failed")
    result = plan(FakeDisk({"QP-11.md": QP11}), failed)
    assert [f.previous for f in result.new] == [failed] and result.changed == ()


def test_a_stale_file_back_to_its_indexed_content_is_reindexed_as_an_update():
    stale = indexed("QP-11.md", QP11, status="stale")
    result = plan(FakeDisk({"QP-11.md": QP11}), stale)
    assert [f.previous for f in result.changed] == [stale] and result.unchanged == ()


def test_a_renamed_file_keeps_its_record_under_the_new_path():
    old = indexed("QP-10-final-inspection.txt", QP11)
    result = plan(FakeDisk({"QP-10-final-test.txt": QP11}), old)
    assert result.renamed == (RenamedFile(old, DOCS / "QP-10-final-test.txt"),)
    assert result.to_load == () and result.removed == ()


def test_a_file_gone_from_disk_is_removed_and_one_outside_the_walk_is_kept():
    gone, elsewhere = indexed("QP-13.html", QP13), indexed("QP-11.md", QP11)
    result = plan(FakeDisk({"QP-11.md": QP11}), gone, elsewhere, walked=[])
    assert result.removed == (gone,)
    assert result.unchanged == () and result.needs_apply


def test_a_gone_file_that_failed_is_removed_not_taken_for_a_rename():
    gone = indexed("QP-11-old.md", QP11, status="stale")
    result = plan(FakeDisk({"QP-11-new.md": QP11}), gone)
    assert result.renamed == () and result.removed == (gone,)
    assert [f.path.name for f in result.new] == ["QP-11-new.md"]


def test_a_duplicate_within_the_run_is_skipped_naming_the_first_copy():
    result = plan(FakeDisk({"a-QP-11.md": QP11, "b-copy.md": QP11}))
    assert [f.path.name for f in result.new] == ["a-QP-11.md"]
    assert result.duplicates == (DuplicateFile(DOCS / "b-copy.md", DOCS / "a-QP-11.md"),)
    assert result.duplicates[0].reason == "duplicate of a-QP-11.md"


def test_a_copy_of_an_indexed_file_is_skipped_as_its_duplicate():
    result = plan(FakeDisk({"QP-11.md": QP11, "copy.md": QP11}), indexed("QP-11.md", QP11))
    assert [d.reason for d in result.duplicates] == ["duplicate of QP-11.md"]
    assert result.unchanged == (DOCS / "QP-11.md",) and not result.needs_apply


def test_a_copy_in_another_folder_of_an_indexed_file_is_its_duplicate():
    """Another folder indexed later with the same files: the copies are skipped. Added, they
    would share the first copies' passage ids, and removing one folder would empty both."""
    result = plan(FakeDisk({"QP-11.md": QP11, "old/QP-11.md": QP11}), indexed("QP-11.md", QP11),
                  walked=["old/QP-11.md"])  # fmt: skip
    assert result.duplicates == (DuplicateFile(DOCS / "old/QP-11.md", DOCS / "QP-11.md"),)
    assert result.duplicates[0].reason == f"duplicate of {DOCS / 'QP-11.md'}"
    assert result.to_load == () and result.removed == () and not result.needs_apply


def test_an_indexed_file_edited_into_a_copy_of_another_is_removed_and_skipped():
    copy = indexed("QP-11-draft.md", QP13)
    result = plan(FakeDisk({"QP-11.md": QP11, "QP-11-draft.md": QP11}), indexed("QP-11.md", QP11),
                  copy, walked=["QP-11-draft.md"])  # fmt: skip
    assert [d.reason for d in result.duplicates] == ["duplicate of QP-11.md"]
    assert result.removed == (copy,) and result.to_load == ()


def test_a_too_large_file_is_refused_with_its_size_and_never_read():
    disk = FakeDisk({"big.pdf": b"%PDF-1.7", "QP-11.md": QP11}, sizes={"big.pdf": 3 * MB})
    result = plan(disk, max_bytes=2 * MB)
    assert result.refused == (
        RefusedFile(DOCS / "big.pdf", "", 0, "file is 3.0 MB, over the 2 MB limit", None),
    )
    assert DOCS / "big.pdf" not in disk.reads
    assert [f.path.name for f in result.new] == ["QP-11.md"]


def test_an_empty_file_is_refused_and_empty_files_are_not_duplicates():
    result = plan(FakeDisk({"a.docx": b"", "b.md": QP11, "c.txt": b""}))
    assert [(f.path.name, type(f)) for f in result.to_load] == [
        ("a.docx", RefusedFile),
        ("b.md", PendingFile),
        ("c.txt", RefusedFile),
    ]
    assert {f.reason for f in result.empty} == {"empty file (0 bytes)"}
    assert result.duplicates == () and result.refused == ()


def test_an_unreadable_file_fails_without_stopping_the_others():
    denied = PermissionError(13, "Permission denied")
    disk = FakeDisk({"a.md": QP11, "c.html": QP13}, unreadable={"b.md": denied})
    result = plan(disk)
    assert [(r.path.name, r.reason) for r in result.refused] == [
        ("b.md", "cannot read: [Errno 13] Permission denied")
    ]
    assert [f.path.name for f in result.new] == ["a.md", "c.html"]


def test_a_file_vanishing_after_the_walk_cannot_be_read():
    result = plan(FakeDisk({"QP-11.md": QP11}), walked=["QP-11.md", "gone.md"])
    assert [r.reason for r in result.refused] == [
        "cannot read: [Errno 2] No such file or directory: '/docs/gone.md'"
    ]


def test_a_good_file_later_unparseable_is_planned_with_its_indexed_version():
    """Parsing happens when the plan is applied (it needs the loaders): the planner hands the
    changed file over with its previous row, and the failure row keeps that version."""
    good = indexed("QP-13.html", QP13)
    garbage = b"\x00\x01binary garbage"
    result = plan(FakeDisk({"QP-13.html": garbage}), good)
    (pending,) = result.changed
    assert pending.previous == good

    failed = RefusedFile(pending.path, pending.sha256, pending.size, "not text", good)
    row = failure_record(failed, now=2.0)
    assert row.status == "stale" and row.chunk_ids == good.chunk_ids
    assert (row.sha256, row.size, row.title) == (good.sha256, good.size, good.title)
    assert row.reason == "not text; the previously indexed version is kept"


def test_a_failure_with_nothing_indexed_before_is_recorded_as_failed():
    for previous in (None, indexed("a.md", QP11, status="failed")):
        refused = RefusedFile(DOCS / "a.md", "abc", 12, "empty file (0 bytes)", previous)
        row = failure_record(refused, now=2.0)
        assert (row.status, row.reason, row.chunk_ids) == ("failed", "empty file (0 bytes)", [])
        assert (row.sha256, row.size, row.ingested_at) == ("abc", 12, 2.0)


def test_a_run_with_only_refusals_writes_nothing_to_the_index():
    disk = FakeDisk({"QP-11.md": QP11}, unreadable={"b.md": PermissionError("denied")})
    assert not plan(disk, indexed("QP-11.md", QP11)).needs_apply
