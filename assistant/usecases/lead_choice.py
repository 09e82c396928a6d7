"""Which sentence of the leading document answers a plain question: a fitted scorer.

The short answer quotes one or two sentences of the document the ranking puts first. Which of
its sentences was chosen by hand-set weights (a cosine to the question at weight 200, shared
words, a bonus for numbers, forms and roles, small penalties for position); with them the short
answer held the sentence that answers in 5-8 of 16 questions per organisation (scripts/
answer_sentences_eval.py). Here each candidate sentence is described by a few signals and a
logistic model fitted on the answer-sentence labels (evals/answer-sentences, written by helpers
from each organisation's documents alone, with the answering sentence) scores it. Fitted with
organisations left out in turn: ``scripts/fit_lead_sentences.py`` (its figures, and the refit
command, in docs/retrieval.md "Which sentence answers").

The signals do not depend on one corpus's scale: a cosine is read beside the best cosine among
the candidates, shared words beside the most any candidate shares. The kind of question
("who ...?", "when / how often ...?", "what do I do if ...?") is read from its words and meets
what a sentence holds: a role, a time or frequency, a condition.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.models import Evidence
from assistant.core.text import FORM, ROLE
from assistant.documents.text import is_table_row

MODEL_PATH = Path(__file__).with_name("lead_sentences.json")

# The kind of a question, from its words. "who" asks for a role, "when" for a time or a
# frequency, "what_if" for what to do in a situation; any "do we / can I / should I" question
# is read as that kind too ("How do we ...?" as well: it asks what is done).
_WHO = re.compile(r"\bwho(?:m|se)?\b|\bwhich (?:person|role|manager|team|people)\b", re.I)
_WHEN = re.compile(
    r"\bwhen\b|\bhow (?:often|long|soon|quickly|frequently|many (?:days|weeks|months|hours|years"
    r"|times))\b|\bby when\b|\bdeadline\b|\bfrequen|\bhow far ahead\b|\bwhat time\b",
    re.I,
)
_WHAT_IF = re.compile(
    r"\bwhat (?:do|should|must|would|can) (?:i|we|they|you)\b|\bwhat now\b|\bwhat happens\b"
    r"|\bwhat if\b|\b(?:can|may|should|must|do) (?:i|we) (?:just|still|now)?\b|\bam i allowed\b"
    r"|\bwhat(?:'s| is) the (?:rule|procedure|drill)\b",
    re.I,
)
# What a sentence holds.
_ROLE_WORDS = re.compile(
    r"\b(?:[A-Z][a-z]+ )?(?:Manager|Director|Lead|Supervisor|Engineer|Inspector|Technician|"
    r"Auditors?|Officer|Coordinator|Controller|Board|Representative|Agent|Foreman|Owner|Head|"
    r"Issuer|Receiver|Advisor|Adviser|Chair|Administrator|Champion|Team|Committee|Clerk|"
    r"Operator|Driver|Fitter|Planner|Buyer|Custodian)s?\b|\b[A-Z]{2,5}\b(?= (?:is|are|must|"
    r"shall|will|may|approves|signs|decides|reviews|checks))"
)
_TIME = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|ten|twelve|fourteen|twenty|thirty|"
    r"forty|sixty|ninety)[ -](?:working |calendar |business )?(?:minutes?|hours?|days?|weeks?|"
    r"months?|years?|shifts?)\b|\b(?:daily|weekly|fortnightly|monthly|quarterly|annually|"
    r"yearly|hourly)\b|\b(?:each|every|per|a|once a) (?:day|week|month|quarter|year|shift)\b"
    r"|\bwithin\b|\bby the end of\b|\bat least every\b|\bimmediately\b|\bbefore\b|\bafter\b"
    r"|\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b|\bpromptly\b|\bsame day\b|\bnext working\b",
    re.I,
)
_CONDITION = re.compile(
    r"(?:^|[.:;]\s|^\s*(?:[-*+\u2022]|\d+(?:\.\d+)*\.?)\s+)(?:if|where|when|whenever|should|"
    r"unless|in the event|in case|once)\b|\b(?:if|unless|until)\b",
    re.I,
)
_STOP_OR_MUST_NOT = re.compile(
    r"\b(?:must not|shall not|may not|is not|are not|never|stops?|stopped|do not|does not|"
    r"not be used|quarantin\w*|isolat\w*|escalat\w*)\b",
    re.I,
)
_DIGIT = re.compile(r"\d")

FEATURES = (
    "cosine",  # the sentence's MiniLM cosine to the question
    "cosine_gap",  # its cosine less the best candidate's (0 for the best)
    "words",  # the question's words it shares (rarer words more), over the most any shares
    "no_words",  # it shares none of the question's words
    "passage_rank",  # its passage's place among the leading document's passages read (0 first)
    "position",  # log(1 + its place in its passage)
    "retrieved",  # its passage is among the answer's own passages (not only the document's)
    "table_row",
    "concrete",  # numbers, forms, roles it names (0-3)
    "length",  # log of its length in characters
    "who_role",  # a "who" question, and the sentence names a role
    "when_time",  # a "when / how often" question, and the sentence holds a time or frequency
    "if_condition",  # a "what do I do if" question, and the sentence holds a condition
    "if_stop",  # a "what do I do if" question, and the sentence says stop, do not, quarantine
    "role",  # the sentence names a role, whatever the question
    "time",  # ... a time or frequency
    "condition",  # ... a condition
)


def question_kind(question: str) -> tuple[bool, bool, bool]:
    """Whether a question asks who, when (how often, how long), or what to do if."""
    return (
        bool(_WHO.search(question)),
        bool(_WHEN.search(question)),
        bool(_WHAT_IF.search(question)),
    )


@dataclass(frozen=True)
class Candidate:
    """A sentence (or a lead-in with its list, or a table row) that could be quoted."""

    text: str
    evidence: Evidence
    passage_rank: int
    position: int
    words: float  # the question's words it shares, weighted by rarity among the candidates
    retrieved: bool


def features(question: str, candidates: Sequence[Candidate], cosines: np.ndarray) -> np.ndarray:
    """One row of FEATURES per candidate."""
    who, when, what_if = question_kind(question)
    best_cos = float(np.max(cosines)) if len(cosines) else 0.0
    most = max((c.words for c in candidates), default=0.0) or 1.0
    rows = []
    for c, cos in zip(candidates, cosines, strict=True):
        s = c.text
        role = bool(_ROLE_WORDS.search(s) or ROLE.search(s))
        time = bool(_TIME.search(s))
        condition = bool(_CONDITION.search(s))
        stop = bool(_STOP_OR_MUST_NOT.search(s))
        concrete = bool(_DIGIT.search(s)) + bool(FORM.search(s)) + role
        rows.append(
            [
                float(cos),
                float(cos) - best_cos,
                c.words / most,
                float(c.words == 0),
                float(c.passage_rank),
                math.log1p(c.position),
                float(c.retrieved),
                float(is_table_row(s)),
                float(concrete),
                math.log(max(len(s), 1)),
                float(who and role),
                float(when and time),
                float(what_if and condition),
                float(what_if and stop),
                float(role),
                float(time),
                float(condition),
            ]
        )
    return np.array(rows, dtype=float).reshape(len(rows), len(FEATURES))


@dataclass(frozen=True)
class LeadModel:
    """The fitted weights (``lead_sentences.json``): a candidate's score is its features'
    weighted sum; the best is quoted, the second beside it when its probability is at least
    ``second_share`` of the first's."""

    weights: tuple[float, ...]
    intercept: float
    second_share: float
    passages: int  # the leading document's best passages read, at most

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(x @ np.asarray(self.weights) + self.intercept)))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> LeadModel | None:
        """The shipped model, or None when there is none or it was fitted on other signals."""
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != FEATURES:
            return None
        return cls(
            tuple(float(w) for w in data["weights"]),
            float(data["intercept"]),
            float(data["second_share"]),
            int(data["passages"]),
        )
