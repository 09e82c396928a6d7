"""Which indexed documents an indexed later revision of the same document supersedes.

A real QMS folder keeps old revisions beside the current one ("QP-05 Calibration rev 4.docx"
next to "... rev 5.docx", a form exported twice). Both are indexed and listed, but only the
current one is searched and quoted: answering from a superseded procedure is what an auditor
writes up as use of obsolete documented information (ISO 9001 7.5.3), and a coach must not
teach it. Two documents are the same document when they carry the same document number, or,
when neither has one, the same title; the current one is the highest revision.

Revisions are compared only when every one of the group reads in the same scheme: numbers
("3", "1.2", "Rev 4", "Issue 03", "v2") or letters ("B", "C2"); a draft is below any issued
revision. A group with a revision in another scheme, a missing revision or two files at the
highest revision (a Word file and its PDF export) is left alone: every file stays searched, as
before, rather than guessing which one is in force.

A document that says itself it is no longer in force ("Status: Obsolete" in its control block,
Word's Status property "Withdrawn"; documents/metadata.py) is set aside too, with or without a
later revision beside it: a withdrawn procedure describes a practice the organisation stopped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.index.manifest import FileRecord

_PREFIX = re.compile(r"^(?:revision|rev|issue|version|ver|v)\.?\s*", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+(?:[.\-]\d+)*$")
_LETTER = re.compile(r"^([A-Za-z])(\d*)$")


@dataclass(frozen=True)
class Superseded:
    """An indexed file set aside, and the indexed file of the same document that is current
    (empty when the file is set aside for its own status)."""

    path: str
    file: str
    revision: str
    by_path: str
    by_file: str
    by_revision: str
    chunk_ids: tuple[str, ...]
    marked: str = ""  # the document's own status ("Obsolete"), when it gives one

    @property
    def reason(self) -> str:
        if self.by_file:
            return f"superseded by {self.by_file} (rev {self.by_revision})"
        return f"marked {self.marked} in the document"


def revision_key(revision: str) -> tuple[str, tuple[int, ...]] | None:
    """A revision as something to compare within its scheme: ("num", (1, 2)) for "1.2",
    ("letter", (2, 0)) for "B", ("draft", ()) for a draft; None for anything else."""
    text = _PREFIX.sub("", revision.strip())
    if not text:
        return None
    if text.lower() == "draft":
        return ("draft", ())
    if _NUMBER.match(text):
        return ("num", tuple(int(part) for part in re.split(r"[.\-]", text)))
    if m := _LETTER.match(text):
        return ("letter", (ord(m.group(1).upper()) - ord("A"), int(m.group(2) or 0)))
    return None


def _document_key(rec: FileRecord) -> str | None:
    if rec.doc_no.strip():
        return "no:" + re.sub(r"\s+", "", rec.doc_no).upper()
    title = " ".join(rec.title.lower().split())
    return "title:" + title if title else None


def _current(records: list[FileRecord]) -> FileRecord | None:
    """The group's one highest revision, or None when they cannot be ordered."""
    keys = {r.path: revision_key(r.revision) for r in records}
    if any(k is None for k in keys.values()):
        return None
    schemes = {k[0] for k in keys.values() if k is not None and k[0] != "draft"}
    if len(schemes) > 1:
        return None

    def order(rec: FileRecord) -> tuple[int, tuple[int, ...]]:
        key = keys[rec.path]
        assert key is not None
        return (0, ()) if key[0] == "draft" else (1, key[1])

    ranked = sorted(records, key=order, reverse=True)
    if order(ranked[0]) == order(ranked[1]):
        return None  # two files at the highest revision: which is in force is not ours to say
    return ranked[0]


def superseded(records: Iterable[FileRecord]) -> dict[str, Superseded]:
    """Indexed path -> why it is set aside, for every file a later indexed revision of the
    same document replaces, and every file that says itself it is no longer in force."""
    groups: dict[str, list[FileRecord]] = defaultdict(list)
    out: dict[str, Superseded] = {}
    for rec in records:
        if rec.status != "ok" or not rec.chunk_ids:
            continue
        if rec.doc_status:  # withdrawn by its own word; a later revision below says more
            out[rec.path] = Superseded(
                rec.path, rec.file, rec.revision, "", "", "", tuple(rec.chunk_ids), rec.doc_status
            )
        if key := _document_key(rec):
            groups[key].append(rec)
    for group in groups.values():
        if len(group) < 2 or (current := _current(group)) is None:
            continue
        for rec in group:
            if rec is not current:
                out[rec.path] = Superseded(
                    rec.path,
                    rec.file,
                    rec.revision,
                    current.path,
                    current.file,
                    current.revision,
                    tuple(rec.chunk_ids),
                    rec.doc_status,
                )
    return out
