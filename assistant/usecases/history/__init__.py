"""Practice history: every session, question, answer, score and feedback, per named user.

``History`` is the one object callers use; it joins three parts that change for different
reasons: ``store`` (SQLite: what was said and when), ``schedule`` (FSRS spaced repetition and
readiness: what to practise next) and ``reports`` (CSV and Markdown people take away). Rows
come back as frozen dataclasses (``Turn``, ``SessionRecord``), read by attribute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.usecases.history import reports
from assistant.usecases.history.schedule import LATEST_SCORES, RATING, PracticeSchedule, Readiness
from assistant.usecases.history.store import HistoryStore, SessionRecord, Turn

__all__ = ["RATING", "History", "Readiness", "SessionRecord", "Turn"]


class History:
    """The practice history in the SQLite file at ``path`` (created if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store = HistoryStore(path)
        self._practice = PracticeSchedule(self._store)

    def close(self) -> None:
        self._store.close()

    # Recording a session as it happens.

    def start_session(
        self, user: str, mode: str, role: str = "", clauses: list[str] | None = None,
        question_set: str = "",
    ) -> int:  # fmt: skip
        return self._store.start_session(user, mode, role, clauses, question_set)

    def record_turn(
        self, session_id: int, user: str, question_id: str, clauses: list[str], kind: str,
        prompt: str, answer: str, score: int | None, label: str | None,
        feedback: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        """Committed at once (autocommit, synchronous=FULL): durable when this returns."""
        self._store.record_turn(
            session_id, user, question_id, clauses, kind, prompt, answer, score, label, feedback
        )

    def schedule(self, user: str, question_id: str, clauses: list[str], label: str) -> None:
        """Update the spaced-repetition cards of the question and its clauses."""
        self._practice.review(user, question_id, clauses, label)

    def finish_session(self, session_id: int, summary: dict[str, Any]) -> None:
        self._store.finish_session(session_id, summary)

    # Reading it back.

    def users(self) -> list[str]:
        return self._store.users()

    def turns(self, user: str | None = None) -> list[Turn]:
        return self._store.turns(user)

    def results(self, user: str | None = None) -> list[Turn]:
        """One row per question asked: its last graded turn (follow-ups refine the score)."""
        return self._store.results(user)

    def sessions(self, user: str | None = None) -> list[SessionRecord]:
        return self._store.sessions(user)

    def readiness(self, user: str, latest: int = LATEST_SCORES) -> list[Readiness]:
        return self._practice.readiness(user, latest)

    def due_first(self, user: str, clause_ids: list[str]) -> list[str]:
        """Clauses ordered for practice: due and weak first, never practised after them."""
        return self._practice.due_first(user, clause_ids)

    # Reports.

    def csv_text(self, user: str | None) -> str:
        """Every turn (answers and follow-ups) of ``user`` (or everyone), oldest first."""
        return reports.csv_text(self.turns(user))

    def markdown_text(self, user: str | None) -> str:
        """A report per user: readiness per clause, then each question's final score."""
        users = [user] if user else self.users()
        return reports.markdown_text(
            [reports.UserProgress(u, self.results(u), self.readiness(u)) for u in users]
        )

    def export_csv(self, user: str | None, path: Path) -> int:
        """Write ``csv_text`` to ``path``; the number of turns written."""
        turns = self.turns(user)
        reports.save_csv(reports.csv_text(turns), path)
        return len(turns)

    def export_markdown(self, user: str | None, path: Path) -> int:
        """Write ``markdown_text`` to ``path``; the number of questions it reports."""
        reports.save_markdown(self.markdown_text(user), path)
        return len(self.results(user))
