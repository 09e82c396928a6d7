"""The rule scripts/fit_retrieval.py chooses settings by: a point better on the questions is
still passed over when it ranks the conversations worse (``conversations_kept``)."""

from __future__ import annotations

import pytest

from tests.conftest import load_script


@pytest.mark.fast
def test_one_turn_moving_is_within_the_slack_but_more_turns_down_than_up_is_not():
    kept = load_script("fit_retrieval").conversations_kept
    old = {"a": [1] * 50, "b": [1, 2, None] * 10}
    # one of a's fifty turns falls from first to second, one of b's rises: kept
    assert kept({"a": [2] + [1] * 49, "b": [1, 1, None] + [1, 2, None] * 9}, old)[0]
    # the same fall with nothing rising elsewhere: more turns down than up
    ok, seen = kept({"a": [2] + [1] * 49, "b": old["b"]}, old)
    assert not ok and (seen["turns_up"], seen["turns_down"]) == (0, 1)
    # an organisation losing more than the slack, though more turns rise elsewhere
    worse = {"a": [3, 3] + [1] * 48, "b": [1, 1, 1] * 10}
    ok, seen = kept(worse, old)
    assert not ok and seen["turns_up"] > seen["turns_down"]
    # a turn no longer found counts as the lowest
    assert not kept({"a": [None] + [1] * 49, "b": old["b"]}, old)[0]
