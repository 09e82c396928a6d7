"""PDF loader: bookmarks (outline) give headings and pages; repeated page headers are dropped."""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

from assistant.core.errors import DocumentError
from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.aligned import AlignedTable, aligned_tables
from assistant.documents.sections import SectionBuilder
from assistant.documents.text import table_rows_as_text

_PAGE_FOOTER = re.compile(r"^\s*(page\s*)?\d+\s*(of|/)\s*\d+\s*$", re.IGNORECASE)
# "Page 2 of 5" / "page 2/5" at either end of a line: a running footer's page number, which
# can share its line with the footer's text ("Uncontrolled when printed   Page 2 of 5").
_PAGE_MARK = re.compile(
    r"(?:^|\s)page\s*(\d+)\s*(?:of|/)\s*(\d+)\s*$|^\s*page\s*(\d+)\s*(?:of|/)\s*(\d+)\s", re.I
)
_NUMBERED_HEADING = re.compile(r"^\d{1,2}(\.\d{1,2}){0,3}\.?\s+[A-Z][\w ,/&()'-]{2,60}$")


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


def _without_page_mark(line: str, page: int, pages: int) -> str:
    """The line without this page's own "Page N of M" (N this page, M the page count), so a
    footer that carries it is the same line on every page. Any other "page 2 of 5" is text."""
    m = _PAGE_MARK.search(line)
    if not m:
        return line
    number, total = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    if int(number) != page or int(total) != pages:
        return line
    return (line[: m.start()] + " " + line[m.end() :]).strip()


def _laid_out_page(text: str) -> list[str | AlignedTable]:
    """A page as laid out (``extraction_mode="layout"``): its lines with their spacing closed
    up, and each table (``aligned.py``) in place of its lines."""
    lines = text.splitlines()
    out: list[str | AlignedTable] = []
    i = 0
    for table in aligned_tables(lines):
        out += [re.sub(r"\s+", " ", ln).strip() for ln in lines[i : table.start]]
        out.append(table)
        i = table.end
    out += [re.sub(r"\s+", " ", ln).strip() for ln in lines[i:]]
    return out


def _outline(reader: Any) -> list[tuple[int, str, int]]:
    """Flattened bookmarks as (level, title, page index); empty when there are none."""
    out: list[tuple[int, str, int]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:
                continue
            title = str(getattr(item, "title", "") or "").strip()
            if title and page is not None and page >= 0:
                out.append((level, title, page))

    try:
        walk(reader.outline, 1)
    except Exception:
        return []
    return out


def _info_title(reader: Any) -> str:
    """The document information's title; a damaged information dictionary is no title (found
    by damaging the sample PDF at random: pypdf raised a stream error reading it)."""
    try:
        info = reader.metadata or {}
        return str(info.get("/Title", "") or "")
    except Exception:
        return ""


def _open(data: bytes) -> Any:
    import logging

    from pypdf import PdfReader  # lazy: keeps CLI start fast
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # we report one clear reason instead

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise DocumentError("not a PDF (no %PDF header); corrupt or wrong extension")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = bool(reader.decrypt(""))
            except Exception:
                ok = False
            if not ok:
                raise DocumentError("encrypted PDF: it needs a password; save an unprotected copy")
        _ = len(reader.pages)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise DocumentError(f"corrupt PDF ({type(exc).__name__}: {exc})") from None
    return reader


def parse_pdf(data: bytes, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    reader = _open(data)
    pages: list[list[str]] = []
    tables: dict[int, list[str | AlignedTable]] = {}  # pages with a table, as laid out
    for index, page in enumerate(reader.pages):
        try:
            text = page.extract_text() or ""
        except Exception:  # one unreadable page must not lose the rest
            text = ""
        pages.append([ln.rstrip() for ln in text.splitlines()])
        try:
            laid_out = _laid_out_page(page.extract_text(extraction_mode="layout") or "")
        except Exception:  # the page is read as plain text, as before
            continue
        if any(isinstance(x, AlignedTable) for x in laid_out):
            tables[index] = laid_out
    pages = [
        [_without_page_mark(ln, index + 1, len(pages)) for ln in lines]
        for index, lines in enumerate(pages)
    ]
    tables = {
        index: [
            x if isinstance(x, AlignedTable) else _without_page_mark(x, index + 1, len(pages))
            for x in laid_out
        ]
        for index, laid_out in tables.items()
    }
    if not any(ln.strip() for lines in pages for ln in lines):
        raise DocumentError("no extractable text in PDF (scanned images? OCR is not supported)")

    # Lines repeated on most pages are running headers/footers, not content.
    repeated: set[str] = set()
    if len(pages) >= 2:
        counts = Counter(n for lines in pages for n in {_norm(ln) for ln in lines if ln.strip()})
        repeated = {n for n, c in counts.items() if c >= max(2, len(pages) * 0.6)}

    meta = metadata.from_heading(_info_title(reader))  # may carry the number
    first_lines = [ln for ln in pages[0] if ln.strip()][:15]
    meta = meta.merge(metadata.from_lines(first_lines))
    header_lines = [ln for ln in pages[0] if _norm(ln) in repeated]
    for ln in header_lines:
        meta = meta.merge(metadata.DocMeta(doc_no=metadata.from_heading(ln).doc_no))
        rev = metadata.REV_IN_TEXT.search(ln)
        if rev:
            meta = meta.merge(metadata.DocMeta(revision=rev.group(1)))
        # a stamp repeated on the pages ("OBSOLETE COPY") says the document is withdrawn
        meta = meta.merge(metadata.DocMeta(status=metadata.stamped(ln)))

    outline = _outline(reader)
    by_page: dict[int, list[tuple[int, str]]] = {}
    for level, title, page in outline:
        by_page.setdefault(page, []).append((level, title))

    builder = SectionBuilder()
    for index, lines in enumerate(pages):
        builder.page(index + 1)
        pending = list(by_page.get(index, []))
        for line in tables.get(index, lines):
            if isinstance(line, AlignedTable):
                builder.add_block(table_rows_as_text(line.rows))
                continue
            n = _norm(line)
            if not n or n in repeated or _PAGE_FOOTER.match(line):
                continue
            if pending and n == _norm(pending[0][1]):
                level, title = pending.pop(0)
                builder.heading(level, title)
            elif not outline and _NUMBERED_HEADING.match(line.strip()):
                number = line.strip().split()[0].rstrip(".")
                builder.heading(number.count(".") + 1, line.strip())
            else:
                builder.add_line(line)
        for level, title in pending:  # a bookmark whose text was not found on the page
            builder.heading(level, title)
    if outline and not meta.title:
        meta = meta.merge(metadata.DocMeta(title=outline[0][1]))
    meta = meta.merge(metadata.DocMeta(title=fallback_title))
    return meta, builder.sections()
