"""The rule scripts/fit_glossary_gates.py chooses an entry's own gate by, on made-up ranks."""

import pytest

from tests.conftest import load_script


def _ranks(at_never: int, elsewhere: int) -> dict[str, list]:
    """Six questions of one reading: ranked ``at_never`` when the entry is never searched (gate
    0.0), ``elsewhere`` at every other gate."""
    return {
        "ids": [f"Q{i}" for i in range(6)],
        "ranks": {
            str(g): [at_never if g == 0.0 else elsewhere] * 6 for g in (0.0, 0.35, 0.45, 0.55, 1.0)
        },
    }


# two organisations, both readings: the entry's words pull each question from 1st to 2nd
BY_ORG = {r: _ranks(1, 2) for r in ("a", "a (as new)", "b", "b (as new)")}


@pytest.mark.fast
def test_an_entry_that_hurts_everywhere_it_is_searched_is_never_searched():
    choice = load_script("fit_glossary_gates").choose(BY_ORG, 0.35)
    assert choice["gate"] == 0.0 and choice["carries"]
    assert "turned_down" not in choice


@pytest.mark.fast
def test_a_gate_the_checks_turned_down_is_not_chosen_again():
    # the conversations found the fit's choice costly (TURNED_DOWN): the next refit keeps the
    # setting rather than shipping it again, and says why in its result file
    choice = load_script("fit_glossary_gates").choose(BY_ORG, 0.35, (0.0, "a turn fell"))
    assert choice["gate"] == 0.35
    assert choice["turned_down"] == {"gate": 0.0, "why": "a turn fell"}
