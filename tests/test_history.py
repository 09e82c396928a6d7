"""Practice history without a model: typed rows, readiness and spaced repetition from recorded
labels, the CSV and Markdown exports, and a history file that outlives its process."""

from __future__ import annotations

import csv
import dataclasses
import io
import sqlite3
from pathlib import Path

import pytest

from assistant.usecases.history import History, SessionRecord, Turn
from assistant.usecases.history.reports import format_when
from assistant.usecases.history.schedule import PracticeSchedule
from assistant.usecases.history.store import HistoryStore

pytestmark = pytest.mark.fast


def _answer(
    history: History, session: int, question: str, clauses: list[str], score: int | None,
    label: str | None, *, kind: str = "question", prompt: str = "Q?", answer: str = "A.",
    user: str = "bob",
) -> None:  # fmt: skip
    """Record one turn and, for a graded question, review its cards, as the coach does."""
    history.record_turn(session, user, question, clauses, kind, prompt, answer, score, label,
                        {"feedback": f"scored {score}"})  # fmt: skip
    if kind == "question" and label:
        history.schedule(user, question, clauses, label)


@pytest.fixture
def history(tmp_path: Path):
    h = History(tmp_path / "history.sqlite")
    yield h
    h.close()


def test_rows_come_back_typed_and_frozen(history):
    sid = history.start_session("bob", "practice", "operator", ["7.1.5"])
    _answer(history, sid, "Q1", ["7.1.5"], 20, "poor", answer="We check them.")
    _answer(history, sid, "Q1", ["7.1.5"], 55, "partial", kind="follow-up", prompt="Who?")
    _answer(history, sid, "Q2", ["8.7", "8.2"], None, None)  # skipped: not graded
    history.finish_session(sid, {"score": 55})

    turns = history.turns("bob")
    assert all(isinstance(t, Turn) for t in turns)
    first = turns[0]
    assert (first.mode, first.question_id, first.kind, first.answer) == (
        "practice", "Q1", "question", "We check them."
    )  # fmt: skip
    assert first.clauses == ("7.1.5",) and first.feedback == {"feedback": "scored 20"}
    assert turns[2].clauses == ("8.7", "8.2") and turns[2].score is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.score = 100  # type: ignore[misc]
    # One result per question asked, the follow-up's score replacing the first; skips left out.
    assert [(r.question_id, r.score, r.kind) for r in history.results("bob")] == [
        ("Q1", 55, "follow-up")
    ]
    (session,) = history.sessions("bob")
    assert isinstance(session, SessionRecord)
    assert session.clauses == ("7.1.5",) and session.role == "operator"
    assert session.finished is not None and session.finished >= session.started
    assert history.users() == ["bob"] and history.turns("ann") == []


def test_readiness_is_the_mean_of_the_latest_five_scores(history):
    for score, label in [(0, "poor"), (100, "good"), (80, "good"), (60, "partial"), (90, "good"),
                         (70, "partial")]:  # fmt: skip
        sid = history.start_session("bob", "practice")
        _answer(history, sid, "Q1", ["7.1.5"], score, label)
    sid = history.start_session("bob", "practice")
    _answer(history, sid, "Q2", ["8.7"], 30, "poor")

    ready = history.readiness("bob")
    assert [r.clause for r in ready] == ["8.7", "7.1.5"]  # weakest first
    assert ready[1].score == pytest.approx((100 + 80 + 60 + 90 + 70) / 5)  # the 0 dropped out
    assert ready[1].answers == 6 and ready[0].answers == 1
    assert history.readiness("bob", latest=1)[1].score == 70
    assert history.readiness("nobody") == []


def test_a_poor_answer_falls_due_before_a_good_one(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite")
    start = 1_700_000_000.0
    now = [start]
    schedule = PracticeSchedule(store, clock=lambda: now[0])
    sid = store.start_session("bob", "practice")
    for question, clause, score, label in [("Q1", "7.1.5", 20, "poor"), ("Q2", "8.7", 90, "good")]:
        store.record_turn(sid, "bob", question, [clause], "question", "Q?", "A.", score, label)
        schedule.review("bob", question, [clause], label)

    assert not any(r.due for r in schedule.readiness("bob"))  # both just practised
    now[0] = start + 5 * 60
    assert {r.clause: r.due for r in schedule.readiness("bob")} == {"7.1.5": True, "8.7": False}
    now[0] = start + 24 * 3600
    assert all(r.due for r in schedule.readiness("bob"))
    store.close()


def test_due_first_puts_due_then_weak_clauses_first_and_new_ones_last(history):
    sid = history.start_session("bob", "practice")
    _answer(history, sid, "Q1", ["7.1.5"], 20, "poor")
    _answer(history, sid, "Q2", ["8.7"], 90, "good")
    # Graded but never reviewed (no card): counts as due, so it comes before weaker clauses.
    history.record_turn(sid, "bob", "Q3", ["9.2"], "question", "Q?", "A.", 60, "partial")

    order = history.due_first("bob", ["10.2", "8.7", "9.2", "7.1.5", "4.1"])
    assert order == ["9.2", "7.1.5", "8.7", "10.2", "4.1"]
    assert history.due_first("nobody", ["8.7", "7.1.5"]) == ["8.7", "7.1.5"]


def test_csv_export_has_the_header_and_one_line_per_turn(history, tmp_path):
    sid = history.start_session("bob", "exam", question_set="stage2-core")
    _answer(history, sid, "Q1", ["8.7", "8.2"], 90, "good", prompt='Red "tag"?',
            answer="Yes, at once.")  # fmt: skip
    path = tmp_path / "bob.csv"

    assert history.export_csv("bob", path) == 1
    raw = path.read_bytes()
    assert raw == history.csv_text("bob").encode("utf-8")
    assert raw.startswith(
        b"when,user,mode,session,question_id,clauses,kind,question,answer,score,label\r\n"
    )
    (turn,) = history.turns("bob")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[1] == [format_when(turn.created), "bob", "exam", str(sid), "Q1", "8.7 8.2",
                       "question", 'Red "tag"?', "Yes, at once.", "90", "good"]  # fmt: skip
    assert len(rows) == 2


def test_markdown_report_has_readiness_and_each_final_score(history, tmp_path):
    sid = history.start_session("bob", "practice")
    _answer(history, sid, "Q1", ["7.1.5"], 40, "poor", prompt="Gauges | how\noften?")
    path = tmp_path / "bob.md"

    assert history.export_markdown("bob", path) == 1
    (result,) = history.results("bob")
    assert path.read_text(encoding="utf-8") == "\n".join([
        "# Interview practice report", "",
        "## bob", "", "1 questions answered.", "",
        "| Clause | Readiness | Answers | Due |", "| --- | --- | --- | --- |",
        "| 7.1.5 | 40 | 1 | no |", "",
        "| When | Question | Score | Label |", "| --- | --- | --- | --- |",
        f"| {format_when(result.created)} | Gauges / how often? | 40 | poor |", "",
    ])  # fmt: skip
    other = history.start_session("ann", "practice")
    _answer(history, other, "Q2", ["8.7"], 90, "good", user="ann")
    everyone = history.markdown_text(None)
    assert everyone.index("## ann") < everyone.index("## bob")  # every user, by name


def test_reopening_the_file_keeps_sessions_turns_and_cards(tmp_path):
    path = tmp_path / "data" / "history.sqlite"  # the folder is created on first use
    first = History(path)
    sid = first.start_session("bob", "practice", clauses=["8.7"])
    _answer(first, sid, "Q1", ["8.7"], 90, "good")
    turns, readiness = first.turns(), first.readiness("bob")
    first.close()

    again = History(path)
    assert again.turns() == turns and again.readiness("bob") == readiness
    assert again.users() == ["bob"] and len(again.sessions()) == 1
    _answer(again, again.start_session("bob", "quick"), "Q1", ["8.7"], 30, "poor")
    assert [r.score for r in again.results("bob")] == [90, 30]
    again.close()
    # The same tables and columns as earlier versions wrote, so their files open unchanged.
    db = sqlite3.connect(path)
    columns = {
        table: [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
        for table in ("sessions", "turns", "cards")
    }
    db.close()
    assert columns == {
        "sessions": ["id", "user", "mode", "role", "clauses", "question_set", "started",
                     "finished", "summary"],
        "turns": ["id", "session_id", "user", "question_id", "clauses", "kind", "prompt",
                  "answer", "score", "label", "feedback", "created"],
        "cards": ["user", "key", "card", "due"],
    }  # fmt: skip
