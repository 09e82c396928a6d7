"""Turn one file into a LoadedDocument, or raise DocumentError with a one-line reason."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.core.errors import DocumentError
from assistant.core.models import DocumentInfo, LoadedDocument, Section
from assistant.core.text import terms
from assistant.documents import metadata
from assistant.documents.formats import FORMATS, SUPPORTED, check_size
from assistant.documents.metadata import DocMeta
from assistant.documents.screening import warning_for

# Part of every index's fingerprint: a change rebuilds every index built by an older version.
# Bump it when a file that already loads would now give different sections, text or metadata
# (a reader, the decoding, the title-level or screening rules), or would be cut into different
# chunks (chunking.py: only its sizes are in the fingerprint, not where it cuts). Adding a
# format does not: no existing file changes, and the new extension's files are picked up as new
# files by the next ingest anyway.
# 23: a document's own status when it says it is no longer in force ("Status: Obsolete" in its
# front matter, control block or page header, a Word watermark or Status property, a stamp
# repeated across a PDF's pages);
# 22: a revision at the end of a file name ("QP-05 Calibration rev 4", "SOP-001_v3") read when the
# header has none, and left out of a title made from the name;
# 21: a form's number with a letter series ("BW-F04-01", "Form no."); a banner over the title
# ("ACME LTD" above "QP-08 ...") is no title; an HTML page whose <main> opens with a section
# takes its <title>, and its <header>'s document-control table gives number and revision;
# 20: a first heading that is a template's blank is no title; a revision must read as one;
# 19: a PowerPoint or OpenDocument table cell merged down the rows holds for each row it covers;
# 18: a spreadsheet's form block above its table read as lines (and its revision), a merged
# cell's value held for every cell it covers, group names merged over columns part of their
# names, a key under the table a line;
# 17: a Word heading in a template's own style (based on a heading, or with an outline level);
# 16: a page saved from an intranet read from its <main> (or its one <article>), menus left out;
# 15: Word's automatic heading and list numbers and its bullets read as shown ("5.3 ...", "- ...");
# 14: a Word document's number and revision read from its page header when its body has none;
# 13: a Word document read with its tracked changes accepted, and the text of its content controls
# and fields (a tracked insertion, a template's filled-in owner, "section 5.2") read;
# 12: a table set out with spaces (a PDF page as laid out, a plain-text file) read row by row
# under its headers;
# 11: an HTML table whose rows are labelled (<th> first) read along its rows;
# 10: a Word table's equal neighbouring cells kept apart (only a merged cell is read once);
# 9: the hard-wrapped lines of a Markdown quote block joined into one paragraph, as other
# paragraphs' are;
# 8: front matter written "key:value" (no space) read as front matter, not as a heading; a
# first heading that is a section name ("Summary") is not the title, the file name is;
# 7: a table's ":" lead-in kept in the chunk with its rows, Markdown trace-tag comments
# ("<!-- [13485:7.5.3] -->") kept as their tag; 6: Markdown quote markers, PDF
# "Page N of M" in footers; 5: AI warnings
PARSER_VERSION = 23


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Text and a warning when it was not UTF-8. Binary content is refused."""
    head = data[:8192]
    if b"\x00" in head:
        raise DocumentError("binary content (NUL bytes) in a text file; wrong extension?")
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if head and controls / len(head) > 0.05:
        raise DocumentError("binary content (control bytes) in a text file; wrong extension?")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: decoded as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "not UTF-8: decoded as Latin-1"


def _drop_title_level(sections: list[Section], title: str) -> list[Section]:
    """A lone top heading that is the document title adds nothing to every heading path."""
    firsts = {s.heading_path[0] for s in sections if s.heading_path}
    if len(firsts) != 1:
        return sections
    top = next(iter(firsts))
    if metadata.from_heading(top).title.lower() != title.lower() and top.lower() != title.lower():
        return sections
    return [Section(s.heading_path[1:], s.text, s.page) for s in sections]


def _numbered_title(meta: DocMeta, sections: list[Section], fallback: str) -> DocMeta:
    """A banner over the title ("BRIGHTWATER FACILITY SERVICES LTD" above "BW-QP-08
    NONCONFORMITY AND CORRECTIVE ACTION", brightwater's plain-text procedure) was taken for
    the title. When the title shares no word with the file's name and one of the first
    headings starts with the document's number, that heading gives the title."""
    if not meta.doc_no or terms(meta.title) & terms(fallback):
        return meta
    number = meta.doc_no.lower()
    for section in sections[:3]:
        for heading in section.heading_path:
            if heading.lower().startswith(number):
                title = metadata.from_heading(heading).title
                if title:
                    return replace(meta, title=title)
    return meta


def load(path: Path, max_bytes: int) -> LoadedDocument:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(f"unsupported file type '{suffix or 'none'}'")
    try:
        check_size(path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or exc}") from None
    return parse(data, path, suffix)


def parse(data: bytes, path: Path, suffix: str) -> LoadedDocument:
    warnings: list[str] = []
    # "QP-05 Calibration rev 4" is titled without its revision: the title says which document
    fallback = metadata.title_from_filename(metadata.without_revision(path.stem)[0])
    fmt = FORMATS[suffix]
    payload: str | bytes = data
    if not fmt.binary:
        payload, warning = decode_text(data)
        if warning:
            warnings.append(warning)
    try:
        meta, sections = fmt.parse(payload, fallback)
    except DocumentError:
        raise
    except RecursionError:
        raise DocumentError("document structure too deeply nested to read") from None
    meta = meta.merge(metadata.from_filename(path.stem))
    meta = _numbered_title(meta, sections, fallback)
    sections = _drop_title_level(sections, meta.title)
    if not sections:
        raise DocumentError("no text found in the document")
    if screened := warning_for("\n".join(s.text for s in sections)):
        warnings.append(screened)
    info = DocumentInfo(
        path.name, str(path.resolve()), meta.title, meta.doc_no, meta.revision, meta.status
    )
    return LoadedDocument(info, sections, warnings)
