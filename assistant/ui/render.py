"""Safe rendering helpers: document text and user input are shown as text, never as HTML."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Escape Markdown so st.markdown shows ``text`` literally (no links, images or HTML);
    line breaks are kept, so list items and table rows stay on their own lines."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


# Blockquote markers ("> ", "> > ", up to three spaces in) at the start of a passage's lines:
# indexed as written (the index must not change with how it is shown), hidden when shown.
_QUOTE_MARKER = re.compile(r"^ {0,3}(?:>[ \t]?)+", re.MULTILINE)


def readable(text: str) -> str:
    """A passage as people read it: Markdown quote markers dropped, the quoted text kept."""
    return _QUOTE_MARKER.sub("", text)
