"""Clauses an organisation's documents declare excluded from its quality system ("ISO 9001
clause 8.3 (design and development) is excluded", "Section: 6.4; Title: Work Environment;
Document: - not applicable -"), with the sentence or row that says so.

"Which of our documents covers clause 8.3?" asked of an organisation whose manual excludes 8.3
was answered from that manual (the sentence cites the clause) under "How we meet it", or from
whatever came closest (fernhill: its contract-review section): the answer an auditor expects is
the exclusion and its justification (ISO 9001 4.3 asks for one). Found by helpers writing
questions on clauses each organisation does not meet (evals/gaps/, stop 43): four of the seven
organisations declare an exclusion.

Read strictly, because a clause wrongly called excluded is worse than a possible gap:
- a sentence (or table row) that cites the clause as the resolver reads a citation (a cue word:
  "clause 8.3", "ISO 9001:2015 clause: 8.3"; another standard's through the crosswalk) and says
  it is excluded or does not apply, in the same sentence;
- a row of a mapping table whose heading names its standard ("ISO 13485:2016 Mapping ..."),
  first cell the clause's number, another cell "not applicable";
- an item of a list under a heading on exclusions, whose lead-in names the standard ("The
  following sections of ISO 13485:2016 will be excluded ..."), or a row or item under a heading
  only about exclusions whose subheading names it ("Non-Applicable Requirements > ISO
  13485:2016").
Through another standard, an ISO 9001 clause is excluded only when every clause of that standard
bridged to it is. A scope cut short ("does not apply to the reference gauges") is no exclusion.
Other documents' mentions are not weighed against it: they refer to the decision ("the
applicability decision on clause 8.3", an audit programme's "n/a"), they do not meet the clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.core.models import Chunk
from assistant.core.text import HEADING_NUMBER
from assistant.documents.text import is_table_row
from assistant.search import clause_maps
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import Catalogue
from assistant.search.crosswalk import blank_references, crosswalk, references

# Said of a clause: it does not apply, or it is excluded ("is not excluded" does not match).
_EXCLUDED = re.compile(
    r"\bnot\s+applicable\b|\bdoes\s+not\s+apply\b|\bdo\s+not\s+apply\b|\bnot\s+relevant\b"
    r"|\b(?:is|are|will\s+be|has\s+been|have\s+been)\s+excluded\b|\bexcluded\s+from\b"
    r"|\b(?:is|are)\s+non-?applicable\b",
    re.IGNORECASE,
)
# "does not apply to the reference gauges": a scope cut short, not the clause left out ("does
# not apply to us", "to Larkfield" are the whole organisation).
_PARTIAL = re.compile(
    r"\b(?:apply|applicable)\s+(?:to|for)\s+(?!us\b|our\s+(?:organi[sz]ation|company|business|"
    r"site|qms|quality management system|system)\b|the\s+(?:organi[sz]ation|company|business|"
    r"qms|quality management system)\b|[A-Z])",
)
# A sentence ends at a full stop, question or exclamation mark followed by a space and a
# capital (so "clause 8.3 (design...)" and "ISO 9001:2015" do not end one).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*\"'(])")
_EXCLUSIONS_HEADING = re.compile(r"\bexclu", re.IGNORECASE)
# A heading that is only about what is left out ("Exclusions", "1.3 Non-Applicable
# Requirements": gstt-csc's manual, a table of ISO 13485 sections under its standard's
# subheading, split from its lead-in into the next passage). "Scope and exclusions" may hold a
# table of every clause and where it is met: its rows count only after a lead-in saying so.
_ONLY_EXCLUSIONS_HEADING = re.compile(
    r"^\s*" + HEADING_NUMBER + r"(?:exclusions?|non-?applicable|not\s+applicable)\b"
    r"(?:\s+(?:requirements|clauses|sections))?\s*$",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*(?:[*\-\u2022]|\d+[.)])?\s*(\d{1,2}(?:\.\d{1,2}){1,3})\b")
# A mention of an excluded clause that refers to the decision, not to meeting the clause: an
# audit programme's "para. 6.4 ... #1: n/a" (openregulatory), "the applicability decision on
# clause 8.3" among a review's inputs (fernhill).
_REFERS_TO_DECISION = re.compile(r"\bn/a\b|\bapplicab|\bexclu", re.IGNORECASE)


@dataclass(frozen=True)
class Exclusion:
    """A clause declared excluded: of which standard, where, and the words that say so
    (verbatim from the passage, so it can be quoted)."""

    standard: str  # "9001", or another standard we have a crosswalk for ("13485")
    number: str  # the clause's number in that standard
    chunk_id: str
    file: str
    quote: str


@dataclass(frozen=True)
class CitedAnyway(Exclusion):
    """A sentence or table row that cites a clause declared excluded (or a part of it) as
    one the document meets: ``standard`` and ``number`` are the excluded clause's, ``quote``
    the citing words. gstt-csc's manual declares ISO 13485 7.6 (monitoring and measuring
    equipment) not applicable while its third-party software validation procedure lists 7.6
    among its regulatory references: an auditor reading both asks which is right."""


def sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(line) if s.strip()]


def _cited(text: str, resolver: ClauseResolver) -> set[tuple[str, str]]:
    """(standard, number) of every clause ``text`` cites: ISO 9001's as the resolver reads a
    citation, another standard's where we have its crosswalk."""
    other = {(s, n) for s, n, _ in references(text) if crosswalk(s) is not None}
    own = resolver.cited_in_document(blank_references(text))
    return other | {("9001", n) for n in own}


def exclusions_in(chunk: Chunk, resolver: ClauseResolver) -> list[Exclusion]:
    """The clauses this passage declares excluded, each with its quote."""
    found: list[Exclusion] = []

    def add(cited: Iterable[tuple[str, str]], quote: str) -> None:
        for standard, number in sorted(cited):
            found.append(Exclusion(standard, number, chunk.id, chunk.file, quote.strip()))

    lines = chunk.text.splitlines()
    table = clause_maps.table_standard(chunk.heading)
    for line in lines:
        if not _EXCLUDED.search(line):
            continue
        if is_table_row(line):
            # A row says it whole: its clause cell and its "not applicable" cell.
            cited = _cited(line, resolver)
            first = clause_maps.first_cell_number(line)
            if not cited and table is not None and first:
                cited = {(table, first)}
            add(cited, line)
            continue
        for sentence in sentences(line):
            if _EXCLUDED.search(sentence) and not _PARTIAL.search(sentence):
                add(_cited(sentence, resolver), sentence)
    # A list or table under a heading on exclusions, its lead-in or its own heading naming the
    # standard it numbers.
    heads = [h.strip() for h in chunk.heading.split(">")]
    lead_in = next((line for line in lines if _EXCLUDED.search(line)), "")
    if lead_in and _EXCLUSIONS_HEADING.search(heads[-1]):
        # the one standard the lead-in names, if ISO 9001 or one we have a crosswalk for
        standard = clause_maps.table_standard(lead_in)
    else:
        # or, under a heading only about exclusions, the one its subheadings name ("Non-
        # Applicable Requirements > ISO 13485:2016")
        only = [i for i, h in enumerate(heads) if _ONLY_EXCLUSIONS_HEADING.match(h)]
        named = [clause_maps.table_standard(h) for h in heads[only[-1] :]] if only else []
        standard = next((n for n in reversed(named) if n), None)
    if standard is None:
        return found
    for line in lines:
        number = _listed_number(line)
        if number and line is not lead_in:
            # the lead-in says what the list is: both are quoted (when it is in this passage)
            if lead_in:
                add({(standard, number)}, lead_in)
            add({(standard, number)}, line)
    return found


def cited_anyway(
    chunks: Iterable[Chunk],
    declared: list[Exclusion],
    excluded: Iterable[str],
    resolver: ClauseResolver,
) -> list[CitedAnyway]:
    """Every sentence or table row, outside the words that exclude it, that cites a clause
    declared excluded (in its own standard's numbers, or an ISO 9001 clause excluded through
    one) or a part of it; a mention of the decision itself ("n/a", "applicability") is none."""
    out = {(e.standard, e.number) for e in declared} | {("9001", n) for n in excluded}
    saying = {e.quote for e in declared}
    found: list[CitedAnyway] = []
    for chunk in chunks:
        # most passages name none of the numbers: not split into sentences and read
        if not any(number in chunk.text for _, number in out):
            continue
        for line in chunk.text.splitlines():
            for part in [line] if is_table_row(line) else sentences(line):
                words = part.strip()
                if words in saying or _EXCLUDED.search(words) or _REFERS_TO_DECISION.search(words):
                    continue
                for standard, number in sorted(_cited(words, resolver)):
                    lineage = _lineage(number)
                    for s, n in sorted(out):
                        if s == standard and n in lineage:
                            found.append(CitedAnyway(s, n, chunk.id, chunk.file, words))
    return found


def citing(
    found: Iterable[Exclusion], clause_ids: Iterable[str], cited: Iterable[CitedAnyway]
) -> list[CitedAnyway]:
    """Of ``cited``, the citations of a clause these exclusions leave out, or of one of these
    ISO 9001 clauses (excluded through them)."""
    out = {(e.standard, e.number) for e in found} | {("9001", c) for c in clause_ids}
    return [c for c in cited if (c.standard, c.number) in out]


# A contradiction is made by one document citing the excluded clause; a list of hundreds names
# none an auditor can read. So the answer and the coverage name the first few documents (in
# the index's order) and count the rest. Hand-set for reading, not measured: the real corpora
# have one or two such documents; the 20,000-passage bench has a thousand, whose quotes were a
# quarter of its slowest questions' time (docs/retrieval.md).
CITED_ANYWAY_DOCUMENTS = 5


def first_documents(
    cited: Sequence[CitedAnyway], limit: int = CITED_ANYWAY_DOCUMENTS
) -> tuple[list[CitedAnyway], int]:
    """The citations of the first ``limit`` documents among ``cited``, and how many other
    documents cite too."""
    files = list(dict.fromkeys(c.file for c in cited))
    shown = set(files[:limit])
    return [c for c in cited if c.file in shown], max(0, len(files) - limit)


def more_documents(count: int) -> str:
    """ " and 3 more documents" for the documents not named ("" for none)."""
    if not count:
        return ""
    return f" and {count} more document{'s' if count > 1 else ''}"


def _listed_number(line: str) -> str | None:
    """The clause number an exclusions list item ("* 7.5.11 Preservation of product") or
    table row ("Section: 7.6; Title: ...") starts with."""
    if is_table_row(line):
        return clause_maps.first_cell_number(line)
    m = _LIST_ITEM.match(line)
    return m.group(1) if m else None


def excluded_clauses(
    found: Iterable[Exclusion], catalogue: Catalogue
) -> dict[str, list[Exclusion]]:
    """ISO 9001 clause -> the exclusions that take it out of the system. Through another
    standard only when every clause of it our crosswalk bridges to that ISO 9001 clause is
    excluded (or its parent is): ISO 13485's sterile-product clause 7.5.5 is not ISO 9001's
    production control 8.5.1, which six other ISO 13485 clauses share."""
    out: dict[str, list[Exclusion]] = {}
    by_standard: dict[str, list[Exclusion]] = {}
    for e in found:
        by_standard.setdefault(e.standard, []).append(e)
    for standard, excl in by_standard.items():
        if standard == "9001":
            for e in excl:
                if e.number in catalogue:
                    out.setdefault(e.number, []).append(e)
            continue
        table = crosswalk(standard)
        if table is None:
            continue
        numbers = {e.number for e in excl}
        # clauses of the table with parts of their own: each part is bridged one by one
        umbrellas = {n for n in table.clauses for m in table.clauses if m.startswith(n + ".")}
        out_of: dict[str, bool] = {}  # ISO 9001 clause -> all of it excluded
        for e in excl:
            bridge = table.bridge(e.number)
            for bridged in bridge.iso9001 if bridge else ():
                # The clause bridged to and each of its parts, each out when every clause of
                # the other standard bridged to it, to a part of it or to what holds it is:
                # gstt-csc leaves out ISO 13485 7.6 (calibration, 7.1.5) but validates its
                # software (4.1.6, 7.1.5.1), so only 7.1.5.2 goes.
                for clause_id in [bridged, *_parts(bridged, catalogue)]:
                    if clause_id not in out_of:
                        sharing = [
                            n
                            for n, (_, ids) in table.clauses.items()
                            if any(_bears_on(i, clause_id, n in umbrellas) for i in ids)
                        ]
                        out_of[clause_id] = clause_id in catalogue and all(
                            _within(n, numbers) for n in sharing
                        )
                    if out_of[clause_id]:
                        out.setdefault(clause_id, []).append(e)
    return out


def _parts(clause_id: str, catalogue: Catalogue) -> list[str]:
    """Every sub-clause of a clause, at any depth."""
    if clause_id not in catalogue:
        return []
    found: list[str] = []
    for child in catalogue.children(clause_id):
        found += [child.id, *_parts(child.id, catalogue)]
    return found


def _bears_on(bridged: str, clause_id: str, umbrella: bool) -> bool:
    """A clause of the other standard, bridged to ISO 9001's ``bridged``, bears on
    ``clause_id``: bridged to it or to a part of it, or to what holds it unless it is an
    ``umbrella`` with parts of its own in the table (ISO 13485 7.6 holds all of 7.1.5; 7.5,
    whose parts 7.5.1 to 7.5.11 are bridged one by one, does not hold 8.5.4 beside 7.5.11)."""
    if bridged == clause_id or bridged.startswith(clause_id + "."):
        return True
    return not umbrella and clause_id.startswith(bridged + ".")


def _lineage(number: str) -> list[str]:
    """A clause number and its parents, deepest first ("8.3.2", "8.3"; a chapter alone is
    too coarse to exclude)."""
    parts = number.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 1, -1)]


def _within(number: str, numbers: set[str]) -> bool:
    """``number`` or one of its parents is among ``numbers``."""
    return any(n in numbers for n in _lineage(number))


def declared_excluded(standard: str, number: str, declared: Iterable[Exclusion]) -> list[Exclusion]:
    """The exclusions of another standard's clause as the documents number it: its own, or
    its parent's ("ISO 13485 7.5.9.2" under a declared 7.5.9)."""
    lineage = _lineage(number)
    return [e for e in declared if e.standard == standard and e.number in lineage]


def excluded_clause(clause_id: str, excluded: dict[str, list[Exclusion]]) -> list[Exclusion]:
    """The exclusions that cover a clause: its own, or its parent's (8.3 covers 8.3.2)."""
    return next((excluded[n] for n in _lineage(clause_id) if excluded.get(n)), [])
