"""A question the procedures do not cover: the answer says so, names the management-system
standard the topic belongs to when it is another one's, and lists the closest documents by
number and title."""

from __future__ import annotations

import re

import pytest

from assistant.usecases.other_standards import other_standard_topic

ASPECTS = "How do we keep our environmental aspects register up to date?"


@pytest.mark.fast
@pytest.mark.parametrize(
    "question,standard",
    [
        (ASPECTS, "ISO 14001"),
        ("Where do we record a spill kit check?", "ISO 14001"),
        ("How do I report a workplace injury, and where is the accident book?", "ISO 45001"),
        ("Who investigates near misses?", "ISO 45001"),
        ("Who sets the password rules for the ERP?", "ISO/IEC 27001"),
        ("Who reviews user access rights every quarter?", "ISO/IEC 27001"),
        ("Where is our HACCP plan and who reviews the critical control points?", "ISO 22000"),
        ("How do we track our energy consumption?", "ISO 50001"),
        ("Who approves a new supplier?", None),
        ("How do we plan the staff Christmas party?", None),
        # Access to controlled documents is ISO 9001's own (7.5.3).
        ("Who has access control over the controlled documents?", None),
    ],
)
def test_topics_of_other_standards_are_recognised(question, standard):
    found = other_standard_topic(question)
    assert (found.standard.standard if found else None) == standard


def _labels(app) -> set[str]:
    docs = app.status().document_list
    return {f"{d.doc_no} {d.title}" if not d.title.startswith(d.doc_no) else d.title for d in docs}


def test_another_standards_topic_is_named_with_the_closest_documents_by_title(sample):
    answer = sample.ask(ASPECTS)
    assert answer.no_evidence and answer.other_standard == "ISO 14001"
    assert "ISO 14001" in answer.message and "not ISO 9001" in answer.message
    assert len(answer.closest) == 3 and set(answer.closest) <= _labels(sample)
    assert all(title in answer.message for title in answer.closest)
    assert not re.search(r"\.(?:md|pdf|docx|txt|html)\b", answer.message)  # no file names


def test_a_question_merely_not_covered_names_no_standard(sample):
    answer = sample.ask("How do we plan the staff Christmas party?")
    assert answer.no_evidence and answer.other_standard == ""
    assert not re.search(r"\bISO\b", answer.message)
    assert set(answer.closest) <= _labels(sample) and answer.closest


def test_a_covered_question_is_answered_whatever_its_words(sample):
    """The table never decides "not covered": a question the procedures answer stays answered
    though it uses a word of the table ("password": document control protects the Q-Drive)."""
    question = "Is access to the Q-Drive password protected?"
    assert other_standard_topic(question) is not None
    answer = sample.ask(question)
    assert not answer.no_evidence and answer.other_standard == ""
