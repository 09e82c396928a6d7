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
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import AssistantError
from assistant.core.text import FUNCTION_WORDS

DEFAULT_GLOSSARY = Path(__file__).with_name("glossary.toml")


class GlossaryError(AssistantError):
    """A glossary file that cannot be read: says which file and what is wrong."""


@dataclass(frozen=True)
class GlossaryEntry:
    concept: str
    terms: str  # the quality system's words for it, searched beside the question
    phrases: tuple[str, ...]  # what staff say


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


# A word that is not a function word ("whiteboard", not "it" or "the").
_CONTENT_WORD = r"(?!(?:" + "|".join(sorted(FUNCTION_WORDS)) + r")\b)[\w']+"


def _phrase_pattern(phrase: str, gap: int = 0) -> str:
    """A phrase's words in their usual forms, apart by spaces or a hyphen ("sign off" matches
    "sign-off"). With ``gap``, a two-word phrase also matches with up to that many words between
    its two ("online tool" in "a free online diagram tool"): staff name the thing in between. A
    word between must carry a subject: "send it back" is a phrasal verb round a pronoun, not a
    kind of "send back" (fernhill's refused deliveries read as customer returns with it)."""
    words = phrase.lower().split()
    between = r"[\s-]+"
    if gap > 0 and len(words) == 2:
        between = rf"[\s-]+(?:{_CONTENT_WORD}[\s-]+){{0,{gap}}}"
    return between.join(_word_form(w) for w in words)


# A hyphen inside a word: "Tipp-Ex" is the glossary's "tippex" too, as staff spell it either way.
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


class Glossary:
    """Entries matched by whole words, case-insensitive, each word in its usual forms."""

    def __init__(self, entries: list[GlossaryEntry]) -> None:
        self.entries = entries
        self._patterns: dict[int, list[re.Pattern[str]]] = {}

    def _compiled(self, gap: int) -> list[re.Pattern[str]]:
        if gap not in self._patterns:
            self._patterns[gap] = [
                re.compile(
                    r"\b(?:" + "|".join(_phrase_pattern(p, gap) for p in e.phrases) + r")\b",
                    re.I,
                )
                for e in self.entries
            ]
        return self._patterns[gap]

    def __len__(self) -> int:
        return len(self.entries)

    def matches(self, question: str, gap: int = 0) -> list[GlossaryEntry]:
        """The entries whose phrases the question contains, in the order they appear in it; a
        two-word phrase with up to ``gap`` words between its two."""
        found = []
        joined = _INNER_HYPHEN.sub("", question)
        for entry, pattern in zip(self.entries, self._compiled(gap), strict=True):
            m = pattern.search(question) or pattern.search(joined)
            if m:
                found.append((m.start(), entry))
        return [entry for _, entry in sorted(found, key=lambda f: f[0])]


def _entries(path: Path) -> list[GlossaryEntry]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise GlossaryError(f"glossary {path}: cannot be read ({exc})") from exc
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
        entries.append(GlossaryEntry(concept, terms.strip(), tuple(p.strip() for p in phrases)))
    return entries


def load_glossary(own: Path | None = None) -> Glossary:
    """The shipped glossary, then the organisation's own entries (``own``), if given."""
    entries = _entries(DEFAULT_GLOSSARY)
    if own is not None:
        entries += _entries(own)
    return Glossary(entries)
