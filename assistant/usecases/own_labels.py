"""The organisation's own verdicts on questions: "our documents answer this" or "they do not",
given on the Ask page or imported from a labelled question set (``assistant labels``), kept in
``labels.sqlite`` under the data directory.

Three uses: two in the "not covered" decision (usecases/ask.py, usecases/not_covered.py), one
in the order of the documents:

- a question asked again in the same words gets its label's verdict: a quality lead who said
  "the documents do answer this" is not told "not covered" a second time;
- every label is a precedent of this organisation's own, read beside the other organisations'
  (``Precedents.read``). The shipped precedents come from other organisations, whose documents
  answer different things: "a colleague is leaving, what do we sort out?" is answered by one
  real QMS and by none of the others, so a new organisation's questions near a matter the others
  did not cover are refused. Measured with each organisation left out and its own earlier
  questions as its labels (``scripts/own_labels_eval.py``, docs/retrieval.md "An
  organisation's own labels"): 20-40 labels move no-answer accuracy on its later questions up
  on every organisation with room to move;
- a label that says which document answers ("answered by QP-04") leads with that document a
  later question close to it (``nearest_answering``): read as a new organisation, the map that
  moves questions towards the documents that answer them was fitted on other organisations'
  documents, and the label is this organisation's own word on where its answer is.
  Measured and its closeness line fitted with ``scripts/own_label_lead_eval.py``
  (docs/retrieval.md, "Which document answers: labels that lead").

The file is created by the first label, so reading an index never writes to its directory.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

import numpy as np

from assistant.core.errors import UsageError

SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY, question TEXT NOT NULL, normalised TEXT NOT NULL UNIQUE,
    answered INTEGER NOT NULL, origin TEXT NOT NULL DEFAULT '', created REAL NOT NULL,
    documents TEXT NOT NULL DEFAULT ''
);
"""
# Files made before labels named documents lack the column: added in place, nothing lost.
_ADD_DOCUMENTS = "ALTER TABLE labels ADD COLUMN documents TEXT NOT NULL DEFAULT ''"

# Numbers a question asks by (a clause, a document, a quantity): two questions asking by
# different ones are different questions however alike their other words ("Which procedure
# would I show for clause 8.4?" and "... 7.5?" are 0.9 apart as vectors).
_NUMBERS = re.compile(r"\d+(?:\.\d+)*")


def numbers(question: str) -> frozenset[str]:
    return frozenset(_NUMBERS.findall(question))


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
    # the documents that answer it, as the organisation names them (file names, the best
    # first); empty when it did not say, and always for a question not answered
    documents: tuple[str, ...] = ()

    def verdict(self) -> str:
        return "answered by our documents" if self.answered else "not answered by our documents"

    def day(self) -> str:
        return time.strftime("%Y-%m-%d", time.localtime(self.created))


# A newer verdict on the same question (``normalised``) replaces the older.
_UPSERT = (
    "INSERT INTO labels (question, normalised, answered, origin, documents, created) "
    "VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(normalised) DO UPDATE SET question=excluded.question, "
    "answered=excluded.answered, origin=excluded.origin, documents=excluded.documents, "
    "created=excluded.created"
)

# A labelled question with the documents it names, as ``nearest_answering`` compares them.
Labelled = tuple[str, bool] | tuple[str, bool, Sequence[str]]


@dataclass(frozen=True)
class LabelLead:
    """The label a question's answer is led by: the document it names, how close it is."""

    label: Label
    document: str  # as the answer names it: number and title
    similarity: float | None  # the two questions' cosine; None when led by the clause asked
    # the clause both questions are about, when the label leads for that and not for its words
    clause: str = ""

    def note(self) -> str:
        like = f"a question on clause {self.clause}" if self.clause else "a question like this one"
        return (
            f"Led by {self.document}: it was marked as answering {like} "
            f'("{self.label.question}", {self.label.origin or "a label"}, {self.label.day()}).'
        )


def lead_index(files: Sequence[str], named: Sequence[str]) -> int | None:
    """Where, among the documents found (best first), the first one a label names stands,
    compared by file name (a set names ``QP-04.docx``, the index ``procedures/QP-04.docx``)."""
    found: dict[str, int] = {}
    for i, file in enumerate(files):
        found.setdefault(PurePath(file).name, i)
    for name in named:
        if (at := found.get(PurePath(name).name)) is not None:
            return at
    return None


def nearest_label(
    question: str,
    vector: np.ndarray,
    labelled: Sequence[tuple[str, np.ndarray]],
    threshold: float,
) -> tuple[int, float] | None:
    """The closest of ``labelled`` (question, vector) asking by the same numbers, at cosine
    ``threshold`` or more: (its index, the cosine) or None. Shared by the product and the
    scripts that measure its lines."""
    asked = numbers(question)
    best: tuple[int, float] | None = None
    for i, (text, v) in enumerate(labelled):
        if numbers(text) != asked:
            continue
        cosine = float(v @ vector)
        if cosine >= threshold and (best is None or cosine > best[1]):
            best = (i, cosine)
    return best


def nearest_answering(
    question: str,
    vector: np.ndarray,
    labelled: Sequence[tuple[str, np.ndarray, tuple[str, ...]]],
    threshold: float,
) -> tuple[int, float] | None:
    """Which of ``labelled`` (question, vector, documents named) leads this question: the
    closest one naming documents (``nearest_label``); (its index, the cosine) or None."""
    naming = [i for i, (_, _, documents) in enumerate(labelled) if documents]
    found = nearest_label(question, vector, [labelled[i][:2] for i in naming], threshold)
    return (naming[found[0]], found[1]) if found is not None else None


@dataclass(frozen=True)
class _Reading:
    """The labels as last read (``OwnLabels._read``), row i of ``vectors`` the vector of
    ``labels[i]``'s question, kept while the table's ``state`` holds."""

    state: tuple
    labels: list[Label]
    vectors: np.ndarray
    not_answered: np.ndarray


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
        self._vectors: dict[str, np.ndarray] = {}  # by normalised question
        # the labels as last read, with their vectors; read again when the table changes
        self._reading: _Reading | None = None
        # (the table's state when read, the newest label on each clause asked about alone)
        self._clauses: tuple[tuple, dict[str, Label]] | None = None
        self._about: dict[str, str] = {}  # the one clause asked, by normalised question
        # False for a file made before labels named documents that cannot be changed here
        self._documents_column = True
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
            if "documents" not in {r["name"] for r in db.execute("PRAGMA table_info(labels)")}:
                try:
                    db.execute(_ADD_DOCUMENTS)
                except sqlite3.OperationalError:  # a read-only copy: its verdicts still count
                    self._documents_column = False
            self._db = db
        return self._db

    def add(
        self, question: str, answered: bool, origin: str = "", documents: Sequence[str] = ()
    ) -> Label:
        """Label a question (again: the newer verdict replaces the older); ``documents``: the
        ones that answer it, when the person labelling says (kept only for "answered")."""
        if not normalised(question):
            raise UsageError("an empty question cannot be labelled")
        self.add_many([(question, answered, documents)], origin)
        label = self.of(question)
        assert label is not None
        return label

    def add_many(self, labelled: Iterable[Labelled], origin: str) -> int:
        """Label several questions in one transaction (an import); how many. Each is
        (question, answered) or (question, answered, the documents that answer it)."""
        rows = [
            (q.strip(), normalised(q), int(a), origin, _documents(a, rest))
            for q, a, *rest in labelled
            if normalised(q)
        ]
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
        reading = self._read()
        return (reading.vectors, reading.not_answered) if reading and reading.labels else None

    def leading(
        self, question: str, vector: np.ndarray, threshold: float
    ) -> tuple[Label, float] | None:
        """The label naming documents that leads this question (``nearest_answering``): the
        label and its cosine to ``vector`` (the question's own, as ``embed`` gives it)."""
        naming = self._naming()
        found = nearest_answering(
            question, vector, [(lb.question, v, lb.documents) for lb, v in naming], threshold
        )
        return (naming[found[0]][0], found[1]) if found is not None else None

    def on_clauses(self, clause_of: Callable[[str], str]) -> dict[str, Label]:
        """The organisation's latest word on each clause: the newest label on a question about
        that clause alone (``clause_of``: the one clause a question is about, as the Ask page
        reads it, "" for none; always the same reader). A question on two clauses says nothing
        of either alone. Read again when the labels change."""
        with self._lock:
            db = self._connection()
            if db is None:
                return {}
            state = self._state(db)
            if self._clauses is None or self._clauses[0] != state:
                newest: dict[str, Label] = {}
                for label in sorted(self.all(), key=lambda lb: (lb.created, lb.id)):
                    # each question read once (about 1 ms each: 2,000 labels would take two
                    # seconds at every change), as its vector is
                    key = normalised(label.question)
                    if key not in self._about:
                        self._about[key] = clause_of(label.question)
                    if self._about[key]:
                        newest[self._about[key]] = label
                self._clauses = (state, newest)
            return self._clauses[1]

    def nearest(
        self, question: str, vector: np.ndarray, threshold: float
    ) -> tuple[Label, float] | None:
        """The labelled question closest to this one (``nearest_label``), another wording of
        it at cosine ``threshold`` or more: its label and the cosine."""
        labelled = self._labelled()
        found = nearest_label(question, vector, [(lb.question, v) for lb, v in labelled], threshold)
        return (labelled[found[0]][0], found[1]) if found is not None else None

    def _naming(self) -> list[tuple[Label, np.ndarray]]:
        """The labels that name documents, with their vectors."""
        return [(lb, v) for lb, v in self._labelled() if lb.documents]

    def _labelled(self) -> list[tuple[Label, np.ndarray]]:
        """Every label read, with its question's vector."""
        reading = self._read()
        return list(zip(reading.labels, reading.vectors, strict=True)) if reading else []

    def _read(self) -> _Reading | None:
        """The labels and their vectors (None without a file): one small query per question
        asked, the table read again and new questions embedded only when the labels change."""
        with self._lock:
            db = self._connection()
            if db is None:
                return None
            state = self._state(db)
            if self._reading is None or self._reading.state != state:
                labels = self.all()
                self._reading = _Reading(
                    state,
                    labels,
                    np.array([self._vector(lb.question) for lb in labels], np.float32),
                    np.array([not lb.answered for lb in labels], dtype=bool),
                )
            return self._reading

    def _state(self, db: sqlite3.Connection) -> tuple:
        """What the labels are now, in one small query: a reading is kept while it holds."""
        documents = ", total(length(documents))" if self._documents_column else ""
        query = f"SELECT count(*), max(id), max(created), total(answered){documents} FROM labels"
        return tuple(db.execute(query).fetchone()), self.ignored

    def _vector(self, question: str) -> np.ndarray:
        """A labelled question's vector, embedded once."""
        key = normalised(question)
        if key not in self._vectors:
            self._vectors[key] = self.embed(question)
        return self._vectors[key]

    def ignore(self, questions: Iterable[str]) -> int:
        """Do not read the labels of these questions (an evaluation asks them); how many of
        them are labelled."""
        self.ignored = frozenset(normalised(q) for q in questions)
        with self._lock:
            db = self._connection()
            found = {r[0] for r in db.execute("SELECT normalised FROM labels")} if db else set()
        return len(found & self.ignored)


def _documents(answered: bool, rest: list) -> str:
    """The documents column: the names given, one per line, for an answered question."""
    names = [str(d).strip() for d in (rest[0] if rest else ()) if str(d).strip()]
    return "\n".join(dict.fromkeys(names)) if answered else ""


def _label(row: sqlite3.Row) -> Label:
    # an older read-only file has no such column (a Row's "in" reads values, not names)
    named = row["documents"] if "documents" in row.keys() else ""  # noqa: SIM118
    documents = tuple(d for d in (named or "").split("\n") if d)
    return Label(
        row["id"], row["question"], bool(row["answered"]), row["origin"], row["created"], documents
    )
