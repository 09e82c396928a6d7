"""Compose an offline answer (no language model) from resolved clauses and retrieved evidence.

- clause question: what ISO 9001 asks (our clause card), then how we meet it: the top
  procedures, each with 1-3 sentences quoted verbatim, cited, and the forms and roles named there
  (what people do, the steps and responsibilities, before record tables and reference lists);
- plain question: a short answer first (the one or two sentences or table rows that best answer
  it, quoted verbatim and cited), then the passages they come from, the rest as more sources;
- weak evidence: say plainly that the procedures do not appear to cover it (for a clause: a
  possible gap) and name the closest documents.
Every quote is checked to be a verbatim slice of the passage it cites before it is kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from assistant.core.models import HEADING_SEP, Citation, Evidence
from assistant.core.text import (
    FORM,
    HEADING_NUMBER,
    POINTING_BACK,
    ROLE,
    TEMPLATE_SECTION,
    asks_about_policy,
    is_policy_section,
    is_template_guidance,
    sentences,
    terms,
    unescaped,
)
from assistant.documents.text import is_table_row, row_values, rows_of_tables
from assistant.search.clause_resolver import ClauseMatch
from assistant.search.clauses import Clause
from assistant.search.retrieval import DocumentHit
from assistant.usecases.lead_choice import Candidate, LeadModel, features

# Quote ranking ("how we meet it"). All hand-set with the first answers (commit 38e1224), never
# measured: `assistant eval retrieval` ranks documents, not the sentences quoted from them.
# hand-set, not measured: shorter sentences are not quoted (a fragment says little alone)
MIN_QUOTE_CHARS = 40
# hand-set, not measured: sentences quoted per procedure, at most
QUOTES_PER_PROCEDURE = 3
# hand-set, not measured: a procedure's best passages that quotes come from (3, not 2: with
# quotes per passage capped, the third lets a step follow two responsibilities)
QUOTE_PASSAGES = 3
# hand-set, not measured: quotes from any one passage, at most (three lines of one list say
# less than two of it and a step from elsewhere)
QUOTES_PER_PASSAGE = 2
# hand-set, not measured: a clause card's words count at this share of the question's
CARD_TERM_WEIGHT = 0.5
# hand-set, not measured: added per concrete cue in a sentence (a number, a form, a role)
CONCRETE_BONUS = 0.3
# hand-set, not measured: taken off per sentence before it in its passage
POSITION_PENALTY = 0.02
# hand-set, not measured: taken off per passage ranked above its passage
PASSAGE_RANK_PENALTY = 0.5
# hand-set, not measured: added to a sentence that says what someone does (a numbered step, a
# sentence of a procedure or responsibilities section, a role followed by a verb)
STEP_BONUS = 0.5
# hand-set, not measured: taken off a row of a records table or a line of a references list (a
# form number and where it is kept says little about how a clause is met)
REFERENCE_PENALTY = 1.5
# hand-set, not measured: sentences in the short answer to a plain question, at most
LEAD_SENTENCES = 2
# hand-set, not measured: the second sentence joins the short answer only when it scores at
# least this share of the first (a weak second sentence dilutes the answer)
LEAD_SECOND_SHARE = 0.6
# The leading document's sentences are chosen for the short answer by their closeness to the
# question (the cosine of their MiniLM vectors), when the ask use case gives it (``Closeness``);
# shared words, concrete cues and position only break ties: a cosine 0.01 higher outweighs two
# shared words. Measured with scripts/answer_sentences_eval.py (evals/answer-sentences: 16
# questions per organisation, each with the sentence that answers it, written by helpers;
# docs/retrieval.md): by shared words the short answer held that sentence for 3 / 3 / 5 / 6
# (sample / gstt-csc / openregulatory / fernhill); the cosine at weight 16 gave 3 / 6 / 7 / 8,
# at 50 to 1000 5 / 6-7 / 7 / 10 (the sample, the tuning organisation, flat from 100 up): 200,
# the plateau's middle. Which document is quoted does not change (lead_quotes_eval.py: every
# count the same); about 55 ms a question (median; 130 ms p95) when the short answer is shown.
# Since stop 38 the short answer is chosen by a fitted scorer when one is shipped
# (usecases/lead_choice.py, ``Answer.lead_model``: 89 against 68 of 224 first sentences
# answering, organisations left out in turn); this weight still chooses the procedures' quotes
# and the short answer of an Answer made without the model.
# A plain question's procedure quotes are chosen the same way (stop 27): a procedure quote held
# the answer for 26 -> 37 of 64 and, on the held-out labels, 25 -> 36 (every organisation up).
CLOSENESS_WEIGHT = 200.0
# With closeness, the second sentence joins the short answer when its cosine is within this of
# the first's. The share rule above, on the cosine's scale, let a second sentence into 59 of the
# 64 short answers (38 by shared words). Margins 0 / 0.02 / 0.05 / 0.1 / 0.2: the answering
# sentence shown 21 / 21 / 23 / 27 / 29 times of 64, a second sentence in 0 / 13 / 27 / 47 / 59;
# 0.05, the widest with fewer second sentences than by shared words (the first alone: 15 -> 21).
LEAD_SECOND_COSINE = 0.05
# The cosines of sentences to the question, in order.
Closeness = Callable[[Sequence[str]], np.ndarray]
# hand-set, not measured: a longer "sentence" (a PDF table run together) is not a short answer;
# it is quoted only when nothing shorter answers
MAX_LEAD_CHARS = 300
# hand-set, not measured: passages shown under the short answer before "More sources"
LEAD_SOURCES = 2
# a lead-in quoted with its list stops adding items at this length: the short answer's limit,
# so that a list does not push its lead-in out of the short answer
MAX_LIST_QUOTE_CHARS = MAX_LEAD_CHARS

# A line that is a list item: a bullet, or a number or letter with a dot or bracket, perhaps
# inside a quote block. Not documents/sections._ITEM, the rule for lines never joined to the one
# before: it also counts a bare quote line ("> Add all your tools ..."), and with it 9 of the 317
# indexed lead-ins took a template's instruction for their list.
_LIST_ITEM = re.compile(r"^[ \t>]*(?:[-*+\u2022]|\d{1,2}[.)]|[a-z][.)])[ \t]+\S")

# A role named in full: the shared ROLE pattern starts at a capitalised word, so "QA Manager"
# came out as "Manager" and "HR & Training Coordinator" as "Training Coordinator". An acronym
# ("QA ") or a word joined by "&" in front belongs to the role. (Kept here, not in core.text:
# ROLE there also feeds the interview grader, whose figures were measured with it.)
ROLE_NAME = re.compile(r"(?:\b(?:[A-Z]{2,5}(?: &)?|[A-Z][a-z]+ &) )?" + ROLE.pattern)
# A role followed by what it does: "The Quality Manager grades ...", "Stores Supervisor: controls
# ...". A table cell after the role ("Warehouse Manager: A") is not a verb.
_ROLE_DOES = re.compile(
    ROLE_NAME.pattern + r"(?:\s+(?:and|or)\s+" + ROLE_NAME.pattern + r")?\s*[:,]?\s+"
    r"(?:(?:then|also|must|shall|will|may|can|should)\s+)?[a-z]{3,}"
)
# "5.2.3 ...", "1. ...", "2) ...": a numbered step.
_NUMBERED_STEP = re.compile(r"^\s*(?:\d+(?:\.\d+)+\.?|\d+[.)])\s+\S")
# Top-level sections that say what people do.
_STEPS_SECTION = re.compile(
    r"^\s*" + HEADING_NUMBER + r"(?:procedure|method|process|instructions?|"
    r"responsibilit(?:y|ies)|roles|activities|steps|work instructions?)\b",
    re.IGNORECASE,
)
# Top-level sections that list records, forms or other documents.
_REFERENCE_SECTION = re.compile(
    r"^\s*" + HEADING_NUMBER + r"(?:(?:quality\s+)?records?|forms?|references?|"
    r"related documents|associated documents|supporting documents|documentation|appendix|"
    r"annex|(?:clause\s+)?cross[- ]reference)\b",
    re.IGNORECASE,
)
_DOC_NUMBER = re.compile(r"\b[A-Z]{1,5}(?:-[A-Z]{1,5})*-\d{1,4}\b")


@dataclass(frozen=True)
class Quote:
    text: str
    citation: Citation
    passage: str = ""  # the whole passage it was quoted from, to show it in context


def _quote_dict(q: Quote) -> dict[str, Any]:
    return {
        "text": q.text,
        "file": q.citation.file,
        "citation": q.citation.label(),
        "heading": q.citation.heading,
        "page": q.citation.page,
    }


@dataclass
class ProcedureAnswer:
    """One procedure in "how we meet it"."""

    file: str
    doc_no: str
    title: str
    revision: str
    score: float
    cites_clause: bool
    records: list[str]
    roles: list[str]
    # What its quotes are chosen from and by: its best passages, the question's words and the
    # clause card's, and (a plain question's) how close each sentence is to the question.
    passages: list[Evidence] = field(default_factory=list, repr=False)
    asked: set[str] = field(default_factory=set, repr=False)
    card: set[str] = field(default_factory=set, repr=False)
    closeness: Closeness | None = field(default=None, repr=False, compare=False)

    @property
    def heading(self) -> str:
        return document_label(self.doc_no, self.title, self.file)

    @cached_property  # worked out when first shown, not by every ask (bench/ask_latency.py)
    def quotes(self) -> list[Quote]:
        """1-3 sentences of its best passages, verbatim and cited: what people do before what
        is filed where; for a plain question those closest in meaning to it first
        (CLOSENESS_WEIGHT); its first sentence when none shares a word with the question."""
        return self._chosen(self.closeness)

    @cached_property
    def quoted_by_words(self) -> list[Quote]:
        """Its quotes as chosen by shared words alone, with no sentence embedded: what a
        conversation counts as discussed (usecases/conversation.py) was measured with these,
        and choosing by meaning there cost 300-400 ms a turn (p95) for nothing it uses."""
        return self._chosen(None) if self.closeness is not None else self.quotes

    def _chosen(self, closeness: Closeness | None) -> list[Quote]:
        if not self.passages:
            return []
        top = self.passages[0]
        chosen = best_sentences(
            self.passages, self.asked, self.card, steps=True, closeness=closeness
        )
        text = top.chunk.text
        first = [s for s in sentences(text) if not is_template_guidance(s, text)]
        return chosen or [Quote(s, top.citation, text) for s in first[:1]]


def document_label(doc_no: str, title: str, file: str) -> str:
    """'QP-05 Calibration ...' once, whether or not the title repeats the number; the file
    name when a document has neither."""
    # Markdown's "\<Software Title\>" reads "<Software Title>"
    title = unescaped(title)
    if not doc_no or title.startswith(doc_no):
        return title or file
    return f"{doc_no} {title}".strip()


@dataclass
class Answer:
    question: str
    mode: str  # "clause" | "plain"
    clause_matches: list[ClauseMatch] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    procedures: list[ProcedureAnswer] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    no_evidence: bool = False
    similarity: float = 0.0
    message: str = ""
    ranked_files: list[str] = field(default_factory=list)  # every document, best first
    prose: str = ""  # the optional LLM's verified rewrite ("" when off or unusable)
    llm_notice: str = ""  # why the LLM text is missing or shortened
    llm_dropped: list[str] = field(default_factory=list)
    # "ISO 13485:2016 8.3 (...) is met through ISO 9001:2015 8.7 ...": how another standard's
    # clause in the question was answered.
    bridges: list[str] = field(default_factory=list)
    # Not covered: the closest documents by number and title, and the other management-system
    # standard the question's topic belongs to ("ISO 14001"; "" for none).
    closest: list[str] = field(default_factory=list)
    other_standard: str = ""
    # A follow-up's continued topic (the earlier question): its words help choose the short
    # answer's sentences beside the follow-up's own ("they" in "how often are they
    # re-evaluated?" are the suppliers of the turn before).
    context: str = ""
    # A plain question's "not covered" signals and the model's probability (usecases/
    # not_covered.py); empty for a clause question. Kept for evaluation and refitting.
    signals: dict[str, float | str] = field(default_factory=dict)
    # Which rule said "not covered" ("unknown standard", "topic named nowhere", "gap" for a
    # clause question, "not covered" for the model or cosine line); "" when answered.
    decided_by: str = ""
    # Answered, but the fitted model gives a fair chance that the documents do not answer it
    # (usecases/not_covered.py, the caution band): said above the answer, which is still shown.
    caution: str = ""
    # A clause question on a clause the documents declare excluded (search/exclusions.py): the
    # sentences or rows that say so, quoted (the answer is then "excluded", not "how we meet it")
    excluded: list[Quote] = field(default_factory=list)
    # ... and the sentences or rows of other documents that cite it all the same (a procedure
    # listing the excluded ISO 13485 7.6 among its references): what an auditor asks about next
    cited_anyway: list[Quote] = field(default_factory=list)
    # "Led by QP-04 ...: it was marked as answering a question like this one (...)": the
    # organisation's own label that put the leading document first (usecases/own_labels.py)
    label_lead: str = ""
    # How close each of some sentences is to the question (given by the ask use case): chooses
    # the short answer's sentences. None: by shared words alone (an Answer made by hand).
    closeness: Closeness | None = field(default=None, repr=False, compare=False)
    # Each document's passages among the search's candidates, best first (the ask use case's;
    # empty for an Answer made by hand): the short answer reads the leading document's best
    # ``lead_model.passages``, not only the one or two of it in ``evidence``.
    passages_by_file: dict[str, list[Evidence]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # The fitted scorer of the short answer's sentences (usecases/lead_choice.py); None: the
    # hand-set one (cosine at CLOSENESS_WEIGHT, shared words, cues).
    lead_model: LeadModel | None = field(default=None, repr=False, compare=False)

    def shown_under_caution(self, caution: str) -> None:
        """A refusal taken back: the passages found are shown as the closest the procedures
        come, under ``caution`` (a follow-up refused only because the topic it continued pulled
        the search away from words that are answered on their own: usecases/conversation.py)."""
        self.no_evidence, self.decided_by, self.message = False, "", ""
        self.closest, self.other_standard, self.caution = [], "", caution
        self.__dict__.pop("lead", None)  # the short answer is worked out again, now it is shown

    @property
    def lead_heading(self) -> str:
        """What the short answer is called: an answer the model doubts is not presented as
        the answer, only as the closest the procedures come."""
        if self.caution:
            return "Closest passages in our procedures"
        return "Answer from our procedures"

    @cached_property  # the page redraws every turn on each rerun: work it out once
    def lead(self) -> list[Quote]:
        """A plain question's short answer: the one or two sentences of the leading
        document's passages that best answer it, verbatim and cited (none for a clause question
        or when nothing answers); of every passage's only when none of the leading document's
        (its quality policy aside) shares a word with the question. Read once the answer is
        complete (the ask use case decides ``no_evidence`` and the documents' order first).
        Quoting the leading document, not the best-worded sentence of any passage, was measured
        (scripts/lead_quotes_eval.py, docs/retrieval.md "The short answer quotes the leading
        document"): the ranking knows better than shared words which document answers."""
        return self.lead_by(self.lead_model)

    def lead_by(self, model: LeadModel | None) -> list[Quote]:
        """The short answer as ``model`` chooses it (None: the hand-set scorer), worked out
        anew: ``lead`` is the shipped model's, kept; a fit compares models on one answer."""
        if self.mode != "plain" or self.no_evidence:
            return []
        leading = self.leading_file
        return lead_quotes(
            self.question,
            self.evidence,
            self.context,
            leading,
            self.closeness,
            model,
            self.passages_by_file.get(leading, []),
        )

    @property
    def leading_file(self) -> str:
        """The first document in the answer's ranking that has passages here (the first
        passage's for an answer made without a ranking; "" without passages)."""
        found = {e.chunk.file for e in self.evidence}
        return next((f for f in self.ranked_files if f in found), "") or (
            self.evidence[0].chunk.file if self.evidence else ""
        )

    def sources(self) -> tuple[list[Evidence], list[Evidence]]:
        """The passages shown under the short answer (those it quotes, else the best one or
        two) and the rest, for "More sources"; both in ranked order. A quoted passage of the
        leading document that the answer's own passages do not hold (the fitted scorer reads
        more of it) is shown too: a quote is always shown in its context."""
        quoted = {q.passage for q in self.lead}
        own = {e.chunk.id for e in self.evidence}
        more = [
            e for e in self.passages_by_file.get(self.leading_file, []) if e.chunk.id not in own
        ]
        first = [e for e in self.evidence + more if e.chunk.text in quoted][:LEAD_SOURCES]
        first = first or self.evidence[:LEAD_SOURCES]
        return first, [e for e in self.evidence if e not in first]

    def to_dict(self) -> dict[str, Any]:
        conf = {m.clause_id: m for m in self.clause_matches}
        return {
            "question": self.question,
            "mode": self.mode,
            "no_evidence": self.no_evidence,
            "possible_gap": self.no_evidence and self.mode == "clause" and not self.excluded,
            "excluded": [_quote_dict(q) for q in self.excluded],
            "message": self.message,
            "prose": self.prose,
            "llm_notice": self.llm_notice,
            "llm_dropped": self.llm_dropped,
            "bridges": self.bridges,
            "closest": self.closest,
            "other_standard": self.other_standard,
            "decided_by": self.decided_by,
            "caution": self.caution,
            "label_lead": self.label_lead,
            "signals": self.signals,
            "similarity": round(self.similarity, 4),
            "lead": [_quote_dict(q) for q in self.lead],
            "clauses": [
                {
                    **c.to_dict(),
                    "confidence": conf[c.id].confidence,
                    "matched_by": conf[c.id].reason,
                }
                for c in self.clauses
            ],
            "procedures": [
                {
                    "file": p.file,
                    "doc_no": p.doc_no,
                    "title": p.title,
                    "revision": p.revision,
                    "score": round(p.score, 5),
                    "cites_clause": p.cites_clause,
                    "quotes": [_quote_dict(q) for q in p.quotes],
                    "records": p.records,
                    "roles": p.roles,
                }
                for p in self.procedures
            ],
            "evidence": [
                {
                    "file": e.chunk.file,
                    "doc_no": e.chunk.doc_no,
                    "title": e.chunk.title,
                    "revision": e.chunk.revision,
                    "heading": e.chunk.heading,
                    "page": e.chunk.page,
                    "citation": e.citation.label(),
                    "score": round(e.score, 5),
                    "text": e.chunk.text,
                }
                for e in self.evidence
            ],
        }


def _top_heading(heading: str) -> str:
    return heading.split(HEADING_SEP, 1)[0]


def _own_heading(heading: str) -> str:
    """The passage's own section: the last of its heading path."""
    return heading.rsplit(HEADING_SEP, 1)[-1]


def is_reference(sentence: str, heading: str) -> bool:
    """A row of a records table or a line of a references list: in such a section, or a table
    row that names forms or documents and nobody doing anything."""
    if _REFERENCE_SECTION.match(_top_heading(heading)):
        return True
    names = FORM.search(sentence) or _DOC_NUMBER.search(sentence)
    return bool(names) and is_table_row(sentence) and not _ROLE_DOES.search(sentence)


def is_step(sentence: str, heading: str) -> bool:
    """Says what someone does: a numbered step, a sentence of a procedure or responsibilities
    section, or a role followed by a verb."""
    return bool(
        _NUMBERED_STEP.match(sentence)
        or _STEPS_SECTION.match(_top_heading(heading))
        or _ROLE_DOES.search(sentence)
    )


def with_its_list(sentence: str, passage: str) -> str:
    """A sentence as it is quoted. A lead-in ("The QMO is responsible for:") says little
    without its list: when list items follow it in the passage, it is quoted with them, one
    verbatim slice of at most MAX_LIST_QUOTE_CHARS (at least one item). When the list is not
    there (in a table, or the next passage), the lead-in is quoted alone, as before: it still
    names the right passage. Measured with scripts/lead_quotes_eval.py (docs/retrieval.md)."""
    if not sentence.rstrip().endswith(":"):
        return sentence
    start = passage.find(sentence)
    if start < 0:
        return sentence
    line_end = passage.find("\n", start + len(sentence))
    if line_end < 0 or passage[start + len(sentence) : line_end].strip():
        return sentence  # the last line of the passage, or more follows on its own line
    end, at = None, line_end + 1
    for line in passage[at:].split("\n"):
        if not line.strip() and end is None:  # a blank line between lead-in and list
            at += len(line) + 1
            continue
        if not _LIST_ITEM.match(line):
            break
        item_end = at + len(line.rstrip())
        if end is not None and item_end - start > MAX_LIST_QUOTE_CHARS:
            break
        end, at = item_end, at + len(line) + 1
    return passage[start:end] if end is not None else sentence


def _candidates(
    passages: list[Evidence],
    query_terms: set[str],
    extra_terms: set[str],
    extra_weight: float = CARD_TERM_WEIGHT,
) -> list[tuple[int, int, str, Evidence, float]]:
    """Every quotable sentence of the passages, in order, as (passage rank, place in its
    passage, the quote, its passage, the question's and card's words it shares, the rarer
    among these sentences the more); none when no sentence shares a word (those passages do
    not answer)."""
    candidates = [
        (rank, pos, quoted, e)
        for rank, e in enumerate(passages)
        for pos, s in enumerate(sentences(e.chunk.text))
        # a short lead-in ("Duties:") with its list is a quote; alone it is a fragment
        if len(quoted := with_its_list(s, e.chunk.text)) >= MIN_QUOTE_CHARS
    ]
    if not candidates:
        return []
    doc_freq: dict[str, int] = {}
    # A row of a table of several rows answers by its cells, not its column headers: every row
    # repeats them, so a question that matches only a header ("When is each supplier next due
    # for review?") matched every row alike and the first was quoted as if it were the answer.
    table_rows = {e.chunk.text: rows_of_tables(e.chunk.text) for e in passages}
    answering: list[set[str]] = []
    for *_, s, e in candidates:
        words = terms(s)
        answering.append(terms(row_values(s)) if s.strip() in table_rows[e.chunk.text] else words)
        for w in words:
            doc_freq[w] = doc_freq.get(w, 0) + 1
    total = len(candidates)

    def weight(w: str) -> float:
        return math.log(1 + total / doc_freq[w])

    shared = [
        sum(weight(w) for w in words & query_terms)
        + extra_weight * sum(weight(w) for w in words & extra_terms)
        for words in answering
    ]
    # A template's instruction to its author says nothing of what the organisation does: never
    # quoted (it still counts in how common each word is).
    out = [
        (rank, pos, s, e, score)
        for (rank, pos, s, e), score in zip(candidates, shared, strict=True)
        if not is_template_guidance(s, e.chunk.text)
    ]
    # Passages none of whose sentences shares a word with the question do not answer it (the
    # short answer then reads the next passages): so with closeness too.
    return out if any(score for *_, score in out) else []


def _scored(
    passages: list[Evidence],
    query_terms: set[str],
    extra_terms: set[str],
    steps: bool,
    extra_weight: float = CARD_TERM_WEIGHT,
    closeness: Closeness | None = None,
) -> list[tuple[float, str, Evidence]]:
    """Every quotable sentence that shares a word with the question or card, best first; with
    ``closeness``, every quotable sentence by its closeness to the question first (none when
    no sentence shares a word: those passages do not answer)."""
    found = _candidates(passages, query_terms, extra_terms, extra_weight)
    if not found:
        return []
    close = np.zeros(len(found))
    if closeness is not None:
        close = closeness([s for _, _, s, _, _ in found])
    scored = []
    for (rank, pos, s, e, score), near in zip(found, close, strict=True):
        if not score and closeness is None:
            continue
        score += CLOSENESS_WEIGHT * float(near)
        concrete = bool(re.search(r"\d", s)) + bool(FORM.search(s)) + bool(ROLE.search(s))
        score = (  # summed left to right, as before the constants were named
            score + CONCRETE_BONUS * concrete - POSITION_PENALTY * pos - PASSAGE_RANK_PENALTY * rank
        )
        if steps:  # "how we meet it": what people do before what is filed where
            heading = e.chunk.heading
            if is_reference(s, heading):
                score -= REFERENCE_PENALTY
            elif is_step(s, heading):
                score += STEP_BONUS
        scored.append((score, s, e))
    scored.sort(key=lambda x: -x[0])
    return scored


def _quotes(
    scored: list[tuple[float, str, Evidence]], n: int, per_passage: int | None = None
) -> list[Quote]:
    quotes: list[Quote] = []
    for _, s, e in scored:
        taken = sum(q.passage == e.chunk.text for q in quotes)
        if per_passage is not None and taken >= per_passage:
            continue
        # verbatim, or not shown; a list item already quoted under its lead-in is not again
        overlaps = any(s in q.text or q.text in s for q in quotes if q.passage == e.chunk.text)
        if s in e.chunk.text and not overlaps and all(q.text != s for q in quotes):
            quotes.append(Quote(s, e.citation, e.chunk.text))
        if len(quotes) == n:
            break
    if len(quotes) < n and per_passage is not None:  # the cap spreads quotes, never loses one
        quotes += [q for q in _quotes(scored, n) if q not in quotes][: n - len(quotes)]
    return quotes


def best_sentences(
    passages: list[Evidence],
    query_terms: set[str],
    extra_terms: set[str],
    n: int = QUOTES_PER_PROCEDURE,
    steps: bool = False,
    closeness: Closeness | None = None,
) -> list[Quote]:
    """The sentences that best answer: the question's words count fully and the clause card's
    at half weight, rarer words more; concrete sentences (numbers, forms, roles) are preferred
    and the top passage before the next. ``steps``: what people do (steps, responsibilities)
    before rows of records tables and references lists. ``closeness``: the sentences' cosines
    to the question choose first, the rest breaks ties."""
    scored = _scored(passages, query_terms, extra_terms, steps, CARD_TERM_WEIGHT, closeness)
    return _quotes(scored, n, QUOTES_PER_PASSAGE if steps else None)


# A follow-up's continued topic (``Answer.context``) in choosing its short answer: a tie-breaker
# among sentences that answer the follow-up's own words. Measured with
# scripts/lead_quotes_eval.py (follow-up turns of the conversation sets whose first quoted
# sentence is from an expected document): 0.5 and 0.25 lost one on the sample (the tuning
# organisation), 0.1 and 0.05 none; 0.05 kept because 0.1 also lost one on a held-out set (so a
# held-out set took part in this choice).
CONTEXT_TERM_WEIGHT = 0.05


def _policy_statement(e: Evidence) -> bool:
    """A passage of the quality policy's own section."""
    return is_policy_section(e.chunk.heading)


def _named_section(asked: set[str], passages: list[Evidence]) -> list[Quote]:
    """The opening of the section a question names: "What is our quality policy?" is answered
    by the policy, whose sentences ("Our customers use our gauges ...") need not repeat its
    heading's words, while another document's "awareness of the quality policy" does. A section
    is named when every word of the question is in its own heading (the last of its path; at
    least two words, as one word names too many sections); the first such passage among those
    found is quoted from its start (its first passage when it was cut into several), in its
    order, as a reader would read it."""
    if len(asked) < 2:
        return []
    named = [e for e in passages if asked <= terms(_own_heading(e.chunk.heading))]
    if not named:
        return []
    section = (named[0].chunk.file, named[0].chunk.heading)
    parts = [e for e in named if (e.chunk.file, e.chunk.heading) == section]
    first = min(parts, key=lambda e: e.chunk.ordinal)
    opening = [
        (0.0, quoted, first)
        for s in sentences(first.chunk.text)
        # a quote block's marker is the file's markup, not the policy's words
        if len(quoted := with_its_list(s, first.chunk.text).lstrip("> \t")) >= MIN_QUOTE_CHARS
        and len(quoted) <= MAX_LEAD_CHARS
        and not is_template_guidance(s, first.chunk.text)
    ]
    return _quotes(opening, LEAD_SENTENCES)


@dataclass(frozen=True)
class _LeadReading:
    """How a plain question's short answer reads the passages it may quote."""

    own: set[str]  # the question's own words
    extra: set[str]  # its context's other words (a follow-up's continued topic)
    answering: list[Evidence]  # the answer's passages that may be quoted
    first: list[Evidence]  # of those, the leading document's
    more: list[Evidence]  # the leading document's other passages among the search's candidates
    named: list[Quote]  # the opening of a section the question names, which answers first


def _reading(
    question: str,
    evidence: list[Evidence],
    context: str,
    leading: str,
    leading_passages: Sequence[Evidence],
) -> _LeadReading:
    """Passages that say what a document is are not quoted, nor the quality policy unless the
    question is about a policy."""
    own = terms(question) - set(POINTING_BACK)  # "as they arise" answers no "are they ...?"
    about_policy = asks_about_policy(question)

    def shown(e: Evidence) -> bool:
        return not TEMPLATE_SECTION.match(e.chunk.heading) and (
            about_policy or not _policy_statement(e)
        )

    answering = [e for e in evidence if shown(e)]
    return _LeadReading(
        own,
        terms(context) - own,
        answering,
        [e for e in answering if e.chunk.file == leading] if leading else [],
        [e for e in leading_passages if shown(e)],
        _named_section(own, answering),
    )


def fitted_candidates(
    question: str,
    evidence: list[Evidence],
    context: str,
    leading: str,
    leading_passages: Sequence[Evidence],
    passages: int,
) -> list[Candidate]:
    """What the fitted scorer chooses among for a plain question, as ``lead_quotes`` reads it
    (none when a named section answers, or none of the leading document's sentences shares a
    word with the question): for fitting it (scripts/fit_lead_sentences.py)."""
    r = _reading(question, evidence, context, leading, leading_passages)
    if not leading or r.named:
        return []
    return lead_candidates(r.first, r.more, r.own, r.extra, passages)


def lead_quotes(
    question: str,
    evidence: list[Evidence],
    context: str = "",
    leading: str = "",
    closeness: Closeness | None = None,
    model: LeadModel | None = None,
    leading_passages: Sequence[Evidence] = (),
) -> list[Quote]:
    """The short answer to a plain question: the one or two sentences (or table rows) of the
    answering passages that best answer it, the second only when nearly as good. Purpose and
    scope sections say what a document is, not the answer, and the quality policy says what the
    organisation means to do, not how: used only when nothing else is (the policy also when the
    question is about a policy).
    ``context``: a follow-up's continued topic, its words a tie-breaker (CONTEXT_TERM_WEIGHT).
    ``leading``: the file the answer ranks first; its answering passages are read first, the
    others only when none of its sentences shares a word with the question.
    ``closeness``: the sentences' cosines to the question, which then choose among them.
    ``model``: with ``closeness``, the fitted scorer (usecases/lead_choice.py) chooses among
    the leading document's sentences instead, read from its best ``model.passages`` of
    ``leading_passages`` (the search's candidates of it) as well as those in ``evidence``."""
    r = _reading(question, evidence, context, leading, leading_passages)
    if r.named:
        return r.named
    own, extra, answering, first = r.own, r.extra, r.answering, r.first
    if model is not None and closeness is not None and leading:
        candidates = lead_candidates(first, r.more, own, extra, model.passages)
        if candidates:
            return _fitted_lead(question, candidates, model, closeness)
    for passages in (first, answering, evidence):
        # Meaning chooses among the leading document's sentences; when none of them shares a
        # word with the question, shared words choose among the other passages, as before.
        by_meaning = closeness if passages is first else None
        scored = _scored(passages, own, extra, False, CONTEXT_TERM_WEIGHT, by_meaning)
        if scored:
            break
    scored = [x for x in scored if len(x[1]) <= MAX_LEAD_CHARS] or scored[:1]
    if not scored:
        return []
    best = scored[0][0]
    if by_meaning is not None:  # scores on the cosine's scale: "nearly as close"
        good = [x for x in scored if x[0] >= best - CLOSENESS_WEIGHT * LEAD_SECOND_COSINE]
    else:
        good = [x for x in scored if x[0] >= LEAD_SECOND_SHARE * best] if best > 0 else scored[:1]
    return _quotes(good, LEAD_SENTENCES)


def lead_candidates(
    first: list[Evidence],
    more: Sequence[Evidence],
    own: set[str],
    extra: set[str],
    passages: int,
) -> list[Candidate]:
    """The leading document's quotable sentences for the fitted scorer: from its passages in
    the answer (``first``) and its next best among the search's candidates (``more``), up to
    ``passages`` in all; none when none of them shares a word with the question (the other
    passages are read then, as without the model)."""
    ids = {e.chunk.id for e in first}
    pool = first + [e for e in more if e.chunk.id not in ids][: max(0, passages - len(first))]
    return [
        Candidate(s, e, rank, pos, score, e.chunk.id in ids)
        for rank, pos, s, e, score in _candidates(pool, own, extra, CONTEXT_TERM_WEIGHT)
    ]


def _fitted_lead(
    question: str, candidates: list[Candidate], model: LeadModel, closeness: Closeness
) -> list[Quote]:
    """The short answer chosen by the fitted scorer: the best candidate, and the second when
    its probability is at least ``model.second_share`` of the first's."""
    probability = model.probabilities(
        features(question, candidates, closeness([c.text for c in candidates]))
    )
    ranked = sorted(zip(probability, candidates, strict=True), key=lambda x: -x[0])
    ranked = [x for x in ranked if len(x[1].text) <= MAX_LEAD_CHARS] or ranked[:1]
    best = ranked[0][0]  # kept whatever the share: second_share is at most 1
    good = [(p, c.text, c.evidence) for p, c in ranked if p >= model.second_share * best]
    return _quotes(good, LEAD_SENTENCES)


def _named(pattern: re.Pattern[str], passages: list[Evidence]) -> list[str]:
    return list(
        dict.fromkeys(m.group(0).strip() for e in passages for m in pattern.finditer(e.chunk.text))
    )


def _useful(passages: list[Evidence]) -> list[Evidence]:
    return [e for e in passages if not TEMPLATE_SECTION.match(e.chunk.heading)]


def _quote_passages(passages: list[Evidence]) -> list[Evidence]:
    """A procedure's best passages to quote from: not its purpose or scope, and its steps and
    responsibilities before its records table or references list (each kept as a fallback)."""
    useful = _useful(passages)
    doing = [e for e in useful if not _REFERENCE_SECTION.match(_top_heading(e.chunk.heading))]
    return doing[:QUOTE_PASSAGES] or useful[:QUOTE_PASSAGES] or passages[:QUOTE_PASSAGES]


def procedure_answers(
    documents: list[DocumentHit],
    query: str,
    extra: str,
    limit: int,
    closeness: Closeness | None = None,
) -> list[ProcedureAnswer]:
    """The first ``limit`` documents as procedures that answer, their quotes chosen when first
    read. ``closeness``: a plain question's (a clause question's words say which clause, not
    what is done, so its quotes stay chosen by shared words and the clause card's)."""
    q_terms, x_terms = terms(query), terms(extra) - terms(query)
    out = []
    for d in documents[:limit]:
        top = _quote_passages(d.passages)
        # Forms: a records table ranked high still names them, though it is not quoted.
        listed = top + [e for e in _useful(d.passages)[:QUOTE_PASSAGES] if e not in top]
        c = d.best.chunk
        out.append(
            ProcedureAnswer(
                d.file,
                c.doc_no,
                c.title,
                c.revision,
                d.score,
                d.cites_clause,
                _named(FORM, listed),
                _named(ROLE_NAME, top),
                top,
                q_terms,
                x_terms,
                closeness,
            )
        )
    return out
