"""A manual's passage that says where a clause is met lifts the procedure it names, in clause
questions (Retriever._documents; measured in docs/retrieval.md: fernhill's 8.4 question)."""

from __future__ import annotations

import pytest

from assistant.core.models import Chunk, Evidence
from assistant.search.retrieval import RetrievalParams, Retriever

pytestmark = pytest.mark.fast

MANUAL, SUPPLIERS, ORDERS = "QM-01-manual.md", "OP-09-suppliers.md", "OP-02-orders.md"


def _evidence(file: str, n: int, score: float) -> Evidence:
    chunk = Chunk(f"{file}-{n}", file, file, file, file[:5], "", "", None, n, "text")
    return Evidence(chunk, score)


def _retriever(
    pointer_weight: float, manual_cites: int, mapped: frozenset[str] = frozenset({"8.4"})
) -> Retriever:
    params = RetrievalParams(
        dense_candidates=60,
        lexical_candidates=30,
        rrf_k=30,
        cite_boost=0.02,
        max_doc_citations=8,
        doc_second_weight=0.3,
        max_passages_per_document=2,
        first_place_bonus=0.02,
        pointer_weight=pointer_weight,
    )
    retriever = Retriever.__new__(Retriever)  # no store or model: only the ranking is tested
    retriever.params = params
    retriever.citations = type("Citations", (), {})()
    # The manual cites many clauses (a cross-index); its second passage points at OP-09.
    retriever.citations.by_file = {MANUAL: {f"4.{i}" for i in range(manual_cites)}}
    retriever.citations.points_to = {f"{MANUAL}-1": SUPPLIERS}
    # The manual's clause map names OP-09 for 8.4 ("| 8.4 | OP-09 |").
    retriever.citations.mapped = {SUPPLIERS: set(mapped)}
    retriever.citations.tabled = {}
    return retriever


# The manual's two passages beat the procedure's one, though the procedure's is the best.
EVIDENCE = [
    _evidence(SUPPLIERS, 0, 0.20),
    _evidence(MANUAL, 0, 0.19),
    _evidence(MANUAL, 1, 0.18),
    _evidence(ORDERS, 0, 0.05),
]


def _ranked(retriever: Retriever, clauses: tuple[str, ...] | None = ("8.4",)) -> list[str]:
    asked = list(clauses) if clauses else None
    return [d.file for d in retriever._documents(EVIDENCE, {SUPPLIERS: True}, asked)]


def test_the_manual_pointing_at_the_procedure_its_map_names_for_the_clause_lifts_it():
    assert _ranked(_retriever(0.0, 40)) == [MANUAL, SUPPLIERS, ORDERS]
    assert _ranked(_retriever(1.0, 40)) == [SUPPLIERS, MANUAL, ORDERS]
    assert _ranked(_retriever(1.0, 40), ("8.4.1",)) == [SUPPLIERS, MANUAL, ORDERS]  # sub-clause
    # The passage stays the manual's: never listed (or quoted) as the procedure's.
    hits = {d.file: d for d in _retriever(1.0, 40)._documents(EVIDENCE, {}, ["8.4"])}
    assert [e.chunk.file for e in hits[SUPPLIERS].passages] == [SUPPLIERS]


def test_no_lift_outside_clause_questions_from_procedures_or_where_the_map_is_silent():
    assert _ranked(_retriever(1.0, 40), None)[0] == MANUAL  # a plain question
    assert _ranked(_retriever(1.0, 3))[0] == MANUAL  # a procedure naming another
    assert _ranked(_retriever(1.0, 40), ("7.5",))[0] == MANUAL  # mapped for another clause
    assert _ranked(_retriever(1.0, 40, mapped=frozenset()))[0] == MANUAL  # the map does not name it
