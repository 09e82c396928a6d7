"""How much an organisation's own labels (usecases/own_labels.py) help "not covered" on its later
questions, measured as a new organisation: each organisation left out of the model's fit and of
the shipped precedents, as ``fit_not_covered.py``'s folds do.

    .venv/bin/python scripts/own_labels_eval.py [--labels 0 20 40 80] [--json OUT]
    .venv/bin/python scripts/own_labels_eval.py --labels 20 40 80 200 \
        --verdict-lines 0.7 0.72 0.75 0.78 0.8 0.85 [--json OUT]

Reads the signals and vectors ``scripts/fit_not_covered.py --write`` keeps
(evals/results/not-covered-signals.jsonl, usecases/precedents.npz): no index is needed. For each
organisation, its plain questions are taken in the order its sets were written
(evals/organisations.toml); the last quarter (at least 20) are asked, and the K questions just
before them are its labels: what a quality lead marked on the Ask page, or imported, before
those were asked. A label with the very words of a question asked is not read (the product
would answer that question from the label itself). Reported per organisation: right decisions
(answered / not covered) out of the questions asked, for each K.

``--verdict-lines``: a question asked in other words than a labelled one but at cosine LINE or
closer (the closest such, asked by the same numbers: ``own_labels.nearest_label``) gets that
label's verdict over the model (``label_verdict_similarity``); reported per line as the
decisions it set right and wrong against the model alone. The setting is the lowest line at
which no organisation loses a right decision at any K (stop 57: docs/retrieval.md, "Another
wording of a labelled question").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from assistant.evaluation.organisations import load_organisations
from assistant.evaluation.retrieval import load_questions
from assistant.usecases.not_covered import precedent_score, precedent_signal, readable
from assistant.usecases.own_labels import nearest_label

sys.path.insert(0, str(Path(__file__).parent))
import fit_not_covered as F  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Two vectors this close are one question in the same words (int8-coded: not exactly 1).
SAME_WORDS = 0.999

# The questions asked: an organisation's last quarter, and never fewer than this.
ASKED_AT_LEAST = 20


def ordered(questions: F.Questions, org: str, sets: list[str]) -> list[int]:
    """An organisation's questions in the order its sets were written, then by id."""
    rank = {s: n for n, s in enumerate(sets)}
    mine = questions.where(org, inside=True)
    return sorted(mine, key=lambda i: (rank.get(questions.rows[i]["set"], -1), i))


def decide(
    questions: F.Questions, i: int, org: str, own: list[int], fitted: tuple[np.ndarray, float]
) -> bool:
    """Not covered for question ``i``, with the model fitted without ``org`` and precedents of
    the other organisations and ``own`` (indices of its labelled questions)."""
    row, weights, intercept = questions.rows[i], fitted[0], fitted[1]
    keep = (questions.organisations != org) & readable(questions.matters, row.get("declared", []))
    own = [j for j in own if questions.similarities[i][j] < SAME_WORDS]
    pool = np.concatenate([np.where(keep)[0], np.array(own, dtype=int)])
    score = precedent_score(questions.similarities[i][pool], questions.labels[pool] == 1)
    x = np.array(
        [
            row["similarity"],
            row["word_recall"],
            row["elsewhere"],
            precedent_signal(score, row["word_recall"], bool(row["topic_named"])),
        ]
    )
    probability = 1.0 / (1.0 + np.exp(-(x @ weights + intercept)))
    return bool(row["rule"]) or probability >= 0.5


def question_texts(questions: F.Questions) -> list[str]:
    """Each cached row's question, read from its set (the cache keeps ids, not words)."""
    texts = {
        (s, q.id): q.question
        for s in {r["set"] for r in questions.rows}
        for q in load_questions(ROOT / s)
    }
    return [texts[(r["set"], r["id"])] for r in questions.rows]


def verdicts(
    questions: F.Questions,
    texts: list[str],
    asked: list[int],
    own: list[int],
    model: dict[int, bool],
    line: float,
) -> tuple[int, int]:
    """(decisions set right, decisions set wrong) by the closest labelled question's verdict at
    ``line`` against the model's decisions ``model`` (index -> not covered)."""
    right = wrong = 0
    for i in asked:
        labelled = [j for j in own if questions.similarities[i][j] < SAME_WORDS]
        found = nearest_label(
            texts[i], questions.vectors[i], [(texts[j], questions.vectors[j]) for j in labelled],
            line,
        )  # fmt: skip
        if found is None:
            continue
        verdict, truth = questions.labels[labelled[found[0]]] == 1, questions.labels[i] == 1
        right += verdict == truth and model[i] != truth
        wrong += verdict != truth and model[i] == truth
    return int(right), int(wrong)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=int, nargs="+", default=[0, 20, 40, 80])
    ap.add_argument("--json", type=Path, help="write the table here")
    ap.add_argument("--verdict-lines", type=float, nargs="*", default=[])
    args = ap.parse_args()
    questions = F.Questions.cached()
    texts = question_texts(questions) if args.verdict_lines else []
    root = ROOT / "evals"
    sets = {
        o.key: [f.relative_to(ROOT).as_posix() for f in o.fitting_files()]
        for o in load_organisations(root / "organisations.toml")
    }
    table = []
    for org in sorted(set(questions.organisations)):
        order = ordered(questions, org, sets.get(org, []))
        n_asked = max(len(order) // 4, ASKED_AT_LEAST)
        asked, before = order[-n_asked:], order[:-n_asked]
        fitted = F.fit(questions, F.C, questions.where(org, inside=False), org)
        row: dict = {"organisation": org, "asked": len(asked), "labels_available": len(before)}
        for k in args.labels:
            own = before[-k:] if k else []
            wrong_refusals = wrong_answers = 0
            model = {}
            for i in asked:
                refused, label = decide(questions, i, org, own, fitted), questions.labels[i] == 1
                model[i] = refused
                wrong_refusals += refused and not label
                wrong_answers += label and not refused
            right = len(asked) - wrong_refusals - wrong_answers
            row[str(k)] = {
                "labels": len(own),
                "right": int(right),
                "accuracy": round(right / len(asked), 3),
                "answerable_refused": int(wrong_refusals),
                "unanswerable_answered": int(wrong_answers),
                "verdicts": {
                    str(line): verdicts(questions, texts, asked, own, model, line)
                    for line in args.verdict_lines
                },
            }
        table.append(row)
        cells = " | ".join(
            f"{k} labels: {row[str(k)]['right']}/{len(asked)} ({row[str(k)]['accuracy']:.3f})"
            for k in args.labels
        )
        print(f"{org:<15} {cells}", flush=True)
        for line in args.verdict_lines:
            moved = ", ".join(
                "{}: +{} -{}".format(k, *row[str(k)]["verdicts"][str(line)]) for k in args.labels
            )
            print(f"{'':<15} another wording at {line}: {moved}")
    if args.json:
        args.json.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
        print(f"written: {args.json}")


if __name__ == "__main__":
    main()
