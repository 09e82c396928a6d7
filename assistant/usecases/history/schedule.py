"""Spaced repetition and readiness: which clauses a user should practise next.

The FSRS scheduler (PyPI ``fsrs``) keeps one card per user and question and one per user and
clause; a poor answer makes it due again soon, a good one pushes it out. Readiness per clause
is the mean of the latest scores (up to five) on that clause. This module owns the map from
grade labels to FSRS ratings and the format of card keys stored in the ``cards`` table, which
existing history files already hold, so neither may change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.usecases.history.store import HistoryStore

RATING = {"poor": 1, "partial": 2, "good": 3}  # fsrs Rating.Again / Hard / Good
QUESTION_PREFIX = "q:"  # card keys: "q:<question id>" and "c:<clause id>"
CLAUSE_PREFIX = "c:"
LATEST_SCORES = 5  # readiness is the mean of this many latest scores on a clause


def question_key(question_id: str) -> str:
    return QUESTION_PREFIX + question_id


def clause_key(clause: str) -> str:
    return CLAUSE_PREFIX + clause


@dataclass(frozen=True)
class Readiness:
    clause: str
    score: float  # mean of the latest scores on the clause, 0-100
    answers: int
    due: bool  # the scheduler wants it practised now


class PracticeSchedule:
    """FSRS cards and readiness over a history store. ``clock`` (epoch seconds) is what "now"
    means for reviews and due dates: tests pass their own to see cards fall due."""

    def __init__(self, store: HistoryStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def review(self, user: str, question_id: str, clauses: list[str], label: str) -> None:
        """Update the spaced-repetition cards of the question and its clauses."""
        from fsrs import Card, Rating, Scheduler

        scheduler = Scheduler(enable_fuzzing=False)  # the same answers give the same due dates
        now = datetime.fromtimestamp(self._clock(), UTC)
        rating = Rating(RATING[label])

        def reviewed(stored: str | None) -> tuple[str, float]:
            card = Card.from_json(stored) if stored is not None else Card()
            card, _ = scheduler.review_card(card, rating, now)
            return card.to_json(), card.due.timestamp()

        keys = [question_key(question_id)] + [clause_key(c) for c in clauses]
        self._store.update_cards(user, keys, reviewed)

    def readiness(self, user: str, latest: int = LATEST_SCORES) -> list[Readiness]:
        """Per clause answered, weakest first; a clause with no card yet counts as due."""
        scores: dict[str, list[int]] = {}
        for t in self._store.results(user):
            for c in t.clauses:
                if t.score is not None:  # always so: results are graded turns
                    scores.setdefault(c, []).append(t.score)
        now = self._clock()
        due = {
            key[len(CLAUSE_PREFIX) :]: when <= now
            for key, when in self._store.card_dues(user, CLAUSE_PREFIX).items()
        }
        return sorted(
            (
                Readiness(c, sum(s[-latest:]) / len(s[-latest:]), len(s), due.get(c, True))
                for c, s in scores.items()
            ),
            key=lambda r: (r.score, r.clause),
        )

    def due_first(self, user: str, clause_ids: list[str]) -> list[str]:
        """Clauses ordered for practice: due and weak first, never practised after them."""
        ready = {r.clause: r for r in self.readiness(user)}
        practised = sorted(
            (c for c in clause_ids if c in ready),
            key=lambda c: (not ready[c].due, ready[c].score),
        )
        return practised + [c for c in clause_ids if c not in ready]
