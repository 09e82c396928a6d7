"""Word (.docx) loader: checks the zip container before parsing, then walks the body in order.

The body is read as Word shows it with changes accepted, as the .odt reader reads a document:
a tracked insertion is text, a tracked deletion is not; the text of a content control (the
fields of a company template: owner, number, a whole clause in a block control) and a field's
shown result ("section 5.2") are text. python-docx's ``Paragraph.text`` and
``iter_inner_content`` read only a paragraph's own runs and the body's own paragraphs, so a
document under review lost its inserted sentences and a template its filled-in fields. Text
boxes, drawings and deleted text stay out, as before.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from assistant.core.errors import DocumentError
from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.containers import open_zip
from assistant.documents.numbering import ListNumbers
from assistant.documents.sections import SectionBuilder
from assistant.documents.text import table_rows_as_text


def check_container(data: bytes) -> None:
    zf = open_zip(data, ".docx", "a Word document")
    infos = zf.infolist()
    if "word/document.xml" not in {i.filename for i in infos}:
        raise DocumentError("malformed .docx: no word/document.xml inside")


def _named_level(style_name: str) -> int:
    if style_name == "Title":
        return 1
    m = re.fullmatch(r"Heading (\d)", style_name)
    return int(m.group(1)) + 1 if m else 0  # the Title sits above Heading 1


def _outline_level(element: Any) -> int | None:
    """A paragraph's or style's own outline level (``w:outlineLvl`` 0-8; 9 is body text)."""
    found = element.find(f"{_W}pPr/{_W}outlineLvl") if element is not None else None
    value = found.get(f"{_W}val", "") if found is not None else ""
    return int(value) if value.isdigit() else None


def _heading_level(paragraph: Any, style: Any) -> int:
    """1 for the Title, n + 1 for a heading of level n, 0 for body text. Company templates name
    their own heading styles ("QP Heading 1", "Section title"): such a style is a heading when
    it is based on a built-in heading or sets an outline level, as Word's navigation pane
    reads it; a paragraph's own outline level counts first."""
    own = _outline_level(paragraph)
    if own is not None:
        return own + 2 if own < 9 else 0
    seen = 0
    while style is not None and seen < 20:  # a basedOn loop in a damaged file ends here
        level = _named_level(style.name or "")
        if level:
            return level
        outline = _outline_level(style.element)
        if outline is not None:
            return outline + 2 if outline < 9 else 0
        style, seen = style.base_style, seen + 1
    return 0


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _R = f"{_W}p", f"{_W}tbl", f"{_W}r"
# Containers whose runs a reader of the page does not see as the paragraph's text.
_NOT_SHOWN = {
    f"{_W}del",
    f"{_W}moveFrom",
    f"{_W}txbxContent",
    f"{_W}drawing",
    f"{_W}pict",
    f"{_W}object",
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent",
}
# Block containers read through for the paragraphs and tables inside them.
_THROUGH = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"}


def _runs(element: Any) -> Iterator[Any]:
    """The runs of a paragraph in order, inside insertions, hyperlinks, content controls, simple
    fields and smart tags too, never inside deletions, text boxes or drawings."""
    for child in element:
        if child.tag in _NOT_SHOWN:
            continue
        if child.tag == _R:
            yield child
        else:
            yield from _runs(child)


def paragraph_text(p: Any) -> str:
    """A ``<w:p>``'s text as shown, changes accepted (tabs and line breaks as characters)."""
    return "".join(r.text for r in _runs(p))


def _blocks(container: Any) -> Iterator[Any]:
    """The ``<w:p>`` and ``<w:tbl>`` elements of a body or a cell in order, those inside block
    content controls included."""
    for child in container:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in _THROUGH:
            yield from _blocks(child)


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
        text = " ".join(paragraph_text(p) for p in _blocks(element) if p.tag == _P)
        cells.append("" if element is previous else re.sub(r"\s+", " ", text).strip())
        previous = element
    return cells


def parse_docx(data: bytes, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    check_container(data)
    import docx  # lazy: keeps CLI start fast

    try:
        document = docx.Document(io.BytesIO(data))
        # python-docx reads styles, numbering and headers lazily: a damaged part fails here,
        # with whatever its parser meets, as the whole file's one-line reason
        return _read(document, fallback_title)
    except (DocumentError, RecursionError):
        raise
    except Exception as exc:  # python-docx raises many types for broken parts
        raise DocumentError(f"malformed .docx ({type(exc).__name__}: {exc})") from None


def _read(document: Any, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    """The document's metadata and sections, walked in order (``parse_docx``)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    meta = metadata.DocMeta(title=_core_property(document, "title"))
    builder = SectionBuilder()
    first_heading = ""
    body = document._body  # the parent python-docx gives the body's paragraphs and tables
    numbers = _list_numbers(document)
    for element in _blocks(document.element.body):
        if element.tag == _P:
            block = Paragraph(element, body)
            text = paragraph_text(element).strip()
            label = numbers.label(element)  # counted even for an empty paragraph, as Word does
            if label and text and not text.startswith(label):
                text = f"{label} {text}"
            level = _heading_level(element, block.style)
            if level and text:
                first_heading = first_heading or text
                builder.heading(level, text)
            elif text:
                builder.add_line(text)
                builder.add_line("")
        else:
            rows = [_row_cells(row) for row in Table(element, body).rows]
            if builder.heading_count <= 3:
                meta = metadata.with_early_table(meta, rows)
            builder.add_block(table_rows_as_text(rows))
    if first_heading:
        meta = meta.merge(metadata.from_heading(first_heading))
    if not (meta.doc_no and meta.revision):
        meta = meta.merge(_page_header_meta(document))
    elif not meta.status:
        meta = replace(meta, status=_page_header_meta(document).status)
    # Word's own Status property (File > Info), where a document controller marks a withdrawn
    # procedure "Obsolete" without touching its text
    status = metadata.not_in_force(_core_property(document, "content_status"))
    meta = meta.merge(metadata.DocMeta(title=fallback_title, status=status))
    return meta, builder.sections()


def _core_property(document: Any, name: str) -> str:
    """A core property ("title", "content_status"); a damaged properties part has none, and is
    no failed document."""
    try:
        return (getattr(document.core_properties, name) or "").strip()
    except Exception:  # python-docx reads the part lazily and raises what its parser meets
        return ""


def _list_numbers(document: Any) -> ListNumbers:
    """The document's list definitions and paragraph styles (either may be missing)."""
    part = document.part
    try:
        numbering = part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        numbering = None
    try:
        styles = document.styles.element
    except (KeyError, NotImplementedError, AttributeError):
        styles = None
    return ListNumbers(numbering, styles)


# Cells of a page-header line set out with tabs or wide spaces ("QP-30<tab>Revision: 2").
_HEADER_CELLS = re.compile(r"\t|\s{2,}|\|")
# The text of a watermark: Word draws one ("OBSOLETE", "DRAFT") as a VML shape in the header.
_WATERMARK = "{urn:schemas-microsoft-com:vml}textpath"


def _page_header_meta(document: Any) -> metadata.DocMeta:
    """Number, revision and status from the first section's page header, where many company
    templates keep their control block ("Document No: QP-30 | Revision: 2", or a small table)
    and where Word keeps a watermark ("OBSOLETE" across every page): read only when the body
    does not say them, and never as the document's text (it repeats on every page)."""
    from docx.table import Table

    if not document.sections:
        return metadata.DocMeta()
    section = document.sections[0]
    meta = metadata.DocMeta()
    headers = (
        [section.first_page_header, section.header]
        if section.different_first_page_header_footer
        else [section.header]
    )
    for header in headers:
        if header.is_linked_to_previous:  # the first section's: no header of its own
            continue
        for element in _blocks(header._element):
            if element.tag == _P:
                parts = [c for c in _HEADER_CELLS.split(paragraph_text(element)) if c.strip()]
                meta = meta.merge(metadata.from_lines(parts))
            else:
                rows = [_row_cells(row) for row in Table(element, header).rows]
                meta = meta.merge(metadata.from_table(rows))
        for shape in header._element.iter(_WATERMARK):
            status = metadata.not_in_force(shape.get("string", ""))
            meta = meta.merge(metadata.DocMeta(status=status))
    return meta
