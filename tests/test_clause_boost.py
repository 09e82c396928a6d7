"""Citations of a clause asked for count more than those of a clause a conversation carries over
(a guess at what a follow-up is about): cite_boost against carried_cite_boost."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.core.settings import Settings
from assistant.factory import _from_settings
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import default_catalogue
from assistant.search.retrieval import RetrievalResult
from assistant.usecases.ask import AskParams, AskService


class _Retriever:
    """Records what each search was asked with; finds nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str] | None, float | None]] = []
        self.store = SimpleNamespace(lexical=SimpleNamespace(mentions=lambda word: False))

    def search(self, queries, k, clause_ids=None, pointers=False, cite_boost=None):
        self.calls.append((clause_ids, cite_boost))
        return RetrievalResult([], [])


@pytest.mark.fast
def test_a_carried_clause_is_boosted_less_than_one_asked_for():
    settings = Settings()
    assert settings.carried_cite_boost < settings.cite_boost
    retriever = _Retriever()
    service = AskService(
        ClauseResolver(default_catalogue()), retriever, _from_settings(AskParams, settings)
    )
    service.ask("How do we meet clause 8.7?")
    plan = service.plan("who signs it off?")
    plan.boost_clauses = ["8.7"]  # what a conversation carries from the turn before
    service.answer(plan)
    asked, carried = retriever.calls
    assert asked == (["8.7"], None)  # the retriever's own cite_boost
    assert carried == (["8.7"], settings.carried_cite_boost)
