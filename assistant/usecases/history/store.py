"""The SQLite store of practice history: sessions, turns (every answer and follow-up) and the
spaced-repetition cards, per named user, in WAL mode under the data directory.

Writes are autocommitted with ``synchronous=FULL``, so an answer is on disk as soon as
``record_turn`` returns and nothing typed is lost if the process dies between questions.
The schema is created with ``IF NOT EXISTS`` and must stay as it is: existing history.sqlite
files are opened as they are, with no migration.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY, user TEXT NOT NULL, mode TEXT NOT NULL, role TEXT NOT NULL DEFAULT '',
    clauses TEXT NOT NULL DEFAULT '[]', question_set TEXT NOT NULL DEFAULT '',
    started REAL NOT NULL, finished REAL, summary TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id),
    user TEXT NOT NULL, question_id TEXT NOT NULL, clauses TEXT NOT NULL, kind TEXT NOT NULL,
    prompt TEXT NOT NULL, answer TEXT NOT NULL, score INTEGER, label TEXT,
    feedback TEXT NOT NULL DEFAULT '{}', created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_user ON turns(user, created);
CREATE TABLE IF NOT EXISTS cards (
    user TEXT NOT NULL, key TEXT NOT NULL, card TEXT NOT NULL, due REAL NOT NULL,
    PRIMARY KEY (user, key)
);
"""

# Turns with the mode of their session: reports and charts show it next to each answer.
_TURNS_SQL = (
    "SELECT t.id, t.session_id, t.user, s.mode, t.question_id, t.clauses, t.kind, "
    "t.prompt, t.answer, t.score, t.label, t.feedback, t.created FROM turns t "
    "JOIN sessions s ON s.id = t.session_id"
)
_SESSIONS_SQL = (
    "SELECT id, user, mode, role, clauses, question_set, started, finished FROM sessions"
)


@dataclass(frozen=True)
class Turn:
    """One answer (to a question or a follow-up) as stored, with its grade if it had one."""

    id: int
    session_id: int
    user: str
    mode: str  # of the session the turn belongs to
    question_id: str
    clauses: tuple[str, ...]
    kind: str  # "question" or "follow-up"
    prompt: str  # what was asked
    answer: str
    score: int | None  # 0-100; None when the turn was not graded
    label: str | None  # "poor", "partial" or "good"
    feedback: dict[str, Any]  # the grade as the grader reported it
    created: float  # seconds since the epoch

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Turn:
        return cls(
            id=row["id"],
            session_id=row["session_id"],
            user=row["user"],
            mode=row["mode"],
            question_id=row["question_id"],
            clauses=tuple(json.loads(row["clauses"])),
            kind=row["kind"],
            prompt=row["prompt"],
            answer=row["answer"],
            score=row["score"],
            label=row["label"],
            feedback=json.loads(row["feedback"]),
            created=row["created"],
        )


@dataclass(frozen=True)
class SessionRecord:
    """One practice session: who, how, on what, and when it started and finished."""

    id: int
    user: str
    mode: str
    role: str
    clauses: tuple[str, ...]  # the clauses chosen at the start; empty for "any"
    question_set: str  # the set of an exam; empty otherwise
    started: float
    finished: float | None  # None while running, or if the process died before the end

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SessionRecord:
        return cls(
            id=row["id"],
            user=row["user"],
            mode=row["mode"],
            role=row["role"],
            clauses=tuple(json.loads(row["clauses"])),
            question_set=row["question_set"],
            started=row["started"],
            finished=row["finished"],
        )


# Given a card's stored JSON (None for a new card): its new JSON and due time (epoch seconds).
CardUpdate = Callable[[str | None], tuple[str, float]]


class HistoryStore:
    """Sessions, turns and cards in one SQLite file; knows nothing of grading or scheduling."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection shared by the UI's threads; writes are serialised by the lock.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def start_session(
        self, user: str, mode: str, role: str = "", clauses: list[str] | None = None,
        question_set: str = "",
    ) -> int:  # fmt: skip
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO sessions (user, mode, role, clauses, question_set, started) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (user, mode, role, json.dumps(clauses or []), question_set, time.time()),
            )
            assert cur.lastrowid is not None  # an INSERT always sets it
            return cur.lastrowid

    def record_turn(
        self, session_id: int, user: str, question_id: str, clauses: list[str], kind: str,
        prompt: str, answer: str, score: int | None, label: str | None,
        feedback: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        """Committed at once (autocommit, synchronous=FULL): durable when this returns."""
        with self._lock:
            self._db.execute(
                "INSERT INTO turns (session_id, user, question_id, clauses, kind, prompt, answer,"
                " score, label, feedback, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, user, question_id, json.dumps(clauses), kind, prompt, answer,
                 score, label, json.dumps(feedback or {}), time.time()),
            )  # fmt: skip

    def finish_session(self, session_id: int, summary: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET finished = ?, summary = ? WHERE id = ?",
                (time.time(), json.dumps(summary), session_id),
            )

    def update_cards(self, user: str, keys: Iterable[str], update: CardUpdate) -> None:
        """Read, update and write back each card under one lock, so two answers graded at
        the same moment cannot both start from the same old card."""
        with self._lock:
            for key in keys:
                row = self._db.execute(
                    "SELECT card FROM cards WHERE user = ? AND key = ?", (user, key)
                ).fetchone()
                card, due = update(row["card"] if row else None)
                self._db.execute(
                    "INSERT OR REPLACE INTO cards (user, key, card, due) VALUES (?, ?, ?, ?)",
                    (user, key, card, due),
                )

    def card_dues(self, user: str, key_prefix: str) -> dict[str, float]:
        """Due time (epoch seconds) of each of the user's cards whose key starts with
        ``key_prefix`` (which must hold no LIKE wildcard: ``%`` or ``_``)."""
        rows = self._db.execute(
            "SELECT key, due FROM cards WHERE user = ? AND key LIKE ?", (user, key_prefix + "%")
        ).fetchall()
        return {key: due for key, due in rows}

    def users(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT DISTINCT user FROM sessions ORDER BY 1")]

    def turns(self, user: str | None = None) -> list[Turn]:
        """Every turn of ``user`` (or everyone), oldest first."""
        where, args = (" WHERE t.user = ?", (user,)) if user else ("", ())
        rows = self._db.execute(_TURNS_SQL + where + " ORDER BY t.created, t.id", args).fetchall()
        return [Turn.from_row(r) for r in rows]

    def results(self, user: str | None = None) -> list[Turn]:
        """One row per question asked: its last graded turn (follow-ups refine the score)."""
        last: dict[tuple[int, str], Turn] = {}
        for t in self.turns(user):
            if t.score is not None:
                last[(t.session_id, t.question_id)] = t
        return sorted(last.values(), key=lambda t: t.created)

    def sessions(self, user: str | None = None) -> list[SessionRecord]:
        where, args = (" WHERE user = ?", (user,)) if user else ("", ())
        rows = self._db.execute(_SESSIONS_SQL + where + " ORDER BY id", args).fetchall()
        return [SessionRecord.from_row(r) for r in rows]
