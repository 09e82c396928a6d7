"""An answer to a follow-up is shown as what it changed, not as the first answer's card again."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.usecases.history import History
from assistant.usecases.interview.service import InterviewService
from assistant.usecases.interview.session import VAGUE_ADVICE, InterviewSession, Mode, _topic


def _questions(sample, tmp_path: Path) -> list:
    history = History(tmp_path / "history.sqlite")
    service = InterviewService(
        sample.catalogue, sample.store, sample.embedder, sample.grader, history
    )
    return [q for q in service.bank() if q.id.startswith("C-7.1.5")][:1]


def test_a_vague_follow_up_answer_gets_coaching_not_the_previous_card(sample, tmp_path) -> None:
    session = InterviewSession(_questions(sample, tmp_path), sample.grader, Mode.PRACTICE)
    first = session.answer("We check them.")
    assert first.progress is None and first.grade is not None  # the first answer: its card
    assert first.next is not None and first.next.kind == "follow-up"
    follow = session.answer("I follow the procedure.")
    assert follow.progress is not None
    assert follow.progress.advice == VAGUE_ADVICE
    assert follow.progress.newly_covered == []
    assert follow.progress.still_missing  # what is still to say, with citations
    assert all("(" in line for line in follow.progress.still_missing)


def test_a_follow_up_that_adds_the_missing_facts_says_what_it_covered(sample, tmp_path) -> None:
    session = InterviewSession(_questions(sample, tmp_path), sample.grader, Mode.PRACTICE)
    session.answer("We check them.")
    follow = session.answer(
        "The Metrology Lead checks the working gauges every month against the reference set, "
        "at five points up and down the range, and records it on the F-05-2 calibration record."
    )
    assert follow.progress is not None
    assert follow.progress.score_after > follow.progress.score_before
    assert follow.progress.newly_covered or follow.progress.records_named
    assert follow.progress.advice == ""
    assert follow.progress.lines()[0].startswith(f"Score {follow.progress.score_before} -> ")


def test_the_same_answer_given_again_to_each_follow_up_does_not_raise_the_score(
    sample, tmp_path
) -> None:
    """Walking through fernhill, one vague answer given to a question and both its follow-ups
    climbed from 26 to 74 while each follow-up was told it added nothing an auditor could check.
    """
    session = InterviewSession(_questions(sample, tmp_path), sample.grader, Mode.PRACTICE)
    said = "The supervisor does it and writes it on the form; the manager checks it every month."
    first = session.answer(said)
    assert first.grade is not None and first.next is not None and first.next.kind == "follow-up"
    scores = [first.grade.score]
    while session.current is not None and session.current.kind == "follow-up":
        follow = session.answer(said)
        assert follow.progress is not None and follow.progress.advice == VAGUE_ADVICE
        assert follow.grade is not None
        scores.append(follow.grade.score)
    assert len(scores) >= 2 and set(scores) == {first.grade.score}
    assert session.results[0].grade is not None
    assert session.results[0].grade.score == first.grade.score


@pytest.mark.fast
def test_a_follow_up_names_the_section_in_the_sentences_case() -> None:
    """Walking through gstt-csc: "You haven't mentioned quality Relevance." A heading in title
    case reads in lower case inside the question; words in capitals and a sentence-case
    heading's own capitals stay."""
    assert _topic("3. Quality Relevance") == "quality relevance"
    assert _topic("Control of Nonconforming Product") == "control of nonconforming product"
    assert _topic("5 Procedure > 5.3 The 8D steps") == "the 8D steps"
    assert _topic("CAPA Review") == "CAPA review"
    assert _topic("Method > 1) Audit Frequency") == "audit frequency"
    assert _topic("Use of the QMS by staff") == "use of the QMS by staff"


@pytest.mark.fast
def test_a_follow_up_never_asks_about_a_section_that_names_no_subject() -> None:
    """Walking through gstt-csc: "You haven't mentioned introduction." A heading such as
    "Introduction" or "Purpose" gives way to the heading above it, else to the document's
    title."""
    assert _topic("1. Introduction", "Verification and Validation") == "verification and validation"
    assert _topic("4 Receiving > Purpose", "Goods In") == "receiving"
    assert _topic("Scope", "") == "scope"  # nothing better to say: the heading as it is
    assert _topic("5.2 Temperature check", "Goods In") == "temperature check"
