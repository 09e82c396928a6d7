"""Concrete facts in a sentence, normalised so an answer can be compared with a procedure:
how often (a frequency in days), how much or how long (a number with a unit), which form, and
which role. Frequencies and quantities are what auditors check and staff get wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.core.text import FORM, ROLE

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
    "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90, "a hundred": 100,
}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)

_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 91, "year": 365}
# Word frequencies, longest phrases first so "twice a year" wins over "a year".
_FREQ_WORDS: list[tuple[str, float]] = [
    (r"twice (?:a|per|each) year|half[- ]yearly|six[- ]monthly|bi-?annual(?:ly)?|"
     r"semi-?annual(?:ly)?", 182),
    (r"twice (?:a|per|each) month|fortnightly|bi-?weekly", 14),
    (r"twice (?:a|per|each) week", 3.5),
    (r"every shift|each shift|per shift|start of (?:each|every) shift", 0.33),
    (r"daily|every day|each day|once a day|per day|every working day|each working day", 1),
    (r"weekly|every week|each week|once a week|per week", 7),
    (r"monthly|every month|each month|once a month|per month|a month\b", 30),
    (r"quarterly|every quarter|each quarter|once a quarter", 91),
    (r"annually|annual|yearly|every year|each year|once a year|per year|a year\b", 365),
]  # fmt: skip
_FREQ_WORD = [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), d) for p, d in _FREQ_WORDS]
_UNIT = r"(day|week|fortnight|month|quarter|year)s?"
_EVERY_N = re.compile(
    rf"\b(?:every|each|once every)\s+(\d+(?:\.\d+)?)\s+(?:working\s+)?{_UNIT}\b", re.I
)
_N_TIMES = re.compile(r"\b(\d+)\s+times\s+(?:a|per|each)\s+(day|week|month|year)\b", re.I)
_EVERY_ORDINAL = re.compile(r"\bevery\s+(other|second|third)\s+(day|week|month|year)\b", re.I)

# A number with a unit: limits, time allowed, retention, targets.
_QUANTITY = re.compile(
    r"(?:(?P<cur>GBP|£|\$|EUR|€)\s?(?P<cv>\d{1,3}(?:[ ,]\d{3})+|\d+(?:\.\d+)?)(?:\s?(?P<k>k)\b)?)"
    r"|(?:(?P<v>\d[\d,]*(?:\.\d+)?)\s?(?P<u>%|per ?cent\b|ppm\b|working days?\b|days?\b|"
    r"weeks?\b|months?\b|years?\b|hours?\b|minutes?\b|mins?\b|°C\b|bar\b|psi\b|kPa\b|MPa\b|"
    r"mm\b|µm\b|um\b|kg\b|g\b))",
    re.IGNORECASE,
)
_UNIT_NAMES = {
    "%": "percent", "percent": "percent", "per cent": "percent", "ppm": "ppm",
    "working day": "day", "working days": "day", "day": "day", "days": "day",
    "week": "week", "weeks": "week", "month": "month", "months": "month", "year": "year",
    "years": "year", "hour": "hour", "hours": "hour", "minute": "minute", "minutes": "minute",
    "min": "minute", "mins": "minute",
}  # fmt: skip


# A count of things: "at least 3 separate occasions", "three fixed points".
_COUNT = re.compile(
    r"\b(\d+)\s+(?:(?:separate|different|consecutive|fixed|random|full|whole|calendar|"
    r"other|more|further|named|signed|independent|trained)\s+)?([a-z]{3,}s)\b",
    re.IGNORECASE,
)
_NOT_COUNTED = frozenset(
    "days weeks months years hours minutes mins times percent ppm working goes gets does means "
    "needs runs comes makes takes has was is".split()
)
# A bare limit in an answer ("anything under 70 goes on hold"); procedure sentences offer every
# bare number they state ("Score: 60 to 79") to compare with.
_LIMIT = re.compile(
    r"(?:\b(?:under|below|above|over|least|most|than|to|from|between|minimum|maximum|of)\s+"
    r"|[<>]=?\s*|≥\s*|≤\s*)(\d+(?:\.\d+)?)\b(?![.\d])"
    r"(?!\s*(?:%|per ?cent|ppm|working|days?|weeks?|months?|years?|hours?|minutes?|mins?)\b)",
    re.IGNORECASE,
)
_BARE = re.compile(r"(?<![\w.\-/])(\d+(?:\.\d+)?)(?![\w.\-/]|\.\d)")


@dataclass
class Facts:
    frequencies: set[float] = field(default_factory=set)  # in days
    quantities: set[tuple[str, float]] = field(default_factory=set)  # (unit, value)
    forms: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)  # lower case

    def __bool__(self) -> bool:
        return bool(self.frequencies or self.quantities or self.forms or self.roles)


def _digits(text: str) -> str:
    return _NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS[m.group(1).lower()]), text)


def _number(raw: str) -> float:
    return float(raw.replace(",", "").replace(" ", ""))


def frequencies(text: str) -> set[float]:
    text = _digits(text)
    out: set[float] = set()
    spans: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        return all(m.end() <= a or m.start() >= b for a, b in spans)

    for pattern in (_EVERY_N, _N_TIMES, _EVERY_ORDINAL):
        for m in pattern.finditer(text):
            n, unit = m.group(1).lower(), m.group(2).lower().rstrip("s")
            if pattern is _EVERY_N:
                out.add(_number(n) * _UNIT_DAYS[unit])
            elif pattern is _N_TIMES:
                out.add(round(_UNIT_DAYS[unit] / int(n), 2))
            else:
                out.add({"other": 2, "second": 2, "third": 3}[n] * _UNIT_DAYS[unit])
            spans.append(m.span())
    for pattern, days in _FREQ_WORD:
        for m in pattern.finditer(text):
            if free(m):
                out.add(days)
                spans.append(m.span())
    return out


def quantities(text: str, bare_numbers: bool = False) -> set[tuple[str, float]]:
    """Numbers with units; with ``bare_numbers`` also every other number (procedure side),
    else only numbers after a comparison word (answer side)."""
    text = _digits(text)
    out: set[tuple[str, float]] = set()
    for m in _QUANTITY.finditer(text):
        # "every 6 months" is a frequency, not a quantity.
        if re.search(r"\b(?:every|each)\s+$", text[max(0, m.start() - 12) : m.start()], re.I):
            continue
        if m.group("cur"):
            value = _number(m.group("cv")) * (1000 if m.group("k") else 1)
            out.add(("money", value))
        else:
            unit = m.group("u").lower()
            out.add((_UNIT_NAMES.get(unit, unit), _number(m.group("v"))))
    for m in _COUNT.finditer(text):
        noun = m.group(2).lower()
        if noun not in _NOT_COUNTED:
            out.add((noun[:-1], _number(m.group(1))))
    for m in (_BARE if bare_numbers else _LIMIT).finditer(text):
        out.add(("number", _number(m.group(1))))
    return out


def forms(text: str) -> set[str]:
    return {m.group(0).upper() for m in FORM.finditer(text)}


def role_names(text: str) -> set[str]:
    """Job titles as the procedure writes them ("Quality Manager"), lower case; a bare
    "Manager" or "Lead" says nothing about which role."""
    return {
        name
        for m in ROLE.finditer(text)
        if " " in (name := m.group(0).strip().lower()) or "-" in name
    }


@lru_cache(maxsize=8)
def role_acronyms(vocabulary: frozenset[str]) -> dict[str, str]:
    """Initials that stand for one job title only ("CSO" for "clinical safety officer"):
    procedures name a role in full once and then by its initials."""
    by_initials: dict[str, set[str]] = {}
    for role in vocabulary:
        words = re.split(r"[\s-]+", role)
        if len(words) >= 2:
            by_initials.setdefault("".join(w[0] for w in words).upper(), set()).add(role)
    return {k: next(iter(v)) for k, v in by_initials.items() if len(v) == 1}


def roles_in(text: str, vocabulary: set[str]) -> set[str]:
    """Known job titles mentioned in free text, whatever the case, or by their initials; the
    longest match wins so "quality manager" is not also counted as "manager"."""
    low = " " + re.sub(r"\s+", " ", text.lower()) + " "
    found: set[str] = set()
    for role in sorted(vocabulary, key=len, reverse=True):
        pattern = rf"(?<![a-z]){re.escape(role)}s?(?![a-z])"
        if re.search(pattern, low) and not any(role in f for f in found):
            found.add(role)
    for acronym, role in role_acronyms(frozenset(vocabulary)).items():
        if re.search(rf"(?<![A-Za-z]){acronym}s?(?![A-Za-z])", text):
            found.add(role)
    return found


def extract(
    text: str, role_vocabulary: set[str] | None = None, bare_numbers: bool = False
) -> Facts:
    roles = roles_in(text, role_vocabulary) if role_vocabulary else role_names(text)
    return Facts(frequencies(text), quantities(text, bare_numbers), forms(text), roles)


# "between 60 and 79" stays whole: no split at a conjunction between two numbers.
_CLAUSE_SPLIT = re.compile(
    r"[;:()]\s*|,\s+|(?<!\d)\s+(?:and|but|or|then|so|while|whereas)\s+(?!\d)", re.IGNORECASE
)


def fact_clauses(sentence: str) -> list[str]:
    """The parts of a sentence that each state something, so that a sentence packing several
    facts ("40 for delivery against 95%, and 20 for 8D replies within 10 days") can be checked
    part by part; fragments of under three words join the part before them."""
    parts: list[str] = []
    for piece in _CLAUSE_SPLIT.split(sentence):
        piece = piece.strip()
        if not piece:
            continue
        if parts and len(piece.split()) < 3:
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return parts
