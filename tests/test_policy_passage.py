"""A quality policy answers questions about the policy, not how a practice is done
(core/text.py ``is_policy_section``, usecases/ask.py ``policy_weight``)."""

from __future__ import annotations

import pytest

from assistant.core.settings import Settings
from assistant.core.text import asks_about_policy, is_policy_section
from tests.conftest import indexed_texts, make_assistant


@pytest.mark.fast
@pytest.mark.parametrize(
    ("heading", "policy"),
    [
        ("5 Quality policy (ISO 9001 clause 5.2)", True),
        ("Quality Manual, Policy and Objectives > 2. Quality Policy & Objectives", True),
        ("6 Leadership, policy and objectives > 6.1 Quality policy", True),
        ("2. Quality Policy & Objectives > Quality Policy", True),
        # the manual's title above a section does not make the section the policy
        ("Quality Manual, Policy and Objectives > 3. Roles", False),
        # another policy is not the quality policy (openregulatory's risk acceptability)
        ("1. Relevant Processes > 1.2 Risk Policy and Risk Acceptability", False),
        ("5 Procedure > 5.3 Warranty", False),
    ],
)
def test_a_passage_is_the_quality_policy_by_its_own_heading(heading, policy):
    assert is_policy_section(heading) is policy


@pytest.mark.fast
@pytest.mark.parametrize(
    ("question", "about"),
    [
        ("What does our quality policy commit us to?", True),
        ("What are this year's quality objectives?", True),
        ("What's our on-time delivery target?", True),
        ("How long are our pumps guaranteed for?", False),
        ("A customer rang to say a pump we sent leaks. What do we do?", False),
    ],
)
def test_a_question_about_the_policy_is_told_apart(question, about):
    assert asks_about_policy(question) is about


# Our own words, shaped like a small manufacturer's manual: a policy that names the products,
# the customers and the aims every question shares, beside the procedures that say what to do.
MANUAL = """# QM-01 Quality Manual

## 1 Purpose
This manual describes how Harbour Pumps Ltd runs its quality management system and where each
part of it is written down.

## 2 Quality policy
Our customers rely on our pumps, valves and spare parts to keep their plants running. We
commit to supplying products that work first time, to answering every customer promptly, to
meeting the requirements that apply to us and to improving how we work every year.

## 3 Quality objectives
Each year top management sets objectives for on-time delivery and customer complaints.
"""
SERVICE = """# QP-16 Servicing and returns

## 1 Scope
Covers every pump returned for repair or warranty work.

## 2 Warranty
New pumps carry a 24-month warranty from despatch. Damage from misuse, frost or running dry is
not covered and is quoted as a chargeable repair.
"""
TEST = """# QP-10 Final test

## 1 Pressure test
Every pump is run on the test rig at its rated pressure for ten minutes before despatch.
"""
CORPUS = {
    "QM-01-quality-manual.md": MANUAL,
    "QP-16-servicing-and-returns.md": SERVICE,
    "QP-10-final-test.md": TEST,
}
LEAK = "A customer rang to say a pump we sent them leaks. What do we do?"


def test_the_policy_no_longer_leads_a_question_on_what_to_do(tmp_path):
    app = indexed_texts(tmp_path, CORPUS)
    assert Settings().policy_weight < 1.0  # the fitted weight (evals/results)
    before = make_assistant(tmp_path / "idx", policy_weight=1.0).ask(LEAK)
    assert before.ranked_files[0] == "QM-01-quality-manual.md"  # the policy's words lead
    answer = app.ask(LEAK)
    assert answer.ranked_files[0] == "QP-16-servicing-and-returns.md"
    # the passages shown follow the documents' order
    assert answer.evidence[0].chunk.file == "QP-16-servicing-and-returns.md"
    # asked about the policy itself, the manual keeps the lead
    asked = app.ask("What does our quality policy commit us to?")
    assert asked.ranked_files[0] == "QM-01-quality-manual.md"
