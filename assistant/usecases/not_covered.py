"""Whether the indexed documents answer a plain question: a model fitted on labelled questions of
four organisations, over three signals that read the question against the passages found.

One cosine line ("best passage below 0.35: not covered") was calibrated on one corpus and did
not carry over: on questions written later by people who had not seen the system, the
documents' near-misses (a cold-chain company asked about cold-store clothing, a software team
asked about its server's updates) came close enough, and plain, answerable questions in
everyday words fell below it. The model reads three signals:

- ``similarity``: the best cosine of the question to any passage (the retriever's);
- ``word_recall``: for each word of the question that carries its subject (not a function
  word), the closest word of the lead passages as the model read both in context, averaged.
  A passage on the same general subject that never speaks of the thing asked about ("canteen",
  "first-aider", "control charts") leaves one or two of the question's words unmatched; an
  answer in other words ("logins" / "access rights") still matches them closely. On the
  labelled questions it separates answered from not answered better than the cosine does on
  every organisation (docs/retrieval.md, "A fitted not covered decision");
- ``elsewhere``: the best cosine of the question to a description, in our words, of a matter a
  quality system does not deal with (workplace safety, the environment, bribery, pay and leave).

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
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.core.models import Evidence
from assistant.core.text import FUNCTION_WORDS
from assistant.index.embedder import Embedder
from assistant.index.word_store import PASSAGE_TOKENS, WordStore

MODEL_FILE = Path(__file__).with_name("not_covered.json")

# Matters a quality system does not deal with, each in our own words: another management
# standard's subject, or the running of a workplace. Read only as a signal for the model
# (``elsewhere``); the table in other_standards.py names the standard in the message.
ELSEWHERE: tuple[str, ...] = (
    "injuries and accidents to staff at work, first aid, reporting an accident or a near miss",
    "slips, trips and falls, manual handling and heavy lifting, working at height",
    "fire safety, fire alarms, evacuation drills and emergency assembly points",
    "protecting workers from cold, heat, noise, fumes or chemicals, and the protective "
    "equipment they wear",
    "ergonomics of desks, chairs and display screens, workplace stress, fatigue and wellbeing",
    "waste, recycling and disposal of old equipment, packaging and consumables",
    "pollution, spills, emissions to air and water, refrigerant gas leaks",
    "environmental aspects and impacts, environmental permits, carbon footprint",
    "energy use, electricity and fuel consumption, energy saving",
    "information security: passwords, phishing emails, malware and viruses, encryption of "
    "laptops, cyber attacks",
    "bribery and corruption, gifts, hospitality, entertainment or payments offered by suppliers "
    "or customers",
    "business continuity: power cuts, standby generators, disaster recovery, floods, pandemics",
    "food safety hazards, allergens, hygiene, HACCP",
    "staff pay, payroll, expense claims, holiday and leave booking, sick pay, pensions, bonuses",
    "car parking, the canteen, dress code, office facilities for staff",
    # stop 28: the company's money matters, which helpers asked about as "another regime" and
    # which the lines above did not reach (folds right 1897 -> 1915 of 2242, every organisation
    # up: docs/retrieval.md, on the company's money matters)
    "company finances: accounts, financial statements, tax and VAT returns, budgets, the "
    "accountants and auditors of the accounts",
    "insurance cover, invoicing customers, credit control and chasing unpaid bills",
)

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

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


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
            w * values[f] for f, w in zip(self.features, self.weights, strict=True)
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


class SignalReader:
    """Reads the three signals for a question and the passages found for it. ``words``: the
    passages' words kept at ingest (index/word_store.py); a passage not kept there is read."""

    def __init__(self, embedder: Embedder, words: Callable[[], WordStore] | None = None) -> None:
        self.embedder = embedder
        self.words = words
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
    ) -> Signals:
        """``vector``: the question's vector when the search already made it."""
        if vector is None:
            vector = self.embedder.encode_query(question)
        return Signals(similarity, self.word_recall(question, passages), self.elsewhere(vector))

    def elsewhere(self, vector: np.ndarray) -> float:
        """The best cosine of a question's vector to a matter outside a quality system."""
        if self._elsewhere is None:
            with self._lock:
                if self._elsewhere is None:
                    self._elsewhere = self.embedder.encode(list(ELSEWHERE))
        return float(np.max(self._elsewhere @ vector))

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
