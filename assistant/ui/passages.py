"""The passages that show a procedure's support for a clause, each with its citation, shared by
the clause card and the coverage heatmap (the same passages whichever way people come)."""

from __future__ import annotations

import streamlit as st

from assistant.ui.render import plain, readable
from assistant.usecases.coverage import SupportPassage


def show(passages: tuple[SupportPassage, ...]) -> None:
    """Each passage as text (never HTML or Markdown from the document), under its citation and
    why it was picked."""
    if not passages:
        st.caption("No passage of this procedure was kept for the clause.")
    for p in passages:
        with st.container(border=True):
            st.caption(plain(f"{p.citation.label()} ({p.why})"))
            st.markdown(plain(readable(p.text)))
