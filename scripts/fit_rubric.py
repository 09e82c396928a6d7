"""Measure where an interview rubric's key points come from, over a grid of the grader's
document-picking parameters, with each organisation left out in turn.

    .venv/bin/python scripts/fit_rubric.py --organisations evals/organisations.toml \
        --work-dir DIR

Labels: ``evals/interview-coverage/ORG.jsonl``, written by helpers from each organisation's
documents alone (stop 25): for 60 interview-bank questions, whether the documents answer it
(yes / partly / no) and which files do. For each question labelled yes or partly, a rubric is
built at every grid point and scored twice: its key points come from a labelled file ("any"),
and they all do ("all"). For each organisation left out, the point with the most any + all on
the other three, and that organisation's count there beside the present settings'.

This measures the rubric's documents, not the grade: a point is kept only when
``assistant eval grader --organisations evals/organisations.toml`` (and ``--heldout``) is not
worse on any organisation either. At stop 25 every fold chose card weight 1.5 (better on each
left-out organisation), but the grader folds moved one answer the wrong way on fernhill and one
pair on openregulatory, so 1.0 stayed (docs/grader.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
from pathlib import Path

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "evals" / "interview-coverage"
GRID: dict[str, tuple[float, ...]] = {
    "card_weight": (0.5, 1.0, 1.5),
    "key_documents": (1, 2),
    "second_document_ratio": (0.7, 0.85, 0.95),
}


def _counts(app, rows: list[dict]) -> tuple[int, int]:
    """(questions whose key points come from a labelled file at all, wholly)."""
    some = every = 0
    for r in rows:
        # built afresh, not from the grader's cache: the cache does not key on parameters
        rubric = app.grader._build_rubric(r["question"], r["clauses"])
        files = {p.citation.file for p in rubric.points}
        some += bool(files & set(r["files"]))
        every += bool(files) and files <= set(r["files"])
    return some, every


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--only", nargs="+", help="only these organisations")
    args = ap.parse_args()
    points = [dict(zip(GRID, v, strict=True)) for v in itertools.product(*GRID.values())]
    scores: dict[str, dict[int, tuple[int, int]]] = {}
    current: dict[str, tuple[int, int]] = {}
    orgs = load_organisations(args.organisations, args.only)
    for org, app in indexed(orgs, args.work_dir, NoProgress()):
        path = LABELS / f"{org.key}.jsonl"
        if not path.is_file():
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        rows = [r for r in rows if r["label"] in ("yes", "partly") and r["files"]]
        base = app.grader.params
        current[org.key] = _counts(app, rows)
        for n, point in enumerate(points):
            app.grader.params = dataclasses.replace(base, **point)
            scores.setdefault(org.key, {})[n] = _counts(app, rows)
        app.grader.params = base
        print(f"{org.key}: {len(rows)} answered questions, present {current[org.key]}", flush=True)
    keys = sorted(scores)
    for out in keys:
        rest = [k for k in keys if k != out]
        best = max(range(len(points)), key=lambda n: sum(sum(scores[k][n]) for k in rest))
        print(
            f"  {out:<15} chosen on the others {points[best]}: any/all {scores[out][best]}"
            f" (present {current[out]})"
        )


if __name__ == "__main__":
    main()
