"""Detect a document's number, revision and title from the places QMS documents keep them."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePath

from assistant.core.text import GENERIC_HEADING

# "QP-05", "QM-001", "SOP-12-3", "CSC-PR-011", "WI 7.2"
# "QP-11", "CSC-PR-014", "FCC-SOP-06", "F-08-2", and a form's "BW-F04-01" (its series, F04,
# letters then digits: brightwater's forms had no number before stop 29).
DOC_NO = re.compile(r"\b([A-Z]{1,5}(?:-[A-Z]{1,5}\d{0,3})?[- ]\d{1,4}(?:-\d{1,3})?)\b")
REV_IN_TEXT = re.compile(
    r"\b(?:Rev(?:ision)?|Issue|Version|Ver)\.?\s*(?:No\.?\s*)?[:#]?\s*([A-Za-z]?\d+(?:\.\d+)*[A-Za-z]?)\b",
    re.IGNORECASE,
)
_DOC_NO_LABELS = (
    "document no",
    "document number",
    "doc no",
    "doc. no",
    "document id",
    "doc id",
    "reference",
    "doc_no",
    "document_no",
    "document ref",
    "form no",
    "form number",
)
_REV_LABELS = ("revision", "rev", "issue", "version", "document version", "revision no")
# What a revision reads: "3", "1.0", "B", "C2", "v2", "Rev 4", "Issue 03", "Draft". A template's
# blank ("*<version>*") or the next header of a header row ("Release Date", read as the value
# of "Version" beside it) is not one: openregulatory's document list was listed at revision
# "Release Date", its surveillance plan at "*\<version\>*".
_REVISION_VALUE = re.compile(
    r"(?:v|ver\.?\s*|rev\.?\s*|issue\s*)?[A-Za-z]{0,2}\d+(?:[.\-]\d+)*[A-Za-z]?|[A-Za-z]{1,2}|draft",
    re.IGNORECASE,
)
_TITLE_LABELS = ("title", "document title")
_STATUS_LABELS = ("status", "document status", "doc status", "approval status")
_STATUS_KEYS = frozenset(_STATUS_LABELS)  # already as _norm_label gives them
# A document's own word that it is no longer in force ("Status: Obsolete", "Superseded by rev
# 5", Word's Status property "Withdrawn"). Only these are kept: "Draft", "Approved" or "Issued"
# say nothing the revision order does not (index/revisions.py), and "Open" or "Closed" are a
# register's entries, not the file's status.
NOT_IN_FORCE = re.compile(
    r"\W*(obsolete|superseded|withdrawn|cancell?ed|retired|archived|inactive)\b", re.IGNORECASE
)


# A stamp on every page of a PDF ("OBSOLETE", "SUPERSEDED COPY", "WITHDRAWN - DO NOT USE"):
# a running line that is nothing but the status, never a sentence of the procedure.
_STAMP = re.compile(
    r"\W*(?:obsolete|superseded|withdrawn|cancell?ed|retired)(?:\s+(?:copy|document|version))?"
    r"(?:\W+do\s+not\s+use)?\W*",
    re.IGNORECASE,
)


def stamped(line: str) -> str:
    """The status a page stamp gives ("Obsolete" for "OBSOLETE COPY"), else ""."""
    return not_in_force(line) if _STAMP.fullmatch(line.strip()) else ""


def not_in_force(value: str) -> str:
    """The status word when ``value`` says the document is no longer in force ("Obsolete"),
    else ""."""
    m = NOT_IN_FORCE.match(value or "")
    return m.group(1).capitalize() if m else ""


@dataclass
class DocMeta:
    title: str = ""
    doc_no: str = ""
    revision: str = ""
    status: str = ""  # not_in_force's word when the document says it is withdrawn, else ""

    def merge(self, other: DocMeta) -> DocMeta:
        """Fill empty fields from ``other``; what was found first wins."""
        return DocMeta(
            self.title or other.title,
            self.doc_no or other.doc_no,
            self.revision or other.revision,
            self.status or other.status,
        )


def _norm_label(label: str) -> str:
    return re.sub(r"[\s:.]+$", "", label.strip().lower()).replace("_", " ")


def from_pairs(pairs: list[tuple[str, str]]) -> DocMeta:
    """Label/value pairs from front matter, a header table or ``Label: value`` lines."""
    meta = DocMeta()
    labels = {
        _norm_label(x) for x in (*_DOC_NO_LABELS, *_REV_LABELS, *_TITLE_LABELS, *_STATUS_LABELS)
    }
    for label, value in pairs:
        key, value = _norm_label(label), str(value).strip()
        if not value or _norm_label(value) in labels:  # a label is never a value
            continue
        if not meta.doc_no and key in {_norm_label(x) for x in _DOC_NO_LABELS}:
            meta.doc_no = value
        elif not meta.revision and key in _REV_LABELS:
            if _REVISION_VALUE.fullmatch(value):
                meta.revision = value
        elif not meta.title and key in _TITLE_LABELS:
            meta.title = value
        elif not meta.status and key in _STATUS_KEYS:
            meta.status = not_in_force(value)
    return meta


def from_table(rows: list[list[str]]) -> DocMeta:
    """A header table either as label row + value row, or as label/value columns."""
    pairs: list[tuple[str, str]] = []
    for row in rows:
        pairs += [(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
    if len(rows) >= 2 and len(rows[0]) == len(rows[1]):
        below = list(zip(rows[0], rows[1], strict=True))
        # A register's "Status" column holds its first entry's status ("Cancelled"), not the
        # file's: under a label row, a status is read only from a table of that one row.
        pairs += [p for p in below if len(rows) == 2 or _norm_label(p[0]) not in _STATUS_KEYS]
    return from_pairs(pairs)


def with_early_table(meta: DocMeta, rows: list[list[str]]) -> DocMeta:
    """What a table near the top of a document adds: its number, revision and title while the
    number or revision is still missing, and a status that says it is withdrawn while none is
    known (a control block after the title heading that gave both)."""
    if not (meta.doc_no and meta.revision):
        return meta.merge(from_table(rows))
    if not meta.status:
        return replace(meta, status=from_table(rows).status)
    return meta


def from_heading(heading: str) -> DocMeta:
    """``QP-11 Control of Nonconforming Product (Rev 4)`` -> number, title, revision."""
    meta = DocMeta()
    text = heading.strip()
    rev = REV_IN_TEXT.search(text)
    if rev:
        meta.revision = rev.group(1)
        text = (text[: rev.start()] + text[rev.end() :]).strip()
        text = re.sub(r"[\s(\[,;-]*[)\]]?\s*$", "", text).rstrip(" (-,;")
    num = DOC_NO.match(text)
    if num:
        meta.doc_no = num.group(1)
        text = text[num.end() :].lstrip(" :-\u2013\u2014")
    # A document whose first heading is a section name ("Summary", "1. General Information")
    # has no title heading: naming it "Summary" in a list of closest documents says nothing.
    # Nor is a template's blank for the company's name ("(Enter Company Name)", "<Company>").
    if GENERIC_HEADING.fullmatch(text.strip()) or _PLACEHOLDER_HEADING.fullmatch(text.strip()):
        text = ""
    meta.title = text.strip()
    return meta


# A heading that is only a template's blank: "(Enter Company Name)", "\<Company Name\>",
# "[Insert title]", "{{ company }}", in emphasis or not. openregulatory's field safety notice
# opened with one and was listed as "(Enter Company Name)".
_PLACEHOLDER_HEADING = re.compile(
    r"[*_\s]*(?:\\?<[^<>]{1,60}\\?>|\((?:enter|insert|add|your)\b[^()]{0,60}\)"
    r"|\[(?:enter|insert|add|your)\b[^\[\]]{0,60}\]|\{\{[^{}]{1,60}\}\})[*_\s]*",
    re.IGNORECASE,
)

# Short words a file name writes in lower case that people write in capitals.
_ACRONYMS = frozenset("sop capa qms psur prrc pmcf pmcfp pmcfr pms qm hr it ml ncr car".split())


def title_from_filename(stem: str) -> str:
    """A title for a document with none of its own: "sop-internal-audit" -> "SOP Internal
    Audit". A name with capitals is the author's own spelling and is only unhyphenated."""
    words = re.split(r"[-_\s]+", stem.strip())
    if stem != stem.lower():
        return " ".join(words)
    return " ".join(w.upper() if w in _ACRONYMS else w.capitalize() for w in words if w)


def from_lines(lines: list[str]) -> DocMeta:
    """``Document No: QP-10`` style lines near the top of a plain-text document."""
    pairs = []
    for line in lines:
        for part in re.split(r"\s*\|\s*", line):
            if ":" in part:
                label, _, value = part.partition(":")
                if len(label) <= 30:
                    pairs.append((label, value))
    return from_pairs(pairs)


# A revision a file name carries: "QP-05 Calibration rev 4", "SOP-001_v3", "Manual (Issue 2)",
# "form-v1.2". Read only when the document's own header gives none (``parse`` merges it last).
_REV_IN_NAME = re.compile(
    r"[\s_\-(\[]+(?:(?:rev(?:ision)?|issue|version|ver)\.?[\s_\-]*([A-Za-z]?\d+(?:\.\d+)*[A-Za-z]?"
    r"|[A-Za-z])|v(\d+(?:\.\d+)*))[)\]]?$",
    re.IGNORECASE,
)


def without_revision(stem: str) -> tuple[str, str]:
    """(the file name without the revision at its end, that revision or "")"""
    m = _REV_IN_NAME.search(stem)
    if m is None or m.start() == 0:
        return stem, ""
    return stem[: m.start()], m.group(1) or m.group(2)


def unversioned(name: str) -> str:
    """A file name (or path) without the revision at the end of its stem: "README v2.md" is
    a README, "sop-capa v2.md" the CAPA SOP (index/revisions.py sets the older one aside)."""
    path = PurePath(name)
    return str(path.with_name(without_revision(path.stem)[0] + path.suffix))


def from_filename(stem: str) -> DocMeta:
    """The document number at the start of a file name and the revision at its end: old
    revisions kept beside the current one are often told apart by their names alone."""
    name, revision = without_revision(stem)
    num = DOC_NO.match(name.replace("_", "-"))
    return DocMeta(doc_no=num.group(1) if num else "", revision=revision)
