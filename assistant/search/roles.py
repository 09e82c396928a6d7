"""What kind of document each indexed file is: a procedure, or a record / form / template, a
list or register, an index that maps clauses to documents, or a note about the folder itself.

Real QMSs hold many documents that are not procedures: empty forms with only headings, report
templates, registers, a clause-to-document mapping. They share a clause's words with the
procedure that meets it and often rank above it. A clause question ("which procedure covers
8.4?") is about the procedure; the ask use case weighs the others down (``record_weight``).

A folder kept in version control also holds notes about itself: a README that says what the
repository is and how to adopt it, a changelog, a licence. They describe the documents, not the
organisation's practice, yet share every topic's words (gstt-csc's README led the answer to
"can clinicians expect support on a Saturday?"). They are ``about`` documents, weighed down for
every question (``about_weight``), still searchable and citable.

The role comes from the file's name and title (the words organisations use: template, form,
checklist, report, record, log, list, register, mapping ...), then from its format (a
spreadsheet is a list, a slide deck a record) and from its structure: a document that is mostly
table rows with placeholders to fill in ("<enter role>", "[ ]", "____") is a form, whatever it
is called.
"""

from __future__ import annotations

import re
import threading

from assistant.documents.metadata import unversioned
from assistant.documents.text import is_table_row
from assistant.index.store import IndexStore

PROCEDURE, RECORD, LIST, INDEX, ABOUT = "procedure", "record", "list", "index", "about"

# A repository's notes about itself, by the names version-control hosts give them special
# places (README, CHANGELOG, CONTRIBUTING, LICENSE ...), whatever the extension.
_ABOUT_NAME = re.compile(
    r"^(?:readme|changelog|changes|history|contributing|code[-_ ]of[-_ ]conduct|licen[cs]e|copying"
    r"|notice|authors|security|support)(?:\.[\w.]+)?$",
    re.I,
)

# Named as a procedure (SOP, QP-, -PR-, work instruction): a procedure, whatever else the name
# says ("Document and Record Control", "Incident Reporting").
# So is the control of documents or records by name ("KWR-IMS-02 Document and Record Control",
# "HCL-P-02 Control of Documents and Records": stop 41, both were read as forms for "record").
_PROCEDURE_NAME = re.compile(
    r"(?:^|[-_\s])(?:sop|qp|pr|wi)(?:[-_\s]|\d)|procedure|work[-_\s]?instruction"
    r"|(?:(?:documents?|records?)(?:[-_\s]+and[-_\s]+(?:documents?|records?))?[-_\s]+control"
    r"|control[-_\s]+of[-_\s]+(?:documents?|records?))"
    # (not a "document control log" or "... form", which are records)
    r"(?![-_\s]+(?:logs?|forms?|sheets?|registers?|lists?|templates?)\b)",
    re.I,
)
_NAME_ROLES = (
    (INDEX, re.compile(r"mapping|interaction|cross[\s_-]?reference|crosswalk", re.I)),
    (
        RECORD,
        re.compile(
            r"template|\bform\b|[-_\s]form|checklist|report(?!ing)|record|\blog\b|[-_\s]log\b|minutes"
            r"|assessment[-_\s]form|letter|notice|sheet\b",
            re.I,
        ),
    ),
    (LIST, re.compile(r"\blist\b|list[-_\s]|[-_\s]list|register|schedules?\b|inventory", re.I)),
)
# Numbered in a form series ("CSC-F-005", "FCC-F-01", "BW-F04-01"): a form, unless its name or
# format says more (a spreadsheet "F-08-2 approved suppliers" is a register).
_FORM_NUMBER = re.compile(r"(?:^|[-_\s])f-?\d", re.I)
_REGISTER_FORMATS = {"xlsx", "xlsm", "csv"}
_RECORD_FORMATS = {"pptx"}
_PLACEHOLDER = re.compile(r"<[^<>\n]{2,40}>|\[\s*\]|_{4,}|\{\{[^}]*\}\}|\.{6,}")
# A document at least this share table rows, with at least this many placeholders, is a form.
_FORM_TABLE_SHARE = 0.5
_FORM_PLACEHOLDERS = 3


def role_of(name: str, title: str, text: str) -> str:
    """The role of one document from its file name, title and full text."""
    name = unversioned(name)
    label = f"{name} {title}"
    if _ABOUT_NAME.match(name.rsplit("/", 1)[-1]):
        return ABOUT
    if _PROCEDURE_NAME.search(name):
        return PROCEDURE
    for role, pattern in _NAME_ROLES:
        if pattern.search(label):
            return role
    # A spreadsheet holds a register and a slide deck a meeting's pack or a course, whatever
    # they are called: neither is the procedure a clause question asks for.
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in _REGISTER_FORMATS:
        return LIST
    if suffix in _RECORD_FORMATS or _FORM_NUMBER.search(name):
        return RECORD
    lines = [line for line in text.splitlines() if line.strip()]
    rows = sum(1 for line in lines if is_table_row(line))
    mostly_table = bool(lines) and rows / len(lines) >= _FORM_TABLE_SHARE
    if mostly_table and len(_PLACEHOLDER.findall(text)) >= _FORM_PLACEHOLDERS:
        return RECORD
    return PROCEDURE


# A question that asks for the form itself ("which form do I fill in?"): a form leading it is
# the answer, not a pointer to its procedure.
_ASKS_FOR_RECORD = re.compile(
    r"\b(?:forms?|templates?|records?|reports?|checklists?|logs?|registers?|lists?)\b", re.I
)
# A document number at the start of a file name: "CSC-PR-011", "FCC-SOP-06", "QP-10".
_DOCUMENT_ID = re.compile(r"^(?:[a-z]+-){1,2}\d+", re.I)


def asks_for_record(question: str) -> bool:
    """Whether a question asks for a form, template, record, report, log or list itself."""
    return bool(_ASKS_FOR_RECORD.search(question))


def procedure_names(name: str, title: str) -> list[str]:
    """What another document calls a procedure when it names it: its document number, its
    title, and its file name read as words ("sop-vigilance.md": "sop vigilance"), the name's
    part after the number too ("CSC-PR-011-Management-Review": "management review"). Names of
    one word ("Purchasing") are left out: they are everyday words, not a reference."""
    stem = unversioned(name).rsplit("/", 1)[-1].rsplit(".", 1)[0]
    found = []
    number = _DOCUMENT_ID.match(stem)
    if number:
        found.append(number.group(0))
        rest = stem[number.end() :]
    else:
        rest = stem
    for phrase in (title, stem, rest):
        words = re.sub(r"[-_\s]+", " ", phrase).strip()
        if len(words.split()) >= 2:
            found.append(words)
    return list(dict.fromkeys(n.lower() for n in found))


def _naming_pattern(names: list[str]) -> re.Pattern[str]:
    """Any of a procedure's names as whole words, apart by spaces, hyphens or underscores."""
    alternatives = "|".join(r"[-_\s]+".join(re.escape(w) for w in n.split()) for n in names)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)


class DocumentRoles:
    """Each indexed file's role, and the procedures each other document names (a form's
    "related documents: SOP Vigilance"), worked out once per index version."""

    def __init__(self, store: IndexStore) -> None:
        self._store = store
        self._key: str | None = None
        self._lock = threading.Lock()
        self._roles: dict[str, str] = {}
        self._names: dict[str, frozenset[str]] = {}

    def _refresh(self) -> None:
        key = self._store.manifest.get("last_ingest") or ""
        if key == self._key:
            return
        with self._lock:
            texts: dict[str, list[str]] = {}
            titles: dict[str, str] = {}
            for c in self._store.manifest.all_chunks():
                texts.setdefault(c.file, []).append(c.text)
                titles.setdefault(c.file, c.title)
            full = {f: "\n".join(parts) for f, parts in texts.items()}
            roles = {f: role_of(f, titles[f], text) for f, text in full.items()}
            # only procedures are named (a form's "related documents"), so only theirs are read
            names = {f: procedure_names(f, titles[f]) for f, r in roles.items() if r == PROCEDURE}
            patterns = {f: _naming_pattern(n) for f, n in names.items() if n}
            self._names = {
                f: frozenset(p for p, pattern in patterns.items() if pattern.search(text))
                for f, text in full.items()
                if roles[f] != PROCEDURE
            }
            self._roles = roles
            self._key = key

    def of(self, file: str) -> str:
        self._refresh()
        return self._roles.get(file, PROCEDURE)

    def with_role(self, role: str) -> frozenset[str]:
        """The files of one role (the index version checked once, not once per file)."""
        self._refresh()
        return frozenset(f for f, r in self._roles.items() if r == role)

    def procedures_named_by(self, file: str) -> frozenset[str]:
        """The procedures a form, list or map names (none for a procedure)."""
        self._refresh()
        return self._names.get(file, frozenset())
