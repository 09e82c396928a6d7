"""Word (.docx) loader: checks the zip container before parsing, then walks the body in order."""

from __future__ import annotations

import io
import re

from assistant.core.errors import DocumentError
from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.containers import open_zip
from assistant.documents.sections import SectionBuilder
from assistant.documents.text import table_rows_as_text


def check_container(data: bytes) -> None:
    zf = open_zip(data, ".docx", "a Word document")
    infos = zf.infolist()
    if "word/document.xml" not in {i.filename for i in infos}:
        raise DocumentError("malformed .docx: no word/document.xml inside")


def _heading_level(style_name: str) -> int:
    if style_name == "Title":
        return 1
    m = re.fullmatch(r"Heading (\d)", style_name)
    return int(m.group(1)) + 1 if m else 0  # the Title sits above Heading 1


def _row_cells(row: object) -> list[str]:
    """A row's cell texts, one per grid column. A cell merged across columns is the same cell
    (the same ``<w:tc>`` element) repeated; its text is kept once and the columns it covers are
    empty, so later cells stay under their headers. Cells are told apart by element, never by
    text: a row of equal values ("Yes", "Yes", "No") is three cells, and folding equal
    neighbours once made a skills matrix say a level may not sign what the document says it
    may (the values shifted under the wrong headers)."""
    cells: list[str] = []
    previous = None
    for cell in row.cells:  # type: ignore[attr-defined]
        element = cell._tc  # python-docx exposes no public identity for a merged cell
        cells.append("" if element is previous else re.sub(r"\s+", " ", cell.text).strip())
        previous = element
    return cells


def parse_docx(data: bytes, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    check_container(data)
    import docx  # lazy: keeps CLI start fast
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken parts
        raise DocumentError(f"malformed .docx ({type(exc).__name__}: {exc})") from None

    meta = metadata.DocMeta(title=(document.core_properties.title or "").strip())
    builder = SectionBuilder()
    first_heading = ""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            style = block.style.name if block.style is not None else ""
            level = _heading_level(style)
            if level and text:
                first_heading = first_heading or text
                builder.heading(level, text)
            elif text:
                builder.add_line(text)
                builder.add_line("")
        elif isinstance(block, Table):
            rows = [_row_cells(row) for row in block.rows]
            if not (meta.doc_no and meta.revision) and builder.heading_count <= 3:
                meta = meta.merge(metadata.from_table(rows))
            builder.add_block(table_rows_as_text(rows))
    if first_heading:
        meta = meta.merge(metadata.from_heading(first_heading))
    meta = meta.merge(metadata.DocMeta(title=fallback_title))
    return meta, builder.sections()
