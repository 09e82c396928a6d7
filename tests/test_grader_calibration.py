"""Grader calibration across organisations: thresholds fitted on some organisations' labelled
answers and measured on another's, so no figure comes from thresholds fitted on itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from assistant.cli import main
from assistant.evaluation.grader import cross_organisation, fit_thresholds, relabel
from tests.conftest import CORPUS, ROOT


def _row(i: int, question: str, label: str, score: int) -> dict:
    return {"id": f"X{i}", "question": question, "label": label, "score": score,
            "predicted": "poor"}  # fmt: skip


def test_thresholds_are_fitted_to_the_labels_and_keep_contradictions_poor():
    rows = [
        *(_row(1, "q", "good", 90), _row(2, "q", "partial", 60), _row(3, "q", "poor", 20)),
        *(_row(4, "r", "good", 85), _row(5, "r", "partial", 45), _row(6, "r", "poor", 10)),
    ]
    good, partial = fit_thresholds(rows, lowest_partial=26)
    assert 60 < good <= 85 and 26 <= partial <= 45
    assert all(r["predicted"] == r["label"] for r in relabel(rows, good, partial))
    # An answer capped for contradicting its procedure (25) can never be fitted into partial.
    capped = [*rows, _row(7, "q", "partial", 25)]
    assert fit_thresholds(capped, lowest_partial=26)[1] >= 26


def test_each_organisation_is_measured_with_thresholds_fitted_on_the_others():
    # Organisation "b" scores everything 20 points lower: its own best thresholds would differ.
    a = [_row(1, "q", "good", 90), _row(2, "q", "partial", 60), _row(3, "q", "poor", 27)]
    b = [_row(4, "r", "good", 70), _row(5, "r", "partial", 40), _row(6, "r", "poor", 7)]
    result = cross_organisation({"a": a, "b": b}, lowest_partial=26)
    assert set(result["folds"]) == {"a", "b"}
    fold_b = result["folds"]["b"]
    assert fold_b["thresholds"] == {"good": 90, "partial": 60}  # fitted on "a" alone
    assert fold_b["accuracy"] < 1.0  # ... and so they do not carry over to "b"
    assert result["n"] == 6 and {"accuracy", "spearman", "pairwise", "confusion"} <= set(result)


def test_eval_grader_reports_a_fold_per_organisation(tmp_path: Path, model):
    """The command users run: two organisations, each graded against its own documents."""
    answers = [json.loads(x) for x in (ROOT / "evals/grader/sample-first.jsonl").open()]
    orgs = {"one": answers[:3], "two": answers[3:6]}
    lines = []
    for key, rows in orgs.items():
        docs = tmp_path / key / "docs"
        docs.mkdir(parents=True)
        for name in ("QP-05-calibration-of-measuring-equipment.pdf",
                     "QP-11-nonconforming-product.md"):  # fmt: skip
            shutil.copy(CORPUS / name, docs / name)
        sets = tmp_path / "evals" / f"{key}.jsonl"
        sets.parent.mkdir(exist_ok=True)
        sets.write_text("".join(json.dumps(r) + "\n" for r in rows))
        lines += [f"[{key}]", f'documents = "{key}/docs"', f'grader = ["evals/{key}.jsonl"]', ""]
    toml = tmp_path / "evals" / "organisations.toml"
    toml.write_text("\n".join(lines))
    out, fitted = tmp_path / "result.json", tmp_path / "fitted.json"
    code = main(["eval", "grader", "--organisations", str(toml), "--work-dir",
                 str(tmp_path / "work"), "--json", str(out), "--refit", "--fitted-out",
                 str(fitted)])  # fmt: skip
    assert code == 0
    result = json.loads(out.read_text())
    assert result["n"] == 6 and set(result["folds"]) == {"one", "two"}
    for fold in result["folds"].values():
        assert fold["n"] == 3 and {"good", "partial"} == set(fold["thresholds"])
    written = json.loads(fitted.read_text())
    assert written["fitted_on"] == ["one", "two"] and written["good"] > written["partial"] >= 26
