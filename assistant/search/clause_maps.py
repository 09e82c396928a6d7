"""An organisation's own clause-to-document tables, read as its statement of which document
meets which clause.

Real quality systems keep a mapping table ("ISO 13485:2016 Mapping of Requirements to
Documents": a row per clause, the documents that fulfil it named by title). Such a row says
more about where a clause is met than any similarity does, but it names documents by their
titles, not by numbers, and numbers the clauses of the standard the table is about, which may
not be ISO 9001. This module reads those rows: the standard from the table's heading, the clause
from the row's first cell (bridged to ISO 9001 through our crosswalk), the documents by their
titles as the library knows them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

from assistant.core.models import Chunk
from assistant.documents.metadata import title_from_filename, unversioned
from assistant.search.clauses import Catalogue
from assistant.search.crosswalk import crosswalk

# A row naming more documents than this is a general list ("all SOPs"), not a mapping.
MAX_MAPPED_DOCUMENTS = 4
# A title of fewer words ("Summary", "SOP") names nothing in particular.
MIN_TITLE_WORDS = 2

_STANDARD = re.compile(r"\bISO\s*(\d{4,5})\b", re.IGNORECASE)
# The row's first cell is a bare clause number: "Section: 8.3; Title: ..." or "8.3; ...".
_FIRST_CELL_NUMBER = re.compile(r"^\s*(?:[^:;]{1,30}:\s*)?(\d{1,2}(?:\.\d{1,2}){1,3})\s*(?:;|$)")
_ITEM_SPLIT = re.compile(r"<\s*/?\s*br\s*/?\s*>|;|\n")


def name_key(text: str) -> str:
    """A title as compared: lower case, markup and parentheses dropped, plurals singular
    ("SOP Corrective and Preventive Actions" and "SOP Corrective and Preventive Action (CAPA)"
    compare equal)."""
    text = re.sub(r"\([^)]*\)", " ", text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def titles_index(chunks: Iterable[Chunk]) -> dict[str, set[str]]:
    """Each distinctive title key -> the files it names (the document's title, and the one its
    file name gives: "sop-management-review" -> "SOP Management Review")."""
    titles = {c.file: c.title for c in chunks}  # one title per document, not per passage
    out: dict[str, set[str]] = {}
    for file, title in titles.items():
        # "sop-capa v2.md" names "SOP CAPA"
        for name in (title, title_from_filename(PurePath(unversioned(file)).stem)):
            key = name_key(name)
            if len(key.split()) >= MIN_TITLE_WORDS:
                out.setdefault(key, set()).add(file)
    return out


def table_standard(heading: str) -> str | None:
    """The one standard a table's heading names ("13485" for "ISO 13485:2016 Mapping of
    Requirements to Documents"), if it is ISO 9001 or one we have a crosswalk for."""
    found = {m.group(1) for m in _STANDARD.finditer(heading)}
    if len(found) != 1:
        return None
    (standard,) = found
    return standard if standard == "9001" or crosswalk(standard) else None


def first_cell_number(line: str) -> str | None:
    """A row's first cell when it is a bare clause number ("Section: 6.4; Title: ...")."""
    m = _FIRST_CELL_NUMBER.match(line)
    return m.group(1) if m else None


def row_clauses(line: str, standard: str, catalogue: Catalogue) -> set[str]:
    """The ISO 9001 clauses a mapping row is about: its first cell's number, bridged from the
    table's standard when that is not ISO 9001."""
    number = first_cell_number(line)
    if number is None:
        return set()
    if standard == "9001":
        return {number} if number in catalogue else set()
    table = crosswalk(standard)
    bridge = table.bridge(number) if table else None
    return {c for c in bridge.iso9001 if c in catalogue} if bridge else set()


def row_documents(line: str, titles: dict[str, set[str]]) -> set[str]:
    """The files a row names by title, each cell item compared whole ("*SOP Purchasing*")
    or as a title followed by "and ..." ("SOP Management Review and KPIs")."""
    files: set[str] = set()
    for cell in _ITEM_SPLIT.split(line):
        value = cell.split(":", 1)[1] if ":" in cell else cell
        for item in re.split(r"\*+|_{2,}", value):  # line breaks already split the cell
            key = name_key(item.replace("\\", ""))
            if not key:
                continue
            if key in titles:
                files |= titles[key]
            elif " and " in key:
                files |= titles.get(key.split(" and ")[0], set())
    return files
