"""Staff's everyday words bridged to a quality system's words.

Staff ask "I've got an idea, how do I put it forward?"; the procedure that answers says
"improvement suggestion". MiniLM does not bridge the two (cosine 0.19 between that question and
the sentence that answers it, 0.60 for "improvement idea"), and BM25 cannot. A glossary entry
names a practice's everyday phrases and the words a procedure would use for it; a plain question
containing one of the phrases is also searched for those words (``AskService.plan``, at
``glossary_weight``). The shipped glossary (``glossary.toml``, our own words, written from the
clause catalogue alone for any industry) can be extended by an organisation's own file
(``glossary_file`` setting) in the same format.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.core.errors import AssistantError
from assistant.core.text import FUNCTION_WORDS

DEFAULT_GLOSSARY = Path(__file__).with_name("glossary.toml")
# Per-entry gates fitted on the labelled organisations (concept -> gate); entries not named
# keep the ``glossary_below`` setting.
DEFAULT_GATES = Path(__file__).with_name("glossary_gates.toml")


class GlossaryError(AssistantError):
    """A glossary file that cannot be read: says which file and what is wrong."""


@dataclass(frozen=True)
class GlossaryEntry:
    concept: str
    terms: str  # the quality system's words for it, searched beside the question
    phrases: tuple[str, ...]  # what staff say
    # Its own gate: searched only below this best cosine of the question's own words (0: never,
    # 1: always; None: the ``glossary_below`` setting). The shipped entries' come from
    # ``glossary_gates.toml`` (fitted by scripts/fit_glossary_gates.py); an organisation's
    # own entries may set ``below`` themselves.
    below: float | None = None


def _word_form(word: str) -> str:
    """A word with its usual English endings: "sign" matches "signs", "signed", "signing";
    "make" matches "makes" and "making" (irregular forms such as "made" are not guessed)."""
    w = re.escape(word)
    if len(word) <= 2:
        return w
    if word.endswith("y") and word[-2] not in "aeiou":
        return rf"{re.escape(word[:-1])}(?:y|ies|ied|ying)"
    if word.endswith("e"):
        return rf"{re.escape(word[:-1])}(?:e|es|ed|ing)"
    return rf"{w}(?:s|es|ed|ing)?"


def _phrase_pattern(phrase: str) -> str:
    """A phrase's words in their usual forms, apart by spaces or a hyphen ("sign off" matches
    "sign-off")."""
    words = phrase.lower().split()
    return r"[\s-]+".join(_word_form(w) for w in words)


def _gapped_pattern(phrases: tuple[str, ...], gap: int) -> re.Pattern[str] | None:
    """An entry's two-word phrases with one to ``gap`` words between their two ("online tool"
    in "a free online diagram tool"): staff name the thing in between. Each phrase's words
    between are its own group, to be checked by ``_of_substance``; None when the entry has no
    two-word phrase."""
    if gap <= 0:
        return None
    alternatives = []
    for phrase in phrases:
        words = phrase.lower().split()
        if len(words) == 2:
            first, second = (_word_form(w) for w in words)
            alternatives.append(rf"{first}[\s-]+((?:[\w']+[\s-]+){{1,{gap}}}){second}")
    if not alternatives:
        return None
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


# A word that begins with a function word as a whole word ("it", "it's", "the"), as a regex
# lookahead would read it. Checked in Python on the captured words rather than written into
# every gapped pattern: 200 alternatives in each of the glossary's two-word phrases took
# 0.3 s to compile, paid by the first question of every process.
_FUNCTION_WORD = re.compile(r"(?:" + "|".join(sorted(FUNCTION_WORDS)) + r")\b", re.I)
_GAP_WORD = re.compile(r"[\w']+")


def _of_substance(between: str) -> bool:
    """Every word between carries a subject: "send it back" is a phrasal verb round a pronoun,
    not a kind of "send back" (fernhill's refused deliveries read as customer returns with it)."""
    return not any(_FUNCTION_WORD.match(w) for w in _GAP_WORD.findall(between))


# A hyphen inside a word: "Tipp-Ex" is the glossary's "tippex" too, as staff spell it either way.
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


class Glossary:
    """Entries matched by whole words, case-insensitive, each word in its usual forms."""

    def __init__(self, entries: list[GlossaryEntry]) -> None:
        self.entries = entries
        self._patterns = [
            re.compile(r"\b(?:" + "|".join(_phrase_pattern(p) for p in e.phrases) + r")\b", re.I)
            for e in entries
        ]
        self._gapped: dict[int, list[re.Pattern[str] | None]] = {}  # gap -> one per entry

    def _gapped_patterns(self, gap: int) -> list[re.Pattern[str] | None]:
        if gap not in self._gapped:
            self._gapped[gap] = [_gapped_pattern(e.phrases, gap) for e in self.entries]
        return self._gapped[gap]

    def __len__(self) -> int:
        return len(self.entries)

    def matches(self, question: str, gap: int = 0) -> list[GlossaryEntry]:
        """The entries whose phrases the question contains, in the order they appear in it; a
        two-word phrase also with up to ``gap`` words of substance between its two."""
        gapped = self._gapped_patterns(gap) if gap > 0 else [None] * len(self.entries)
        found = []
        joined = _INNER_HYPHEN.sub("", question)
        for entry, pattern, with_gap in zip(self.entries, self._patterns, gapped, strict=True):
            start = _first(question, pattern, with_gap)
            if start is None:
                start = _first(joined, pattern, with_gap)
            if start is not None:
                found.append((start, entry))
        return [entry for _, entry in sorted(found, key=lambda f: f[0])]


def _first(text: str, pattern: re.Pattern[str], gapped: re.Pattern[str] | None) -> int | None:
    """Where the first of an entry's phrases begins in ``text``, if any does."""
    starts = [m.start()] if (m := pattern.search(text)) else []
    for m in gapped.finditer(text) if gapped is not None else ():
        between = next(g for g in m.groups() if g is not None)  # the phrase that matched
        if _of_substance(between):
            starts.append(m.start())
            break
    return min(starts, default=None)


def _read_toml(path: Path, what: str) -> dict:
    """A glossary or gates file's table, or a GlossaryError naming the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise GlossaryError(f"{what} {path}: cannot be read ({exc})") from exc


def _entries(path: Path) -> list[GlossaryEntry]:
    data = _read_toml(path, "glossary")
    entries = []
    for n, raw in enumerate(data.get("entry", []), 1):
        where = f"glossary {path}, entry {n}"
        if not isinstance(raw, dict):
            raise GlossaryError(f"{where}: is not a table")
        terms, phrases = raw.get("terms"), raw.get("phrases")
        if not isinstance(terms, str) or not terms.strip():
            raise GlossaryError(f"{where}: needs 'terms', the words a procedure uses")
        if not isinstance(phrases, list) or not phrases:
            raise GlossaryError(f"{where}: needs 'phrases', a list of everyday phrases")
        if not all(isinstance(p, str) and p.strip() for p in phrases):
            raise GlossaryError(f"{where}: every phrase must be non-empty text")
        concept = str(raw.get("concept") or terms)
        below = _gate(raw.get("below"), where)
        entries.append(
            GlossaryEntry(concept, terms.strip(), tuple(p.strip() for p in phrases), below)
        )
    return entries


def _gate(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise GlossaryError(f"{where}: 'below' must be a number from 0 (never) to 1 (always)")
    return float(value)


def _fitted_gates(path: Path) -> dict[str, float]:
    """The shipped entries' own gates, by concept (an absent file: none)."""
    if not path.is_file():
        return {}
    gates = _read_toml(path, "glossary gates").get("gates", {})
    if not isinstance(gates, dict):
        raise GlossaryError(f"glossary gates {path}: 'gates' must be a table")
    out = {}
    for concept, value in gates.items():
        gate = _gate(value, f"glossary gates {path}, {concept!r}")
        if gate is not None:
            out[concept] = gate
    return out


def with_gates(entries: list[GlossaryEntry], gates: dict[str, float]) -> list[GlossaryEntry]:
    """Entries with their fitted gates; an entry that sets its own keeps it."""
    return [
        replace(e, below=gates[e.concept]) if e.below is None and e.concept in gates else e
        for e in entries
    ]


def load_glossary(own: Path | None = None, gates: Path = DEFAULT_GATES) -> Glossary:
    """The shipped glossary with its fitted gates, then the organisation's own entries
    (``own``), if given."""
    entries = with_gates(_entries(DEFAULT_GLOSSARY), _fitted_gates(gates))
    if own is not None:
        entries += _entries(own)
    return Glossary(entries)
