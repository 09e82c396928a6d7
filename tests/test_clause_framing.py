"""A clause question framed as an audit visit asks about the clause, not about audits: its
framing words are not searched (usecases/ask.py ``CLAUSE_FRAMING``); words beyond the clause
that say what is asked still are."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.core.settings import Settings
from assistant.factory import _from_settings
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import default_catalogue
from assistant.usecases.ask import AskParams, AskService

pytestmark = pytest.mark.fast


def _service(**settings: float) -> AskService:
    retriever = SimpleNamespace(store=SimpleNamespace(lexical=SimpleNamespace(mentions=bool)))
    params = _from_settings(AskParams, Settings(**settings))
    return AskService(ClauseResolver(default_catalogue()), retriever, params)


def _free_text(question: str) -> list[str]:
    """The queries of a clause question other than its clause cards."""
    plan = _service().plan(question)
    assert plan.clause_mode
    return [q.text for q in plan.queries if not q.fixed and q.dense and q.lexical]


@pytest.mark.parametrize(
    "question",
    [
        "The auditor wants to look at clause 8.5.1 next week. What should I have ready?",
        "An auditor has asked how we meet clause 8.5.4 of ISO 9001. Which procedure covers it?",
        # stop 49: brightwater's 8.5.5 question led with the audit procedure (7th as new)
        "The certification auditor wants to see how we meet ISO 9001 clause 8.5.5. What should I"
        " put in front of them?",
        "Auditor's asking about ISO 9001 section 8.1. What's our evidence for that one?",
        "We've got a surveillance visit next month and the auditor says she'll be sampling 8.5.3.",
        # stop 50: framing and function words alone ("start", "her" are not subjects either)
        "The auditor says she'll start tomorrow with clause 8.1. What do we show her?",
    ],
)
def test_an_audit_visit_framing_is_not_searched(question) -> None:
    # "auditor ... next week ... ready" searched as words led the internal-audit procedure
    assert _free_text(question) == []


def test_what_a_clause_question_asks_beyond_the_clause_is_still_searched() -> None:
    question = "For clause 7.1.5, who keeps the calibration certificates and for how long?"
    assert _free_text(question) == [_service().resolver.strip_references(question)]


def test_the_words_beyond_the_clause_are_searched_at_their_fitted_weight() -> None:
    """``clause_words_weight`` (fitted: scripts/fit_retrieval.py --grid rest) weighs them
    beside the cards; 0 leaves the clause's cards alone."""
    question = "For clause 7.1.5, who keeps the calibration certificates and for how long?"
    rest = _service().resolver.strip_references(question)
    for weight, expected in ((0.5, [(rest, 0.5)]), (0.0, [])):
        plan = _service(clause_words_weight=weight).plan(question)
        free = [(q.text, q.weight) for q in plan.queries if not q.fixed and q.dense and q.lexical]
        assert plan.clause_mode and free == expected
