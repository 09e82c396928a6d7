"""Settings chosen by a fit keep the value the fit chose: the results the refit command wrote are
in the repository, and the defaults are their choice (change one, re-run the other)."""

from __future__ import annotations

import json
import tomllib
from functools import cache

import pytest

from assistant.core.settings import Settings
from assistant.search.glossary import DEFAULT_GATES
from tests.conftest import ROOT

# The grids in the order they were last run: a setting several grids hold keeps the choice of
# the last one that fitted it (stop 40: `second`, read through fold maps, chose
# doc_second_weight 0.6 after `fusion` and `fusion-near` had kept 0.3).
GRIDS = (
    "fusion",
    "clause",
    "about",
    "reach",
    "glossary",
    "fusion-near",
    "second",
    "words",
    "policy",
    "lead",
    "standard",
    "rest",
    "breadth",
    "glossary-gap",
)


@cache
def _result(grid: str) -> dict:
    return json.loads((ROOT / "evals" / "results" / f"retrieval-fit-{grid}.json").read_text())


@pytest.mark.fast
@pytest.mark.parametrize("grid", GRIDS)
def test_retrieval_defaults_are_the_points_their_fit_chose(grid):
    result = _result(grid)
    assert result["command"].endswith(f"--grid {grid}")
    chosen = result["chosen"]
    settings = Settings()
    later = {k for g in GRIDS[GRIDS.index(grid) + 1 :] for k in _result(g)["chosen"]["point"]}
    own = {k: v for k, v in chosen["point"].items() if k not in later}
    assert {k: getattr(settings, k) for k in own} == own
    # kept only because no organisation's MRR is below what the settings before it gave
    assert all(new >= old for new, old in zip(chosen["mrr"], result["current"]["mrr"], strict=True))
    # four organisations until stop 30; the fifth (brightwater) joined the fits from then
    assert {"sample", "gstt-csc", "openregulatory", "fernhill"} <= set(result["organisations"])
    # a new point only when choosing on three organisations carries to the fourth in every fold
    if not result["folds_carry"]:
        assert chosen["point"] == result["current"]["point"]
    # and never one that ranks an organisation's conversations worse
    assert not any(
        c["kept"] and c["point"] != chosen["point"] for c in result["conversation_checks"]
    )


@pytest.mark.fast
def test_the_glossarys_own_gates_are_the_ones_their_fit_chose():
    # scripts/fit_glossary_gates.py --write wrote both: the shipped file holds each entry whose
    # chosen gate differs from the setting's, and only when its folds carried and no
    # organisation's MRR on the entry's questions fell
    result = json.loads((ROOT / "evals" / "results" / "glossary-gates.json").read_text())
    assert result["setting"] == Settings().glossary_below
    chosen = {k: c["gate"] for k, c in result["entries"].items() if c["gate"] != c["setting"]}
    assert tomllib.loads(DEFAULT_GATES.read_text())["gates"] == chosen
    for c in result["entries"].values():
        if c["gate"] != c["setting"]:
            assert c["carries"] and len(c["questions"]) >= 2
            now, new = c["mrr"][str(c["setting"])], c["mrr"][str(c["gate"])]
            assert all(new[o] >= now[o] for o in now)
