"""Spreadsheets: Excel workbooks (.xlsx, .xlsm) and comma-separated values (.csv), on the
standard library alone.

Quality systems keep their registers in spreadsheets: the approved supplier list, the
measuring-equipment register, the training matrix, the records retention schedule. An
``.xlsx`` is a zip of XML parts (Office Open XML, SpreadsheetML): ``xl/workbook.xml`` names the
sheets in tab order, ``xl/_rels/workbook.xml.rels`` says which part holds each, cell text is
mostly in ``xl/sharedStrings.xml``, and ``xl/styles.xml`` says which numbers are dates.

Each visible sheet becomes a section under its tab name. A sheet is read as a reader of the
printed register reads it: the lines above the table (a title, an owner) as lines; the first
row with two or more cells as the column headers; every later row as a table row
(``Header: value; ...``, as tables of every other format), each cell as the sheet shows it
(cached formula results, dates as 2026-03-14, percentages as 96%). Hidden sheets (lookup lists
for drop-downs) are left out, as a printout leaves them out. Macros in an ``.xlsm`` are never
run or read. The older binary ``.xls`` is not read: it says so, with the way round (save as
``.xlsx``). A ``.csv`` export of a register is read as one sheet.

Real registers are laid out for a printout, and are read as one reads the printout:

- a form block above the table (``Owner: | Quality Manager``, ``Revision: | 5``) is lines above
  it, not the column headers: the headers are the first row of two or more different cells that
  is not ``label: value`` pairs and is at least half as wide as the sheet's widest row;
- a merged cell's value holds for every cell it covers: a department merged down the rows of its
  people is each person's department, a title merged across the sheet is one line;
- a group name merged over several column names in the row above them (``Assembly`` over
  ``Brazing`` and ``Leak test``) is part of each name: ``Assembly / Brazing``;
- lines of one cell below the table (a key: ``C = competent``) are lines, not entries.

Charts, comments and images are left out.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

from assistant.core.errors import DocumentError
from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.containers import dc_title, open_zip, relationships, xml_part
from assistant.documents.sections import SectionBuilder
from assistant.documents.text import table_rows_as_text

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

# A register worth reading is far below these; a sheet padded to its last possible row or a
# hostile file is not. Cells past MAX_COLUMNS are not kept; a workbook over MAX_CELLS refused.
MAX_COLUMNS = 200
MAX_CELLS = 500_000
# Built-in number formats (ECMA-376 part 1, 18.8.30) that show a date or time, and a percentage.
_BUILTIN_DATES = {*range(14, 23), *range(45, 48)}
_BUILTIN_PERCENT = {9, 10}
# A custom format shows a date when, outside quoted text, bracketed colours and escapes, it has
# a day, month or year code ("dd/mm/yyyy", "d-mmm-yy"); "0.00" and "#,##0" have none.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_DATE_CODES = re.compile(r"[dmy]", re.I)
_TIME_CODES = re.compile(r"[hs]", re.I)


def _open(data: bytes) -> zipfile.ZipFile:
    old = "an old-style Excel file or a password-protected workbook"
    zf = open_zip(data, ".xlsx", "an Excel workbook", old)
    if "xl/workbook.xml" not in zf.namelist():
        raise DocumentError("not an Excel workbook (no xl/workbook.xml inside)")
    return zf


def _text(element: ET.Element) -> str:
    """A string item's text: its runs in order, phonetic guides (``rPh``) left out."""
    if (plain := element.find(f"{_MAIN}t")) is not None:
        return plain.text or ""
    return "".join(t.text or "" for r in element.findall(f"{_MAIN}r") for t in r.iter(f"{_MAIN}t"))


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    root = xml_part(zf, "xl/sharedStrings.xml", ".xlsx")
    return [_text(si) for si in root.iter(f"{_MAIN}si")]


def _number_styles(zf: zipfile.ZipFile) -> tuple[set[int], set[int], set[int]]:
    """(cell styles that show a date, those that show a time of day too, percentages), by the
    style index a cell's ``s`` attribute gives."""
    if "xl/styles.xml" not in zf.namelist():
        return set(), set(), set()
    root = xml_part(zf, "xl/styles.xml", ".xlsx")
    custom = {
        int(f.get("numFmtId", "-1")): f.get("formatCode", "")
        for f in root.iter(f"{_MAIN}numFmt")
        if f.get("numFmtId", "").isdigit()
    }
    dates, times, percent = set(), set(), set()
    xfs = root.find(f"{_MAIN}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else []):
        fmt = int(xf.get("numFmtId", "0")) if xf.get("numFmtId", "0").isdigit() else 0
        code = _FORMAT_LITERALS.sub("", custom.get(fmt, ""))
        if fmt in _BUILTIN_DATES or _DATE_CODES.search(code):
            dates.add(index)
            if fmt in {18, 19, 20, 21, 22, 45, 46, 47} or _TIME_CODES.search(code):
                times.add(index)
        elif fmt in _BUILTIN_PERCENT or code.endswith("%"):
            percent.add(index)
    return dates, times, percent


def _sheets(zf: zipfile.ZipFile) -> tuple[list[tuple[str, str, bool]], bool]:
    """Each sheet's (tab name, part path, visible) in tab order, and whether dates count from
    1904 (workbooks made on old Macs)."""
    book = xml_part(zf, "xl/workbook.xml", ".xlsx")
    rels = relationships(zf, "xl/_rels/workbook.xml.rels", ".xlsx")
    sheets = [
        (s.get("name", "Sheet"), rels.get(s.get(_REL_ID, ""), ""), s.get("state", "visible"))
        for s in book.iter(f"{_MAIN}sheet")
    ]
    pr = book.find(f"{_MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in {"1", "true"}
    return [(name, path, state == "visible") for name, path, state in sheets], date1904


def _column(ref: str) -> int | None:
    """0 for "A1", 27 for "AB7"; None for a reference without a column."""
    letters = re.match(r"[A-Z]+", ref or "")
    if not letters:
        return None
    n = 0
    for ch in letters.group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _number(value: str) -> str:
    """A number as a sheet shows it in General format: 12 not 12.0, 7.5, 0.125."""
    try:
        x = float(value)
    except ValueError:
        return value
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return format(x, ".15g")


def _date(value: str, with_time: bool, date1904: bool) -> str:
    try:
        serial = float(value)
    except ValueError:
        return value
    # Excel's day 0 is 1899-12-30 once its fictitious 29 February 1900 is allowed for.
    epoch = datetime.datetime(1904, 1, 1) if date1904 else datetime.datetime(1899, 12, 30)
    try:
        moment = epoch + datetime.timedelta(days=serial)
    except OverflowError:
        return _number(value)
    if with_time and (moment.hour or moment.minute):
        return moment.strftime("%Y-%m-%d %H:%M") if serial >= 1 else moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d")


class _Cells:
    """Reads cells as the sheet shows them."""

    def __init__(self, zf: zipfile.ZipFile, date1904: bool) -> None:
        self.strings = _shared_strings(zf)
        self.dates, self.times, self.percent = _number_styles(zf)
        self.date1904 = date1904

    def text(self, c: ET.Element) -> str:
        kind = c.get("t", "n")
        v = c.find(f"{_MAIN}v")
        value = v.text or "" if v is not None else ""
        if kind == "inlineStr":
            item = c.find(f"{_MAIN}is")
            return _text(item) if item is not None else ""
        if kind == "s":
            try:
                return self.strings[int(value)]
            except (ValueError, IndexError):
                return ""
        if kind == "b":
            return "TRUE" if value == "1" else "FALSE" if value == "0" else value
        if kind in {"str", "e"} or not value:  # a formula's text result, an error (#N/A)
            return value
        style = int(c.get("s", "0")) if c.get("s", "0").isdigit() else 0
        if style in self.dates:
            return _date(value, style in self.times, self.date1904)
        if style in self.percent:
            try:
                return f"{_number(str(round(float(value) * 100, 10)))}%"
            except ValueError:
                return value
        return _number(value)


def _merges(root: ET.Element) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (first row, first column, last row, last column), rows as
    the sheet numbers them and columns from 0."""
    out = []
    for m in root.iter(f"{_MAIN}mergeCell"):
        ends = (m.get("ref") or "").split(":")
        if len(ends) != 2:
            continue
        c1, c2 = (_column(e) for e in ends)
        r1, r2 = (_row_number(e) for e in ends)
        if c1 is not None and c2 is not None and r1 is not None and r2 is not None:
            out.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


def _row_number(ref: str) -> int | None:
    digits = re.search(r"\d+$", ref or "")
    return int(digits.group(0)) if digits else None


@dataclass
class _SheetRows:
    """A sheet's non-empty rows, each a cell text per column up to its last non-empty cell, and
    the horizontal spans (first, last column) merged in each."""

    rows: list[list[str]]
    spans: list[list[tuple[int, int]]]


def _rows(root: ET.Element, cells: _Cells, budget: list[int]) -> _SheetRows:
    """Rows hidden in the sheet are kept: a filter hides rows, the register still holds them."""
    grid: dict[int, list[str]] = {}
    data = root.find(f"{_MAIN}sheetData")
    number = 0
    for row in data if data is not None else []:
        number = _row_number(row.get("r", "")) or number + 1
        out: list[str] = []
        for c in row.iter(f"{_MAIN}c"):
            budget[0] -= 1
            if budget[0] < 0:
                raise DocumentError(f"refused .xlsx: more than {MAX_CELLS:,} cells")
            col = _column(c.get("r", ""))
            col = len(out) if col is None else col
            if col >= MAX_COLUMNS:
                continue
            text = " ".join(cells.text(c).split())
            if not text:
                continue
            if col >= len(out):
                out += [""] * (col - len(out)) + [text]
            else:  # a cell named twice: the later one, as a spreadsheet program reads it
                out[col] = text
        if any(out):
            grid[number] = out
    spans: dict[int, list[tuple[int, int]]] = {}
    numbers = sorted(grid)
    for r1, c1, r2, c2 in _merges(root):
        first = grid.get(r1, [])
        value = first[c1] if c1 < len(first) else ""
        c2 = min(c2, MAX_COLUMNS - 1)
        if not value or c1 > c2:
            continue
        if c2 > c1:
            spans.setdefault(r1, []).append((c1, c2))
        # Only rows with text of their own: a tall title merged over an empty row is one line.
        for r in numbers[bisect.bisect_left(numbers, r1) : bisect.bisect_right(numbers, r2)]:
            budget[0] -= c2 - c1 + 1
            if budget[0] < 0:
                raise DocumentError(f"refused .xlsx: more than {MAX_CELLS:,} cells")
            covered = grid[r]
            covered += [""] * (c2 + 1 - len(covered))
            for i in range(c1, c2 + 1):
                covered[i] = covered[i] or value
    return _SheetRows([grid[r] for r in numbers], [spans.get(r, []) for r in numbers])


# A form block's row: cells that are mostly labels ("Owner:", "Revision:") with their values.
def _label_row(row: list[str]) -> bool:
    cells = [c for c in row if c]
    return sum(c.endswith(":") for c in cells) * 2 >= len(cells)


def _distinct(row: list[str]) -> int:
    return len({c for c in row if c})


def _one_cell(row: list[str], spans: list[tuple[int, int]]) -> bool:
    """One cell of text, or one merged cell across several columns."""
    filled = {i for i, c in enumerate(row) if c}
    return len(filled) < 2 or any(filled <= set(range(a, b + 1)) for a, b in spans)


def _header_row(rows: list[list[str]]) -> int | None:
    """The columns' headers: the first row of two or more different cells that is not a form
    block's ``label: value`` pairs and is at least half as wide as the widest row. None: no
    table."""
    widest = max((_distinct(row) for row in rows), default=0)
    return next(
        (
            i
            for i, row in enumerate(rows)
            if _distinct(row) >= max(2, (widest + 1) // 2) and not _label_row(row)
        ),
        None,
    )


def _headers(sheet: _SheetRows, header: int) -> list[str]:
    """The header row's names, each with the group name merged over it in the row above, if
    that row merges cells over some (not all) of the header's columns."""
    names = sheet.rows[header]
    if header == 0:
        return names
    above, spans = sheet.rows[header - 1], sheet.spans[header - 1]
    named = {i for i, c in enumerate(names) if c}
    groups = [(a, b) for a, b in spans if set(range(a, b + 1)) & named]
    # A single line from the sheet's first column is a title merged over the first columns
    # ("F-08-2 Approved supplier register" over A:B), not a group name.
    title = _distinct(above) == 1 and min(a for a, _ in groups or [(0, 0)]) <= min(named)
    if not groups or title or any(named <= set(range(a, b + 1)) for a, b in groups):
        return names  # no group over the names, or a title over them
    out = list(names)
    for a, b in groups:
        for i in range(a, min(b, len(out) - 1) + 1):
            group = above[i] if i < len(above) else ""
            if out[i] and group and group != out[i]:
                out[i] = f"{group} / {out[i]}"
    return out


def _title_from_core(zf: zipfile.ZipFile) -> str:
    return dc_title(zf, "docProps/core.xml", ".xlsx")


def parse_xlsx(data: bytes, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    zf = _open(data)
    sheets, date1904 = _sheets(zf)
    cells = _Cells(zf, date1904)
    # A workbook's title property often carries its form number ("F-08-2 Approved supplier
    # register"): read as a heading is, number apart from title.
    core = _title_from_core(zf)
    meta = metadata.from_heading(core) if core else metadata.DocMeta()
    builder = SectionBuilder()
    budget = [MAX_CELLS]
    found = metadata.DocMeta()  # from the first sheet's lines above its table
    names = set(zf.namelist())
    for name, path, visible in sheets:
        if not visible or path not in names:
            continue
        sheet = _rows(xml_part(zf, path, ".xlsx"), cells, budget)
        if not sheet.rows:
            continue
        builder.heading(2, name)
        above = _add_sheet(builder, sheet)  # always read: a sheet after the first has its own
        found = found.merge(above)
    sections = builder.sections()
    if not sections:
        raise DocumentError("no text found in any visible sheet of the workbook")
    meta = meta.merge(found).merge(metadata.DocMeta(title=fallback_title))
    return meta, sections


def _add_sheet(builder: SectionBuilder, sheet: _SheetRows) -> metadata.DocMeta:
    """A sheet's lines above its table, the table, then the lines of one cell below it; returns
    what the lines above say of the file: its first line read as a title, a form block's
    ``Revision: | 5``."""
    rows = sheet.rows
    header = _header_row(rows)
    above = rows if header is None else rows[:header]
    headers = [] if header is None else _headers(sheet, header)
    grouped = header is not None and headers != rows[header]
    if grouped:  # the group names' row is part of the headers, not a line above
        above = above[:-1]
    # A cell repeated along its row is one merged cell (a title across the sheet): said once.
    lines = [" ".join(dict.fromkeys(c for c in row if c)) for row in above]
    for line in lines:
        builder.add_line(line)
        builder.add_line("")
    # The table's rows are the register's entries, never the file's own number or revision (a
    # document list's first row names another document): only the title and the lines above a
    # table say what the file is.
    if header is not None:
        body = rows[header + 1 :]
        end = len(body)
        while end and len(rows[header]) > 2 and _one_cell(body[end - 1], sheet.spans[header + end]):
            end -= 1  # a key or a note under a table of three or more columns
        builder.add_block(table_rows_as_text([headers, *body[:end]]))
        for row in body[end:]:
            builder.add_line("")
            builder.add_line(" ".join(dict.fromkeys(c for c in row if c)))
    meta = metadata.from_heading(lines[0]) if lines else metadata.DocMeta()
    pairs = []
    for row in above:
        cells = [c for c in row if c]
        pairs += [(a, b) for a, b in zip(cells, cells[1:], strict=False) if a.endswith(":")]
    return metadata.from_pairs(pairs).merge(meta)


def parse_csv(text: str, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    """A register exported as comma- (or semicolon-, tab-) separated values: read as one sheet.
    The separator is the one the first lines use most consistently (``csv.Sniffer``)."""
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:  # one column, or too irregular to tell: commas
        dialect = csv.excel
    rows: list[list[str]] = []
    try:
        for raw in csv.reader(io.StringIO(text), dialect):
            cells = [" ".join(c.split()) for c in raw[:MAX_COLUMNS]]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append(cells)
    except csv.Error as exc:
        raise DocumentError(f"malformed .csv ({exc})") from None
    if not rows:
        raise DocumentError("no text found in the file")
    builder = SectionBuilder()
    meta = _add_sheet(builder, _SheetRows(rows, [[] for _ in rows]))
    return meta.merge(metadata.DocMeta(title=fallback_title)), builder.sections()
