"""Fit the short answer's sentence scorer (usecases/lead_choice.py) with organisations left out.

    .venv/bin/python scripts/fit_lead_sentences.py --organisations evals/organisations.toml \
        --work-dir DIR [--confirm] [--write]

Labels: ``evals/answer-sentences/ORG.jsonl`` and ``heldout-ORG.jsonl`` (16 staff questions
each, every one with the sentence that answers it, copied from its document by a helper who
never saw the system) and ``confirm-ORG.jsonl`` (written the same way at stop 38, before the
scorer was chosen, read once to confirm it; fitted on since stop 39). ``confirm2-ORG.jsonl``
(written at the end of stop 38) is never fitted on: read only with ``--confirm``, once. Each
question is asked as on the Ask page; every quotable sentence of the leading document's best
passages (``fitted_candidates``, for each number of passages in PASSAGES) is described by the
FEATURES and labelled by whether it holds the answering sentence. For each organisation, a
logistic model fitted on the other organisations' labels chooses its short answers, counted as
scripts/answer_sentences_eval.py counts them (``first``: the short answer's first sentence
holds the answer; ``short``: one of its one or two sentences does), beside today's hand-set
scorer. The grid: passages read, the second sentence's share, the penalty. The point written
is the one with the most ``first`` among those that leave no organisation with fewer than the
hand-set scorer (then the most ``short`` among those quoting a second sentence no more often
than the hand-set scorer: ``chosen``). ``--write`` fits it on every organisation's labels and
writes usecases/lead_sentences.json with the folds, and the chosen point's candidates (features
and labels) to evals/results/lead-sentences-candidates.npz, from which tests/test_lead_choice.py
refits the shipped weights.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.logistic import fit_logistic
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.usecases.composer import Answer, fitted_candidates
from assistant.usecases.lead_choice import FEATURES, MODEL_PATH, LeadModel, features

sys.path.insert(0, str(Path(__file__).parent))
from answer_sentences_eval import holds, labels  # noqa: E402

PASSAGES = (2, 3, 4, 6)
SHARES = (0.7, 0.85, 1.0)  # 1.0: a second sentence only when as likely as the first
PENALTIES = (1.0, 10.0, 100.0)  # C, the inverse of the L2 penalty
CANDIDATES = (
    Path(__file__).resolve().parents[1] / "evals" / "results" / "lead-sentences-candidates.npz"
)


class Asked:
    """One labelled question, asked: its answer and, per number of passages read, its
    candidates' features and labels."""

    def __init__(self, org: str, row: dict, answer: Answer, confirm: bool) -> None:
        self.org, self.row, self.answer, self.confirm = org, row, answer, confirm
        self.x: dict[int, np.ndarray] = {}
        self.y: dict[int, np.ndarray] = {}

    def lead(self, model: LeadModel | None) -> list[str]:
        return [q.text for q in self.answer.lead_by(model)]

    def counts(self, model: LeadModel | None) -> tuple[bool, bool, bool]:
        """first, short, and whether a second sentence was quoted."""
        lead = self.lead(model)
        fragment = self.row["answer"]
        return (
            bool(lead) and holds(lead[0], fragment),
            any(holds(t, fragment) for t in lead),
            len(lead) > 1,
        )


def ask_all(organisations: Path, work_dir: Path, confirm: bool = False) -> list[Asked]:
    out = []
    files = (("", False), ("heldout-", False), ("confirm-", False))
    files += (("confirm2-", True),) if confirm else ()
    for org, app in indexed(load_organisations(organisations), work_dir, NoProgress()):
        for prefix, confirming in files:
            for row in labels(org.key, prefix):
                answer = app.ask(row["question"])
                asked = Asked(org.key, row, answer, confirming)
                out.append(asked)
                # Only answers that get a short answer teach the scorer: a question read as a
                # clause question is answered clause first, with no short answer.
                closeness = answer.closeness
                if answer.mode != "plain" or answer.no_evidence or closeness is None:
                    continue
                leading = answer.leading_file
                for n in PASSAGES:
                    found = fitted_candidates(
                        answer.question,
                        answer.evidence,
                        answer.context,
                        leading,
                        answer.passages_by_file.get(leading, []),
                        n,
                    )
                    if found:
                        cosines = closeness([c.text for c in found])
                        asked.x[n] = features(answer.question, found, cosines)
                        asked.y[n] = np.array([holds(c.text, row["answer"]) for c in found])
        print(f"{org.key}: {sum(a.org == org.key for a in out)} questions", flush=True)
    return out


def matrices(asked: list[Asked], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate's features and label, reading ``n`` passages."""
    rows = [a for a in asked if n in a.x]
    x = np.vstack([a.x[n] for a in rows])
    return x, np.concatenate([a.y[n] for a in rows]).astype(float)


def fit(asked: list[Asked], n: int, share: float, c: float) -> LeadModel:
    weights, intercept = fit_logistic(*matrices(asked, n), c)
    return LeadModel(tuple(float(w) for w in weights), intercept, share, n)


def tally(asked: list[Asked], model: LeadModel | None) -> dict[str, int]:
    found = [a.counts(model) for a in asked]
    return {
        "questions": len(found),
        "first": sum(f for f, _, _ in found),
        "short": sum(s for _, s, _ in found),
        "second": sum(t for _, _, t in found),
    }


def folds(asked: list[Asked], n: int, share: float, c: float) -> dict[str, dict[str, int]]:
    """Each organisation's fitting labels answered by a model fitted on the others'."""
    fitting = [a for a in asked if not a.confirm]
    out = {}
    for org in sorted({a.org for a in fitting}):
        model = fit([a for a in fitting if a.org != org], n, share, c)
        out[org] = tally([a for a in fitting if a.org == org], model)
    return out


def summed(table: dict[str, dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for t in table.values():
        for k, v in t.items():
            total[k] += v
    return dict(total)


def chosen(results: dict[tuple[int, float, float], dict], today: dict) -> tuple[int, float, float]:
    """The point with the most ``first`` among those leaving no organisation below the
    hand-set scorer's ``first``; of those, the most ``short`` among the points quoting a
    second sentence no more often than the hand-set scorer (a second sentence is a second
    chance, and more text to read)."""
    safe = [
        p
        for p, table in results.items()
        if all(table[o]["first"] >= today[o]["first"] for o in today)
    ] or list(results)
    most = max(summed(results[p])["first"] for p in safe)
    best = [p for p in safe if summed(results[p])["first"] == most]
    seconds = summed(today)["second"]
    few = [p for p in best if summed(results[p])["second"] <= seconds] or best
    return max(few, key=lambda p: (summed(results[p])["short"], -summed(results[p])["second"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--confirm", action="store_true", help="also count the confirming labels")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    asked = ask_all(args.organisations, args.work_dir, args.confirm)
    fitting = [a for a in asked if not a.confirm]
    orgs = sorted({a.org for a in fitting})
    today = {org: tally([a for a in fitting if a.org == org], None) for org in orgs}
    print("folds: first / short (second sentences) per organisation; the hand-set scorer first")
    print(f"{'point':<20}" + "".join(f"{o[:12]:>14}" for o in orgs) + f"{'all':>14}")

    def line(label: str, table: dict[str, dict[str, int]]) -> None:
        cells = [table[o] for o in orgs] + [summed(table)]
        print(
            f"{label:<20}"
            + "".join(f"{c['first']:>4}/{c['short']:<3}({c['second']:>3})" for c in cells),
            flush=True,
        )

    line("hand-set", today)
    results = {}
    for n in PASSAGES:
        for share in SHARES:
            for c in PENALTIES:
                results[(n, share, c)] = table = folds(asked, n, share, c)
                line(f"n={n} s={share} C={c:g}", table)
    n, share, c = chosen(results, today)
    model = fit(fitting, n, share, c)
    print(f"chosen: passages {n}, second share {share}, C {c:g}")
    print("weights:", dict(zip(FEATURES, (round(w, 3) for w in model.weights), strict=True)))
    confirming = [a for a in asked if a.confirm]
    if confirming:
        print(
            f"confirming labels ({len(confirming)} questions), the model fitted on all the others:"
        )
    # the scorer shipped today beside the new fit: a refit is kept only if it does better
    shipped = LeadModel.load()
    for org in sorted({a.org for a in confirming}):
        mine = [a for a in confirming if a.org == org]
        print(f"  {org:<16} hand-set {tally(mine, None)}")
        if shipped is not None:
            print(f"  {'':<16} shipped  {tally(mine, shipped)}")
        print(f"  {'':<16} fitted   {tally(mine, model)}")
    if args.write:
        # the chosen point's candidates, so that a test refits the shipped weights from them
        # (tests/test_lead_choice.py) without asking the questions again
        x, y = matrices(fitting, n)
        np.savez_compressed(CANDIDATES, x=x, y=y)
        MODEL_PATH.write_text(
            json.dumps(
                {
                    "features": list(FEATURES),
                    "weights": list(model.weights),
                    "intercept": model.intercept,
                    "second_share": share,
                    "passages": n,
                    "c": c,
                    "fitted": datetime.date.today().isoformat(),
                    "command": "scripts/fit_lead_sentences.py --organisations "
                    "evals/organisations.toml --work-dir DIR --write",
                    "hand_set": today,
                    "folds": {
                        f"passages={p} share={s} C={k:g}": t for (p, s, k), t in results.items()
                    },
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()
