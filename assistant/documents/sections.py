"""Accumulate text under a heading stack; shared by every loader."""

from __future__ import annotations

import re

from assistant.core.models import Section

# Lines that start a new item and must never be joined to the line before.
_ITEM = re.compile(
    r"^\s*(?:[-*+\u2022>]\s|\d{1,3}[.)]\s|\d{1,2}(?:\.\d{1,2}){1,3}\.?\s|[a-z][.)]\s)"
)
# A Markdown quote line ("> text"): a hard-wrapped quote block is one paragraph too (a
# template's "> Also mention if ... (typical examples: internal auditing" / "> or clinical
# evaluation ... see" was quoted as two broken sentences).
_QUOTE = re.compile(r"^\s*>\s?")


def _unwrap(lines: list[tuple[str, bool]]) -> str:
    """Join hard-wrapped lines of a paragraph (Markdown source, PDF and text extraction wrap
    lines) so sentences read whole; list items, steps and table rows keep their own lines. In a
    Markdown quote block, its lines are joined the same way ("> one" / "> two" is "> one two"),
    and an empty quote line (">") ends its paragraph."""
    out: list[str] = []
    prev_joinable = False
    for text, joinable in lines:
        line = text.rstrip()
        quoted = _QUOTE.match(line)
        inner = line[quoted.end() :] if quoted else line
        previous = _QUOTE.match(out[-1]) if out else None
        follows = (
            joinable
            and prev_joinable
            and bool(out)
            and bool(out[-1].strip())
            and not out[-1].endswith(":")
            and bool(inner.strip())
            and not _ITEM.match(inner)
        )
        if follows and not quoted:
            out[-1] = f"{out[-1]} {line.strip()}"
        elif follows and quoted and previous and out[-1][previous.end() :].strip():
            out[-1] = f"{out[-1]} {inner.strip()}"  # the next line of the same quote block
        else:
            out.append(line)
        prev_joinable = joinable and bool(inner.strip())
    return "\n".join(out)


class SectionBuilder:
    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self._lines: list[tuple[str, bool]] = []
        self._page: int | None = None
        self._out: list[Section] = []
        self.heading_count = 0

    def _flush(self) -> None:
        text = re.sub(r"\n{3,}", "\n\n", _unwrap(self._lines)).strip()
        if text:
            path = tuple(title for _, title in self._stack)
            self._out.append(Section(path, text, self._page))
        self._lines = []

    def heading(self, level: int, title: str) -> None:
        self._flush()
        self.heading_count += 1
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title.strip()))

    def page(self, number: int) -> None:
        if number != self._page:
            self._flush()
            self._page = number

    def add_line(self, line: str) -> None:
        self._lines.append((line, True))

    def add_block(self, lines: list[str]) -> None:
        """A table: its own paragraph, one line per row, never joined."""
        self._lines.append(("", False))
        self._lines.extend((ln, False) for ln in lines)
        self._lines.append(("", False))

    def sections(self) -> list[Section]:
        self._flush()
        return self._out
