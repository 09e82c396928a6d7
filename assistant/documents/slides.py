"""PowerPoint presentations (.pptx), on the standard library alone.

A quality system keeps some of its evidence as slides: the management review pack, awareness
and induction training, a supplier's quality presentation. A ``.pptx`` is a zip of XML parts
(Office Open XML, PresentationML): ``ppt/presentation.xml`` lists the slides in show order,
``ppt/_rels/presentation.xml.rels`` says which part holds each, and each slide's shapes hold
DrawingML text (``a:p`` paragraphs of ``a:t`` runs).

Each slide shown in the show becomes a section under its title ("Slide 4" when it has none),
its other text boxes as lines in the order they were placed and its tables as rows under their
headers, as tables of every other format. Hidden slides and speaker notes are left out, as the
audience never sees them; so are slide numbers and dates a layout adds.
"""

from __future__ import annotations

import zipfile
from typing import Any

from assistant.core.errors import DocumentError
from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.containers import dc_title, open_zip, relationships, xml_part
from assistant.documents.sections import SectionBuilder
from assistant.documents.text import table_rows_as_text

_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_TITLES = {"title", "ctrTitle"}
# Placeholders a layout fills in on every slide: not the slide's own words.
_FURNITURE = {"sldNum", "dt", "ftr", "hdr"}


def _slides(zf: zipfile.ZipFile) -> list[tuple[Any, bool]]:
    """Each slide's part, parsed once, in show order, and whether it is shown."""
    names = set(zf.namelist())
    if "ppt/presentation.xml" not in names:
        raise DocumentError("not a PowerPoint presentation (no ppt/presentation.xml inside)")
    rels = relationships(zf, "ppt/_rels/presentation.xml.rels", ".pptx")
    slides = []
    for entry in xml_part(zf, "ppt/presentation.xml", ".pptx").iter(f"{_P}sldId"):
        path = rels.get(entry.get(_REL_ID, ""), "")
        if path in names:
            root = xml_part(zf, path, ".pptx")
            slides.append((root, root.get("show", "1") not in {"0", "false"}))
    return slides


def _paragraphs(body: Any) -> list[str]:
    """A text body's paragraphs, each its runs and line breaks joined ("" for an empty one)."""
    out = []
    for p in body.iter(f"{_A}p"):
        parts = []
        for child in p:
            if child.tag in (f"{_A}r", f"{_A}fld"):
                parts.append("".join(t.text or "" for t in child.iter(f"{_A}t")))
            elif child.tag == f"{_A}br":
                parts.append(" ")
        out.append(" ".join("".join(parts).split()))
    return out


def _table_rows(table: Any) -> list[list[str]]:
    """One text per grid column. A cell merged across columns (``hMerge``) is said once, the
    columns it covers empty, so later cells stay under their headers; a cell merged down the
    rows (``vMerge``: an owner beside two objectives) holds for each row it covers, as a
    Word table and a spreadsheet read it: each row is read alone, as its own line."""
    rows: list[list[str]] = []
    above: list[str] = []  # the previous row's cells, as read
    for tr in table.iter(f"{_A}tr"):
        cells = []
        for column, tc in enumerate(tr.iter(f"{_A}tc")):
            body = tc.find(f"{_A}txBody")
            text = " ".join(p for p in _paragraphs(body) if p) if body is not None else ""
            if tc.get("vMerge") == "1":
                text = above[column] if column < len(above) else ""
            elif tc.get("hMerge") == "1":
                text = ""
            cells.append(text)
        above = cells
        if any(cells):
            rows.append(cells)
    return rows


def _slide(root: Any) -> tuple[str, list[str], list[list[list[str]]]]:
    """A slide's title, its other lines and its tables, in the order the shapes were placed."""
    title, lines, tables = "", [], []
    tree = root.find(f"{_P}cSld/{_P}spTree")
    for shape in tree.iter() if tree is not None else []:
        if shape.tag == f"{_P}sp":
            placeholder = shape.find(f"{_P}nvSpPr/{_P}nvPr/{_P}ph")
            kind = placeholder.get("type", "body") if placeholder is not None else ""
            body = shape.find(f"{_P}txBody")
            if body is None or kind in _FURNITURE:
                continue
            texts = [t for t in _paragraphs(body) if t]
            if kind in _TITLES and not title:
                title = " ".join(texts)
            else:
                lines += texts
        elif shape.tag == f"{_A}tbl":
            tables.append(_table_rows(shape))
    return title, lines, tables


def parse_pptx(data: bytes, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    old = "an old-style PowerPoint file or a password-protected presentation"
    zf = open_zip(data, ".pptx", "a PowerPoint presentation", old)
    core = dc_title(zf, "docProps/core.xml", ".pptx")
    meta = metadata.from_heading(core) if core else metadata.DocMeta()
    builder = SectionBuilder()
    first_title = ""
    for number, (root, shown) in enumerate(_slides(zf), 1):
        if not shown:
            continue
        title, lines, tables = _slide(root)
        if not (title or lines or tables):
            continue
        first_title = first_title or title
        builder.heading(2, title or f"Slide {number}")
        for line in lines:
            builder.add_line(line)
            builder.add_line("")
        for rows in tables:
            builder.add_block(table_rows_as_text(rows))
    sections = builder.sections()
    if not sections:
        raise DocumentError("no text found on any slide shown")
    if first_title:
        meta = meta.merge(metadata.from_heading(first_title))
    return meta.merge(metadata.DocMeta(title=fallback_title)), sections
