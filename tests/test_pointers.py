"""A manual's passage that says where a clause is met lifts the procedure it names, in clause
questions (Retriever._documents; measured in docs/retrieval.md: fernhill's 8.4 question)."""

from __future__ import annotations

import pytest

from assistant.search.retrieval import Retriever
from tests.ranking import passage, ranking_retriever

pytestmark = pytest.mark.fast

MANUAL, SUPPLIERS, ORDERS = "QM-01-manual.md", "OP-09-suppliers.md", "OP-02-orders.md"


def _retriever(
    pointer_weight: float, manual_cites: int, mapped: frozenset[str] = frozenset({"8.4"})
) -> Retriever:
    retriever = ranking_retriever(pointer_weight=pointer_weight)
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
    passage(SUPPLIERS, 0, 0.20),
    passage(MANUAL, 0, 0.19),
    passage(MANUAL, 1, 0.18),
    passage(ORDERS, 0, 0.05),
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
