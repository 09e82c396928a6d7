"""Word's automatic list and heading numbers, counted as Word counts them.

In a Word procedure the numbers a reader sees ("5.3 Out-of-tolerance results", "5.3.2 The
technician ...", a bullet before each duty) are mostly not in the text: a paragraph, or its
style, points at a list definition in ``word/numbering.xml``, and Word counts as it lays the
document out. python-docx gives the text alone, so a heading read "Out-of-tolerance results",
a step lost its number and a list item its bullet, which the short answer uses to quote a
lead-in with the items under it (``composer.with_its_list``).

The model kept here is the common one: a paragraph's ``numPr`` (its own, else its style's, along
the ``basedOn`` chain) names a list instance (``numId``) and a level; each list instance counts
in its abstract definition's counters, shared by instances that do not restart it
(``startOverride``); a paragraph at one level resets the deeper levels; the label is the level's
``lvlText`` with each ``%n`` replaced by level n's count in that level's format. Bullets are
written "-", as a Markdown list item. Rarely used parts are not modelled: legal numbering
(``isLgl``: each level is shown in its own format instead), ``lvlRestart`` to a non-adjacent
level, picture bullets (a plain "-").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(element: Any, path: str, default: str = "") -> str:
    found = element.find(path) if element is not None else None
    return found.get(f"{_W}val", default) if found is not None else default


def _int(text: str | None, default: int) -> int:
    """A count from the file, or ``default`` for anything else (a damaged file is still read)."""
    try:
        return int(text or "")
    except ValueError:
        return default


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""


def _roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _letters(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa (Word repeats the letter)."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""


def _format(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class ListNumbers:
    """The labels of one document's numbered paragraphs, asked in document order."""

    def __init__(self, numbering: Any | None, styles: Any | None) -> None:
        """``numbering``: the ``<w:numbering>`` element (None: the document has no lists);
        ``styles``: the ``<w:styles>`` element."""
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}  # a list's count at each level
        self._style_num: dict[str, tuple[str, str]] = {}
        if numbering is not None:
            for abstract in numbering.iter(f"{_W}abstractNum"):
                levels: dict[int, _Level] = {}
                for lvl in abstract.iter(f"{_W}lvl"):
                    ilvl = _int(lvl.get(f"{_W}ilvl"), 0)
                    levels[ilvl] = _Level(
                        _int(_val(lvl, f"{_W}start"), 1),
                        _val(lvl, f"{_W}numFmt", "decimal"),
                        _val(lvl, f"{_W}lvlText", ""),
                    )
                self._abstract[abstract.get(f"{_W}abstractNumId", "")] = levels
            for num in numbering.iter(f"{_W}num"):
                overrides = {}
                for override in num.iter(f"{_W}lvlOverride"):
                    start = _int(_val(override, f"{_W}startOverride"), -1)
                    if start >= 0:
                        overrides[_int(override.get(f"{_W}ilvl"), 0)] = start
                abstract_id = _val(num, f"{_W}abstractNumId")
                self._nums[num.get(f"{_W}numId", "")] = (abstract_id, overrides)
        if styles is not None:
            self._read_styles(styles)

    def _read_styles(self, styles: Any) -> None:
        """Each paragraph style's list (numId, ilvl), its own or inherited along basedOn."""
        own: dict[str, tuple[str, str] | None] = {}
        based: dict[str, str] = {}
        for style in styles.iter(f"{_W}style"):
            sid = style.get(f"{_W}styleId", "")
            pr = style.find(f"{_W}pPr/{_W}numPr")
            own[sid] = (
                (_val(pr, f"{_W}numId"), _val(pr, f"{_W}ilvl", "0")) if pr is not None else None
            )
            based[sid] = _val(style, f"{_W}basedOn")
        for sid in own:
            seen, at = set(), sid
            while at and at not in seen and own.get(at) is None:
                seen.add(at)
                at = based.get(at, "")
            found = own.get(at) if at else None
            if found is not None:
                self._style_num[sid] = found

    def label(self, paragraph: Any) -> str:
        """The number or bullet Word shows before this ``<w:p>`` ("5.3", "a)", "-"), counted;
        "" when it has none. Call once per paragraph, in document order."""
        style = _val(paragraph, f"{_W}pPr/{_W}pStyle")
        pr = paragraph.find(f"{_W}pPr/{_W}numPr")
        num_id, ilvl_text = self._style_num.get(style, ("", "0"))
        if pr is not None:
            own_num = _val(pr, f"{_W}numId")
            # its own list at its own level (level 0 unless given); or only a level of its
            # style's list
            ilvl_text = _val(pr, f"{_W}ilvl", "0" if own_num else ilvl_text)
            num_id = own_num or num_id
        if not num_id or num_id == "0" or num_id not in self._nums:
            return ""
        ilvl = _int(ilvl_text, 0)
        abstract_id, overrides = self._nums[num_id]
        levels = self._abstract.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None or level.fmt == "none":
            return ""
        if level.fmt == "bullet":
            return "-"
        # A list instance that restarts its levels counts on its own; others share the list.
        key = f"num:{num_id}" if overrides else f"abstract:{abstract_id}"
        counts = self._counters.setdefault(key, {})
        start = overrides.get(ilvl, level.start)
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [n for n in counts if n > ilvl]:
            del counts[deeper]
        text = level.text
        for n in range(ilvl, -1, -1):  # %10 is not a level: replace the highest first
            lv = levels.get(n, _Level())
            count = counts.get(n, overrides.get(n, lv.start))
            text = text.replace(f"%{n + 1}", _format(count, lv.fmt))
        return text.strip()
