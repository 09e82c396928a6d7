"""The organisation's own verdicts on questions: "our documents answer this" or "they do not",
given on the Ask page or imported from a labelled question set (``assistant labels``), kept in
``labels.sqlite`` under the data directory.

Two uses, both in the "not covered" decision (usecases/ask.py, usecases/not_covered.py):

- a question asked again in the same words gets its label's verdict: a quality lead who said
  "the documents do answer this" is not told "not covered" a second time;
- every label is a precedent of this organisation's own, read beside the other organisations'
  (``Precedents.read``). The shipped precedents come from other organisations, whose documents
  answer different things: "a colleague is leaving, what do we sort out?" is answered by one
  real QMS and by none of the others, so a new organisation's questions near a matter the others
  did not cover are refused. Measured with each organisation left out and its own earlier
  questions as its labels (``scripts/own_labels_eval.py``, docs/retrieval.md "An
  organisation's own labels"): 20-40 labels move no-answer accuracy on its later questions up
  on every organisation with room to move.

The file is created by the first label, so reading an index never writes to its directory.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.errors import UsageError

SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY, question TEXT NOT NULL, normalised TEXT NOT NULL UNIQUE,
    answered INTEGER NOT NULL, origin TEXT NOT NULL DEFAULT '', created REAL NOT NULL
);
"""


def normalised(question: str) -> str:
    """The words of a question as compared for "asked again": case, spacing and the closing
    punctuation do not count."""
    return re.sub(r"\s+", " ", question).strip().rstrip("?.! ").casefold()


@dataclass(frozen=True)
class Label:
    id: int
    question: str
    answered: bool  # the documents answer it
    origin: str  # where the label came from: "ask page", a file imported, "cli"
    created: float  # seconds since the epoch

    def verdict(self) -> str:
        return "answered by our documents" if self.answered else "not answered by our documents"

    def day(self) -> str:
        return time.strftime("%Y-%m-%d", time.localtime(self.created))


# A newer verdict on the same question (``normalised``) replaces the older.
_UPSERT = (
    "INSERT INTO labels (question, normalised, answered, origin, created) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(normalised) DO UPDATE SET question=excluded.question, "
    "answered=excluded.answered, origin=excluded.origin, created=excluded.created"
)


class OwnLabels:
    """``path``: the SQLite file (made by the first label). ``embed``: a question's vector as the
    "not covered" model reads it (the embedder's ``encode_query``), for the precedents.

    Every plain question reads the labels twice (its own verdict, the precedents), so one
    connection is kept once the file exists, shared by the web app's threads under a lock."""

    def __init__(self, path: Path, embed: Callable[[str], np.ndarray]) -> None:
        self.path = path
        self.embed = embed
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        # (the table's state when read, the labels' vectors, not answered), re-read on change
        self._examples: tuple[tuple, np.ndarray, np.ndarray] | None = None
        self._vectors: dict[str, np.ndarray] = {}  # by normalised question
        # questions whose labels are not read: an evaluation's own questions (a label would
        # answer its own question, and the set would measure nothing)
        self.ignored: frozenset[str] = frozenset()

    def _connection(self, create: bool = False) -> sqlite3.Connection | None:
        """The open connection; None while there is no file and ``create`` is not asked."""
        if self._db is None and (create or self.path.exists()):
            db = sqlite3.connect(
                self.path, timeout=10, isolation_level=None, check_same_thread=False
            )
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            self._db = db
        return self._db

    def add(self, question: str, answered: bool, origin: str = "") -> Label:
        """Label a question (again: the newer verdict replaces the older)."""
        if not normalised(question):
            raise UsageError("an empty question cannot be labelled")
        self.add_many([(question, answered)], origin)
        label = self.of(question)
        assert label is not None
        return label

    def add_many(self, labelled: Iterable[tuple[str, bool]], origin: str) -> int:
        """Label several questions in one transaction (an import); how many."""
        rows = [(q.strip(), normalised(q), int(a), origin) for q, a in labelled if normalised(q)]
        if not rows:
            return 0
        now = time.time()
        with self._lock:
            db = self._connection(create=True)
            assert db is not None
            with db:
                db.executemany(_UPSERT, [(*row, now) for row in rows])
        return len(rows)

    def remove(self, ids: Iterable[int]) -> int:
        """Take labels back; how many there were."""
        with self._lock:
            db = self._connection()
            if db is None:
                return 0
            with db:
                return sum(
                    db.execute("DELETE FROM labels WHERE id = ?", (i,)).rowcount for i in ids
                )

    def all(self) -> list[Label]:
        with self._lock:
            db = self._connection()
            rows = db.execute("SELECT * FROM labels ORDER BY id").fetchall() if db else []
        return [_label(r) for r in rows if r["normalised"] not in self.ignored]

    def of(self, question: str) -> Label | None:
        """The label of this question, asked in these words (``normalised``)."""
        key = normalised(question)
        if key in self.ignored:
            return None
        with self._lock:
            db = self._connection()
            if db is None:
                return None
            row = db.execute("SELECT * FROM labels WHERE normalised = ?", (key,)).fetchone()
        return _label(row) if row is not None else None

    def examples(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The labelled questions' vectors and which the documents do not answer, for the
        precedents; None without labels. Read again only when the labels change (one small
        query per question asked), each question embedded once."""
        with self._lock:
            db = self._connection()
            if db is None:
                return None
            state = tuple(
                db.execute(
                    "SELECT count(*), max(id), max(created), total(answered) FROM labels"
                ).fetchone()
            )
            if self._examples is None or self._examples[0] != (state, self.ignored):
                rows = db.execute("SELECT question, normalised, answered FROM labels").fetchall()
                rows = [r for r in rows if r["normalised"] not in self.ignored]
                for r in rows:
                    if r["normalised"] not in self._vectors:
                        self._vectors[r["normalised"]] = self.embed(r["question"])
                vectors = np.array([self._vectors[r["normalised"]] for r in rows], np.float32)
                not_answered = np.array([not r["answered"] for r in rows], dtype=bool)
                self._examples = ((state, self.ignored), vectors, not_answered)
            _, vectors, not_answered = self._examples
        return (vectors, not_answered) if len(vectors) else None

    def ignore(self, questions: Iterable[str]) -> int:
        """Do not read the labels of these questions (an evaluation asks them); how many of
        them are labelled."""
        self.ignored = frozenset(normalised(q) for q in questions)
        with self._lock:
            db = self._connection()
            found = {r[0] for r in db.execute("SELECT normalised FROM labels")} if db else set()
        return len(found & self.ignored)


def _label(row: sqlite3.Row) -> Label:
    return Label(row["id"], row["question"], bool(row["answered"]), row["origin"], row["created"])
