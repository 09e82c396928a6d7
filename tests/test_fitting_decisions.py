"""`scripts/fitting_decisions.py diff` reads the project's rule off two runs: a change is kept
only if no organisation is lower on MRR or no-answer accuracy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, load_script

pytestmark = pytest.mark.fast


def row(qid: str, rank: int | None, no_evidence: bool, answered: bool = True) -> dict:
    return {
        "id": qid,
        "question": f"question {qid}",
        "expected_sources": ["QP-01.md"] if answered else [],
        "rank": rank,
        "no_evidence": no_evidence,
        "caution": False,
    }


def write(path: Path, runs: dict) -> Path:
    path.write_text(json.dumps(runs), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def decisions():
    return load_script("fitting_decisions")


def test_kept_only_if_no_organisation_is_lower(decisions, tmp_path) -> None:
    before = write(
        tmp_path / "before.json",
        {
            "a": [row("a1", 1, False), row("a2", None, True, answered=False)],
            "b": [row("b1", 2, False), row("b2", None, False, answered=False)],
        },
    )
    # b trades one decision for another (its answered question refused, its not-answered one
    # refused too): level, so kept
    after = write(
        tmp_path / "after.json",
        {
            "a": [row("a1", 1, False), row("a2", None, True, answered=False)],
            "b": [row("b1", 2, True), row("b2", None, True, answered=False)],
        },
    )
    assert decisions.diff(before, after) == []
    # b gains on both figures but a answers a question its documents do not: not kept
    worse = write(
        tmp_path / "worse.json",
        {
            "a": [row("a1", 1, False), row("a2", None, False, answered=False)],
            "b": [row("b1", 1, False), row("b2", None, True, answered=False)],
        },
    )
    assert decisions.diff(before, worse) == ["a (no-answer)"]


def test_a_small_rank_loss_counts_though_four_decimals_hide_it(decisions, tmp_path) -> None:
    many = [row(f"q{i}", 1, False) for i in range(2100)]
    before = write(tmp_path / "before.json", {"a": [*many, row("x", 5, False)]})
    after = write(tmp_path / "after.json", {"a": [*many, row("x", 6, False)]})
    assert decisions.diff(before, after) == ["a (MRR)"]
    assert decisions.diff(after, before) == []


def test_questions_added_since_the_first_run_are_not_a_change(decisions, tmp_path) -> None:
    before = write(tmp_path / "before.json", {"a": [row("a1", 1, False)]})
    after = write(tmp_path / "after.json", {"a": [row("a1", 1, False), row("new", 9, True)]})
    assert decisions.diff(before, after) == []


def test_the_command_fails_when_an_organisation_is_lower(tmp_path) -> None:
    before = write(tmp_path / "before.json", {"a": [row("a1", 1, False)]})
    after = write(tmp_path / "after.json", {"a": [row("a1", 2, False)]})
    script = str(ROOT / "scripts" / "fitting_decisions.py")
    done = subprocess.run(
        [sys.executable, script, "diff", str(before), str(after)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "not kept by the rule: lower on a (MRR)" in done.stdout
    same = subprocess.run(
        [sys.executable, script, "diff", str(before), str(before)], capture_output=True, text=True
    )
    assert same.returncode == 0
    assert "no organisation lower" in same.stdout


def test_conversation_turns_are_read_as_questions(decisions, tmp_path) -> None:
    """`assistant eval chat --organisations ... --json` files: each turn compared by its
    conversation and place, so a change the fitting questions keep can still fail here."""

    def chat(no_evidence: bool) -> dict:
        turns = [
            {**row("ignored", 1, no_evidence), "conversation": "CV1", "turn": 1},
            {**row("ignored", None, True, answered=False), "conversation": "CV1", "turn": 2},
        ]
        for turn in turns:
            del turn["id"], turn["caution"]  # a chat turn has neither
        return {"organisations": {"a": {"turns": turns, "no_answer_accuracy": 0.0}}}

    before = write(tmp_path / "before.json", chat(no_evidence=False))
    after = write(tmp_path / "after.json", chat(no_evidence=True))
    assert decisions.diff(before, after) == ["a (no-answer)"]
    assert decisions.diff(after, before) == []
