"""Recognise which ISO 9001 clauses a question (or a document) is about.

Two kinds of evidence:
- numbers: "clause 8.7", "§7.1.5.2", "sub-clause 9.2.2", "section 7.5 of the standard", a bare
  "8.5.2". A number is NOT taken for a clause when it reads as a procedure's own section or step
  ("QP-05 section 5.3", "step 5.3.1"), a form, revision, date, time or a measurement ("6.2 bar").
- words: a clause's title ("control of nonconforming outputs") or the words people use instead
  of the number ("calibration", "CAPA", "contract review"), all taken from the catalogue.

A question is a *clause question* when it names a clause by number or by title, or uses a
clause's words together with a cue such as "ISO", "clause" or "standard"; otherwise matched words
only help retrieval (query expansion) and the answer stays a plain one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from assistant.core.models import Chunk
from assistant.core.text import FUNCTION_WORDS, WORD
from assistant.index.lexical import english_stemmer
from assistant.search.clauses import Catalogue, Clause
from assistant.search.crosswalk import blank_references, bridges

_NUM = r"(?:10|[4-9])(?:\.\d{1,2}){0,3}"
# Cue words that make the following number(s) clause references.
_CUE = re.compile(
    r"(?:\bsub-?clauses?|\bclauses?|§+|\brequirements?\s+of|\bcl\."
    # "ISO 9001 clauses: 7.1.3, 7.1.4" in a table row; "ISO 9001 section 9.1.2" (confirm43,
    # stop 33: "section" right before the number had made it a document's own)
    r"|\biso\s*9001(?::\s*2015)?(?:'s)?(?:\s+(?:sub-?clauses?|clauses?|sections?|§+))?)\s*:?\s*(?=\d)",
    re.IGNORECASE,
)
_SECTION_OF_STANDARD = re.compile(
    rf"\bsections?\s+({_NUM})\s+of\s+(?:the\s+)?(?:standard|iso|9001)", re.IGNORECASE
)
# A run of numbers after a cue: "clauses 4.1, 4.2 and 4.3", "8.5.1/8.5.2".
_NUM_RUN = re.compile(rf"({_NUM})((?:\s*(?:,|/|;|&|\band\b|\bor\b|-|\u2013)\s*{_NUM}(?!\w|\.\d))*)")
_BARE = re.compile(r"(?<![\w.\-/:§])((?:10|[4-9])\.\d{1,2}(?:\.\d{1,2}){0,2})(?![\w\-/]|\.\d)")
_UNIT_AFTER = re.compile(
    r"^\s*(?:%|x\b|mm\b|cm\b|m\b|bar\b|psi\b|kpa\b|mpa\b|kg\b|g\b|hours?\b|hrs?\b|days?\b|weeks?\b"
    r"|months?\b|years?\b|minutes?\b|mins?\b|seconds?\b|am\b|pm\b|deg|°|v\b|ma\b|nm\b|times\b"
    r"|percent\b|litres?\b|l\b|ppm\b|out of\b)",
    re.IGNORECASE,
)
_DOC_BEFORE = re.compile(
    r"(?:\b(?:section|step|paragraph|para|item|table|figure|fig|page|form|rev|revision|version|"
    r"issue|appendix|annex|part|procedure|sop|manual|instruction|policy)\.?\s*$"
    r"|\b[A-Z]{1,5}-?[A-Z]{0,4}-?\d{1,4}\s+(?:section\s+)?$)",
    re.IGNORECASE,
)
_OTHER_STANDARD = re.compile(r"\bISO(?:/IEC)?\s*(\d{4,5})", re.IGNORECASE)
_STANDARD_CONTEXT = re.compile(
    r"\b(?:iso|9001|clauses?|sub-?clauses?|standard|certification|stage\s*[12]|requirements?)\b|§",
    re.IGNORECASE,
)
# A text that names a document by number or speaks of its parts: a bare number in it may be the
# document's own ("QP-05 ... 5.3", "the third step, 4.2"). Naming a kind of document does not
# make it so: "Which procedure covers 8.5.1?" asks about the clause (it was read as a plain
# question until stop 13; the word right before a number still decides, ``_DOC_BEFORE``).
_DOC_CONTEXT = re.compile(
    r"\b[A-Z]{1,5}-[A-Z]{0,4}-?\d{1,4}\b|\b(?:steps?|sections?|paragraphs?|items?|tables?|pages?"
    r"|appendix|annex)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ClauseMatch:
    clause_id: str
    confidence: float
    reason: str  # "number", "title", "synonym", "meaning"


# How a two-word clause name is said the other way round ("communication with customers"):
# hand-set reading rules, checked on every set (docs/retrieval.md, "Clause names the other way
# round": one question changed, for the better).
_TURNED = ("of", "with", "on", "by", "for", "to")
_DETERMINERS = ("", "our ", "the ", "its ")


def _norm(text: str) -> str:
    text = text.lower().replace("organis", "organiz").replace("realis", "realiz")
    text = re.sub(r"non[\s-]+conform", "nonconform", text)
    text = re.sub(r"[^a-z0-9&]+", " ", text)
    words = [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in text.split()
    ]
    return " " + " ".join(words) + " "


# A clause's name in other word forms and order ("controlling externally provided processes",
# "changes to design and development"): the name's words, by their stems, close together.
# hand-set, then checked on every set (docs/retrieval.md, "Clause names in other word forms"):
# at most this many other words among them, and a name of LOOSE_MISSING_FROM words or more may
# lack one of them ("the processes, products and services we get from outside providers").
LOOSE_GAP = 2
LOOSE_MISSING_FROM = 5
LOOSE_CONFIDENCE = 0.9  # below an exact name's 0.95
# A two-word name in other forms is everyday speech too ("planning the changes to the rota" is
# not about 6.3): only names of three words or more are matched loosely.
LOOSE_MIN_WORDS = 3


# A one-word title the catalogue's own summaries use for many other clauses is the catalogue's
# everyday language, not that clause's name: "people" is in 38 of the other 90 cards' texts, so
# "how do we make sure people work from the latest version?" named 7.1.2 (People). On the
# fitting sets at stop 30 it was among the clauses of 16 clause questions asked in words (the
# first of 12) and the labelled clause of none. The next most used one-word title, "planning",
# is in 14; the share is set between the two (docs/retrieval.md, "A one-word title used
# everywhere"). Computed from the catalogue, so an organisation's own catalogue gets its own.
GENERIC_TITLE_SHARE = 0.25


def _base_title(title: str) -> str:
    """'Control of documented information - activities' -> the part before the dash."""
    return re.split(r"\s+-\s+", title)[0]


def _first_item(title: str) -> str:
    """'Control of externally provided processes, products and services' -> its first item,
    when that still names the clause (three words or more); else the title itself."""
    first = _base_title(title).split(",")[0]
    return first if len(first.split()) >= 3 else title


# A line that labels what follows with a name: a heading, or a list item or line whose words
# before a colon are the label ("- Organisational knowledge: the Task Library and site files
# hold ..."). A manual that walks through the standard by the clauses' names, not their numbers,
# says where each is met this way (stop 66: brightwater's 7.1.6 was called a gap three times).
_LABEL_LINE = re.compile(
    r"^[ \t]*(?:#+[ \t]*)?(?:[-*+\u2022]|\d+(?:\.\d+)*\.?)?[ \t]*(?:\*\*|__)?"
    r"([A-Za-z][^:\n*_]{2,80}?)(?:\*\*|__)?[ \t]*(?::|$)",
    re.MULTILINE,
)


def _label_names(clauses: Iterable[Clause]) -> set[str]:
    """The clauses' names a label may give, normalised. Only names of two words or more:
    "People:" or "Communication" label many other things."""
    names = set()
    for clause in clauses:
        title = _base_title(clause.title)
        if clause.official_title and len(title.split()) >= 2:
            names.add(_norm(title))
    return names


def _labels_one_of(text: str, heading: str, names: set[str]) -> bool:
    labels = [m.group(1) for m in _LABEL_LINE.finditer(text)]
    labels.append(heading.split(" > ")[-1])
    return any(_norm(re.sub(r"^[\d.\s]+", "", label)) in names for label in labels)


def labels_by_name(text: str, heading: str, clauses: Iterable[Clause]) -> bool:
    """The passage labels a part of itself with one of the clauses' names: its heading, or a
    line's words before a colon, are the clause's title (numbers before it aside)."""
    names = _label_names(clauses)
    return bool(names) and _labels_one_of(text, heading, names)


def naming_passage(chunks: Iterable[Chunk], clauses: Iterable[Clause]) -> Chunk | None:
    """The first of the chunks that labels a part of itself with one of the clauses' names
    (``labels_by_name``), or None: what the Ask page's gap decision and the coverage both ask of
    a document's passages. The names are read once for all the chunks."""
    names = _label_names(clauses)
    if not names:
        return None
    return next((c for c in chunks if _labels_one_of(c.text, c.heading, names)), None)


class ClauseResolver:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    @cached_property
    def _phrases(self) -> list[tuple[str, str, str, bool]]:
        """(normalised phrase, clause id, kind, case-sensitive original) for titles/synonyms."""
        out = []
        seen: set[str] = set()  # normalised phrases so far: a base title already used is skipped
        generic = self._generic_titles
        for c in self.catalogue:
            for n, title in enumerate((c.title, _base_title(c.title), _first_item(c.title))):
                norm = _norm(title)
                if n and (title == c.title or norm in seen):
                    continue
                if title.lower() in generic:
                    continue
                # A one-word title ("Policy", "Communication") is an everyday word too: "our
                # gifts policy" is not a question about clause 5.2 unless a cue says so.
                kind = "title" if len(title.split()) > 1 else "synonym"
                out.append((norm, c.id, kind, False))
                seen.add(norm)
                # A two-word name is also said the other way round, with a preposition:
                # "communication with customers", "review by management".
                if len(words := title.split()) == 2:
                    turned = (
                        f"{words[1]} {p} {d}{words[0]}" for p in _TURNED for d in _DETERMINERS
                    )
                    for variant in map(_norm, turned):
                        if variant not in seen:
                            out.append((variant, c.id, "title", False))
                            seen.add(variant)
            for s in c.synonyms:
                acronym = len(s) <= 4 and s.upper() == s
                out.append((s if acronym else _norm(s), c.id, "synonym", acronym))
                seen.add(out[-1][0])
        return out

    @cached_property
    def _generic_titles(self) -> frozenset[str]:
        """One-word titles (lower case) used as a word by more than ``GENERIC_TITLE_SHARE`` of
        the other cards' texts."""
        cards = [(c.id, c.embedding_text().lower()) for c in self.catalogue]
        out = set()
        for c in self.catalogue:
            if len(c.title.split()) != 1:
                continue
            word = re.compile(rf"\b{re.escape(c.title.lower())}\b")
            users = sum(1 for cid, text in cards if cid != c.id and word.search(text))
            if users > GENERIC_TITLE_SHARE * (len(cards) - 1):
                out.add(c.title.lower())
        return frozenset(out)

    @cached_property
    def _stem(self):  # noqa: ANN202
        return english_stemmer()

    def _stems(self, text: str) -> list[str]:
        """The stems of a text's words that carry a subject (not function words), in order."""
        words = [w for w in WORD.findall(text.lower()) if w not in FUNCTION_WORDS]
        return self._stem.stemWords(words)

    @cached_property
    def _loose_names(self) -> list[tuple[frozenset[str], str]]:
        """(the stems of a name of LOOSE_MIN_WORDS words or more, clause id) for each title's
        part before a dash and its first item. A part after a dash qualifies the name
        ("- planning") and is not said for it; our own labels for clauses without a heading are
        not names anyone uses."""
        out: dict[frozenset[str], str] = {}
        for c in self.catalogue:
            if not c.official_title:
                continue
            for title in (_base_title(c.title), _first_item(c.title)):
                stems = frozenset(self._stems(title))
                if len(stems) >= LOOSE_MIN_WORDS:
                    out.setdefault(stems, c.id)
        return list(out.items())

    def loose_names(self, text: str) -> list[ClauseMatch]:
        """Clauses named in a text with their name's words in other forms or order: every stem
        of the name (all but one, for a long name) within a span of at most LOOSE_GAP more
        words."""
        stems = self._stems(text)
        found: list[str] = []
        for name, cid in self._loose_names:
            need = len(name) - (len(name) >= LOOSE_MISSING_FROM)
            at = [i for i, s in enumerate(stems) if s in name]
            # any span from one of the name's words that gathers enough of them, short enough
            if any(
                len({stems[i] for i in at[a:] if i - start < len(name) + LOOSE_GAP}) >= need
                for a, start in enumerate(at)
            ):
                found.append(cid)
        return [ClauseMatch(cid, LOOSE_CONFIDENCE, "title") for cid in found]

    @staticmethod
    def other_standards(text: str) -> list[str]:
        """ "ISO 45001 clause 5.4" is not about ISO 9001: the other standards' numbers, unless
        the text names ISO 9001 too."""
        if "9001" in text:
            return []
        return sorted({n for n in _OTHER_STANDARD.findall(text) if n != "9001"})

    # -- numbers ----------------------------------------------------------------------------
    def numbers(self, text: str) -> list[ClauseMatch]:
        found: dict[str, ClauseMatch] = {}
        if self.other_standards(text):
            return []

        def add(cid: str, conf: float) -> None:
            if cid in self.catalogue and (cid not in found or found[cid].confidence < conf):
                found[cid] = ClauseMatch(cid, conf, "number")

        for m in _CUE.finditer(text):
            run = _NUM_RUN.match(text, m.end())
            if run:
                for cid in re.findall(_NUM, run.group(0)):
                    add(cid, 1.0)
        for m in _SECTION_OF_STANDARD.finditer(text):
            add(m.group(1), 1.0)
        standard = bool(_STANDARD_CONTEXT.search(text))
        doc_like = bool(_DOC_CONTEXT.search(text))
        for m in _BARE.finditer(text):
            cid = m.group(1)
            if cid in found or cid not in self.catalogue:
                continue
            if _UNIT_AFTER.match(text[m.end() :]) or _DOC_BEFORE.search(text[: m.start()]):
                continue
            if standard:
                add(cid, 0.9)
            elif not doc_like:
                add(cid, 0.7)
        return sorted(found.values(), key=lambda x: text.find(x.clause_id))

    # -- words --------------------------------------------------------------------------------
    def words(self, text: str, loose: bool = True) -> list[ClauseMatch]:
        """Clauses named by title or everyday words; ``loose``: also by a name in other word
        forms (``loose_names``) when none is named as written."""
        norm = _norm(text)
        hits: dict[str, ClauseMatch] = {}
        spans: list[tuple[int, int, str, str]] = []
        for phrase, cid, kind, acronym in self._phrases:
            if acronym:
                pos = m.start() if (m := re.search(rf"\b{re.escape(phrase)}\b", text)) else -1
                length = len(phrase)
            else:
                pos = norm.find(f" {phrase.strip()} ")
                length = len(phrase)
            if pos >= 0:
                spans.append((pos, length, cid, kind))
        # A phrase inside a longer matched phrase ("review" inside "management review inputs")
        # yields to the longer one.
        spans.sort(key=lambda s: -s[1])
        titled = {(pos, length) for pos, length, _, kind in spans if kind == "title"}
        taken: list[tuple[int, int]] = []
        for pos, length, cid, kind in spans:
            if any(p <= pos and pos + length <= p + n and length < n for p, n in taken):
                continue
            if kind != "title" and (pos, length) in titled:
                continue  # the same words are another clause's name: the name wins
            taken.append((pos, length))
            words = max(1, len(self._phrase_words(pos, length, norm)))
            conf = 0.95 if kind == "title" else min(0.9, 0.75 + 0.05 * (words - 1))
            if cid not in hits or hits[cid].confidence < conf:
                hits[cid] = ClauseMatch(cid, conf, kind)
        # A name said in other forms counts only when no name was found as written: beside
        # one, it would add the sub-clauses that share its words ("design and development
        # changes" would bring in 8.3.1's "design and development of products and services").
        if loose and not any(m.reason == "title" for m in hits.values()):
            for named in self.loose_names(text):
                cid = named.clause_id
                if cid not in hits or hits[cid].confidence < named.confidence:
                    hits[cid] = named  # a name outweighs the same clause's everyday words
        return self._prefer_specific(list(hits.values()))

    @staticmethod
    def _phrase_words(pos: int, length: int, norm: str) -> list[str]:
        return norm[pos : pos + length].split()

    def _prefer_specific(self, matches: list[ClauseMatch]) -> list[ClauseMatch]:
        """When a word matches a clause and its sub-clause, keep the sub-clause unless the
        parent was named by its title."""
        ids = {m.clause_id for m in matches}
        keep = []
        for m in matches:
            deeper = [i for i in ids if i.startswith(m.clause_id + ".")]
            if deeper and m.reason != "title":
                continue
            keep.append(m)
        return sorted(keep, key=lambda m: (-m.confidence, m.clause_id))

    # -- both ---------------------------------------------------------------------------------
    def resolve(self, text: str) -> list[ClauseMatch]:
        """Clause matches: numbers first (in the order written), then words by confidence. A
        question about another standard's clause is about the ISO 9001 clauses our
        cross-reference bridges it to (``crosswalk``), or about none."""
        if self.other_standards(text):
            ids = [cid for b in bridges(text) for cid in b.iso9001 if cid in self.catalogue]
            return [ClauseMatch(cid, 1.0, "number") for cid in dict.fromkeys(ids)]
        numbers = self.numbers(text)
        seen = {m.clause_id for m in numbers}
        # With a number, a name in other words is the number's own clause, said again.
        words = self.words(text, loose=not numbers)
        return numbers + [m for m in words if m.clause_id not in seen]

    @staticmethod
    def speaks_of_standard(text: str) -> bool:
        """Whether a text speaks of the standard, its clauses, requirements or certification."""
        return bool(_STANDARD_CONTEXT.search(text))

    @staticmethod
    def names_a_clause(matches: list[ClauseMatch]) -> bool:
        """The text names a clause by its number or title (not only by a synonym or loose
        words): it is about that clause, whatever else it asks."""
        return any(m.reason in ("number", "title") for m in matches)

    def is_clause_question(self, text: str, matches: list[ClauseMatch]) -> bool:
        if self.names_a_clause(matches):
            return True
        return bool(matches) and bool(_STANDARD_CONTEXT.search(text))

    def cited_in_document(self, text: str) -> set[str]:
        """Clauses a procedure cites explicitly (cue words only: its own section numbers are
        never taken for clauses)."""
        # Another standard's clauses count through our cross-reference, and their numbers are
        # blanked first so "ISO 13485 clause 7.3" is never read as ISO 9001's 7.3.
        found = {cid for b in bridges(text) for cid in b.iso9001 if cid in self.catalogue}
        text = blank_references(text)
        for m in _CUE.finditer(text):
            run = _NUM_RUN.match(text, m.end())
            if run:
                found.update(c for c in re.findall(_NUM, run.group(0)) if c in self.catalogue)
        for m in _SECTION_OF_STANDARD.finditer(text):
            if m.group(1) in self.catalogue:
                found.add(m.group(1))
        return found

    def strip_references(self, text: str) -> str:
        """The question without its clause numbers and cue words ("clause", "ISO 9001:2015",
        "section ... of the standard"): what is left says what the asker wants to know."""
        text = blank_references(text)
        text = re.sub(r"\bISO(?:/IEC)?\s*\d{4,5}(?::\s*\d{4})?", " ", text, flags=re.IGNORECASE)
        text = _SECTION_OF_STANDARD.sub(" ", text)
        text = _CUE.sub(" ", text)
        text = re.sub(rf"(?<![\w.-]){_NUM}(?![\w-])", " ", text)
        text = re.sub(
            r"\b(?:iso|9001|2015|standard|sub-?clauses?|clauses?)\b|[§:]",
            " ",
            text,
            flags=re.IGNORECASE,
        )
        return " ".join(text.split())

    def clauses(self, matches: list[ClauseMatch]) -> list[Clause]:
        return [self.catalogue.get(m.clause_id) for m in matches]

    @staticmethod
    def one_clause(clauses: list[Clause]) -> str:
        """The one clause a question is about, its id: the only clause asked, or the first when
        every other is one of its sub-clauses ("nonconformity and corrective action" names
        10.2 and its 10.2.1); "" for a question on several clauses or none."""
        if not clauses:
            return ""
        first = clauses[0].id
        return first if all(c.id.startswith(f"{first}.") for c in clauses[1:]) else ""

    def asked_clauses(self, text: str, matches: list[ClauseMatch] | None = None) -> list[Clause]:
        """The clauses a clause question is about: those it names by number (three at most),
        else its two best by words; none for a question that is not a clause question.
        ``matches``: ``resolve``'s, when already read."""
        matches = self.resolve(text) if matches is None else matches
        if not self.is_clause_question(text, matches):
            return []
        if matches[0].reason != "number":
            return self.clauses(matches[:2])
        return self.clauses([m for m in matches if m.reason == "number"][:3])
