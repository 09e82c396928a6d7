"""A plain question that speaks of the standard but names no clause ("How do we check our
customers are happy, for ISO 9001?") can also search the cards of the clauses closest to it in
meaning (usecases/ask.py ``standard_card_queries``, ``standard_card_weight``). Off at stop 32,
when the fit's choice did not carry to every organisation left out; on since stop 33, when the
refit on larger sets carried in every fold (evals/results/retrieval-fit-standard.json,
docs/retrieval.md)."""

from __future__ import annotations

import pytest

from tests.conftest import make_assistant

SATISFACTION = (
    "For ISO 9001, how do we find out what the customers we sell to think of our service?"
)


WEIGHT, CARDS = 0.25, 2  # the point the fit chose at stop 33


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    # planning reads no index: the question and the cards are embedded, nothing is searched
    directory = tmp_path_factory.mktemp("idx")
    return make_assistant(directory, standard_card_weight=WEIGHT, standard_cards=CARDS).ask_service


def _cards(plan) -> list[tuple[str, float]]:
    return [(q.text, q.weight) for q in plan.queries[1:] if not q.lexical]


def test_the_closest_clause_cards_are_searched_beside_the_question(service):
    plan = service.plan(SATISFACTION)
    assert not plan.clause_mode  # no clause named: answered as a plain question
    cards = _cards(plan)
    assert len(cards) == CARDS
    assert all(weight == WEIGHT for _, weight in cards)
    satisfaction = service.resolver.catalogue.get("9.1.2").embedding_text()
    assert satisfaction in [text for text, _ in cards]
    # the not-covered decision still reads the question's own words
    assert plan.gap_query == SATISFACTION


@pytest.mark.parametrize(
    "question",
    [
        # not about the standard: searched in its own words only
        "How do we find out what the customers we sell to think of our service?",
        # nothing left once the standard is taken out
        "ISO 9001?",
    ],
)
def test_no_cards_without_the_standard_or_without_a_subject(service, question):
    assert _cards(service.plan(question)) == []


def test_a_named_clause_keeps_its_own_cards(service):
    plan = service.plan("Which procedure meets ISO 9001 clause 9.1.2?")
    assert plan.clause_mode
    assert [c.id for c in plan.clauses] == ["9.1.2"]


def test_on_by_default_at_the_point_the_fit_chose(tmp_path):
    """The shipped settings search the fitted number of cards at the fitted weight; setting the
    weight to 0 turns the cards off (an organisation that finds them unhelpful)."""
    plan = make_assistant(tmp_path / "on").ask_service.plan(SATISFACTION)
    assert [w for _, w in _cards(plan)] == [WEIGHT] * CARDS
    off = make_assistant(tmp_path / "off", standard_card_weight=0.0).ask_service
    assert _cards(off.plan(SATISFACTION)) == []
