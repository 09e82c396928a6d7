"""The project's own small data types; LangChain and Chroma types stay inside adapters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.core.text import unescaped, without_template_guidance

# Part of every index's fingerprint, as the parser's version is: a change to what
# ``Chunk.embedding_text`` gives re-embeds every index at its next ingest.
# 2: a template's instructions to its author left out of the searched text.
SEARCH_TEXT_VERSION = 2

HEADING_SEP = " > "


@dataclass(frozen=True)
class DocumentInfo:
    """What a loader learned about a whole document."""

    file: str  # base name, e.g. "QP-05-calibration.pdf"
    path: str  # absolute path at ingest time
    title: str
    doc_no: str = ""
    revision: str = ""
    status: str = ""  # "Obsolete", "Withdrawn"...: the document says it is no longer in force


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path (and, for PDF, on one page)."""

    heading_path: tuple[str, ...]
    text: str
    page: int | None = None

    @property
    def heading(self) -> str:
        return HEADING_SEP.join(self.heading_path)


@dataclass
class LoadedDocument:
    info: DocumentInfo
    sections: list[Section]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chunk:
    """What gets embedded and indexed. ``text`` is verbatim document text."""

    id: str
    file: str
    path: str
    title: str
    doc_no: str
    revision: str
    heading: str
    page: int | None
    ordinal: int
    text: str

    def embedding_text(self) -> str:
        """Text given to the embedder and BM25: the heading context helps both. A template's
        instructions to its author are left out ("> NOTE: ... feel free to add provisions for
        ... software tools like BambooHR"): they are about writing the document, and led
        questions to it that its practice does not answer (docs/retrieval.md)."""
        label = f"{self.doc_no} {self.title}".strip()
        text = without_template_guidance(self.text)
        return f"{label}\n{self.heading}\n{text}" if self.heading else f"{label}\n{text}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Citation:
    file: str
    heading: str
    page: int | None
    doc_no: str = ""
    title: str = ""

    def label(self) -> str:
        parts = [self.file]
        if self.heading:
            parts.append(unescaped(self.heading))
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Evidence:
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None

    @property
    def citation(self) -> Citation:
        c = self.chunk
        return Citation(c.file, c.heading, c.page, c.doc_no, c.title)
