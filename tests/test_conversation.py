"""Ask as a conversation: follow-ups keep the topic, new questions do not, and the answer says
how a turn was taken. Real model, the sample organisation's index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.chat import (
    _related,
    evaluate_chat,
    load_conversations,
    reading_accuracy,
)
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import default_catalogue
from assistant.usecases.ask import CAUTION
from assistant.usecases.composer import Answer
from assistant.usecases.conversation import (
    FOLLOW_UP,
    NEW,
    WHICH_CLAUSE,
    WHICH_FORM,
    ConversationTurn,
    Reading,
    read_turn,
)

from .conftest import run_cli

QP05 = "QP-05-calibration-of-measuring-equipment.pdf"


class _Ask:
    """Only what reading a turn needs: the clause resolver."""

    resolver = ClauseResolver(default_catalogue())


def _previous(question: str) -> ConversationTurn:
    answer = Answer(question, "plain", ranked_files=[QP05])
    return ConversationTurn(question, Reading(NEW), answer, ["7.1.5.2"], effective=question)


@pytest.mark.fast
@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("And if one of them turns out to be out of tolerance?", FOLLOW_UP),
        ("Who signs it off?", FOLLOW_UP),
        ("Same for the torque wrenches?", FOLLOW_UP),
        ("Which clause of the standard is that?", WHICH_CLAUSE),
        ("Which form is that written on?", WHICH_FORM),
        ("How do we meet clause 8.7?", NEW),
        ("Another question: how many internal auditors do we have and how are they trained?", NEW),
        ("How are customer complaints logged, acknowledged and closed out by quality?", NEW),
        ("Unrelated: how long after someone leaves is their email deleted?", NEW),
        # Few words, none of them discussed: a new subject, not an ellipsis of the last one.
        ("Where is our environmental aspects register kept?", NEW),
        # Few words sharing one with the last turn ("checked" and "checks"): a follow-up.
        ("Retention period for the checks?", FOLLOW_UP),
        ("How often are the reference gauges recalibrated?", FOLLOW_UP),
        # "one of ..." names its own subject; "a faulty one" points back
        ("A customer says one of our gauges read wrong on site. What do I do?", NEW),
        ("And what happens to a faulty one?", FOLLOW_UP),
        ("How often does a heavily used one get checked?", FOLLOW_UP),
    ],
)
def test_a_turn_is_read_as_new_or_as_continuing_the_last(question: str, kind: str) -> None:
    reading = read_turn(question, _previous("How often are master gauges checked?"), _Ask())
    assert reading.kind == kind
    if kind != NEW:
        assert reading.topic == "How often are master gauges checked?"
        assert "How often are master gauges checked?" in reading.note()
    else:
        assert reading.note() == ""


@pytest.mark.fast
def test_the_first_turn_of_a_conversation_is_always_new() -> None:
    assert read_turn("And who signs it?", None, _Ask()).kind == NEW


@pytest.mark.fast
def test_reading_accuracy_judges_new_subjects_and_continuations_by_their_labels() -> None:
    rows = [
        {"kind": "first", "reading": NEW},  # not judged: nothing to continue
        {"kind": "new_topic", "reading": FOLLOW_UP},  # wrong: a new subject carried over
        {"kind": "new_topic", "reading": NEW},
        {"kind": "followup_same", "reading": WHICH_FORM},  # any carried reading is right
        {"kind": "followup_switch", "reading": NEW},  # wrong: the topic was dropped
        {"kind": "unanswered", "reading": NEW},  # not judged: either reading may be right
    ]
    assert reading_accuracy(rows) == 0.5
    assert reading_accuracy([{"kind": "", "reading": NEW}]) is None


@pytest.mark.fast
def test_a_refusal_taken_back_shows_the_passages_under_the_caution() -> None:
    answer = Answer("q", "plain", no_evidence=True, message="not covered", closest=["QP-05"])
    answer.decided_by = "not covered"
    answer.shown_under_caution("check them")
    assert not answer.no_evidence and answer.caution == "check them"
    assert answer.message == "" and answer.closest == [] and answer.decided_by == ""


def test_a_follow_up_its_topic_dilutes_is_not_refused_when_its_own_words_are_answered(
    sample,
) -> None:
    """'How many people have to be on an 8D team?' after a clause question is read as a
    follow-up; with the clause's words carried its best cosine falls below the line, but QP-12
    answers it on its own, so it is shown, under the caution, not refused. (QP-12 led until
    stop 23; since QP-04's skills matrix is read with all its columns, its cover rule, "at
    least 2 people at level 2 or above on each shift", is a passage of its own and leads on
    "how many people" as a follow-up: a known loss, docs/history.md.)"""
    conv = sample.conversation()
    sample.chat(conv, "How do we meet clause 8.7?")
    turn = sample.chat(conv, "How many people have to be on an 8D team?")
    assert turn.reading.kind == FOLLOW_UP
    assert not turn.answer.no_evidence and turn.answer.caution == CAUTION
    assert "QP-12-corrective-action-and-improvement.md" in turn.answer.ranked_files[:2]
    assert turn.answer.lead  # the short answer is quoted, now that the answer is shown


def test_a_follow_up_on_a_matter_outside_the_documents_is_not_covered(sample) -> None:
    """'What about holiday pay?' after the master gauges was answered from the calibration
    procedure, whose words the carried topic brings. No document names pay, a matter of running
    the workplace: judged by its own words it is not covered, and says why. The next
    follow-up continues the master gauges and is answered."""
    conv = sample.conversation()
    sample.chat(conv, "How often are the master gauges in the test bay checked?")
    turn = sample.chat(conv, "What about holiday pay?")
    assert turn.reading.kind == FOLLOW_UP
    assert turn.answer.no_evidence and turn.answer.decided_by == "topic named nowhere"
    assert "none of them mentions pay" in turn.answer.message
    assert "running the workplace" in turn.answer.message
    # The refused turn does not join the subject: the next continues the master gauges.
    follow = sample.chat(conv, "Who keeps the certificates?")
    assert follow.reading.kind == FOLLOW_UP and not follow.answer.no_evidence
    assert "master gauges" in follow.reading.note() and "holiday" not in follow.reading.note()


@pytest.mark.fast
def test_a_clause_matches_itself_or_its_direct_parent_not_its_section() -> None:
    assert _related("7.1.5", "7.1.5.2") and _related("8.7.1", "8.7")
    assert not _related("7", "7.2") and not _related("7.1", "7.1.5.2")


def test_a_follow_up_keeps_the_topic_and_a_new_question_does_not(sample) -> None:
    conv = sample.conversation()
    first = sample.chat(conv, "How often are the master gauges in the test bay checked?")
    assert QP05 in first.answer.ranked_files[:3]
    follow = sample.chat(conv, "And if one of them turns out to be out of tolerance?")
    assert follow.reading.kind == FOLLOW_UP and "master gauges" in follow.reading.note()
    assert QP05 in follow.answer.ranked_files[:2]
    alone = sample.chat(conv, "And if one of them turns out to be out of tolerance?", True)
    assert alone.reading.kind == NEW and alone.reading.note() == ""
    clause = sample.chat(conv, "Which ISO 9001 clause is all that about?")
    assert clause.reading.kind in (WHICH_CLAUSE, NEW)
    new = sample.chat(conv, "How do we handle a customer complaint and how fast do we reply?")
    assert new.reading.kind == NEW
    assert QP05 not in new.answer.ranked_files[:1]


def test_which_clause_answers_with_the_clause_of_the_last_answer(sample) -> None:
    conv = sample.conversation()
    sample.chat(conv, "How often are the master gauges in the test bay checked?")
    sample.chat(conv, "And if one of them turns out to be out of tolerance?")
    turn = sample.chat(conv, "Which clause of the standard is that?")
    assert turn.reading.kind == WHICH_CLAUSE
    assert any(_related(c, "7.1.5.2") for c in turn.clauses)
    assert turn.answer.mode == "clause" and turn.answer.clauses


def test_which_form_lists_the_forms_the_last_passages_name(sample) -> None:
    conv = sample.conversation()
    sample.chat(conv, "What do we do when a reference gauge is found out of tolerance?")
    turn = sample.chat(conv, "Which form is the impact assessment written on?")
    assert turn.reading.kind == WHICH_FORM
    assert "F-05-3" in turn.forms


def test_eval_chat_reports_the_conversation_beside_both_baselines(sample, tmp_path) -> None:
    lines = [
        {
            "id": "T1",
            "turns": [
                {"question": "How often are the master gauges in the test bay checked?",
                 "expected_sources": [QP05], "expected_clauses": ["7.1.5.2"]},
                {"question": "And if one is out of tolerance?",
                 "expected_sources": [QP05], "expected_clauses": ["7.1.5.2"]},
                {"question": "Do we pay the calibration lab by credit card?",
                 "expected_sources": []},
            ],
        }
    ]  # fmt: skip
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = evaluate_chat(sample.conversation, load_conversations(path))
    keys = {"n_conversations", "n_turns", "hit_at_1", "hit_at_3", "mrr", "followup_hit_at_3",
            "followup_mrr", "no_answer_accuracy", "clause_accuracy",
            "reading_accuracy"}  # fmt: skip
    assert keys <= set(result) and set(result["baselines"]) == {"stateless", "concatenated"}
    assert keys <= set(result["baselines"]["stateless"])
    assert result["n_conversations"] == 1 and result["n_turns"] == 3
    assert result["followup_hit_at_3"] == 1.0
    assert result["baselines"]["stateless"]["reading_accuracy"] is None  # a baseline reads nothing


def test_chat_in_the_terminal_keeps_the_topic_and_starts_over(sample) -> None:
    script = (
        "How often are the master gauges in the test bay checked?\n"
        "And if one of them turns out to be out of tolerance?\n"
        "/new\n"
        "And if one of them turns out to be out of tolerance?\n"
        "/quit\n"
    )
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "chat",
            "--data-dir",
            str(sample.settings.data_dir),
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("Taking this as a follow-up to: How often are the master gauges") == 1
    assert "(new conversation)" in out
    assert QP05 in out


def test_eval_chat_file_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "X", "turns": [{"q": "no question key"}]}\n')
    done = run_cli("eval", "chat", "--conversations", str(bad), "--data-dir", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
