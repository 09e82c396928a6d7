"""Other standards' clause numbers, bridged to ISO 9001:2015 by our own cross-reference tables.

Real quality systems often number their procedures against another standard (a medical-device
QMS cites "ISO 13485:2016, para 7.6" where an ISO 9001 one would cite 7.1.5). A crosswalk maps
each of that standard's clause numbers to the ISO 9001 clauses that do the same job, so such a
citation counts for lookup and coverage, and "how do we meet ISO 13485 clause 8.3?" is answered
through ISO 9001 8.7 (the answer says so). Tables live in ``crosswalks/<name>.yaml``, numbers
and our own topic words only; adding a standard is one table and one ``CROSSWALKS`` line.

ISO 14001 and ISO 45001 share ISO 9001's high-level structure (context, leadership, planning,
support, operation, evaluation, improvement) but are other management systems: their tables say
``same_system: false``, and a question about one of their clauses goes through its ISO 9001
counterpart only when an indexed document names that standard (an integrated system). Otherwise
the answer says no document mentions it and names the counterpart (``Bridge.counterpart``): a
quality procedure is not shown as meeting an environmental or safety clause it never claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from assistant.search.clauses import load_yaml


@dataclass(frozen=True)
class Bridge:
    """One clause of another standard and the ISO 9001 clauses that meet it."""

    standard: str  # "ISO 13485:2016"
    number: str  # its clause number, as cited
    topic: str  # our words for what it is about
    iso9001: tuple[str, ...]  # empty: no ISO 9001 counterpart
    code: str = ""  # the standard's number as people write it: "13485"
    same_system: bool = True  # a quality-system standard (see the module's note)

    def note(self) -> str:
        """How an answered question about this clause was answered."""
        ids = ", ".join(self.iso9001)
        if self.same_system:
            return (
                f"{self.standard} {self.number} ({self.topic}) is met through ISO 9001:2015 "
                f"{ids}: our cross-reference of the two standards"
            )
        return (
            f"{self.standard} {self.number} ({self.topic}) is answered through ISO 9001:2015 "
            f"{ids}, which holds the same place in the structure both standards share: our "
            "cross-reference; your documents name both standards"
        )

    def counterpart(self) -> str:
        """What to ask instead, when no indexed document names this clause's standard."""
        if not self.iso9001:
            return f"{self.standard} {self.number} ({self.topic}) has no ISO 9001:2015 counterpart."
        ids = ", ".join(self.iso9001)
        return (
            f"{self.standard} {self.number} ({self.topic}) holds the place of ISO 9001:2015 "
            f"{ids} in the structure both standards share: ask about {ids} to see how the "
            "quality system meets it."
        )


@dataclass(frozen=True)
class Crosswalk:
    number: str  # the standard's number as people write it: "13485"
    standard: str
    clauses: dict[str, tuple[str, tuple[str, ...]]]  # its clause -> (topic, ISO 9001 clauses)
    same_system: bool = True

    def bridge(self, number: str) -> Bridge | None:
        """The bridge for a clause number; a deeper number than the table has uses its
        nearest listed parent ("7.5.6.1" -> "7.5.6"); a chapter alone ("7") is too coarse."""
        parts = number.split(".")
        while len(parts) > 1:
            key = ".".join(parts)
            if key in self.clauses:
                topic, ids = self.clauses[key]
                return Bridge(self.standard, number, topic, ids, self.number, self.same_system)
            parts.pop()
        return None


# Standards with a table: number -> the YAML file in crosswalks/.
CROSSWALKS: dict[str, str] = {
    "13485": "iso13485.yaml",
    "14001": "iso14001.yaml",
    "45001": "iso45001.yaml",
}

_NUMBER = r"\d{1,2}(?:\.\d{1,2}){1,3}"
# A number's item letters, as quality systems tag them: "7.5.1f", "7.1 a, b, c", "6.2 (a)(d)".
_ITEMS = r"(?:[ \t]?\(?[a-l]\)?(?![\w.])(?:[ \t]*,?[ \t]*\(?[a-l]\)?(?![\w.]))*)?"
# An HTML line break inside a table cell ("ISO 13485:2016: <br> 7.1 <br> 7.3.1"), which a
# Markdown table keeps as written.
_BREAK = r"<\s*/?\s*br\s*/?\s*>"
# Between two numbers: punctuation, "and"/"or", a line break, or only a space ("4.1.3a 4.2.1d");
# never a new line, where the next line's heading number ("4.1 Purpose") would be taken.
_SEP = rf"(?:[ \t]*(?:,|/|;|&|\band\b|\bor\b|{_BREAK})[ \t]*)+|[ \t]+"
# "ISO 13485:2016, para 7.5.8 and 7.5.9", "ISO13485 section 8.2.2", "ISO 13485 clause 8.3",
# "ISO 13485:2016 Sec. 6.2", "ISO 13485:2016 Section, 4.2.4", "ISO 13485:2016: <br> 7.1 a, b",
# and a quality system's own trace tag "[13485:7.5.1f,7.5.3]": the standard, an optional year,
# an optional cue word, then a run of clause numbers.
_REFERENCE = re.compile(
    rf"(?:\bISO(?:/IEC)?\s*|\[(?=\d{{4,5}}:))(\d{{4,5}})(?::\s*\d{{4}})?(?:\s|[,:]|\*\*|{_BREAK})*"
    r"(?:(?:para(?:graph)?s?|sections?|sec|sub-?clauses?|clauses?|chapters?|§+)\.?(?:\s|[,:])*)?"
    rf"((?:{_NUMBER}){_ITEMS}(?:(?:{_SEP})(?:{_NUMBER}){_ITEMS})*)",
    re.IGNORECASE,
)


@cache
def crosswalk(number: str) -> Crosswalk | None:
    name = CROSSWALKS.get(number)
    if name is None:
        return None
    text = resources.files("assistant.search").joinpath("crosswalks", name).read_text("utf-8")
    data = load_yaml(text)
    clauses = {}
    for k, v in data["clauses"].items():
        # An unquoted comma in a flow mapping ({topic: roles, duties ...}) splits the topic into
        # extra keys: refuse the table rather than show a cut topic in answers.
        if set(v) != {"topic", "iso9001"}:
            raise ValueError(f"{name}: clause {k} has keys {sorted(map(str, v))}; quote its topic")
        clauses[str(k)] = (str(v["topic"]), tuple(str(x) for x in v["iso9001"]))
    same_system = bool(data.get("same_system", True))
    return Crosswalk(number, str(data["standard"]), clauses, same_system)


def references(text: str) -> list[tuple[str, str, tuple[int, int]]]:
    """(standard number, clause number, span of the whole reference) for each clause of a
    standard other than ISO 9001 cited in ``text``."""
    out = []
    for m in _REFERENCE.finditer(text):
        if m.group(1) == "9001":
            continue
        for number in re.findall(_NUMBER, m.group(2)):
            out.append((m.group(1), number, m.span()))
    return out


def bridges(text: str) -> list[Bridge]:
    """The bridged clauses of other standards cited in ``text``, in the order written."""
    found: list[Bridge] = []
    for standard, number, _ in references(text):
        table = crosswalk(standard)
        bridge = table.bridge(number) if table else None
        if bridge is not None and bridge not in found:
            found.append(bridge)
    return found


def blank_references(text: str) -> str:
    """``text`` with other standards' clause references blanked (same length), so their numbers
    are never read as ISO 9001 clauses ("ISO 13485 clause 7.3" is not 9001's 7.3)."""
    for _, _, (start, end) in references(text):
        text = text[:start] + " " * (end - start) + text[end:]
    return text
