"""Plain questions re-ranked by their words in context (``AskService._rerank_by_words``, the
words kept at ingest in index/word_store.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.core.models import Chunk, Evidence
from assistant.core.settings import Settings
from assistant.factory import _from_settings
from assistant.search.retrieval import DocumentHit
from assistant.usecases.ask import AskParams, AskService


def _hit(file: str, score: float) -> DocumentHit:
    chunk = Chunk(file, file, file, file, file, "1", "1 Scope", None, 0, f"text of {file}")
    return DocumentHit(file, score, [Evidence(chunk, score)])


class _Reader:
    """Word matches by document: how closely each speaks of the thing asked."""

    def __init__(self, match: dict[str, float]) -> None:
        self.match = match

    def word_matches(self, question: str, passages: list[Evidence]) -> list[float]:
        return [self.match[e.chunk.file] for e in passages]


def _service(reader: _Reader | None, **params: float) -> AskService:
    p = replace(_from_settings(AskParams, Settings()), **params)
    return AskService(None, None, p, word_reader=reader)  # type: ignore[arg-type]


@pytest.mark.fast
def test_a_document_that_speaks_of_the_thing_asked_rises_within_the_first_documents():
    docs = [_hit("a", 0.50), _hit("b", 0.48), _hit("c", 0.47), _hit("d", 0.30)]
    reader = _Reader({"a": 0.40, "b": 0.60, "c": 0.45, "d": 0.99})
    service = _service(reader, word_rerank_weight=0.15, word_rerank_documents=3)
    assert service._rerank_by_words("q", docs, service.params.word_rerank_weight)
    # b: 0.48 + 0.15 * 0.60 = 0.57 over a: 0.50 + 0.06; d is beyond the documents re-ranked
    assert [d.file for d in docs] == ["b", "a", "c", "d"]


@pytest.mark.fast
def test_no_re_ranking_at_weight_zero_or_without_a_reader():
    for service in (_service(_Reader({"a": 0.0, "b": 1.0}), word_rerank_weight=0.0),
                    _service(None, word_rerank_weight=0.15)):  # fmt: skip
        docs = [_hit("a", 0.5), _hit("b", 0.4)]
        assert not service._rerank_by_words("q", docs, service.params.word_rerank_weight)
        assert [d.file for d in docs] == ["a", "b"]


def test_the_sample_keeps_every_passages_words_and_the_answer_follows_the_new_order(sample):
    """Real model and index: the words of every passage are kept at ingest, a plain question
    the re-ranking moves lists its passages in the documents' new order, and the procedure
    that answers it rises (QP-01 says how a wrong step in a procedure is corrected)."""
    store = sample.store
    assert store.words_are_current()
    assert store.words.ids() == store.manifest.chunk_ids()
    question = "I've spotted an out-of-date step in one of our QPs - how do I get it corrected?"
    service = sample.ask_service
    base, question_map = service.params, service.retriever.question_map
    expected = "QP-01-document-and-record-control.md"
    assert service.ask(question).ranked_files[0] == expected  # as shipped
    try:
        # The re-ranking's own effect, on the question's own vector: the question map (stop
        # 35) puts QP-01 first without it. The quality policy counted in full: its own rule
        # (policy_weight) lifts QP-01 too.
        service.retriever.question_map = None
        service.params = replace(base, word_rerank_weight=0.0, policy_weight=1.0)
        before = service.ask(question)
        service.params = replace(base, word_rerank_weight=0.15, policy_weight=1.0)
        after = service.ask(question)
    finally:
        service.params, service.retriever.question_map = base, question_map
    assert after.ranked_files.index(expected) < before.ranked_files.index(expected)
    order = {f: n for n, f in enumerate(after.ranked_files)}
    shown = [order[e.chunk.file] for e in after.evidence if e.chunk.file in order]
    assert shown == sorted(shown)


def test_a_follow_up_is_re_ranked_by_its_topic_and_its_own_words(sample):
    """Real model and index: after a shop-floor gauge failed its monthly check, "do we have to
    go back over the stuff it was used to check?" is about the calibration procedure's look-back
    on product measured with it; re-ranked by the turn's topic and its own words together
    (``carried_rerank_weight``), the calibration procedure leads, over the returns procedure."""
    first = "The metrology lab says one of our shop-floor pressure gauges failed its monthly check."
    first += " What happens to it now?"
    follow_up = "Do we have to go back over the stuff it was used to check?"
    service = sample.ask_service
    base, question_map = service.params, service.retriever.question_map
    led = {}
    talk = sample.conversation()
    sample.chat(talk, first)
    shipped = sample.chat(talk, follow_up).answer.ranked_files[0]
    assert shipped == "QP-05-calibration-of-measuring-equipment.pdf"
    try:
        # The re-ranking's own effect, on the question's own vector: the question map (stop
        # 35) puts the calibration procedure first without it.
        service.retriever.question_map = None
        for weight in (0.0, base.carried_rerank_weight):
            service.params = replace(base, carried_rerank_weight=weight)
            talk = sample.conversation()
            sample.chat(talk, first)
            turn = sample.chat(talk, follow_up)
            assert turn.reading.carried
            led[weight] = turn.answer.ranked_files[0]
    finally:
        service.params, service.retriever.question_map = base, question_map
    assert base.carried_rerank_weight > 0
    assert led[base.carried_rerank_weight] == "QP-05-calibration-of-measuring-equipment.pdf"
    assert led[0.0] != led[base.carried_rerank_weight]
