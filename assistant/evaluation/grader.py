"""Grader calibration: how well the offline grader agrees with human labels on staff answers.

Metrics (keys of the JSON report, stable for other tools):
- ``accuracy``: share of answers whose three-way label (good / partial / poor) matches;
- ``spearman``: rank correlation of the score with the label order poor < partial < good;
- ``pairwise``: of the pairs of answers to the same question with different labels, the share the
  grader orders the same way (a tie counts half);
- ``confusion``: ``confusion[human][grader]`` counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from assistant.core.errors import UsageError
from assistant.core.progress import NoProgress, Progress
from assistant.evaluation.retrieval import read_jsonl
from assistant.usecases.interview.grader import LABELS, Grade


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    question: str
    clause: str
    answer: str
    label: str
    why: str = ""


def load_answers(path: Path) -> list[LabelledAnswer]:
    out = []
    for n, row in read_jsonl(path, "an answer"):
        try:
            item = LabelledAnswer(
                str(row["id"]),
                row["question"],
                str(row.get("clause") or ""),
                row["answer"],
                row["label"],
                row.get("why", ""),
            )
        except (KeyError, TypeError) as exc:
            raise UsageError(f"{path}:{n}: not an answer object (missing {exc})") from None
        if item.label not in LABELS:
            raise UsageError(f"{path}:{n}: label must be one of {', '.join(LABELS)}")
        out.append(item)
    if not out:
        raise UsageError(f"{path} has no answers")
    return out


def _ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties given their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float:
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else 0.0


def agreement(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Metrics from rows with ``question``, ``label`` (human), ``predicted`` and ``score``."""
    n = len(rows)
    order = {label: i for i, label in enumerate(LABELS)}
    confusion = {h: {g: 0 for g in LABELS} for h in LABELS}
    for r in rows:
        confusion[r["label"]][r["predicted"]] += 1
    pairs = ordered = 0.0
    by_question: dict[str, list[dict]] = {}
    for r in rows:
        by_question.setdefault(r["question"], []).append(r)
    for group in by_question.values():
        for a, b in combinations(group, 2):
            if a["label"] == b["label"]:
                continue
            pairs += 1
            hi, lo = (a, b) if order[a["label"]] > order[b["label"]] else (b, a)
            ordered += (
                1.0 if hi["score"] > lo["score"] else 0.5 if hi["score"] == lo["score"] else 0
            )
    return {
        "n": n,
        "accuracy": round(sum(r["label"] == r["predicted"] for r in rows) / n, 3) if n else 0.0,
        "spearman": round(
            spearman([r["score"] for r in rows], [order[r["label"]] for r in rows]), 3
        )
        if n > 1
        else 0.0,
        "pairwise": round(ordered / pairs, 3) if pairs else None,
        "pairs": int(pairs),
        "confusion": confusion,
    }


def evaluate_grader(
    answers: list[LabelledAnswer],
    grade: Callable[[str, str, list[str]], Grade],
    progress: Progress | None = None,
) -> dict[str, Any]:
    progress = progress or NoProgress()
    rows = []
    progress.stage("grading", len(answers))
    for a in answers:
        g = grade(a.question, a.answer, [a.clause] if a.clause else [])
        rows.append(
            {
                "id": a.id,
                "question": a.question,
                "label": a.label,
                "predicted": g.label,
                "score": g.score,
                "contradictions": [c.kind for c in g.contradictions],
                "echo": g.echo,
                "off_topic": g.off_topic,
            }
        )
        progress.advance(1)
    progress.close()
    return {**agreement(rows), "answers": rows}


def relabel(rows: list[dict[str, Any]], good: int, partial: int) -> list[dict[str, Any]]:
    """The rows as the grader would label them with these two score thresholds."""
    return [
        {**r, "predicted": "good" if r["score"] >= good else "partial" if r["score"] >= partial
         else "poor"}
        for r in rows
    ]  # fmt: skip


def fit_thresholds(rows: list[dict[str, Any]], lowest_partial: int) -> tuple[int, int]:
    """The (good, partial) score thresholds that agree best with the labels: most answers
    labelled right, then fewest good answers called poor, then the widest partial band (the
    middle of a plateau rather than its edge). ``partial`` stays above the contradiction cap so
    an answer caught contradicting its procedure is always poor."""
    scores = sorted({r["score"] for r in rows} | {lowest_partial, 100})
    best: tuple[tuple, tuple[int, int]] | None = None
    for partial in (s for s in scores if s >= lowest_partial):
        for good in (s for s in scores if s > partial):
            m = agreement(relabel(rows, good, partial))
            key = (m["accuracy"], -m["confusion"]["good"]["poor"], good - partial)
            if best is None or key > best[0]:
                best = (key, (good, partial))
    assert best is not None
    return best[1]


def cross_organisation(
    rows_by_org: dict[str, list[dict[str, Any]]], lowest_partial: int
) -> dict[str, Any]:
    """Each organisation in turn is the held-out fold: the thresholds are fitted on the other
    organisations' answers and measured on its own. The overall figures pool the folds'
    predictions, so no answer is ever labelled by thresholds fitted on itself."""
    folds, pooled = {}, []
    for org, rows in rows_by_org.items():
        others = [r for o, rs in rows_by_org.items() if o != org for r in rs]
        good, partial = fit_thresholds(others or rows, lowest_partial)
        predicted = relabel(rows, good, partial)
        folds[org] = {**agreement(predicted), "thresholds": {"good": good, "partial": partial}}
        pooled += predicted
    return {**agreement(pooled), "folds": folds, "answers": pooled}
