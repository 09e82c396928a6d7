"""Compose an offline answer (no language model) from resolved clauses and retrieved evidence.

- clause question: what ISO 9001 asks (our clause card), then how we meet it: the top
  procedures, each with 1-3 sentences quoted verbatim, cited, and the forms and roles named there;
- plain question: the answering passages with citations;
- weak evidence: say plainly that the procedures do not appear to cover it (for a clause: a
  possible gap) and name the closest documents.
Every quote is checked to be a verbatim slice of the passage it cites before it is kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.core.models import Citation, Evidence
from assistant.core.text import FORM, ROLE, TEMPLATE_SECTION, sentences, terms
from assistant.search.clause_resolver import ClauseMatch
from assistant.search.clauses import Clause
from assistant.search.retrieval import DocumentHit

# Quote ranking ("how we meet it"). All hand-set with the first answers (commit 38e1224), never
# measured: `assistant eval retrieval` ranks documents, not the sentences quoted from them.
# hand-set, not measured: shorter sentences are not quoted (a fragment says little alone)
MIN_QUOTE_CHARS = 40
# hand-set, not measured: sentences quoted per procedure, at most
QUOTES_PER_PROCEDURE = 3
# hand-set, not measured: a procedure's best passages that quotes come from
QUOTE_PASSAGES = 2
# hand-set, not measured: a clause card's words count at this share of the question's
CARD_TERM_WEIGHT = 0.5
# hand-set, not measured: added per concrete cue in a sentence (a number, a form, a role)
CONCRETE_BONUS = 0.3
# hand-set, not measured: taken off per sentence before it in its passage
POSITION_PENALTY = 0.02
# hand-set, not measured: taken off per passage ranked above its passage
PASSAGE_RANK_PENALTY = 0.5


@dataclass(frozen=True)
class Quote:
    text: str
    citation: Citation
    passage: str = ""  # the whole passage it was quoted from, to show it in context


@dataclass
class ProcedureAnswer:
    """One procedure in "how we meet it"."""

    file: str
    doc_no: str
    title: str
    revision: str
    score: float
    cites_clause: bool
    quotes: list[Quote]
    records: list[str]
    roles: list[str]

    @property
    def heading(self) -> str:
        """'QP-05 Calibration ...' once, whether or not the title repeats the number."""
        if not self.doc_no or self.title.startswith(self.doc_no):
            return self.title or self.file
        return f"{self.doc_no} {self.title}"


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

    def to_dict(self) -> dict[str, Any]:
        conf = {m.clause_id: m for m in self.clause_matches}
        return {
            "question": self.question,
            "mode": self.mode,
            "no_evidence": self.no_evidence,
            "possible_gap": self.no_evidence and self.mode == "clause",
            "message": self.message,
            "prose": self.prose,
            "llm_notice": self.llm_notice,
            "llm_dropped": self.llm_dropped,
            "bridges": self.bridges,
            "similarity": round(self.similarity, 4),
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
                    "quotes": [
                        {
                            "text": q.text,
                            "citation": q.citation.label(),
                            "heading": q.citation.heading,
                            "page": q.citation.page,
                        }
                        for q in p.quotes
                    ],
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


def best_sentences(
    passages: list[Evidence],
    query_terms: set[str],
    extra_terms: set[str],
    n: int = QUOTES_PER_PROCEDURE,
) -> list[Quote]:
    """The sentences that best answer: the question's words count fully and the clause card's
    at half weight, rarer words more; concrete sentences (numbers, forms, roles) are preferred
    and the top passage before the next."""
    candidates = [
        (rank, pos, s, e)
        for rank, e in enumerate(passages)
        for pos, s in enumerate(sentences(e.chunk.text))
        if len(s) >= MIN_QUOTE_CHARS
    ]
    if not candidates:
        return []
    doc_freq: dict[str, int] = {}
    bags = []
    for *_, s, _ in candidates:
        words = terms(s)
        bags.append(words)
        for w in words:
            doc_freq[w] = doc_freq.get(w, 0) + 1
    total = len(candidates)

    def weight(w: str) -> float:
        return math.log(1 + total / doc_freq[w])

    scored = []
    for (rank, pos, s, e), words in zip(candidates, bags, strict=True):
        score = sum(weight(w) for w in words & query_terms)
        score += CARD_TERM_WEIGHT * sum(weight(w) for w in words & extra_terms)
        if not score:
            continue
        concrete = bool(re.search(r"\d", s)) + bool(FORM.search(s)) + bool(ROLE.search(s))
        score = (  # summed left to right, as before the constants were named
            score + CONCRETE_BONUS * concrete - POSITION_PENALTY * pos - PASSAGE_RANK_PENALTY * rank
        )
        scored.append((score, s, e))
    scored.sort(key=lambda x: -x[0])
    quotes: list[Quote] = []
    for _, s, e in scored:
        if s in e.chunk.text and all(q.text != s for q in quotes):  # verbatim, or not shown
            quotes.append(Quote(s, e.citation, e.chunk.text))
        if len(quotes) == n:
            break
    return quotes


def _named(pattern: re.Pattern, passages: list[Evidence]) -> list[str]:
    return list(
        dict.fromkeys(m.group(0).strip() for e in passages for m in pattern.finditer(e.chunk.text))
    )


def procedure_answers(
    documents: list[DocumentHit], query: str, extra: str, limit: int
) -> list[ProcedureAnswer]:
    q_terms, x_terms = terms(query), terms(extra) - terms(query)
    out = []
    for d in documents[:limit]:
        top = [e for e in d.passages if not TEMPLATE_SECTION.match(e.chunk.heading)]
        top = top[:QUOTE_PASSAGES] or d.passages[:QUOTE_PASSAGES]
        c = d.best.chunk
        quotes = best_sentences(top, q_terms, x_terms) or [
            Quote(s, top[0].citation, top[0].chunk.text) for s in sentences(top[0].chunk.text)[:1]
        ]
        out.append(
            ProcedureAnswer(
                d.file,
                c.doc_no,
                c.title,
                c.revision,
                d.score,
                d.cites_clause,
                quotes,
                _named(FORM, top),
                _named(ROLE, top),
            )
        )
    return out
