"""Progress reporting for long work; the CLI shows tqdm bars, the web app a progress bar."""

from __future__ import annotations

import sys
from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class TerminalProgress:
    """tqdm bars on stderr, only when stderr is a terminal (logs stay clean)."""

    def __init__(self) -> None:
        self._bar = None
        self.enabled = sys.stderr.isatty()

    def stage(self, name: str, total: int) -> None:
        self.close()
        if self.enabled and total:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, desc=name, unit="", file=sys.stderr, leave=True, dynamic_ncols=True
            )

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
