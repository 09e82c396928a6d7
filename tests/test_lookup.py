"""Clause lookup answers, the coverage view and the retrieval evaluation on the sample corpus."""

from __future__ import annotations

import csv
import json

from assistant.documents.text import is_table_row
from tests.conftest import DATA, indexed_texts, make_assistant, run_cli


def test_clause_answer_quotes_verbatim_with_citations_records_and_roles(sample):
    answer = sample.ask("How do we meet clause 8.7?")
    assert answer.mode == "clause" and not answer.no_evidence
    top = answer.procedures[0]
    assert top.file == "QP-11-nonconforming-product.md"
    assert 1 <= len(top.quotes) <= 3
    chunks = {c.text for c in sample.store.manifest.all_chunks() if c.file == top.file}
    for q in top.quotes:  # never an invented quote: each is a slice of an indexed passage
        assert any(q.text in text for text in chunks)
        assert q.citation.file == top.file and q.citation.heading
    assert any(r.startswith("F-11") for r in top.records) or top.roles
    # How we meet it is what people do: definitions and scope are not quoted as evidence.
    assert not any("Definitions" in q.citation.heading for q in top.quotes)


def test_clause_named_in_the_standards_words_reaches_company_words(sample):
    answer = sample.ask("control of nonconforming outputs")
    assert answer.mode == "clause" and answer.procedures[0].file == "QP-11-nonconforming-product.md"


def test_plain_question_answers_with_passages(sample):
    answer = sample.ask("Who is allowed to sign the final test certificate?")
    assert answer.mode == "plain" and answer.clauses == []
    assert answer.evidence[0].chunk.file == "QP-10-final-inspection-and-release.txt"


def test_passages_are_diversified_across_documents(sample):
    answer = sample.ask("records and forms", k=6)
    files = [e.chunk.file for e in answer.evidence]
    assert max(files.count(f) for f in files) <= sample.settings.max_passages_per_document


def test_uncovered_question_is_said_plainly_with_closest_documents(sample):
    answer = sample.ask("How do I report a workplace injury, and where is the accident book?")
    assert answer.no_evidence and "do not appear to cover" in answer.message
    assert "Closest documents" in answer.message


def test_question_about_a_standard_no_document_names_is_not_covered(sample):
    answer = sample.ask("Which of our documents covers ISO 45001 clause 5.4, worker consultation?")
    assert answer.no_evidence and "ISO 45001" in answer.message
    # Naming ISO 9001 alongside keeps it an ordinary question.
    assert not sample.ask("Which of our procedures meets ISO 9001 clause 8.7?").no_evidence


def test_question_about_another_standard_our_documents_name_is_answered(tmp_path, model):
    ep01 = (
        "# EP-01 Environmental aspects\n\n## 1. Method\n\nFor ISO 14001 the Site Manager "
        "rates each environmental aspect for severity and likelihood every year and keeps "
        "the ratings in the aspects register EF-01-1.\n"
    )
    app = indexed_texts(tmp_path, {"EP-01-environmental-aspects.md": ep01})
    answer = app.ask("Where do we rate our ISO 14001 environmental aspects?")
    assert not answer.no_evidence and answer.procedures[0].file == "EP-01-environmental-aspects.md"


def test_uncovered_clause_is_a_possible_gap(tmp_path, small_corpus, model):
    app = make_assistant(tmp_path / "idx")  # only QP-10, QP-11 and QP-13 indexed
    app.ingest([small_corpus])
    answer = app.ask("How do we meet clause 7.1.6 organizational knowledge?")
    assert answer.mode == "clause" and answer.no_evidence
    assert answer.message.startswith("Possible gap") and "7.1.6" in answer.message


def test_a_procedure_citing_the_clause_is_no_gap_however_its_words_compare(tmp_path, model):
    """A van-maintenance procedure that says it meets 7.1.3 shares few words with the clause's
    summary (buildings, utilities, IT): the cosine is far under the gap line, but the
    organisation's own citation says where the clause is met."""
    vans = (
        "# OP-07 Looking after the vans\n\nReference: ISO 9001 clause 7.1.3.\n\n## 1. Daily\n\n"
        "Drivers walk round their van every morning: tyres, lights, the fridge unit's display. "
        "Anything wrong goes on the defect sheet OF-07-1 and the Transport Lead books the "
        "garage.\n"
    )
    orders = (
        "# OP-02 Taking orders\n\n## 1. Orders\n\nThe sales desk enters every order in the "
        "system and confirms the delivery date to the customer by email the same day.\n"
    )
    app = indexed_texts(tmp_path, {"OP-07-vans.md": vans, "OP-02-orders.md": orders})
    answer = app.ask("How do we meet clause 7.1.3?")
    assert answer.similarity < app.settings.gap_similarity
    assert not answer.no_evidence and answer.procedures[0].file == "OP-07-vans.md"


def test_coverage_lists_support_and_gaps(tmp_path, small_corpus, model):
    app = make_assistant(tmp_path / "idx")
    app.ingest([small_corpus])
    out = tmp_path / "coverage.csv"
    result = run_cli("coverage", "--data-dir", str(app.settings.data_dir), "--csv", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    by_clause: dict[str, list[dict]] = {}
    for r in rows:
        by_clause.setdefault(r["clause"], []).append(r)
    assert len(by_clause) == len(app.catalogue)
    assert any(
        r["file"] == "QP-11-nonconforming-product.md" and r["support"] == "strong"
        for r in by_clause["8.7"]
    )
    assert any(r["file"] == "QP-13-internal-audit.html" for r in by_clause["9.2"])
    # QP-10 cites no clause itself; QP-13's audit programme table maps it to 8.6.
    assert any(
        r["file"] == "QP-10-final-inspection-and-release.txt" and r["cites_clause"] == "yes"
        for r in by_clause["8.6"]
    )
    # With only three procedures, purchasing and design have no real support: gaps (the table
    # maps QP-07 to 8.3, but QP-07 is not indexed).
    assert by_clause["8.3.2"][0]["gap"] == "yes"
    assert "clause(s) with no or weak support" in result.stdout


def test_only_table_rows_map_a_document_to_clauses():
    assert is_table_row("Process: Calibration; Procedure: QP-05; ISO 9001 clauses: 7.1.5; Risk: 3")
    assert is_table_row("| 7.1.5 | QP-05 | Metrology Lead |")
    assert is_table_row("ISO 9001:2015 clause: 5.1, 5.2; Where addressed: QM-001 section 5")
    assert not is_table_row("This procedure meets clause 10.2; records are kept under QP-01.")
    assert not is_table_row("Note: see QP-01 for records (clause 7.5).")


def test_eval_retrieval_reports_metrics_and_baselines(sample, tmp_path):
    out = tmp_path / "eval.json"
    result = run_cli(
        "eval",
        "retrieval",
        "--questions",
        str(DATA / "evals" / "questions-small.jsonl"),
        "--data-dir",
        str(sample.settings.data_dir),
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    for key in (
        "n",
        "hit_at_1",
        "hit_at_3",
        "hit_at_5",
        "mrr",
        "by_kind",
        "no_answer_accuracy",
        "latency_ms_p50",
        "latency_ms_p95",
    ):
        assert key in data
    assert data["n"] == 3 and data["hit_at_3"] == 1.0
    assert set(data["baselines"]) == {"dense_fixed", "bm25"}
    assert {"hit_at_1", "mrr"} <= set(data["baselines"]["dense_fixed"])
    assert data["no_answer_accuracy"] == 1.0
    assert "baseline dense_fixed" in result.stdout


def test_eval_rejects_a_malformed_question_file(tmp_path, sample):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question": "no id"}\n')
    result = run_cli(
        "eval", "retrieval", "--questions", str(bad), "--data-dir", str(sample.settings.data_dir)
    )
    assert result.returncode == 2 and "not a question object" in result.stderr
