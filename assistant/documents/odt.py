"""OpenDocument text (.odt, LibreOffice Writer) loader, on the standard library alone.

An .odt is a zip holding ``content.xml`` (the body) and ``meta.xml`` (title and other
properties). The body is walked in order like the Word reader walks a .docx: ``text:h`` headings
(their outline level) build the heading path, paragraphs and list items become lines, tables
become row lines. What a reader of the printed page does not see as body text is left out, as
python-docx leaves it out of a .docx: the table of contents and other generated indexes,
deleted text kept by change tracking, comments, footnotes and drawings (text boxes, images).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile

from assistant.core.errors import DocumentError
from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.containers import dc_title, open_zip, read_part, xml_part
from assistant.documents.sections import SectionBuilder
from assistant.documents.text import table_rows_as_text

_MIMETYPE = "application/vnd.oasis.opendocument.text"  # a template (.ott) adds "-template"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"


def _t(name: str) -> str:
    return f"{{{_TEXT}}}{name}"


_H, _P, _NUMBER = _t("h"), _t("p"), _t("number")
_SPACE, _TAB, _LINE_BREAK = _t("s"), _t("tab"), _t("line-break")
_TABLE_EL = f"{{{_TABLE}}}table"
_ROW, _CELL = f"{{{_TABLE}}}table-row", f"{{{_TABLE}}}table-cell"
_COVERED_CELL = f"{{{_TABLE}}}covered-table-cell"
# Generated or hidden blocks: a table of contents repeats the headings, tracked changes hold
# deleted text, forms and declarations hold no prose.
_SKIP_BLOCKS = {
    _t("table-of-content"),
    _t("alphabetical-index"),
    _t("illustration-index"),
    _t("table-index"),
    _t("object-index"),
    _t("user-index"),
    _t("bibliography"),
    _t("tracked-changes"),
    _t("sequence-decls"),
    _t("variable-decls"),
    _t("user-field-decls"),
    f"{{{_OFFICE}}}forms",
}
# Inside a paragraph: comments, footnote/endnote bodies and their citation marks.
_SKIP_INLINE = {
    f"{{{_OFFICE}}}annotation",
    f"{{{_OFFICE}}}annotation-end",
    _t("note"),
}
_MAX_SPACES = 100  # <text:s text:c="..."/> is a count: a hostile file could ask for billions
_MAX_REPEATED_CELLS = 64  # repeated empty cells pad a row; more is never content


def _open(data: bytes) -> zipfile.ZipFile:
    """The container, checked against zip bombs and files that are not an .odt at all."""
    zf = open_zip(data, ".odt", "an OpenDocument text")
    infos = zf.infolist()
    names = {i.filename for i in infos}
    if "mimetype" in names:
        kind = _read(zf, "mimetype").decode("ascii", "replace").strip()
        if not kind.startswith(_MIMETYPE):
            raise DocumentError(f"not an OpenDocument text (the .odt holds {kind[:80]})")
    if "content.xml" not in names:
        raise DocumentError("malformed .odt: no content.xml inside")
    if "META-INF/manifest.xml" in names and b"encryption-data" in _read(
        zf, "META-INF/manifest.xml"
    ):
        raise DocumentError("encrypted .odt (password protected); save a copy without one")
    return zf


def _read(zf: zipfile.ZipFile, name: str) -> bytes:
    return read_part(zf, name, ".odt")


def _title_from_meta(zf: zipfile.ZipFile) -> str:
    return dc_title(zf, "meta.xml", ".odt")


def _title_styles(root: ET.Element) -> set[str]:
    """Paragraph style names that mean the document Title: ``Title`` itself and the automatic
    styles LibreOffice derives from it (``P1`` with parent ``Title``) when a title is edited."""
    names = {"Title"}
    for style in root.iter(f"{{{_STYLE}}}style"):
        if style.get(f"{{{_STYLE}}}parent-style-name") == "Title":
            names.add(style.get(f"{{{_STYLE}}}name", ""))
    return names


def _collapse(text: str | None) -> str:
    # ODF white space rule: runs of spaces, tabs and newlines in the XML are one space; real
    # extra spaces, tabs and line breaks are elements (text:s, text:tab, text:line-break).
    return re.sub(r"[ \t\r\n]+", " ", text) if text else ""


def _spaces(element: ET.Element) -> str:
    try:
        count = int(element.get(_t("c"), "1"))
    except ValueError:
        count = 1
    return " " * max(1, min(count, _MAX_SPACES))


def _inline_text(paragraph: ET.Element) -> str:
    """A paragraph's or heading's text, spans, links, fields and list numbers included."""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        parts.append(_collapse(node.text))
        for child in node:
            if child.tag == _SPACE:
                parts.append(_spaces(child))
            elif child.tag == _TAB:
                parts.append("\t")
            elif child.tag == _LINE_BREAK:
                parts.append("\n")
            elif child.tag == _NUMBER:  # a list or outline number the writer spelled out
                parts.append(f"{''.join(child.itertext()).strip()} ")
            elif child.tag not in _SKIP_INLINE and not _is_drawing(child):
                walk(child)
            parts.append(_collapse(child.tail))

    walk(paragraph)
    return "".join(parts).strip()


def _is_drawing(element: ET.Element) -> bool:
    return element.tag.startswith(f"{{{_DRAW}}}")


def _cell_text(container: ET.Element) -> str:
    """A cell's paragraphs, lists and nested tables as one line."""
    texts: list[str] = []
    for child in container:
        if child.tag in (_P, _H):
            texts.append(_inline_text(child))
        elif child.tag not in _SKIP_BLOCKS and not _is_drawing(child):
            texts.append(_cell_text(child))
    return " ".join(" ".join(texts).split())


def _table_rows(table: ET.Element) -> list[list[str]]:
    """Rows of this table (header rows and row groups included), one text per cell. The part
    of a cell merged across columns that it covers is an empty cell, so later cells stay under
    their header; a cell merged down the rows (an owner beside two objectives) holds for each
    row it covers, as a Word table and a spreadsheet read it."""
    rows: list[list[str]] = []
    down: dict[int, tuple[str, int]] = {}  # column -> (text, rows below it still covers)

    def walk(node: ET.Element) -> None:
        for child in node:
            if child.tag == _ROW:
                cells: list[str] = []
                for cell in child:
                    if cell.tag not in (_CELL, _COVERED_CELL):
                        continue
                    column = len(cells)
                    if cell.tag == _CELL:
                        text = _cell_text(cell)
                        spanned = cell.get(f"{{{_TABLE}}}number-rows-spanned", "1")
                        if spanned.isdigit() and int(spanned) > 1:
                            down[column] = (text, int(spanned) - 1)
                    elif column in down and down[column][1] > 0:
                        text, left = down[column]
                        down[column] = (text, left - 1)
                    else:
                        text = ""
                    repeat = cell.get(f"{{{_TABLE}}}number-columns-repeated", "1")
                    count = int(repeat) if repeat.isdigit() else 1
                    cells += [text] * max(1, min(count, _MAX_REPEATED_CELLS))
                rows.append(cells)
            elif child.tag != _TABLE_EL:  # header rows, row groups: rows inside
                walk(child)

    walk(table)
    return [r for r in rows if any(r)]


def parse_odt(data: bytes, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    zf = _open(data)
    root = xml_part(zf, "content.xml", ".odt")
    body = root.find(f"{{{_OFFICE}}}body/{{{_OFFICE}}}text")
    if body is None:
        raise DocumentError("not an OpenDocument text (content.xml has no text body)")

    meta = metadata.DocMeta(title=_title_from_meta(zf))
    title_styles = _title_styles(root)
    builder = SectionBuilder()
    first_heading = ""

    def walk(container: ET.Element) -> None:
        nonlocal meta, first_heading
        for block in container:
            if block.tag in (_H, _P):
                text = _inline_text(block)
                if block.tag == _H:  # Title is level 1, Heading n is n + 1: as in Word
                    level_attr = block.get(_t("outline-level"), "1")
                    level = int(level_attr) + 1 if level_attr.isdigit() else 2
                elif block.get(_t("style-name")) in title_styles:
                    level = 1
                else:
                    level = 0
                if level and text:
                    heading = " ".join(text.split())
                    first_heading = first_heading or heading
                    builder.heading(level, heading)
                elif text:
                    builder.add_line(text)
                    builder.add_line("")
            elif block.tag == _TABLE_EL:
                rows = _table_rows(block)
                if builder.heading_count <= 3:
                    meta = metadata.with_early_table(meta, rows)
                builder.add_block(table_rows_as_text(rows))
            elif block.tag not in _SKIP_BLOCKS and not _is_drawing(block):
                # lists, list items, sections: blocks inside
                walk(block)

    walk(body)
    if first_heading:
        meta = meta.merge(metadata.from_heading(first_heading))
    meta = meta.merge(metadata.DocMeta(title=fallback_title))
    return meta, builder.sections()
