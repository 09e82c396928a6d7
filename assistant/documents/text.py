"""Markdown and plain-text loaders: headings become the heading path, tables become row lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.aligned import aligned_tables
from assistant.documents.sections import SectionBuilder

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A comment that is only a standard's trace tag ("<!-- [13485:7.5.1f,7.5.3] -->"): how some
# quality systems record which clauses a section meets. Hidden when the Markdown is shown, but
# it is the organisation's own clause map, so the tag is kept as text (the crosswalk reads it);
# every other comment is dropped.
_TRACE_TAG = re.compile(r"<!--\s*(\[\d{4,5}:[^\]\n]{1,200}\])\s*-->")
# A link or image: its text may hold an image ([![logo](a.png)](url)), its target one level of
# parentheses (wiki/Foo_(bar)), <angle brackets> or a quoted title.
_LINK = re.compile(
    r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]"
    r"\((?:<[^>]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
_EMPHASIS = re.compile(r"(\*\*|__|`)")


def _inline(text: str) -> str:
    """Markdown inline markup removed so quotes read as prose."""
    for _ in range(3):  # an image inside a link comes out on the second pass
        linked = _LINK.sub(r"\1", text)
        if linked == text:
            break
        text = linked
    return _EMPHASIS.sub("", text).strip()


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [_inline(c) for c in re.split(r"(?<!\\)\|", line)]


def table_rows_as_text(rows: list[list[str]]) -> list[str]:
    """Each body row as ``Header: value; Header: value`` so it reads on its own."""
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if not any(header) or not body:  # header-less table: plain rows
        return ["; ".join(c for c in row if c) for row in rows if any(row)]
    out = []
    for row in body:
        pairs = [f"{h}: {v}" if h else v for h, v in zip(header, row, strict=False) if v]
        if pairs:
            out.append("; ".join(pairs))
    return out


_HEADER = r"(?:[^:;|]|:(?!\s)){1,60}"  # "ISO 9001:2015 clause" is one header
_ROW_CELLS = re.compile(rf"^{_HEADER}:\s[^;]*;\s*{_HEADER}:\s")


# The start of a row line inside a passage (a regex to look ahead with): header and value held
# to one line, since a passage has many.
_LINE_HEADER = r"(?:[^:;|\n]|:(?!\s)){1,60}"
TABLE_ROW_START = rf"{_LINE_HEADER}:[ \t][^;\n]*;[ \t]*{_LINE_HEADER}:\s"


def is_table_row(line: str) -> bool:
    """A line written by ``table_rows_as_text`` (or a pipe table left as it was)."""
    return bool(_ROW_CELLS.match(line.strip())) or line.strip().count("|") >= 3


_CELL = re.compile(rf"({_HEADER}):\s+(.*)", re.DOTALL)


@dataclass(frozen=True)
class Table:
    """A table read back from its row lines: column headers and one tuple of cells per row."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Block:
    """A run of a passage's lines: prose, or the rows of one table. ``text`` is the verbatim
    slice ``passage[start:end]``; a table's ``row_spans`` are its rows' lines, as offsets."""

    start: int
    text: str
    table: Table | None = None
    row_spans: tuple[tuple[int, int], ...] = ()

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def row_at(self, offset: int) -> int | None:
        """The row whose line holds ``offset`` (a quote found in the passage), if any."""
        return next((i for i, (a, b) in enumerate(self.row_spans) if a <= offset < b), None)


def _row_pairs(line: str) -> list[tuple[str, str]]:
    """``Header: value; Header: value`` back into pairs. A part with no header of its own is
    the rest of the cell before it: cell text may hold "; " itself ("As certificate; correction
    applied")."""
    pairs: list[tuple[str, str]] = []
    for part in line.strip().split("; "):
        m = _CELL.fullmatch(part)
        if m:
            pairs.append((m.group(1).strip(), m.group(2).strip()))
        elif pairs:
            header, value = pairs[-1]
            pairs[-1] = (header, f"{value}; {part}")
        else:
            pairs.append(("", part))
    return pairs


def _read_table(lines: list[str]) -> Table:
    """Columns in the order rows give them: a row leaves out its empty cells, so one row may
    name a column the others skip; a header repeated within a row is a column of its own."""
    columns: list[tuple[str, int]] = []
    keyed_rows: list[dict[tuple[str, int], str]] = []
    for line in lines:
        row: dict[tuple[str, int], str] = {}
        previous: tuple[str, int] | None = None
        for header, value in _row_pairs(line):
            key = (header, sum(1 for h, _ in row if h == header))
            row[key] = value
            if key not in columns:
                columns.insert(columns.index(previous) + 1 if previous in columns else 0, key)
            previous = key
        keyed_rows.append(row)
    names: list[str] = []
    for header, n in columns:  # unique, as a table's columns must be ("Date", "Date (2)")
        name = header if n == 0 else f"{header} ({n + 1})"
        while name in names:
            n += 1
            name = f"{header} ({n + 1})"
        names.append(name)
    cells = tuple(tuple(row.get(key, "") for key in columns) for row in keyed_rows)
    return Table(tuple(names), cells)


def passage_blocks(text: str) -> list[Block]:
    """A passage split into prose and tables, for showing a table as a table. Consecutive
    ``Header: value; ...`` lines (``table_rows_as_text``) form one table; pipe lines left as
    written carry no headers to read back, so they stay prose. Blank-only runs are dropped."""
    blocks: list[Block] = []
    run: list[tuple[int, str]] = []  # (offset, line) of the current run
    run_is_table = False

    def close() -> None:
        if not run:
            return
        start, end = run[0][0], run[-1][0] + len(run[-1][1])
        if run_is_table:
            spans = tuple((at, at + len(line)) for at, line in run)
            table = _read_table([line for _, line in run])
            blocks.append(Block(start, text[start:end], table, spans))
        elif text[start:end].strip():
            # trimmed to its text, so a prose block never starts or ends with blank lines
            lead = len(text[start:end]) - len(text[start:end].lstrip())
            blocks.append(Block(start + lead, text[start:end].strip()))
        run.clear()

    offset = 0
    for line in text.split("\n"):
        row = bool(_ROW_CELLS.match(line.strip()))
        if row != run_is_table:
            close()
            run_is_table = row
        run.append((offset, line))
        offset += len(line) + 1
    close()
    return blocks


def row_values(line: str) -> str:
    """A ``Header: value; ...`` row's cell values alone, in order."""
    return " ".join(value for _, value in _row_pairs(line))


def rows_of_tables(text: str) -> set[str]:
    """The row lines (stripped) of the passage's tables of two or more rows: lines that repeat
    their column headers, so the headers say nothing about one row apart."""
    return {
        text[a:b].strip()
        for block in passage_blocks(text)
        if block.table is not None and len(block.row_spans) >= 2
        for a, b in block.row_spans
    }


def split_front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    end = re.search(r"^(---|\.\.\.)\s*$", text[3:], re.MULTILINE)
    if not end:
        return {}, text
    block = text[3 : 3 + end.start()]
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        # "sop_version:2.0.2" (no space after the colon) is not a YAML mapping, but it is front
        # matter all the same: kept in the body, its closing "---" made the line above it a
        # heading, and the document's title. Read such lines leniently; anything else between
        # the fences stays text (a document may open with a horizontal rule).
        pairs = [_LOOSE_PAIR.fullmatch(line.strip()) for line in block.strip().splitlines()]
        if not pairs or not all(pairs):
            return {}, text
        data = {m.group(1): m.group(2) for m in pairs if m}
    return data, text[3 + end.end() :]


_LOOSE_PAIR = re.compile(r"([A-Za-z][\w .-]{0,40}?)\s*:\s*(\S.*)")


def parse_markdown(text: str, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    front, body = split_front_matter(text)
    meta = metadata.from_pairs([(str(k), str(v)) for k, v in front.items()])
    body = _COMMENT.sub("", _TRACE_TAG.sub(r"\n\n\1\n\n", body))  # a block of its own
    builder = SectionBuilder()
    lines = body.splitlines()
    first_heading = ""
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
            i += 1
            continue
        if in_fence:
            builder.add_line(line)
            i += 1
            continue
        m = _ATX.match(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if m:
            title = _inline(m.group(2))
            first_heading = first_heading or title
            builder.heading(len(m.group(1)), title)
            i += 1
            continue
        if line.strip() and re.fullmatch(r"\s*(=+|-+)\s*", nxt) and "|" not in line:
            title = _inline(line)
            first_heading = first_heading or title
            builder.heading(1 if nxt.strip().startswith("=") else 2, title)
            i += 2
            continue
        if "|" in line and _TABLE_SEP.match(nxt):
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_cells(lines[i]))
                i += 1
            if builder.heading_count <= 3:
                meta = metadata.with_early_table(meta, rows)
            builder.add_block(table_rows_as_text(rows))
            continue
        builder.add_line(_inline(line) if line.strip() else "")
        i += 1
    if first_heading:
        head = metadata.from_heading(first_heading)
        # A first heading that carries a number or revision also gives the real title.
        if head.doc_no or head.revision:
            meta = meta.merge(metadata.DocMeta(title=head.title)).merge(head)
        if head.title:  # "" for a section name ("Summary"): the file name says more
            meta = meta.merge(metadata.DocMeta(title=first_heading))
    meta = meta.merge(metadata.DocMeta(title=fallback_title))
    return meta, builder.sections()


_TXT_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+([A-Z][^\n]{1,80})$")


def _txt_heading_level(line: str, blank_after: bool, blank_before: bool) -> int:
    """Heading level of a plain-text line, or 0. Numbered steps are text, not headings."""
    s = line.strip()
    if not s or len(s) > 90 or not blank_after:
        return 0
    m = _TXT_NUMBERED.match(s)
    if m and not s.endswith((".", ",", ";", ":")):
        return m.group(1).count(".") + 1
    letters = [c for c in s if c.isalpha()]
    if blank_before and len(letters) >= 4 and all(c.isupper() for c in letters):
        return 1
    return 0


def parse_text(text: str, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    lines = text.splitlines()
    top = [ln for ln in lines[:25] if ln.strip()]
    meta = metadata.from_lines(top[:15])
    if top:
        meta = meta.merge(metadata.from_heading(top[0])) if not meta.title else meta
    meta = meta.merge(metadata.DocMeta(title=fallback_title))
    builder = SectionBuilder()
    tables = {t.start: t for t in aligned_tables(lines)}
    skip_to = 0
    for i, line in enumerate(lines):
        if i < skip_to:
            continue
        if i in tables:  # a table set out with spaces, row by row under its headers
            builder.add_block(table_rows_as_text(tables[i].rows))
            skip_to = tables[i].end
            continue
        blank_after = i + 1 >= len(lines) or not lines[i + 1].strip()
        blank_before = i == 0 or not lines[i - 1].strip()
        level = _txt_heading_level(line, blank_after, blank_before)
        if level:
            builder.heading(level + 1, line.strip())  # level 1 is the document title
        else:
            builder.add_line(line.rstrip())
    return meta, builder.sections()
