"""Safe rendering helpers: document text and user input are shown as text, never as HTML."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import streamlit as st

from assistant.core.text import as_shown, without_list_marker
from assistant.documents.text import Table, passage_blocks

if TYPE_CHECKING:
    import pandas as pd

# ":" too: GitHub-flavoured Markdown turns a bare "https://..." into a link (with the other
# escapes shown inside it) unless its colon is escaped.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """Escape Markdown so st.markdown shows ``text`` literally (no links, images or HTML);
    line breaks are kept, so list items and table rows stay on their own lines."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


# Blockquote markers ("> ", "> > ", up to three spaces in) at the start of a passage's lines:
# indexed as written (the index must not change with how it is shown), hidden when shown.
_QUOTE_MARKER = re.compile(r"^ {0,3}(?:>[ \t]?)+", re.MULTILINE)
# An empty quote line (">" alone, a blank line inside a quote) joined onto the line before it:
# "... translate this template text. >".
_TRAILING_MARKER = re.compile(r"(?:[ \t]+>)+[ \t]*$", re.MULTILINE)


def readable(text: str) -> str:
    """A passage as people read it: Markdown quote markers dropped, the quoted text kept, and
    HTML line breaks as ``core.text.as_shown`` shows them."""
    return as_shown(_TRAILING_MARKER.sub("", _QUOTE_MARKER.sub("", text)))


def as_point(sentence: str) -> str:
    """One quoted sentence on its own (a key point, a missed step): as ``readable``, and
    without the list marker it had in its list ("* If the complaint ..." -> "If the ...")."""
    return without_list_marker(readable(sentence))


def highlighted(passage: str, quote: str) -> str:
    """The passage as Markdown-safe text with the quoted sentence in bold, so it can be found
    in its context. Each part is escaped on its own; only the bold markers are Markdown."""
    return _bolded(readable(passage), readable(quote))


def _bolded(text: str, quote: str) -> str:
    at = text.find(quote) if quote else -1
    if at < 0:
        return plain(text)
    before, after = text[:at], text[at + len(quote) :]
    # A quote is one line of its passage, or a lead-in with the list items under it
    # (composer.with_its_list): plain() keeps its line breaks as hard breaks, which bold
    # spans in CommonMark, so the markers still open and close around the whole quote.
    return f"{plain(before)}**{plain(quote)}**{plain(after)}"


def table_frame(table: Table, marked: int | None = None) -> pd.DataFrame:
    """A table as a frame of strings for st.table. st.table reads its cells and headers as
    Markdown, so each is escaped like any other document text; the ``marked`` row (the quoted
    one) is in bold, the only Markdown added."""
    import pandas as pd  # lazy: over a second to import, and most pages show no table

    def cell(text: str, bold: bool) -> str:
        return f"**{plain(text)}**" if bold and text else plain(text)

    rows = [[cell(c, i == marked) for c in row] for i, row in enumerate(table.rows)]
    return pd.DataFrame(rows, columns=[plain(h) for h in table.header], dtype=str)


def show_passage(passage: str, quote: str = "") -> None:
    """A passage as its reader wrote it: prose as escaped Markdown, the rows of each table as a
    table. ``quote``, when given, is in bold where it stands: in its sentence, or its row."""
    passage, quote = readable(passage), readable(quote)
    at = passage.find(quote) if quote else -1
    for block in passage_blocks(passage):
        here = block.start <= at < block.end
        if block.table is None:
            st.markdown(_bolded(block.text, quote) if here else plain(block.text))
        else:
            st.table(table_frame(block.table, block.row_at(at) if here else None), hide_index=True)


def show_quote(text: str) -> None:
    """A quoted sentence as a block quote; a quoted table row as a one-row table, its headers
    above its cells, instead of one run-on "Header: value; Header: value" line."""
    blocks = passage_blocks(readable(text))
    if len(blocks) == 1 and blocks[0].table is not None:
        st.table(table_frame(blocks[0].table), hide_index=True)
    else:
        st.markdown(f"> {plain(readable(text))}")
