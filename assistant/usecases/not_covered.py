"""Whether the indexed documents answer a plain question: a model fitted on labelled questions of
seven organisations, over four signals that read the question against the passages found and
against those labelled questions.

One cosine line ("best passage below 0.35: not covered") was calibrated on one corpus and did
not carry over: on questions written later by people who had not seen the system, the
documents' near-misses (a cold-chain company asked about cold-store clothing, a software team
asked about its server's updates) came close enough, and plain, answerable questions in
everyday words fell below it. The model reads four signals:

- ``similarity``: the best cosine of the question to any passage (the retriever's);
- ``word_recall``: for each word of the question that carries its subject (not a function
  word), the closest word of the lead passages as the model read both in context, averaged.
  A passage on the same general subject that never speaks of the thing asked about ("canteen",
  "first-aider", "control charts") leaves one or two of the question's words unmatched; an
  answer in other words ("logins" / "access rights") still matches them closely. On the
  labelled questions it separates answered from not answered better than the cosine does on
  every organisation (docs/retrieval.md, "A fitted not covered decision");
- ``elsewhere``: the best cosine of the question to a description, in our words, of a matter a
  quality system does not deal with (workplace safety, the environment, bribery, pay and leave),
  but the matters of a standard the organisation's documents name: an integrated system
  certified to ISO 14001 and ISO 45001 deals with spills and accidents as its own (stop 37:
  without this, two such organisations' answered questions on them were called not covered 22
  times in 86; docs/retrieval.md, "Integrated systems").

- ``precedent``: how like the question is to labelled questions of other organisations that
  their documents did not answer, against those they did: the mean cosine of its three closest
  not answered, less that of its three closest answered (``Precedents``), times the share of
  its subject words the passages leave unmatched (1 - ``word_recall``). A scenario in staff's
  words ("I dropped my micrometer, can I carry on?") reads far from every passage yet is the
  kind of question a quality system answers; "who do I ask about my payslip?" is the kind it
  does not, whatever passage is near. What other organisations' documents answered says less
  the more plainly this corpus speaks of the question's own words: every labelled question on
  the environment is unanswered, yet an integrated system's aspects procedure answers "where
  do we rate our environmental aspects?" (refused without the factor). Measured with each
  organisation left out (its questions are never among the precedents it is scored with):
  docs/retrieval.md, "Precedents". Precedents on the matters of a standard the corpus does not
  name are not read (``Precedents.read``).

A logistic model combines them; its weights are fitted with each organisation left out in turn
and kept in ``not_covered.json`` with the command that refits them
(``scripts/fit_not_covered.py``). Clause questions keep their own rule (``gap_similarity`` and
citations, in ``ask.py``).
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.core.errors import UsageError
from assistant.core.model_files import load_for_model, save_for_model
from assistant.core.models import Evidence
from assistant.core.text import FUNCTION_WORDS
from assistant.index.embedder import Embedder
from assistant.index.word_store import PASSAGE_TOKENS, WordStore
from assistant.usecases.own_labels import OwnLabels

MODEL_FILE = Path(__file__).with_name("not_covered.json")
PRECEDENTS_FILE = Path(__file__).with_name("precedents.npz")
# Chosen with the folds among 1, 3, 5 and 10 closest questions (stop 36: right on 3253, 3265,
# 3257 and 3246 of 3510 plain questions left out; 3105 without the signal).
PRECEDENT_NEIGHBOURS = 3

# Matters a quality system does not deal with, each in our own words: another management
# standard's subject, or the running of a workplace. Read only as a signal for the model
# (``elsewhere``); the table in other_standards.py names the standard in the message.
ELSEWHERE: tuple[tuple[str, str], ...] = (
    # (the standard whose matter it is, by number, "" for a workplace's own running; the
    # matter in our words)
    (
        "45001",
        "injuries and accidents to staff at work, first aid, reporting an accident or a near miss",
    ),
    ("45001", "slips, trips and falls, manual handling and heavy lifting, working at height"),
    ("45001", "fire safety, fire alarms, evacuation drills and emergency assembly points"),
    (
        "45001",
        "protecting workers from cold, heat, noise, fumes or chemicals, and the "
        "protective equipment they wear",
    ),
    (
        "45001",
        "ergonomics of desks, chairs and display screens, workplace stress, fatigue and wellbeing",
    ),
    ("14001", "waste, recycling and disposal of old equipment, packaging and consumables"),
    ("14001", "pollution, spills, emissions to air and water, refrigerant gas leaks"),
    ("14001", "environmental aspects and impacts, environmental permits, carbon footprint"),
    ("50001", "energy use, electricity and fuel consumption, energy saving"),
    (
        "27001",
        "information security: passwords, phishing emails, malware and viruses, "
        "encryption of laptops, cyber attacks",
    ),
    (
        "37001",
        "bribery and corruption, gifts, hospitality, entertainment or payments offered "
        "by suppliers or customers",
    ),
    (
        "22301",
        "business continuity: power cuts, standby generators, disaster recovery, floods, pandemics",
    ),
    ("22000", "food safety hazards, allergens, hygiene, HACCP"),
    (
        "",
        "staff pay, payroll, expense claims, holiday and leave booking, sick pay, pensions, "
        "bonuses",
    ),
    ("", "car parking, the canteen, dress code, office facilities for staff"),
    # stop 28: the company's money matters, which helpers asked about as "another regime" and
    # which the lines above did not reach (folds right 1897 -> 1915 of 2242, every organisation
    # up: docs/retrieval.md, on the company's money matters)
    (
        "",
        "company finances: accounts, financial statements, tax and VAT returns, budgets, the "
        "accountants and auditors of the accounts",
    ),
    ("", "insurance cover, invoicing customers, credit control and chasing unpaid bills"),
)
# The standards of ELSEWHERE's matters. An organisation whose documents name one of them
# (an integrated system's manual: "certified to ISO 9001, ISO 14001 and ISO 45001"; a software
# team's security procedure mapped to ISO 27001) deals with its matters as its own: for its
# questions those lines are no evidence of a matter outside its system, and precedents on them
# from organisations that dealt with them say nothing of one that does not (``declared``).
STANDARDS: tuple[str, ...] = tuple(sorted({s for s, _ in ELSEWHERE if s}))


def declared_standards(mentions: Callable[[str], bool]) -> frozenset[str]:
    """The standards of ELSEWHERE that the indexed documents name (``mentions``: the lexical
    index's, by number)."""
    return frozenset(s for s in STANDARDS if mentions(s))


# hand-set, not measured: the passages an answer leads with, read for the question's words (the
# answer quotes from these; the model was fitted with this number). The topic rule reads their
# titles and headings too (``AskService._named_nowhere``).
LEAD_PASSAGES = 3
# Each lead passage is read up to PASSAGE_TOKENS tokens, as the word store keeps them: chosen
# with the folds among 256 (the model's limit), 128 and 96 (right on 230, 232 and 225 plain
# questions left out; 128 reads a passage in about half the time of 256).
# hand-set: passages whose words in context are kept between questions (the same procedures
# come back for related questions; up to 0.2 MB each, 13 MB in all)
PASSAGE_CACHE = 64


@dataclass(frozen=True)
class Signals:
    similarity: float
    word_recall: float
    elsewhere: float
    # 0 when there are no precedents for the model in use (a test's hashing embedder): as like
    # the answered questions as the others.
    precedent: float = 0.0
    # the question is on a topic of usecases/other_standards.py that the corpus speaks of (not
    # a signal of the model: kept so the fit reads ``precedent`` as the answer did)
    topic_named: bool = False
    # the standard (of STANDARDS) whose matter the question is on, when the corpus names that
    # standard; "" otherwise (not a signal of the model: the fit keeps it with the question, as
    # its precedent's ``matter``)
    matter: str = ""

    def as_dict(self) -> dict[str, float | str]:
        return {k: v if isinstance(v, str) else round(v, 4) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class NotCoveredModel:
    """P(not covered) = logistic(intercept + sum of weight x signal); "not covered" at 0.5 or
    more (the fitted model's own boundary; no threshold of ours)."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    # Answered, but with a probability of "not covered" from here up: shown with a caution.
    # Chosen with the folds (scripts/fit_not_covered.py, ``caution_from``: the edge at which
    # the not-answered questions it marks, three times, outweigh the right answers it doubts by
    # the most); 1.0: never.
    caution_from: float = 1.0

    def probability(self, signals: Signals) -> float:
        values = asdict(signals)
        z = self.intercept + sum(
            w * float(values[f]) for f, w in zip(self.features, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))

    def not_covered(self, signals: Signals) -> bool:
        return self.probability(signals) >= 0.5

    def doubtful(self, probability: float) -> bool:
        """Answered, but the documents may well not answer it (the caution band)."""
        return self.caution_from <= probability < 0.5

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> NotCoveredModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            tuple(data["features"]),
            tuple(data["weights"]),
            float(data["intercept"]),
            float(data.get("caution_from", 1.0)),
        )


def precedent_signal(score: float, word_recall: float, topic_named: bool = False) -> float:
    """``precedent_score`` weighed by the share of the question's words left unmatched. On a
    topic this corpus speaks of (another standard's, a workplace matter, a named method, named
    in a passage or in other words in a lead passage's heading: ``AskService._spoken_of``),
    only the answered side counts: that other organisations' documents never dealt with
    "environmental aspects" says nothing of one that does."""
    if topic_named:
        score = min(score, 0.0)
    return score * (1.0 - word_recall)


def precedent_score(similarities: np.ndarray, not_answered: np.ndarray) -> float:
    """The mean of the ``PRECEDENT_NEIGHBOURS`` best cosines to questions not answered, less
    the mean of the best to questions answered; 0 when either kind has too few."""
    return float(precedent_scores(similarities[np.newaxis, :], not_answered)[0])


def precedent_scores(similarities: np.ndarray, not_answered: np.ndarray) -> np.ndarray:
    """``precedent_score`` of each row of ``similarities`` (one row per question, one column
    per example): the refit reads thousands of questions against the same examples at once."""
    k = PRECEDENT_NEIGHBOURS
    unanswered, answered = similarities[:, not_answered], similarities[:, ~not_answered]
    if unanswered.shape[1] < k or answered.shape[1] < k:
        return np.zeros(len(similarities))

    def best(cosines: np.ndarray) -> np.ndarray:
        return np.mean(np.partition(cosines, -k, axis=1)[:, -k:], axis=1)

    return best(unanswered) - best(answered)


@dataclass(frozen=True)
class Precedents:
    """The plain questions of every organisation's fitting sets, as the model reads them, and
    whether their documents answer them: the ``precedent`` signal's examples. Kept in
    ``precedents.npz`` by ``scripts/fit_not_covered.py --write`` (vectors only, no text), for
    the model they were read with: examples read by another model are not used."""

    vectors: np.ndarray  # (n, dim) float32, unit rows
    not_answered: np.ndarray  # (n,) bool
    organisations: np.ndarray  # (n,) str: whose set each came from (the fit leaves them out)
    keys: np.ndarray  # (n,) str: "set#id", so a refit from cached signals finds its rows
    model_id: str
    # (n,) str: the standard whose matter the question is on, when its organisation's
    # documents name that standard (``Signals.matter``); "" for the others
    matters: np.ndarray | None = None

    def read(
        self,
        vector: np.ndarray,
        declared: frozenset[str] = frozenset(),
        own: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> float:
        """``precedent_score`` among the examples this corpus may learn from: not those on a
        matter of a standard its documents do not name (``declared``). That an integrated
        system answered "oil is running towards the drain" says nothing of a quality system
        that never speaks of spills. ``own``: the organisation's own labelled questions
        (vectors, not answered; usecases/own_labels.py), read beside the others."""
        similarities, not_answered = self.vectors @ vector, self.not_answered
        if self.matters is not None:
            kept = readable(self.matters, declared)
            similarities, not_answered = similarities[kept], not_answered[kept]
        if own is not None:
            similarities = np.concatenate([similarities, own[0] @ vector])
            not_answered = np.concatenate([not_answered, own[1]])
        return precedent_score(similarities, not_answered)

    def without(self, organisation: str) -> Precedents:
        """These examples but one organisation's: its questions scored as a new
        organisation's would be (``assistant eval retrieval --as-new``)."""
        keep = self.organisations != organisation
        return Precedents(
            self.vectors[keep],
            self.not_answered[keep],
            self.organisations[keep],
            self.keys[keep],
            self.model_id,
            None if self.matters is None else self.matters[keep],
        )

    def save(self, path: Path = PRECEDENTS_FILE) -> None:
        save_for_model(
            path,
            self.model_id,
            codes=encoded(self.vectors),
            not_answered=self.not_answered.astype(bool),
            organisations=self.organisations.astype(str),
            keys=self.keys.astype(str),
            matters=(np.full(len(self.keys), "") if self.matters is None else self.matters).astype(
                str
            ),
        )

    @classmethod
    def load(cls, model_id: str, path: Path = PRECEDENTS_FILE) -> Precedents | None:
        """The shipped examples, or None when there are none or another model read them."""
        arrays = load_for_model(path, model_id)
        if arrays is None:
            return None
        return cls(
            decoded(arrays["codes"]),
            arrays["not_answered"].astype(bool),
            arrays["organisations"],
            arrays["keys"],
            model_id,
            arrays.get("matters"),  # none in a file written before stop 37
        )


def readable(matters: np.ndarray, declared: Iterable[str]) -> np.ndarray:
    """Which precedents a corpus naming the ``declared`` standards may read: those on no
    standard's matter, and those on one of its own standards'."""
    return np.isin(matters, ["", *declared])


def encoded(vectors: np.ndarray) -> np.ndarray:
    """Each row as int8 over its own largest value: a quarter of float32's size, and on the
    folds right on as many questions (stop 36: 3267 against 3265 of 3510)."""
    scale = np.abs(vectors).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    return np.round(vectors / scale * 127).astype(np.int8)


def decoded(codes: np.ndarray) -> np.ndarray:
    """Unit rows again from ``encoded``'s."""
    vectors = codes.astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class SignalReader:
    """Reads the four signals for a question and the passages found for it. ``words``: the
    passages' words kept at ingest (index/word_store.py); a passage not kept there is read.
    ``precedents``: the labelled questions ``precedent`` reads (0 without)."""

    def __init__(
        self,
        embedder: Embedder,
        words: Callable[[], WordStore] | None = None,
        precedents: Precedents | None = None,
        mentions: Callable[[str], bool] | None = None,
        own_labels: OwnLabels | None = None,
    ) -> None:
        self.embedder = embedder
        self.words = words
        self.precedents = precedents
        # the organisation's own labelled questions: precedents of its own (own_labels.py)
        self.own_labels = own_labels
        # whether the indexed documents name a word (the lexical index's): which standards of
        # ELSEWHERE the corpus deals with as its own (``declared_standards``)
        self.mentions = mentions
        self._elsewhere: np.ndarray | None = None
        self._lock = threading.Lock()
        self._passages: OrderedDict[str, np.ndarray] = OrderedDict()
        self._asked: tuple[str, np.ndarray] | None = None  # the last question's subject words

    def read(
        self,
        question: str,
        similarity: float,
        passages: list[Evidence],
        vector: np.ndarray | None = None,
        topic_named: bool = False,
    ) -> Signals:
        """``vector``: the question's vector when the search already made it; ``topic_named``:
        the question is on a topic the corpus names (``precedent_signal``)."""
        if vector is None:
            vector = self.embedder.encode_query(question)
        recall = self.word_recall(question, passages)
        declared = self.declared()
        own = self.own_labels.examples() if self.own_labels is not None else None
        score = self.precedents.read(vector, declared, own) if self.precedents is not None else 0.0
        precedent = precedent_signal(score, recall, topic_named)
        elsewhere, matter = self.elsewhere(vector, declared)
        return Signals(similarity, recall, elsewhere, precedent, topic_named, matter)

    def declared(self) -> frozenset[str]:
        """The standards of ELSEWHERE the indexed documents name (none without ``mentions``)."""
        return declared_standards(self.mentions) if self.mentions is not None else frozenset()

    def leave_out(self, organisation: str) -> None:
        """Read ``precedent`` without this organisation's labelled questions (to evaluate on
        one of the organisations they came from as on a new one)."""
        if self.precedents is None:
            return
        if organisation not in set(self.precedents.organisations):
            known = ", ".join(sorted(set(self.precedents.organisations)))
            raise UsageError(f"no precedents of organisation {organisation!r} (only of {known})")
        self.precedents = self.precedents.without(organisation)

    def elsewhere(
        self, vector: np.ndarray, declared: frozenset[str] = frozenset()
    ) -> tuple[float, str]:
        """The best cosine of a question's vector to a matter outside this organisation's
        system: ELSEWHERE's, but those of the standards its documents name (``declared``); and
        the standard of the closest matter of all when it is one of those (else "")."""
        if self._elsewhere is None:
            with self._lock:
                if self._elsewhere is None:
                    self._elsewhere = self.embedder.encode([text for _, text in ELSEWHERE])
        cosines = self._elsewhere @ vector
        outside = [i for i, (standard, _) in enumerate(ELSEWHERE) if standard not in declared]
        closest = ELSEWHERE[int(np.argmax(cosines))][0]
        return float(np.max(cosines[outside])), closest if closest in declared else ""

    def word_recall(self, question: str, passages: list[Evidence]) -> float:
        """The mean, over the question's subject words, of each one's best cosine to a word of
        the lead passages, all read in context. 0 without passages; 1 when the question has no
        subject word of its own (nothing to look for)."""
        return self.word_match(question, passages[:LEAD_PASSAGES])

    def word_match(self, question: str, passages: list[Evidence]) -> float:
        """``word_recall`` over these passages (0 without any, 1 for a question with no
        subject word of its own)."""
        if not passages:
            return 0.0
        words = self.subject_words(question)
        if not len(words):
            return 1.0
        found = np.concatenate(self.passage_words(passages))
        return float(np.mean(np.max(words @ found.T, axis=1)))

    def word_matches(self, question: str, passages: list[Evidence]) -> list[float]:
        """``word_match`` of each passage on its own (the re-ranking's), the store read once."""
        words = self.subject_words(question)
        if not len(words):
            return [1.0] * len(passages)
        return [
            float(np.mean(np.max(words @ found.T, axis=1)))
            for found in self.passage_words(passages)
        ]

    def subject_words(self, question: str) -> np.ndarray:
        """The question's words that carry its subject (not function words), read in context;
        the last question's are kept (the re-ranking and the model read the same)."""
        with self._lock:
            if self._asked is not None and self._asked[0] == question:
                return self._asked[1]
        words = np.array(
            [
                v
                for w, v in self.embedder.word_vectors([question])[0]
                if w not in FUNCTION_WORDS and len(w) > 1 and w[0].isalnum()
            ]
        )
        with self._lock:
            self._asked = (question, words)
        return words

    def passage_words(self, passages: list[Evidence]) -> list[np.ndarray]:
        """Each passage's words in context: kept at ingest, else read now. The store is asked
        for once (each time, it checks the index has not changed: a manifest read)."""
        store = self.words() if self.words is not None else None
        out = []
        for e in passages:
            kept = store.get(e.chunk.id) if store is not None else None
            if kept is None or not len(kept):
                kept = self._passage_words(e.chunk.embedding_text())
            out.append(kept)
        return out

    def _passage_words(self, text: str) -> np.ndarray:
        with self._lock:
            if text in self._passages:
                self._passages.move_to_end(text)
                return self._passages[text]
        vectors = np.array([v for _, v in self.embedder.word_vectors([text], PASSAGE_TOKENS)[0]])
        with self._lock:
            self._passages[text] = vectors
            while len(self._passages) > PASSAGE_CACHE:
                self._passages.popitem(last=False)
        return vectors
