"""The document formats the assistant reads: one registry line per file extension.

Everything that lists formats derives from ``FORMATS``: the loader's dispatch, ``SUPPORTED``
(ingest folder scans, upload name checks), the ``assistant ingest`` help and the upload widget's
accepted types and label. Adding a format is a reader module plus one line here; whether
``loaders.PARSER_VERSION`` must be bumped is explained where it is defined.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.core.errors import DocumentError, UsageError
from assistant.core.models import Section
from assistant.documents.metadata import DocMeta

# A reader takes the file's text (``binary=False``: decoded by the loader) or its bytes
# (``binary=True``) and a fallback title, and returns the metadata found and the sections.
Reader = Callable[[Any, str], tuple[DocMeta, list[Section]]]


def _reader(module: str, function: str) -> Reader:
    """``assistant.documents.<module>.<function>``, imported on first use: python-docx, pypdf
    and BeautifulSoup stay out of CLI start-up and out of pages that never read a document."""

    def read(payload: Any, fallback_title: str) -> tuple[DocMeta, list[Section]]:
        parse = getattr(importlib.import_module(f"assistant.documents.{module}"), function)
        return parse(payload, fallback_title)

    read.__qualname__ = read.__name__ = function
    return read


@dataclass(frozen=True)
class Format:
    label: str  # what a user calls it, in the upload label: "Word", "OpenDocument text"
    parse: Reader
    binary: bool  # False: bytes are decoded to text (with a warning when not UTF-8) first


_MARKDOWN = Format("Markdown", _reader("text", "parse_markdown"), binary=False)
_HTML = Format("HTML", _reader("html", "parse_html"), binary=False)
_EXCEL = Format("Excel", _reader("spreadsheet", "parse_xlsx"), binary=True)

# Keys are lower-case extensions; the order is the order formats are named to users.
FORMATS: dict[str, Format] = {
    ".docx": Format("Word", _reader("word", "parse_docx"), binary=True),
    ".pdf": Format("PDF", _reader("pdf", "parse_pdf"), binary=True),
    ".md": _MARKDOWN,
    ".markdown": _MARKDOWN,
    ".txt": Format("text", _reader("text", "parse_text"), binary=False),
    ".html": _HTML,
    ".htm": _HTML,
    ".odt": Format("OpenDocument text", _reader("odt", "parse_odt"), binary=True),
    ".xlsx": _EXCEL,
    ".xlsm": _EXCEL,  # macro-enabled: the same parts; its macros are never read or run
    ".csv": Format("CSV", _reader("spreadsheet", "parse_csv"), binary=False),
    ".pptx": Format("PowerPoint", _reader("slides", "parse_pptx"), binary=True),
}
SUPPORTED = frozenset(FORMATS)

# Formats a QMS folder often holds that are not read, with the way round: said where an ingest
# lists the file as skipped, so nobody takes a skipped procedure for an indexed one.
UNREAD: dict[str, str] = {
    ".doc": "an old Word format: save it as .docx to index it",
    ".xls": "an old Excel format: save it as .xlsx to index it",
    ".rtf": "rich text: save it as .docx to index it",
    ".ppt": "an old PowerPoint format: save it as .pptx to index it",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx to index it",
}


def skip_reason(name: str) -> str | None:
    """Why a file met in a folder is not read (None: it is). Word and Excel leave
    "~$QP-04.docx" beside a document while someone has it open on a shared drive: a few bytes
    naming the user, never the document."""
    if name.startswith("~$"):
        return "an Office lock file (the document is open somewhere)"
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix.lower() in SUPPORTED:
        return None
    return UNREAD.get(suffix.lower(), f"not a supported type ({suffix or 'no extension'})")


def format_labels() -> str:
    """``Word, PDF, Markdown, text, HTML or OpenDocument text``: each format named once."""
    labels = list(dict.fromkeys(f.label for f in FORMATS.values()))
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def check_size(size: int, limit: int, name: str | None = None) -> None:
    """Refuse an empty or oversize file before anything reads it.

    Without ``name``: a DocumentError, the reason recorded next to a file found by an ingest.
    With ``name``: a UsageError naming the file a user just uploaded.
    """
    over = f"{size / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB limit"
    if name is None:
        if size == 0:
            raise DocumentError("empty file (0 bytes)")
        if size > limit:
            raise DocumentError(f"file is {over}")
    elif size == 0:
        raise UsageError(f"{name!r} is empty")
    elif size > limit:
        raise UsageError(f"{name!r} is {over}")
