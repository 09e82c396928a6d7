"""A Streamlit progress bar behind the package's Progress protocol."""

from __future__ import annotations

from typing import Any

import streamlit as st


class StreamlitProgress:
    def __init__(self) -> None:
        self._bar: Any = None  # st.progress, made at the first stage
        self._name = ""
        self._total = 0
        self._done = 0

    def stage(self, name: str, total: int) -> None:
        self._name, self._total, self._done = name, total, 0
        if self._bar is None:
            self._bar = st.progress(0.0, text=name)
        self._bar.progress(0.0, text=f"{name} (0/{total})")

    def advance(self, n: int = 1) -> None:
        self._done += n
        if self._bar is not None and self._total:
            frac = min(1.0, self._done / self._total)
            self._bar.progress(frac, text=f"{self._name} ({self._done}/{self._total})")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.empty()
            self._bar = None
