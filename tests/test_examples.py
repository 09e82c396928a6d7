"""The Ask page's example questions come from the indexed documents: each organisation gets
its own, about its own work, and each is answered from its documents."""

from __future__ import annotations

import shutil

import pytest

from assistant.core.text import terms
from assistant.usecases.examples import GENERIC_EXAMPLES, _case, _who
from tests.conftest import ROOT, make_assistant

FERNHILL = ROOT / "evals" / "orgs" / "fernhill" / "documents"
# A cold store and haulier: four of its procedures are enough for a clause and two steps.
FERNHILL_FILES = (
    "FCC-SOP-03_Temperature_Monitoring_and_Calibration.md",
    "FCC-SOP-04_Goods_Receipt_and_Inspection.md",
    "FCC-SOP-06_Control_of_Nonconforming_Product.md",
    "FCC-SOP-09_Supplier_and_Subcontract_Haulier_Approval.md",
)
# Words any example may use whatever the organisation: the question's frame and clause titles.
FRAME = terms("how often does who what do we happens when clause on")


@pytest.fixture
def fernhill(tmp_path, model):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in FERNHILL_FILES:
        shutil.copy(FERNHILL / name, docs / name)
    app = make_assistant(tmp_path / "idx")
    assert not app.ingest([docs]).failed
    return app


def _words(app) -> set[str]:
    return set().union(*(terms(c.text) for c in app.store.manifest.all_chunks()))


def test_each_organisation_gets_examples_from_its_own_documents(sample, fernhill):
    ours, theirs = sample.examples(), fernhill.examples()
    assert len(ours) == 3 and len(theirs) == 3
    assert ours[0].startswith("How do we meet clause") and theirs[0].startswith("How do we")
    assert set(ours[1:]).isdisjoint(theirs[1:])  # the plain questions are the organisation's
    for app, other, examples in ((sample, fernhill, ours), (fernhill, sample, theirs)):
        own, elsewhere = _words(app), _words(other)
        for question in examples[1:]:  # its words are its documents' ("measure": "measures")
            strange = {w for w in terms(question) - FRAME if not any(o.startswith(w) for o in own)}
            assert not strange, (question, strange)
        # ...and name something the other organisation's documents never do.
        assert any((terms(q) - FRAME) - elsewhere for q in examples[1:]), examples
        for question in examples:
            answer = app.ask(question)
            assert not answer.no_evidence, (question, answer.message)


def test_examples_are_the_same_for_the_same_index(sample):
    again = make_assistant(sample.settings.data_dir)  # a new Assistant works them out afresh
    assert again.examples() == sample.examples()


@pytest.mark.fast
def test_nothing_indexed_gives_the_generic_examples(tmp_path):
    assert make_assistant(tmp_path / "empty").examples() == list(GENERIC_EXAMPLES)


@pytest.mark.fast
@pytest.mark.parametrize(
    "step,questions",
    [
        ("5.8.3 The Engineering Manager approves every ECN.", ["Who approves every ECN?"]),
        (
            "The Quality Manager reviews the alarm log weekly.",
            [
                "Who reviews the alarm log?",
                "How often does the Quality Manager review the alarm log?",
            ],
        ),
        ("The Quality Manager carries out an effectiveness check 90 days after closure.", []),
        ("The Development Lead is responsible for the design.", []),
        ("The Quality Manager checks this when allocating auditors.", []),
    ],
)
def test_a_step_becomes_a_who_or_how_often_question(step, questions):
    from assistant.usecases.examples import _LEAD_IN

    assert [q for q, _, _ in _who(_LEAD_IN.sub("", step))] == questions


@pytest.mark.fast
@pytest.mark.parametrize(
    "step,question",
    [
        (
            "If a reference standard is found out of tolerance by the external laboratory, the "
            "impact assessment covers every gauge.",
            "What do we do if a reference standard is found out of tolerance by the external "
            "laboratory?",
        ),
        ("If the customer refuses, the MRB must choose again.", None),  # too little alone
        ("If the vehicle cannot take it back, it goes to QA HOLD.", None),  # take what back?
        ("When defining the ML model requirements, the team ...", None),
        ("Where a customer contract requires source inspection, the Quality Manager goes.",
         "What happens when a customer contract requires source inspection?"),
    ],
)  # fmt: skip
def test_a_case_becomes_a_what_happens_question(step, question):
    assert _case(step) == question
