"""Safe rendering helpers: document text and user input are shown as text, never as HTML."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Escape Markdown so st.markdown shows ``text`` literally (no links, images or HTML);
    line breaks are kept, so list items and table rows stay on their own lines."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")
