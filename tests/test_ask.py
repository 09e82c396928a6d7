"""End-to-end questions on the sample corpus: real model, real Chroma, real BM25."""

from __future__ import annotations

import json

from tests.conftest import indexed_texts, make_assistant, run_cli


def test_clause_question_finds_the_calibration_procedure_with_the_card_first(sample):
    answer = sample.ask("How do we meet clause 7.1.5?")
    assert [c.id for c in answer.clauses] == ["7.1.5"] and answer.mode == "clause"
    top = answer.procedures[0]
    assert top.file == "QP-05-calibration-of-measuring-equipment.pdf"
    assert top.quotes and all(
        q.citation.page is not None and q.citation.heading for q in top.quotes
    )


def test_plain_question_cites_file_heading_and_page(sample):
    answer = sample.ask("What do we do when a working gauge is found out of tolerance?")
    assert answer.clauses == []
    files = [e.chunk.file for e in answer.evidence[:3]]
    assert "QP-05-calibration-of-measuring-equipment.pdf" in files
    for e in answer.evidence:
        assert e.chunk.text and e.citation.file and e.citation.heading


def test_ask_json_from_the_cli(sample):
    result = run_cli(
        "ask",
        "clause 8.7 nonconforming product",
        "--data-dir",
        str(sample.settings.data_dir),
        "--json",
        "--k",
        "3",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mode"] == "clause" and data["clauses"][0]["id"] == "8.7"
    assert data["clauses"][0]["confidence"] == 1.0
    assert len(data["evidence"]) == 3
    assert data["procedures"][0]["file"] == "QP-11-nonconforming-product.md"
    assert {"file", "heading", "page", "citation", "score", "text"} <= set(data["evidence"][0])
    assert "F-11-1" in data["procedures"][0]["records"] or data["procedures"][0]["quotes"]


def test_asking_an_empty_index_says_what_to_do(tmp_path):
    result = run_cli("ask", "clause 8.7", "--data-dir", str(tmp_path / "empty"))
    assert result.returncode == 1
    assert "nothing is indexed" in result.stderr and "assistant ingest" in result.stderr


def test_status_json_has_the_documented_keys(sample):
    result = run_cli("status", "--data-dir", str(sample.settings.data_dir), "--json")
    data = json.loads(result.stdout)
    assert {"documents", "chunks", "failed", "consistent"} <= set(data)
    assert data["documents"] == 17 and data["consistent"] is True and data["failed"] == []
    numbers = {d["doc_no"] for d in data["document_list"]}
    assert {"QM-001", "QP-04", "QP-05", "QP-13"} <= numbers


def test_catalogue_is_available_beside_an_empty_data_dir(tmp_path):
    app = make_assistant(tmp_path / "fresh")
    assert app.catalogue.get("9.2").title


def _manual(knowledge_line: str) -> dict[str, str]:
    """A cleaning firm's manual that walks through the standard by the clauses' names, and one
    procedure; nothing cites clause 7.1.6 by number."""
    manual = (
        "# QM-01 Quality Manual\n\n## 9. Support and resources\n\n"
        "- Monitoring equipment: the ATP meters are calibrated by the supplier each year.\n"
        f"- {knowledge_line}\n"
        "- Communication: a monthly bulletin and toolbox talks at each site.\n"
    )
    procedure = (
        "# QP-04 Site Inspections\n\n## 4. Method\n\nThe supervisor scores each site every month "
        "on the inspection sheet and agrees actions for any area below 85%."
    )
    return {"QM-01 Quality Manual.md": manual, "QP-04 Site Inspections.md": procedure}


def test_a_manual_that_labels_a_clause_by_its_name_says_where_it_is_met(tmp_path):
    """A manual's "Organisational knowledge: ..." says where clause 7.1.6 is met, as a citation
    of its number would, however far its words are from the clause card (stop 66: brightwater's
    7.1.6 questions were called a gap). The same sentence without the label is not enough."""
    question = "For clause 7.1.6, organisational knowledge, where in our system is the evidence?"
    said = "the Task Library and site files hold what we know about how to clean"
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    labelled = indexed_texts(tmp_path / "a", _manual(f"Organisational knowledge: {said}."))
    answer = labelled.ask(question)
    assert not answer.no_evidence and answer.procedures[0].file == "QM-01 Quality Manual.md"
    # the coverage says the same: the manual supports 7.1.6, and shows the line that names it
    row = next(r for r in labelled.coverage() if r.clause_id == "7.1.6")
    assert not row.is_gap
    (support,) = [s for s in row.supports if s.file == "QM-01 Quality Manual.md"]
    assert support.named and not support.cited and support.reason == "names it"
    shown = row.passages[support.file][0]
    assert shown.why == "names the clause" and "Organisational knowledge:" in shown.text
    unlabelled = indexed_texts(tmp_path / "b", _manual(f"In our firm {said}."))
    answer = unlabelled.ask(question)
    assert answer.no_evidence and answer.decided_by == "gap"
    assert next(r for r in unlabelled.coverage() if r.clause_id == "7.1.6").is_gap
