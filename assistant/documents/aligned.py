"""Tables set out with spaces: a plain-text file's, and a PDF page's as laid out when printed.

A table is a header line of three or more cells set apart by gaps of two spaces or more, then
lines whose cells start under those headers: a line whose first cell is in the first column
starts a row, one starting further right carries on the cells of the row above (a wrapped
cell); a rule of dashes under the header is skipped. The table ends at the first line that is
neither (a paragraph runs across the columns, a rule closes the table). Read as plain text, a
row's cells ran together into one run of words ("R1 Deadweight tester External UKAS-accredited
12 months"), and which value was whose was lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A cell: text up to a gap of two spaces or more.
_CELL = re.compile(r"\S+(?: \S+)*")
_RULE = re.compile(r"^[-=_+|: ]+$")
# hand-set: a table needs this many columns in its header line. Two columns ("Term  Meaning",
# a definition with a hanging indent) cannot be told from a line with a wide gap in it.
MIN_COLUMNS = 3
ALIGN = 2  # a cell starts within this many characters of its column's start


@dataclass(frozen=True)
class AlignedTable:
    """Lines ``start`` to ``end`` (exclusive) of a text, read as a header row and its rows."""

    start: int
    end: int
    rows: list[list[str]]


def _cells(line: str, starts: list[int] | None = None) -> list[tuple[int, str]]:
    """(where it starts, text) of each cell. Given the columns' starts, a cell that runs into
    the next column with a single space at its start is split there ("Hand tools and
    benches, cells A-C Weekly (tidy)" under "Asset type" and "Operator check"), but only in a
    line that has a wide gap somewhere: a paragraph line is one cell, whatever its spaces."""
    cells = [(m.start(), m.group()) for m in _CELL.finditer(line)]
    if starts is None or len(cells) < 2:
        return cells
    split: list[tuple[int, str]] = []
    for at, text in cells:
        cuts = [s for s in starts if at < s < at + len(text) and line[s - 1] == " "]
        for s, end in zip([at, *cuts], [*cuts, at + len(text)], strict=True):
            split.append((s, line[s:end].strip()))
    return split


def _columns(cells: list[tuple[int, str]], starts: list[int]) -> list[int] | None:
    """The column of each cell, or None when the line is not a row of this table: a cell
    starts under no column, two cells share one, or a cell runs on into the next column (a
    sentence with two spaces after a full stop: "A failed check.  It stops the load.")."""
    columns: list[int] = []
    for at, text in cells:
        column = next((i for i, s in enumerate(starts) if abs(at - s) <= ALIGN), None)
        if column is None or (columns and column <= columns[-1]):
            return None
        if column + 1 < len(starts) and at + len(text) > starts[column + 1]:
            return None
        columns.append(column)
    return columns


def _table_at(lines: list[str], i: int) -> AlignedTable | None:
    header = _cells(lines[i])
    if len(header) < MIN_COLUMNS or any(": " in t for _, t in header):
        return None  # "Document No: QP-15    Revision: 4    Owner: ..." is not a header row
    starts = [at for at, _ in header]
    rows: list[list[str]] = [[t for _, t in header]]
    j = i + 1
    while j < len(lines):
        line = lines[j]
        if not line.strip() or (len(rows) == 1 and _RULE.match(line.strip())):
            j += 1  # blank lines, and a rule under the header
            continue
        cells = _cells(line, starts)
        columns = _columns(cells, starts)
        if columns is None or (columns[0] == 0 and len(cells) < 2):
            break
        if columns[0] == 0:
            rows.append([""] * len(starts))
        elif len(rows) == 1:
            break  # a line under the header that is no row: not a table
        for column, (_, text) in zip(columns, cells, strict=True):
            rows[-1][column] = f"{rows[-1][column]} {text}".strip()
        j += 1
    while j > i + 1 and (not lines[j - 1].strip() or _RULE.match(lines[j - 1].strip())):
        j -= 1  # blank lines and a rule after the table stay outside it
    return AlignedTable(i, j, rows) if len(rows) >= 2 else None


def aligned_tables(lines: list[str]) -> list[AlignedTable]:
    """Every table set out with spaces in ``lines``, in order."""
    found: list[AlignedTable] = []
    i = 0
    while i < len(lines):
        table = _table_at(lines, i)
        if table is None:
            i += 1
            continue
        found.append(table)
        i = table.end
    return found
