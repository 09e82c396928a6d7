"""Boilerplate: lines most documents of a corpus repeat (licence footers, template
instructions, placeholders such as "Process owner: <enter role>").

They are kept in the documents and shown in passages, but left out of the keyword index: a
line every document carries says nothing about which document answers, and template
instructions shared by a few dozen files outweigh the one line that differs. Decided per corpus
at every rebuild (a line becomes boilerplate when enough documents repeat it). The dense
vectors are computed per chunk at ingest and are not changed by this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from assistant.core.models import Chunk

# A line is boilerplate when at least this share of the documents carry it, and at least this
# many: "most documents" (issue 14); a related-documents list shared by a third is not.
SHARE = 0.5
MIN_DOCUMENTS = 4
MIN_CHARS = 20  # shorter lines ("Purpose", "Records") are headings and labels, never dropped


def _key(line: str) -> str:
    return " ".join(line.split()).lower()


def repeated_lines(chunks: Iterable[Chunk]) -> set[str]:
    """The normalised lines that at least ``SHARE`` of the documents contain."""
    by_file: dict[str, set[str]] = {}
    for c in chunks:
        lines = by_file.setdefault(c.file, set())
        lines.update(k for k in map(_key, c.text.splitlines()) if len(k) >= MIN_CHARS)
    if len(by_file) < MIN_DOCUMENTS:
        return set()
    counts = Counter(line for lines in by_file.values() for line in lines)
    needed = max(MIN_DOCUMENTS, SHARE * len(by_file))
    return {line for line, n in counts.items() if n >= needed}


def without(text: str, boilerplate: set[str]) -> str:
    """``text`` without its boilerplate lines."""
    if not boilerplate:
        return text
    return "\n".join(line for line in text.splitlines() if _key(line) not in boilerplate)
