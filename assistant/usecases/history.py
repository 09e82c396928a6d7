"""Practice history: every session, question, answer, score and feedback, per named user, in
SQLite (WAL) under the data directory. Each answer is committed as soon as it is graded, so
nothing typed is lost if the process dies between questions.

Spaced repetition uses the FSRS scheduler (PyPI ``fsrs``): one card per user and question and
one per user and clause; a poor answer makes it due again soon, a good one pushes it out.
Readiness per clause is the mean of the latest scores (up to five) on that clause.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
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

RATING = {"poor": 1, "partial": 2, "good": 3}  # fsrs Rating.Again / Hard / Good


@dataclass(frozen=True)
class Readiness:
    clause: str
    score: float  # mean of the latest scores on the clause, 0-100
    answers: int
    due: bool  # the scheduler wants it practised now


class History:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
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
            return int(cur.lastrowid)

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

    def schedule(self, user: str, question_id: str, clauses: list[str], label: str) -> None:
        """Update the spaced-repetition cards of the question and its clauses."""
        from fsrs import Card, Rating, Scheduler

        scheduler = Scheduler(enable_fuzzing=False)
        now = datetime.now(UTC)
        with self._lock:
            for key in [f"q:{question_id}"] + [f"c:{c}" for c in clauses]:
                row = self._db.execute(
                    "SELECT card FROM cards WHERE user = ? AND key = ?", (user, key)
                ).fetchone()
                card = Card.from_json(row[0]) if row else Card()
                card, _ = scheduler.review_card(card, Rating(RATING[label]), now)
                self._db.execute(
                    "INSERT OR REPLACE INTO cards (user, key, card, due) VALUES (?, ?, ?, ?)",
                    (user, key, card.to_json(), card.due.timestamp()),
                )

    def finish_session(self, session_id: int, summary: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET finished = ?, summary = ? WHERE id = ?",
                (time.time(), json.dumps(summary), session_id),
            )

    def users(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT DISTINCT user FROM sessions ORDER BY 1")]

    def turns(self, user: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT t.id, t.session_id, t.user, s.mode, t.question_id, t.clauses, t.kind, "
            "t.prompt, t.answer, t.score, t.label, t.feedback, t.created FROM turns t "
            "JOIN sessions s ON s.id = t.session_id"
        )
        args: tuple = ()
        if user:
            sql += " WHERE t.user = ?"
            args = (user,)
        rows = self._db.execute(sql + " ORDER BY t.created, t.id", args).fetchall()
        keys = ("id", "session_id", "user", "mode", "question_id", "clauses", "kind", "prompt",
                "answer", "score", "label", "feedback", "created")  # fmt: skip
        out = []
        for r in rows:
            d = dict(zip(keys, r, strict=True))
            d["clauses"] = json.loads(d["clauses"])
            d["feedback"] = json.loads(d["feedback"])
            out.append(d)
        return out

    def results(self, user: str | None = None) -> list[dict[str, Any]]:
        """One row per question asked: its last graded turn (follow-ups refine the score)."""
        last: dict[tuple[int, str], dict[str, Any]] = {}
        for t in self.turns(user):
            if t["score"] is not None:
                last[(t["session_id"], t["question_id"])] = t
        return sorted(last.values(), key=lambda t: t["created"])

    def sessions(self, user: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, user, mode, role, clauses, question_set, started, finished FROM sessions"
        rows = self._db.execute(sql + (" WHERE user = ?" if user else "") + " ORDER BY id",
                                (user,) if user else ()).fetchall()  # fmt: skip
        keys = ("id", "user", "mode", "role", "clauses", "question_set", "started", "finished")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def readiness(self, user: str, latest: int = 5) -> list[Readiness]:
        scores: dict[str, list[int]] = {}
        for t in self.results(user):
            for c in t["clauses"]:
                scores.setdefault(c, []).append(t["score"])
        now = time.time()
        due = {
            k[2:]: d <= now
            for k, d in self._db.execute(
                "SELECT key, due FROM cards WHERE user = ? AND key LIKE 'c:%'", (user,)
            )
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

    def export_csv(self, user: str | None, path: Path) -> int:
        path.write_text(self.csv_text(user), encoding="utf-8", newline="")
        return len(self.turns(user))

    def export_markdown(self, user: str | None, path: Path) -> int:
        path.write_text(self.markdown_text(user), encoding="utf-8")
        return len(self.results(user))

    def csv_text(self, user: str | None) -> str:
        """Every turn (answers and follow-ups) of ``user`` (or everyone), oldest first."""
        fh = io.StringIO()
        w = csv.writer(fh)
        w.writerow(["when", "user", "mode", "session", "question_id", "clauses", "kind",
                    "question", "answer", "score", "label"])  # fmt: skip
        for t in self.turns(user):
            w.writerow([
                datetime.fromtimestamp(t["created"]).strftime("%Y-%m-%d %H:%M"), t["user"],
                t["mode"], t["session_id"], t["question_id"], " ".join(t["clauses"]),
                t["kind"], t["prompt"], t["answer"], t["score"], t["label"],
            ])  # fmt: skip
        return fh.getvalue()

    def markdown_text(self, user: str | None) -> str:
        """A report per user: readiness per clause, then each question's final score."""
        users = [user] if user else self.users()
        lines = ["# Interview practice report", ""]
        for u in users:
            turns = self.results(u)
            lines += [f"## {u}", "", f"{len(turns)} questions answered.", ""]
            lines += ["| Clause | Readiness | Answers | Due |", "| --- | --- | --- | --- |"]
            lines += [
                f"| {r.clause} | {r.score:.0f} | {r.answers} | {'yes' if r.due else 'no'} |"
                for r in self.readiness(u)
            ]
            lines += ["", "| When | Question | Score | Label |", "| --- | --- | --- | --- |"]
            for t in turns:
                when = datetime.fromtimestamp(t["created"]).strftime("%Y-%m-%d %H:%M")
                q = t["prompt"].replace("|", "/").replace("\n", " ")
                lines.append(f"| {when} | {q} | {t['score']} | {t['label']} |")
            lines.append("")
        return "\n".join(lines)
