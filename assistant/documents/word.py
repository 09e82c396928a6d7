"""Word (.docx) loader: checks the zip container before parsing, then walks the body in order."""

from __future__ import annotations

import io
import re
import zipfile

from assistant.core.errors import DocumentError
from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.sections import SectionBuilder
from assistant.documents.text import table_rows_as_text

# Limits against zip bombs and hostile containers; a real procedure is far below all of them.
MAX_MEMBERS = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


def check_container(data: bytes) -> None:
    if not data.startswith(b"PK"):
        raise DocumentError("not a Word document (the .docx is not a zip container)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"malformed .docx (broken zip container: {exc})") from None
    if len(infos) > MAX_MEMBERS:
        raise DocumentError(
            f"refused .docx: {len(infos)} parts in the container (limit {MAX_MEMBERS})"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise DocumentError(
            f"refused .docx: expands to {total / 2**20:.0f} MB "
            f"(limit {MAX_UNCOMPRESSED // 2**20} MB); possible zip bomb"
        )
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 2**20:
            raise DocumentError(
                f"refused .docx: part {i.filename} compresses {i.file_size // i.compress_size}:1;"
                " possible zip bomb"
            )
    if "word/document.xml" not in {i.filename for i in infos}:
        raise DocumentError("malformed .docx: no word/document.xml inside")


def _heading_level(style_name: str) -> int:
    if style_name == "Title":
        return 1
    m = re.fullmatch(r"Heading (\d)", style_name)
    return int(m.group(1)) + 1 if m else 0  # the Title sits above Heading 1


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
            rows = []
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat; keep each once per row
                    t = re.sub(r"\s+", " ", cell.text).strip()
                    if not cells or cells[-1] != t:
                        cells.append(t)
                rows.append(cells)
            if not (meta.doc_no and meta.revision) and builder.heading_count <= 3:
                meta = meta.merge(metadata.from_table(rows))
            builder.add_block(table_rows_as_text(rows))
    if first_heading:
        meta = meta.merge(metadata.from_heading(first_heading))
    meta = meta.merge(metadata.DocMeta(title=fallback_title))
    return meta, builder.sections()
