"""Cut sections into chunks: follow headings, split long sections with overlap, merge tiny ones.

Chunk text is always a verbatim slice of section text, so any sentence quoted from a chunk exists
in the source as loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.models import Chunk, LoadedDocument, Section
from assistant.documents.text import TABLE_ROW_START

# Where a long section is cut, best first. A blank line is the first choice, except between a
# line ending in ":" and the first row of the table it introduces ("5.2.4 Acceptance limits:"):
# cut there, the rows lose what they are and the lead-in ends a chunk saying nothing. Readers
# put a table's rows on lines of their own after a blank line (SectionBuilder.add_block).
_SEPARATORS = [
    rf"\n\n(?!{TABLE_ROW_START})|(?<!:)\n\n",
    *(re.escape(s) for s in ["\n", ". ", "; ", ", ", " "]),
    "",
]


@dataclass(frozen=True)
class ChunkingParams:
    size: int
    overlap: int
    min_chars: int

    def fingerprint(self) -> str:
        return f"size={self.size},overlap={self.overlap},min={self.min_chars}"


def _merge_tiny(sections: list[Section], min_chars: int) -> list[Section]:
    """Tiny sections (a heading with a line under it) join the next section, or the previous one
    at the end of a document; the larger section's heading and page are kept."""
    out: list[Section] = []
    carry: list[Section] = []
    for s in sections:
        if len(s.text) < min_chars:
            carry.append(s)
            if sum(len(c.text) for c in carry) < min_chars:
                continue
            s = carry.pop()
        if carry:
            text = "\n\n".join([*(c.text for c in carry), s.text])
            s = Section(s.heading_path, text, carry[0].page if s.page is None else s.page)
            carry = []
        out.append(s)
    if carry:
        if out:
            last = out.pop()
            out.append(
                Section(
                    last.heading_path, "\n\n".join([last.text, *(c.text for c in carry)]), last.page
                )
            )
        else:
            out.append(
                Section(carry[-1].heading_path, "\n\n".join(c.text for c in carry), carry[0].page)
            )
    return out


def split_text(text: str, params: ChunkingParams) -> list[str]:
    if len(text) <= params.size:
        return [text]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=params.size,
        chunk_overlap=min(params.overlap, params.size // 2),
        separators=_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
    )
    return [p for p in splitter.split_text(text) if p.strip()]


def chunk_document(doc: LoadedDocument, content_hash: str, params: ChunkingParams) -> list[Chunk]:
    info = doc.info
    chunks: list[Chunk] = []
    for section in _merge_tiny(doc.sections, params.min_chars):
        for piece in split_text(section.text, params):
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    id=f"{content_hash[:16]}-{ordinal:04d}",
                    file=info.file,
                    path=info.path,
                    title=info.title,
                    doc_no=info.doc_no,
                    revision=info.revision,
                    heading=section.heading,
                    page=section.page,
                    ordinal=ordinal,
                    text=piece.strip(),
                )
            )
    return chunks
