"""Offline grader: scores a staff answer against what *our* procedures say, no LLM needed.

1. Rubric: the retriever finds the procedure passages that answer the question (the clause card
   joins the query when a clause is given); their sentences most related to the question become
   the key points, each verbatim and cited, with its concrete facts (frequency, limit, form,
   role).
2. Match: each key point is compared with every sentence of the answer by MiniLM cosine (a
   semantic match, not word overlap); a point counts fully above ``cover_high`` and not at all
   below ``cover_low``.
3. Score 0-100 = 80 % supported content (content words of the answer sentences that a
   procedure sentence near the question backs up; ``supported_terms`` of them is a full answer,
   and a sentence far from the question and every key point counts at ``aside_weight``)
   + 20 % key-point coverage. Caps: an answer that contradicts the procedure on a concrete fact
   (a frequency, number, form or role that differs from the closest procedure sentence stating
   that kind of fact), one that only echoes the question, one that is off-topic.
4. Label: good / partial / poor by two thresholds, calibrated with ``assistant eval grader``.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.core.models import Citation
from assistant.core.text import (
    HEADING_NUMBER,
    TEMPLATE_SECTION,
    is_template_guidance,
    sentences,
    terms,
)
from assistant.index.embedder import Embedder
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import Catalogue, Clause
from assistant.search.retrieval import Query, Retriever
from assistant.usecases.composer import is_reference
from assistant.usecases.interview.facts import Facts, extract, fact_clauses, role_names

LABELS = ("poor", "partial", "good")

# The label thresholds are fitted, not hand-set: `assistant eval grader --organisations
# evals/organisations.toml --refit` fits them on every organisation's labelled answers (chosen by
# cross-organisation folds, figures in docs/grader.md) and rewrites this file.
FITTED_FILE = "fitted.json"


def _fitted() -> dict[str, Any]:
    from importlib import resources

    return json.loads(
        resources.files("assistant.usecases.interview").joinpath(FITTED_FILE).read_text()
    )


_FIT = _fitted()

# Words that carry no content in an answer: saying "as required, regularly, appropriately" is
# what an echo answer does.
_VAGUE = frozenset(
    (
        "required necessary appropriate appropriately regular regularly properly correct correctly "
        "relevant usual usually normally always make sure ensure ensures process processes "
        "system systems thing things stuff someone somebody everything something done do did "
        "yes no okay ok well really just basically think know sure need needs needed "
        "certain way ways handle handled handles check checked checks follow followed"
    ).split()
)
# A document's summary says what the document is ("This SOP describes how to respond to
# feedback and complaints."), as a purpose or scope section does; in a template it also holds
# the blank process-owner and KPI fields. Neither is what an auditor listens for: a person was
# told they "missed" both (found walking through an interview on openregulatory).
_SUMMARY_SECTION = re.compile(r"^\s*" + HEADING_NUMBER + r"summary\s*$", re.IGNORECASE)
# A template's blank field ("<enter KPIs to be tracked>", "\<Software Title\>", "[insert
# name]", "____"): a word inside angle brackets, not a comparison ("<5 °C") or a line break tag.
_BLANK = re.compile(
    r"\\?<\s*(?!(?:br|p|b|i|u|em|strong|sub|sup)\s*/?\\?>)[A-Za-z][^<>\n]{1,60}\\?>"
    r"|\[\s*(?:insert|enter|add)\b|_{4,}",
    re.IGNORECASE,
)


def _not_a_point(sentence: str, passage: str) -> bool:
    """A template's blank or its instruction to the author (not what anyone does), a list's
    lead-in ("The following immediate actions should be considered:", nothing an answer can
    say), or a question (a form's or checklist's prompt, "Criterion: Is the system used in
    ...?": what to ask, not what is done; found walking through an interview on gstt-csc, where
    a software-validation template's criteria were "missed" in an answer about measuring
    instruments): never a key point an answer can be said to have missed."""
    end = sentence.rstrip().rstrip("*_").rstrip()
    return (
        end.endswith((":", "?"))
        or bool(_BLANK.search(sentence))
        or is_template_guidance(sentence, passage)
    )


_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+|\s+-\s+")
# hand-set, not measured: answer pieces with fewer content words are dropped (unless all are)
SEGMENT_MIN_TERMS = 2
# hand-set, not measured: rubrics kept in memory (one per question, clauses and index version)
RUBRIC_CACHE_SIZE = 256
# hand-set, not measured: documents whose embedded fact sentences are kept (per document version)
FACT_CACHE_SIZE = 64


@dataclass(frozen=True)
class GraderParams:
    """Every grading threshold, each above with the measurement that chose it (figures in
    docs/grader.md, "Where each grader parameter comes from"). "hand-set, not measured": set
    with the first grader (commit 159e4d6) and never measured on its own; that grader as a
    whole scored sample accuracy 0.867, pairwise 0.875."""

    # From the settings, their one source (provenance there: assistant/core/settings.py): a
    # named clause's card weight beside the question, and the closeness below which no
    # procedure covers the question (measured for ask's "not covered", not for grading).
    card_weight: float
    no_evidence_similarity: float
    # hand-set, not measured
    key_points: int = 5  # at most this many key points per question
    # hand-set, not measured
    point_ratio: float = 0.8  # keep points at least this share of the best point's relevance
    # hand-set, not measured
    point_question_weight: float = 0.5  # a candidate's relevance: its cosine to the question
    # hand-set, not measured
    point_passage_weight: float = 0.5  # ... plus this times its passage's cosine to the topic
    # hand-set, not measured
    min_point_chars: int = 30  # shorter sentences of the passages are not key-point candidates
    # hand-set, not measured
    cover_low: float = 0.3  # cosine at which a point starts to count
    # hand-set, not measured
    cover_high: float = 0.6  # cosine at which it counts fully
    # hand-set, not measured
    covered_credit: float = 0.5  # a point with this much credit is "covered" in the feedback
    # hand-set, not measured
    coverage_weight: float = 0.2  # share of the score from covering the key points
    # hand-set, not measured
    support_similarity: float = 0.45  # an answer sentence this close to the procedure is backed
    # hand-set, not measured
    supported_terms: int = 30  # backed content words that make a full answer
    # plateau 0.31-0.34 (same sample figures), commit 17f0d99; docs/grader.md "first calibration"
    relevance_similarity: float = 0.33  # a sentence this close to a key point or the question
    # plateau 0.3-0.6 (same sample figures), commit 17f0d99; docs/grader.md "first calibration"
    aside_weight: float = 0.5  # ... is on the question; one further away counts at this weight
    # hand-set, not measured
    contradiction_similarity: float = 0.45  # an answer sentence this close talks about the same
    # not measured alone: 0.1 -> 0.07 in commit 35d52ec, whose whole change gave acc .867 -> .900
    contradiction_margin: float = 0.07  # ... and beats any sentence stating the answer's value
    # not measured alone: added in commit 35d52ec, whose whole change gave acc .867 -> .900
    contradiction_backing: float = 0.5  # ... none of which is this close (then it is backed)
    # on a plateau (range not recorded), commit 17f0d99; docs/grader.md "first calibration"
    contradiction_clear_margin: float = 0.15  # ... or beats them all by this much
    # hand-set, not measured
    frequency_tolerance: float = 0.1  # frequencies within this share of the larger are the same
    # hand-set, not measured (--refit keeps the fitted partial threshold above it)
    contradiction_cap: int = 25
    # hand-set, not measured
    echo_novel_terms: int = 3  # an answer adding no more than this many new words is an echo
    # hand-set, not measured
    echo_loose_terms: int = 10  # ... or this many, with no fact, this close to the question:
    # hand-set, not measured
    echo_similarity: float = 0.68
    # hand-set, not measured
    echo_cap: int = 15
    # hand-set, not measured
    off_topic_similarity: float = 0.35  # no part of the answer this close to the procedures
    # hand-set, not measured
    off_topic_cap: int = 15
    # hand-set, not measured
    question_clauses: int = 2  # at most this many of a question's clauses join its rubric
    # hand-set, not measured; inert: the rubric reads the documents, which k does not limit
    search_passages: int = 5  # k for the retriever's search
    # hand-set, not measured
    key_documents: int = 2  # documents key points may come from (the best, and the next...
    # hand-set, not measured
    second_document_ratio: float = 0.85  # ... when its score is this close to the best's)
    # hand-set, not measured
    passages: int = 3  # passages of the first procedure that key points come from
    # not measured alone: added in commit 35d52ec, whose whole change gave acc .867 -> .900
    support_documents: int = 2  # procedures whose closest passages can back an answer up
    # fitted: `eval grader --organisations ... --refit` (FITTED_FILE), docs/grader.md folds table
    good: int = _FIT["good"]  # score thresholds of the labels
    # fitted with good: same command, same table
    partial: int = _FIT["partial"]


@dataclass(frozen=True)
class KeyPoint:
    text: str  # verbatim from the cited passage
    citation: Citation
    weight: float
    facts: Facts
    vector: np.ndarray = field(repr=False, compare=False)


@dataclass
class Rubric:
    question: str
    clauses: list[Clause]
    points: list[KeyPoint]
    roles: set[str]  # job titles used in the cited documents (for spotting them in answers)
    document_facts: Facts  # forms and roles anywhere in the cited documents
    question_vector: np.ndarray = field(repr=False)
    support: np.ndarray | None = field(default=None, repr=False)  # vectors of nearby sentences
    fact_sentences: list[tuple[str, Citation, Facts]] = field(default_factory=list)
    fact_vectors: np.ndarray | None = field(default=None, repr=False)
    from_procedures: bool = True  # False: nothing in the procedures answers it; card only

    @property
    def records(self) -> list[str]:
        return sorted({f for p in self.points for f in p.facts.forms})


@dataclass
class PointResult:
    point: KeyPoint
    similarity: float
    credit: float
    matched: str  # the part of the answer that matched it best
    covered_credit: float  # GraderParams.covered_credit

    @property
    def covered(self) -> bool:
        return self.credit >= self.covered_credit


@dataclass(frozen=True)
class Contradiction:
    kind: str  # frequency | quantity | form | role
    said: str  # the answer's sentence
    point: KeyPoint

    def explain(self) -> str:
        return (
            f'You said: "{self.said}" but your procedure says: "{self.point.text}" '
            f"({self.point.citation.label()})"
        )


@dataclass
class Grade:
    question: str
    answer: str
    score: int
    label: str
    points: list[PointResult]
    records_named: list[str]
    roles_named: list[str]
    contradictions: list[Contradiction]
    echo: bool
    off_topic: bool
    rubric: Rubric = field(repr=False)
    coaching: str = ""  # the optional LLM's verified feedback, with citations
    coaching_notice: str = ""

    @property
    def echo_message(self) -> str:
        """What an echo answer is told. An answer that adds nothing may repeat the question's
        words, or only say it is handled ("We follow the SOP and the quality manager handles
        it"): told it repeats the question, that person would look for the repeat in vain."""
        if not self.echo:
            return ""
        own = terms(self.answer) - _VAGUE
        if own and len(own & terms(self.question)) * 2 >= len(own):
            return "Your answer repeats the question: say what you actually do."
        return (
            "Your answer is too general to check: say what you actually do, who does it and "
            "what record shows it."
        )

    @property
    def covered(self) -> list[PointResult]:
        return [p for p in self.points if p.covered]

    @property
    def missed(self) -> list[PointResult]:
        return [p for p in self.points if not p.covered]

    @property
    def says(self) -> str:
        """Whose words a missed point is: the procedure's, or, when no procedure covers the
        question, our summary of the clause ("your procedure says" over a clause summary told
        a person their procedure said what it does not: found walking through gstt-csc)."""
        return "your procedure says" if self.rubric.from_procedures else "ISO 9001 asks"

    @property
    def model_answer_from(self) -> str:
        return "our procedures" if self.rubric.from_procedures else "the clause summary"

    @property
    def model_answer(self) -> str:
        """The key points in procedure order, quoted with their citations."""
        pts = sorted(self.rubric.points, key=lambda p: (p.citation.file, p.citation.heading))
        return "\n".join(f'"{p.text}" ({p.citation.label()})' for p in pts)

    def feedback(self) -> list[str]:
        """Plain sentences for the person: what was wrong, what was missing, with citations."""
        out = []
        if self.echo:
            out.append(self.echo_message)
        if self.off_topic:
            out.append("Your answer does not address what was asked.")
        out += [c.explain() for c in self.contradictions]
        if not self.rubric.from_procedures:
            out.append(
                "None of the indexed procedures covers this; graded against the clause summary."
            )
        for p in self.missed:
            out.append(f'Missing: {self.says} "{p.point.text}" ({p.point.citation.label()})')
        missing_records = [r for r in self.rubric.records if r not in self.records_named]
        if missing_records:
            out.append(f"Name the record an auditor would sample: {', '.join(missing_records)}.")
        return out

    def to_dict(self) -> dict[str, Any]:
        def point(p: PointResult) -> dict[str, Any]:
            return {
                "text": p.point.text,
                "citation": p.point.citation.label(),
                "similarity": round(p.similarity, 3),
                "credit": round(p.credit, 3),
            }

        return {
            "question": self.question,
            "answer": self.answer,
            "score": self.score,
            "label": self.label,
            "covered": [point(p) for p in self.covered],
            "missed": [point(p) for p in self.missed],
            "records_expected": self.rubric.records,
            "records_named": self.records_named,
            "roles_named": self.roles_named,
            "contradictions": [
                {
                    "kind": c.kind,
                    "said": c.said,
                    "procedure": c.point.text,
                    "citation": c.point.citation.label(),
                }
                for c in self.contradictions
            ],  # fmt: skip
            "echo": self.echo,
            "off_topic": self.off_topic,
            "from_procedures": self.rubric.from_procedures,
            "feedback": self.feedback(),
            "coaching": self.coaching,
            "model_answer": self.model_answer,
        }


def answer_segments(answer: str) -> list[str]:
    """The answer's sentences, each once: an answer said again (a follow-up is graded with the
    answer before it) is not a fuller answer. Counting each word once instead (however often
    it is said) was measured too: sample accuracy 0.750 -> 0.786, but pairwise sample 0.806 ->
    0.789 and openregulatory 0.637 -> 0.625, so not kept."""
    parts = list(dict.fromkeys(s.strip(" -*\t") for s in _SPLIT.split(answer)))
    return [s for s in parts if len(terms(s)) >= SEGMENT_MIN_TERMS] or (
        [answer.strip()] if answer.strip() else []
    )


def _same_frequency(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(a, b)


def _kinds(f: Facts) -> list[tuple[str, list]]:
    """(kind, values) pairs; a quantity's kind is its unit, so days compare with days."""
    out: list[tuple[str, list]] = []
    if f.frequencies:
        out.append(("frequency", sorted(f.frequencies)))
    units: dict[str, list] = {}
    for unit, value in sorted(f.quantities):
        units.setdefault(unit, []).append((unit, value))
    out += [(f"quantity:{u}", v) for u, v in units.items()]
    if f.forms:
        out.append(("form", sorted(f.forms)))
    if f.roles:
        out.append(("role", sorted(f.roles)))
    return out


def _kinds_of(f: Facts, kind: str) -> bool:
    if kind == "frequency":
        return bool(f.frequencies)
    if kind == "form":
        return bool(f.forms)
    if kind == "role":
        return bool(f.roles)
    unit = kind.split(":", 1)[1]
    return any(u == unit for u, _ in f.quantities)


def _states(f: Facts, kind: str, value: Any, tolerance: float) -> bool:
    """The facts state ``value`` (frequencies within ``tolerance`` of it count as stated)."""
    if kind == "frequency":
        return any(_same_frequency(value, b, tolerance) for b in f.frequencies)
    if kind == "form":
        return value in f.forms
    if kind == "role":  # "medical physics quality manager" is the "quality manager"
        return any(value in r or r in value for r in f.roles)
    return value in f.quantities


def label_for(score: float, params: GraderParams) -> str:
    if score >= params.good:
        return "good"
    return "partial" if score >= params.partial else "poor"


class Grader:
    def __init__(
        self,
        retriever: Retriever,
        resolver: ClauseResolver,
        catalogue: Catalogue,
        embedder: Embedder,
        params: GraderParams,
    ) -> None:
        self.retriever = retriever
        self.resolver = resolver
        self.catalogue = catalogue
        self.embedder = embedder
        self.params = params
        self._cache: OrderedDict[tuple, Rubric] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[tuple, Future[Rubric]] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._roles: tuple[str | None, set[str]] | None = None
        self._doc_facts: dict[tuple, tuple[list, np.ndarray]] = {}

    # -- rubric -------------------------------------------------------------------------
    def rubric(self, question: str, clause_ids: tuple[str, ...] | list[str] = ()) -> Rubric:
        key = self._key(question, clause_ids)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            pending = self._pending.get(key)
        if pending is not None:
            try:
                return pending.result()
            except Exception:  # build it here instead, where the error reaches the caller
                pass
        return self._build_and_keep(key, question, list(clause_ids))

    def prepare(self, question: str, clause_ids: tuple[str, ...] | list[str] = ()) -> None:
        """Build a question's rubric in the background while the person thinks about their
        answer: the first rubric from a document takes 1-3 s (its fact sentences are embedded),
        a kept one about 40 ms."""
        key = self._key(question, clause_ids)
        with self._lock:
            if key in self._cache or key in self._pending:
                return
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="rubric")
            self._pending[key] = self._executor.submit(
                self._build_and_keep, key, question, list(clause_ids)
            )

    def _key(self, question: str, clause_ids: tuple[str, ...] | list[str]) -> tuple:
        return (question, tuple(clause_ids), self.retriever.store.manifest.get("last_ingest"))

    def _build_and_keep(self, key: tuple, question: str, clause_ids: list[str]) -> Rubric:
        try:
            rubric = self._build_rubric(question, clause_ids)
            with self._lock:
                self._cache[key] = rubric
                while len(self._cache) > RUBRIC_CACHE_SIZE:
                    self._cache.popitem(last=False)
            return rubric
        finally:
            with self._lock:
                self._pending.pop(key, None)

    def _clauses(self, question: str, clause_ids: list[str]) -> list[Clause]:
        ids = [c for c in clause_ids if c in self.catalogue]
        if not ids:
            ids = [m.clause_id for m in self.resolver.numbers(question)]
        return [self.catalogue.get(c) for c in ids[: self.params.question_clauses]]

    def _build_rubric(self, question: str, clause_ids: list[str]) -> Rubric:
        """Key points: the question picks the documents (with the clause card when a clause
        is given), then the passages of those documents closest to the question, then their
        sentences closest to it. Template sections (purpose, scope, definitions...) say what a
        procedure is, not what people do, so they give no key points."""
        p = self.params
        clauses = self._clauses(question, clause_ids)
        plain = self.resolver.strip_references(question) if clauses else question
        queries = [Query(plain)] + [
            Query(c.embedding_text(), p.card_weight, lexical=False, fixed=True) for c in clauses
        ]
        result = self.retriever.search(queries, p.search_passages, [c.id for c in clauses] or None)
        q_vec = self.embedder.encode_query(plain)
        # Passages are picked by the question and the clause together: staff-style questions
        # ("you spot a faulty part on your bench...") are far in wording from procedure text.
        topic = q_vec.copy()
        for clause in clauses:
            card = Query(clause.embedding_text(), lexical=False, fixed=True)
            topic += p.card_weight * self.retriever.vector(card)
        topic /= np.linalg.norm(topic)
        # Key points come from the best document (and the second when nearly as good); what
        # backs an answer up comes from the first few, so one ranking slip is not fatal.
        docs = result.documents[: p.support_documents]
        key_files = {
            d.file
            for d in docs[: p.key_documents]
            if d.score >= p.second_document_ratio * docs[0].score
        }
        manifest = self.retriever.store.manifest
        chunks = [c for d in docs for c in manifest.chunks_of(d.best.chunk.path)]
        stored = self.retriever.store.reader.embeddings([c.id for c in chunks])
        scored = [
            (float(stored[c.id] @ topic), c)
            for c in chunks
            if c.id in stored
            and not TEMPLATE_SECTION.match(c.heading)
            and not _SUMMARY_SECTION.match(c.heading.rsplit(" > ", 1)[-1])
        ]
        if not scored or max(s for s, _ in scored) < p.no_evidence_similarity:
            return self._card_rubric(question, clauses, q_vec)
        found = []  # (sentence, chunk, passage similarity, may be a key point, reference row)
        for n, d in enumerate(docs):
            own = sorted((x for x in scored if x[1].file == d.file), key=lambda x: -x[0])
            for rank, (chunk_sim, c) in enumerate(own[: p.passages]):
                key = d.file in key_files and rank < (p.passages if n == 0 else 1)
                # A row of a records table or a references list backs an answer up but is not
                # what an auditor listens for: "missed: F-08 retained 3 years" where the rule
                # was "check the probe before use; out of tolerance, stop and tell QA".
                found += [
                    (s, c, chunk_sim, key, key and is_reference(s, c.heading))
                    for s in sentences(c.text)
                    if len(s) >= p.min_point_chars and not _not_a_point(s, c.text)
                ]
        # ... unless the key passages are nothing else (a form): then its rows are the points.
        steps = any(key and not ref for *_, key, ref in found)
        candidates = [(s, c, sim, key and not (ref and steps)) for s, c, sim, key, ref in found]
        all_text = "\n".join(c.text for c in chunks)
        vocabulary = self.role_vocabulary()
        vectors = self.embedder.encode([x[0] for x in candidates])
        passage_sims = np.array([x[2] for x in candidates])
        relevance = (
            p.point_question_weight * (vectors @ q_vec) + p.point_passage_weight * passage_sims
        )
        relevance[[not x[3] for x in candidates]] = -1.0
        order = np.argsort(-relevance)
        best = float(relevance[order[0]])
        points = []
        for i in order[: p.key_points]:
            if relevance[i] < p.point_ratio * best:
                break
            s, c, _, _ = candidates[i]
            cit = Citation(c.file, c.heading, c.page, c.doc_no, c.title)
            points.append(
                KeyPoint(s, cit, float(relevance[i]), extract(s, vocabulary), vectors[i])
            )  # fmt: skip
        fact_sentences, fact_vectors = self._fact_sentences(docs, chunks, vocabulary)
        return Rubric(
            question,
            clauses,
            points,
            vocabulary,
            extract(all_text, vocabulary),
            q_vec,
            support=vectors,
            fact_sentences=fact_sentences,
            fact_vectors=fact_vectors,
        )

    def _fact_sentences(self, docs, chunks, vocabulary):
        """Every sentence of the cited documents that states a concrete fact, embedded once
        per document version: what an answer's facts are checked against."""
        out: list[tuple[str, Citation, Facts]] = []
        vecs = []
        for d in docs:
            own = [c for c in chunks if c.file == d.file]
            key = (d.file, tuple(c.id for c in own))
            with self._lock:
                cached = self._doc_facts.get(key)
            if cached is None:
                rows = []
                for c in own:
                    cit = Citation(c.file, c.heading, c.page, c.doc_no, c.title)
                    for s in sentences(c.text):
                        f = extract(s, vocabulary, bare_numbers=True)
                        if f.frequencies or f.quantities or f.forms or f.roles:
                            rows.append((s, cit, f))
                v = self.embedder.encode([r[0] for r in rows])
                cached = (rows, v)
                with self._lock:
                    self._doc_facts[key] = cached
                    while len(self._doc_facts) > FACT_CACHE_SIZE:
                        self._doc_facts.pop(next(iter(self._doc_facts)))
            out += cached[0]
            vecs.append(cached[1])
        return out, (np.concatenate(vecs) if vecs else None)

    def role_vocabulary(self) -> set[str]:
        """Job titles used anywhere in the indexed documents (rebuilt after each ingest)."""
        key = self.retriever.store.manifest.get("last_ingest")
        if self._roles is None or self._roles[0] != key:
            text = "\n".join(c.text for c in self.retriever.store.manifest.all_chunks())
            self._roles = (key, role_names(text))
        return self._roles[1]

    def _card_rubric(self, question: str, clauses: list[Clause], q_vec: np.ndarray) -> Rubric:
        """Nothing in the procedures answers it: grade against the clause card, if any."""
        texts = [(s, c) for c in clauses for s in sentences(c.requires)]
        points = []
        if texts:
            vectors = self.embedder.encode([s for s, _ in texts])
            for (s, c), v in zip(texts, vectors, strict=True):
                cit = Citation(f"clause {c.id}", c.title, None)
                points.append(KeyPoint(s, cit, 1.0, Facts(), v))
        # No procedure sentence backs an answer here: the card's own sentences do.
        support = np.stack([k.vector for k in points]) if points else None
        return Rubric(
            question, clauses, points, set(), Facts(), q_vec, support=support, from_procedures=False
        )

    # -- grading ------------------------------------------------------------------------
    def grade(
        self,
        question: str,
        answer: str,
        clause_ids: tuple[str, ...] | list[str] = (),
        rubric: Rubric | None = None,
    ) -> Grade:
        p = self.params
        rubric = rubric or self.rubric(question, clause_ids)
        segments = answer_segments(answer)
        if not segments or not rubric.points:
            return Grade(question, answer, 0, "poor",
                         [PointResult(k, 0.0, 0.0, "", p.covered_credit) for k in rubric.points],
                         [], [], [], False, not segments, rubric)  # fmt: skip
        seg_vecs = self.embedder.encode(segments + [answer])
        kp_vecs = np.stack([k.vector for k in rubric.points])
        sim = kp_vecs @ seg_vecs.T  # points x segments (+ whole answer last)
        answer_facts = extract(answer, rubric.roles)

        results = []
        for i, k in enumerate(rubric.points):
            j = int(np.argmax(sim[i]))
            s = float(sim[i, j])
            credit = min(1.0, max(0.0, (s - p.cover_low) / (p.cover_high - p.cover_low)))
            results.append(PointResult(k, s, credit, (segments + [answer])[j], p.covered_credit))
        weights = np.array([k.weight for k in rubric.points])
        coverage = float(np.dot(weights, [r.credit for r in results]) / weights.sum())

        # Supported content: the words of every answer sentence that a procedure sentence near
        # the question backs up. Good answers say more of what the procedure says.
        support = [m for m in (rubric.support, rubric.fact_vectors) if m is not None]
        backing = (np.concatenate(support) @ seg_vecs[:-1].T).max(axis=0)
        # A true sentence about a neighbouring process (final test when asked about first-off
        # inspection) is backed too, but answers a different question: it counts for less.
        relevance = np.maximum(sim[:, :-1].max(axis=0), seg_vecs[:-1] @ rubric.question_vector)
        supported = sum(
            len(terms(seg)) * (1.0 if r >= p.relevance_similarity else p.aside_weight)
            for seg, b, r in zip(segments, backing, relevance, strict=True)
            if b >= p.support_similarity
        )
        score = 100 * min(
            1.0,
            (1 - p.coverage_weight) * supported / p.supported_terms + p.coverage_weight * coverage,
        )
        contradictions = self._contradictions(rubric, segments)
        closeness = float(seg_vecs[-1] @ rubric.question_vector)
        echo = self._is_echo(question, answer, closeness, answer_facts)
        off_topic = float(backing.max()) < p.off_topic_similarity
        if contradictions:
            score = min(score, p.contradiction_cap)
        if echo:
            score = min(score, p.echo_cap)
        if off_topic:
            score = min(score, p.off_topic_cap)
        score = int(round(score))
        return Grade(
            question,
            answer,
            score,
            label_for(score, p),
            results,
            sorted(answer_facts.forms & rubric.document_facts.forms),
            sorted(answer_facts.roles),
            contradictions,
            echo,
            off_topic,
            rubric,
        )

    def _contradictions(self, rubric: Rubric, segments: list[str]) -> list[Contradiction]:
        """Each fact the answer states (a frequency, quantity, form or role) is set against
        the procedure sentences stating a fact of the same kind. When the closest of them is
        close enough to be about the same thing, states a different value, and clearly beats
        every sentence that does state the answer's value, the answer contradicts it."""
        if rubric.fact_vectors is None or not len(rubric.fact_sentences):
            return []
        pieces = [
            (seg, part, f)
            for seg in segments
            for part in fact_clauses(seg)
            if (f := extract(part, rubric.roles))
        ]
        if not pieces:
            return []
        sims = self.embedder.encode([part for _, part, _ in pieces]) @ rubric.fact_vectors.T
        p = self.params
        tolerance = p.frequency_tolerance
        # Only the procedure the key points come from can be contradicted; a neighbouring one
        # (final test's daily check beside calibration's monthly one) can only back a value up.
        key_files = {k.citation.file for k in rubric.points}
        # A bare number (no unit) the procedure itself states somewhere is a real figure of
        # it: naming it is never a contradiction just because the nearest sentence holds
        # another bare number (a section number, a clock time): "between 5.1 and 8" beside
        # "5.5.2 The Shift Supervisor ...". Numbers with a unit, forms and frequencies keep
        # the closest-sentence test: a wrong form or retention period is often one the
        # procedure states for something else.
        stated = [f for _, cit, f in rubric.fact_sentences if cit.file in key_files]
        out: list[Contradiction] = []
        for (seg, _, said), row in zip(pieces, sims, strict=True):
            for kind, values in _kinds(said):
                holders = [i for i, (_, _, f) in enumerate(rubric.fact_sentences)
                           if _kinds_of(f, kind)]  # fmt: skip
                own = [i for i in holders if rubric.fact_sentences[i][1].file in key_files]
                if not own:
                    continue
                top = max(own, key=lambda i: row[i])
                if row[top] < p.contradiction_similarity:
                    continue
                for value in values:
                    if _states(rubric.fact_sentences[top][2], kind, value, tolerance):
                        continue
                    if kind == "form" and value not in rubric.document_facts.forms:
                        continue  # another document's form: off the subject, not contradicting
                    if kind == "quantity:number" and any(
                        _states(f, kind, value, tolerance) for f in stated
                    ):
                        continue
                    support = [
                        row[i]
                        for i in holders
                        if _states(rubric.fact_sentences[i][2], kind, value, tolerance)
                    ]
                    backed = max(support, default=-1.0)
                    if (
                        backed < p.contradiction_backing
                        and backed <= row[top] - p.contradiction_margin
                    ) or (
                        kind not in ("form", "role")  # values spread over many sentences
                        and backed <= row[top] - p.contradiction_clear_margin
                    ):
                        text, cit, f = rubric.fact_sentences[top]
                        point = KeyPoint(text, cit, 0.0, f, np.zeros(0))
                        if all(c.said != seg or c.kind != kind for c in out):
                            out.append(Contradiction(kind, seg, point))
                        break
        return out

    def _is_echo(self, question: str, answer: str, closeness: float, facts: Facts) -> bool:
        """Says nothing the question did not: almost no new words, or few new words, no
        concrete fact, and closer to the question than an answer usually is."""
        novel = len(terms(answer) - terms(question) - _VAGUE)
        p = self.params
        return novel <= p.echo_novel_terms or (
            novel <= p.echo_loose_terms and closeness >= p.echo_similarity and not facts
        )
