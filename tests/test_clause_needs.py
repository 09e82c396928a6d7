"""A plain question asking what a clause asks for (keeping people's know-how: 7.1.6), in an
organisation whose documents never speak of it, is a possible gap on that clause, not an answer
from the nearest HR text; once a document speaks of it or cites the clause, it is answered."""

from __future__ import annotations

import pytest

from assistant.usecases.clause_needs import KNOWLEDGE, PROPERTY, clause_need, other_part
from tests.conftest import CORPUS, add_document, make_assistant

LEAVING = (
    "When a senior developer leaves, how do we make sure what they know doesn't walk out the door?"
)
TWO_PARTS = (
    "How do we make sure the know-how our processes depend on doesn't get lost, and how do we "
    "pick up new knowledge when standards or laws change?"
)


@pytest.mark.fast
@pytest.mark.parametrize(
    "question",
    [
        LEAVING,
        "Our lead engineer retires in May. How do we keep her know-how?",
        "Is there a lessons-learned review when a project wraps up?",
        "How do we capture what's in people's heads before they move on?",
        "Where do we deal with organisational knowledge?",
    ],
)
def test_a_question_on_keeping_know_how_is_recognised(question):
    assert clause_need(question) is KNOWLEDGE


@pytest.mark.fast
@pytest.mark.parametrize(
    "question",
    [
        "A hospital has lent us one of their scanners for testing. How do we look after it?",
        "Who signs for equipment that belongs to the customer when it arrives?",
        "Where do we record damage to customer property?",
    ],
)
def test_a_question_on_a_customers_property_in_our_care_is_recognised(question):
    assert clause_need(question) is PROPERTY


@pytest.mark.fast
@pytest.mark.parametrize(
    "question",
    [
        "A customer complained about a late delivery. Who needs to know?",
        "Can the bank give us a loan for the new press?",
        "Who lends a hand when the inspector is off?",
        "What knowledge of the regulations does a new auditor need?",
        "How do we let the customer know their order has shipped?",
        "Who approves the training plan for new starters?",
    ],
)
def test_other_matters_that_say_know_or_knowledge_are_not(question):
    assert clause_need(question) is None


@pytest.mark.fast
def test_a_second_question_joined_by_and_is_another_part_an_elaboration_is_not():
    assert other_part(TWO_PARTS, KNOWLEDGE)
    assert not other_part(LEAVING, KNOWLEDGE)
    # the second sentence asks about the same matter in other words
    assert not other_part(
        "Our lead developer leaves next month and a lot of what she knows isn't written down. "
        "Is there a process for capturing it?",
        KNOWLEDGE,
    )
    # both halves ask for the need
    assert not other_part(
        "When a project wraps up, do we hold a lessons-learned session, and how is the know-how "
        "kept?",
        KNOWLEDGE,
    )


def test_know_how_named_nowhere_is_a_possible_gap_on_7_1_6_until_a_document_speaks_of_it(
    tmp_path, models_dir
):
    """The purchasing procedure alone never speaks of know-how nor cites 7.1.6: the question is
    a possible gap on the clause, named in the answer. A handover procedure that speaks of
    lessons learned answers it."""
    app = make_assistant(tmp_path / "index", models_dir=models_dir)
    app.ingest([CORPUS / "QP-08-purchasing-and-supplier-control.docx"])
    answer = app.ask(LEAVING)
    assert answer.no_evidence and answer.decided_by == "clause need named nowhere"
    assert answer.message.startswith("Possible gap:")
    assert "clause 7.1.6 (Organizational knowledge)" in answer.message
    assert "QP-08" in answer.message  # the closest documents, as every refusal names them
    # the two-part question is answered, its first part's gap said beside the answer
    two = app.ask(TWO_PARTS)
    assert two.decided_by != "clause need named nowhere"
    if not two.no_evidence:
        note = next(b for b in two.bridges if b.startswith("One part is a possible gap"))
        assert "7.1.6" in note
        assert not note.endswith(".")  # the page and the CLI end each note with one
    add_document(
        app,
        tmp_path / "HR-07-leavers.md",
        "# HR-07 Leavers\n\n## Handing on work\n\nBefore an engineer leaves, their manager "
        "plans a handover of work with the person taking it on, and the lessons learned on "
        "their projects are written into the team's design notes.\n",
    )
    assert app.ask(LEAVING).decided_by != "clause need named nowhere"


def test_a_document_citing_the_clause_keeps_the_question_to_the_search(tmp_path, models_dir):
    """A manual that says which procedure meets 7.1.6, in words the rule does not know, says
    the clause is met: the question is decided as any other."""
    app = make_assistant(tmp_path / "index", models_dir=models_dir)
    app.ingest([CORPUS / "QP-08-purchasing-and-supplier-control.docx"])
    add_document(
        app,
        tmp_path / "QM-01-manual.md",
        "# QM-01 Quality manual\n\n## 7.1.6\n\nClause 7.1.6 is met by the mentoring scheme: "
        "every engineer works beside a senior colleague for their first year.\n",
    )
    assert app.ask(LEAVING).decided_by != "clause need named nowhere"


def test_a_real_qms_silent_on_know_how_says_so(gstt):
    """GSTT's documents never speak of know-how or lessons learned, nor cite 7.1.6."""
    app, _ = gstt
    answer = app.ask("When an experienced colleague retires, how do we keep what they know?")
    assert answer.decided_by == "clause need named nowhere"
    assert "7.1.6" in answer.message


def test_a_customers_property_named_nowhere_is_a_possible_gap_on_8_5_3(tmp_path, models_dir):
    """The purchasing procedure alone says nothing of a customer's things in our care; the
    servicing and customer property procedure does."""
    app = make_assistant(tmp_path / "index", models_dir=models_dir)
    app.ingest([CORPUS / "QP-08-purchasing-and-supplier-control.docx"])
    question = "A customer lent us their test rig and a forklift dented it. Who do we tell?"
    answer = app.ask(question)
    assert answer.decided_by == "clause need named nowhere"
    assert "clause 8.5.3 (Property belonging to customers or external providers)" in answer.message
    app.ingest([CORPUS / "QP-16-servicing-returns-and-customer-property.md"])
    answer = app.ask(question)
    assert answer.decided_by != "clause need named nowhere"
    assert answer.ranked_files[0] == "QP-16-servicing-returns-and-customer-property.md"
