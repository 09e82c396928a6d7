"""A procedure that deals with the matter throughout outranks a document that shares one phrase
with it (Retriever._documents with ``breadth_weight``; fitted in docs/retrieval.md, "A
document's breadth")."""

from __future__ import annotations

import pytest

from tests.ranking import passage, ranking_retriever

pytestmark = pytest.mark.fast

ONE_PHRASE, THROUGHOUT = "QP-03-one-phrase.md", "QP-07-throughout.md"


def _ranked(breadth_weight: float, scale: float = 1.0) -> list[str]:
    retriever = ranking_retriever(doc_second_weight=0.6, breadth_weight=breadth_weight)
    # One document has the single best passage; the other five passages found, each a little
    # weaker, so its best two add up to a little less.
    evidence = [passage(ONE_PHRASE, 0, 0.100 * scale)] + [
        passage(THROUGHOUT, n, s * scale) for n, s in enumerate((0.070, 0.045, 0.03, 0.03, 0.03))
    ]
    return [d.file for d in retriever._documents(evidence, {})]


def test_a_document_found_in_many_passages_outranks_one_found_in_a_single_better_one():
    assert _ranked(0.0) == [ONE_PHRASE, THROUGHOUT]
    assert _ranked(0.05) == [THROUGHOUT, ONE_PHRASE]


def test_the_breadth_weight_reads_the_same_whatever_the_scale_of_the_fused_scores():
    # the fusion's scores change scale with rrf_k and the query weights; the order must not
    assert _ranked(0.05, scale=10.0) == _ranked(0.05, scale=0.1) == [THROUGHOUT, ONE_PHRASE]
