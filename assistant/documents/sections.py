"""Accumulate text under a heading stack; shared by every loader."""

from __future__ import annotations

import re

from assistant.models import Section


class SectionBuilder:
    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self._lines: list[str] = []
        self._page: int | None = None
        self._out: list[Section] = []
        self.heading_count = 0

    def _flush(self) -> None:
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(self._lines)).strip()
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
        self._lines.append(line)

    def add_block(self, lines: list[str]) -> None:
        """A table or list: its own paragraph, one line per row."""
        self._lines.append("")
        self._lines.extend(lines)
        self._lines.append("")

    def sections(self) -> list[Section]:
        self._flush()
        return self._out
