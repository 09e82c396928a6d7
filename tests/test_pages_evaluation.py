"""Evaluation page: a question set written for documents that are not indexed is named as such
before it scores zero everywhere, and the figures have names people can read."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from assistant.evaluation.retrieval import EvalQuestion, missing_sources
from tests.conftest import ROOT

PAGE = "assistant/ui/pages/evaluation.py"


def _q(qid: str, *sources: str) -> EvalQuestion:
    return EvalQuestion(qid, "a question", "clause_lookup", list(sources), [])


@pytest.mark.fast
def test_missing_sources_names_each_expected_file_not_indexed_once():
    questions = [
        _q("1", "QP-11-nonconforming-product.md", "WI-7-forklift.md"),
        _q("2", "WI-7-forklift.md", "QM-9-other-org.pdf"),
        _q("3"),  # an unanswerable question expects nothing
    ]
    indexed = ["QP-11-nonconforming-product.md", "QP-13-internal-audit.html"]
    assert missing_sources(questions, indexed) == ["QM-9-other-org.pdf", "WI-7-forklift.md"]
    assert missing_sources(questions[:1], [*indexed, "WI-7-forklift.md"]) == []


def _jsonl(*rows: dict) -> bytes:
    return "\n".join(json.dumps(r) for r in rows).encode()


QUESTIONS = _jsonl(
    {"id": "A", "question": "What happens to nonconforming product?", "kind": "procedure_lookup",
     "expected_sources": ["QP-11-nonconforming-product.md"]},
    {"id": "B", "question": "How are forklifts checked?", "kind": "procedure_lookup",
     "expected_sources": ["WI-7-forklift-checks.md"]},
)  # fmt: skip


@pytest.fixture
def at(monkeypatch, sample) -> AppTest:
    """The Evaluation page on the sample index, with BM25 as the only baseline: the dense
    baseline embeds every document again, a minute on a small machine, for no extra check."""
    from assistant.evaluation.baselines import bm25_only
    from assistant.ui import evaluation_page

    monkeypatch.setattr(
        evaluation_page, "baselines_for", lambda store, *_: {"bm25": lambda: bm25_only(store)}
    )
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(sample.settings.data_dir))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


def test_question_set_expecting_unindexed_documents_is_warned_about_by_name(at):
    at.file_uploader(key="eval_q").set_value(("mine.jsonl", QUESTIONS, "application/json")).run()
    assert not at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert "WI\\-7\\-forklift\\-checks\\.md" in warning and "not indexed" in warning
    assert "QP\\-11" not in warning  # an indexed document is not named


def test_project_question_set_on_its_own_documents_gives_no_warning(at):
    assert "Using evals" in "\n".join(c.value for c in at.caption)
    assert not at.warning


def test_results_table_names_the_figures_in_plain_words(at):
    at.file_uploader(key="eval_q").set_value(("mine.jsonl", QUESTIONS, "application/json")).run()
    next(b for b in at.button if b.label == "Run the question set").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "System",
        "Questions scored",
        "Right document first (hit@1)",
        "In the top 3 (hit@3)",
        "In the top 5 (hit@5)",
        "Mean reciprocal rank (MRR)",
    ]
    assert list(table["System"])[0] == "assistant" and "baseline bm25" in set(table["System"])
    # The warning stays beside the figures it explains: B can only be a miss.
    assert any("WI\\-7\\-forklift\\-checks\\.md" in w.value for w in at.warning)
    assert table["In the top 5 (hit@5)"].iloc[0] <= 0.5
    # whether the answers were refused or doubted, beside the ranking figures
    assert {"No-answer accuracy", "Answerable: cautioned"} <= {m.label for m in at.metric}
