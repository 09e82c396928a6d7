"""Every fitting question's decision, per organisation, and what a change moved.

    .venv/bin/python scripts/fitting_decisions.py run OUT.json --work-dir DIR [--as-new] [--only O]
    .venv/bin/python scripts/fitting_decisions.py diff BEFORE.json AFTER.json

``run`` asks every question of every organisation's fitting sets (evals/organisations.toml,
each indexed under DIR/<key>; never the untouched sets), prints MRR and no-answer accuracy per
organisation and keeps each question's rank, decision and caution in OUT. ``--as-new`` asks as
for a new organisation (``Assistant.as_new_organisation``: no own precedents, the question map
fitted without it). ``diff`` lists the questions whose rank, decision or caution differ between
two runs (before and after a change, on the same code otherwise), counts them per
organisation with its MRR and no-answer accuracy before and after, and ends with the project's
rule read off the two runs: a change is kept only if no organisation is lower on either figure
(exit status 1 when one is, so a script can stop there; run ``diff`` on both readings, as is and
``--as-new``). How a rule change was measured since stop 41 (docs/retrieval.md).

A fitted change gains on the questions it was fitted on; the conversations are questions no fit
reads. ``diff`` also takes two ``assistant eval chat --organisations evals/organisations.toml
--conversations ALL --no-baselines --as-new --json F`` files (before and after, each turn
compared as a question), and the rule holds only if it holds there too (stop 63: a "not covered"
refit level or better on every fitting question cost the sample two conversation turns).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import exact_figures, load_questions, run_system, summarise

ROOT = Path(__file__).resolve().parents[1]


def run(out: Path, work_dir: Path, as_new: bool, only: list[str] | None) -> None:
    orgs = load_organisations(ROOT / "evals" / "organisations.toml", only)
    result: dict[str, list[dict]] = {}
    for org, app in indexed(orgs, work_dir, NoProgress()):
        if as_new:
            app.as_new_organisation(org.key)
        questions = [q for path in org.fitting_files() for q in load_questions(path)]
        # as `assistant eval retrieval` asks and scores them, one row per question
        rows, latencies = run_system(app.ask, questions, NoProgress())
        result[org.key] = rows
        figures = summarise(rows, latencies)
        print(
            f"{org.key:<15} {len(rows)} questions  MRR {figures['mrr']:.4f}  no-answer "
            f"{figures['no_answer_accuracy']:.4f}  ({sum(latencies) / 1000:.0f} s)",
            flush=True,
        )
    out.write_text(json.dumps(result), encoding="utf-8")


def figures(rows: list[dict]) -> tuple[float, float]:
    """MRR and no-answer accuracy, unrounded (``exact_figures``): one answered question moving
    from 5th to 6th is a loss the rule must see."""
    exact = exact_figures(rows)
    return exact["mrr"] or 0.0, exact["no_answer_accuracy"] or 0.0


def load_rows(path: Path) -> dict[str, list[dict]]:
    """A ``run`` file's rows by organisation; or an ``assistant eval chat --organisations ...
    --json`` file's turns, each named "conversation#turn" as a question is by its id."""
    data = json.loads(path.read_text(encoding="utf-8"))
    results = data.get("organisations")
    if not isinstance(results, dict):
        return data
    return {
        org: [
            {**turn, "id": f"{turn['conversation']}#{turn['turn']}", "caution": None}
            for turn in result["turns"]
        ]
        for org, result in results.items()
    }


def diff(before: Path, after: Path) -> list[str]:
    """Prints what moved and each organisation's figures; returns the organisations lower on
    MRR or no-answer accuracy after the change (the rule's verdict, printed last)."""
    old, new = load_rows(before), load_rows(after)
    keys = ("rank", "no_evidence", "caution")
    lower: list[str] = []
    for org, rows in new.items():
        was = {r["id"]: r for r in old.get(org, [])}
        moved = 0
        for r in rows:
            o = was.get(r["id"])
            if o is None or all(o[k] == r[k] for k in keys):
                continue
            moved += 1
            kind = "answered" if r["expected_sources"] else "not answered"
            change = ", ".join(f"{k} {o[k]} -> {r[k]}" for k in keys if o[k] != r[k])
            print(f"  {org} {r['id']} ({kind}): {change}: {r['question'][:80]}")
        # the same questions on both sides: a question added to the sets since is not a change
        same = [r for r in rows if r["id"] in was]
        (mrr0, na0), (mrr1, na1) = figures([was[r["id"]] for r in same]), figures(same)
        print(
            f"{org}: {moved} moved; MRR {mrr0:.4f} -> {mrr1:.4f}, no-answer {na0:.4f} -> {na1:.4f}"
        )
        worse = [
            name for name, a, b in (("MRR", mrr0, mrr1), ("no-answer", na0, na1)) if b < a - 1e-12
        ]
        if worse:
            lower.append(f"{org} ({' and '.join(worse)})")
    if lower:
        print("not kept by the rule: lower on " + ", ".join(lower))
    else:
        print("no organisation lower on MRR or no-answer accuracy")
    return lower


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--work-dir", type=Path, required=True)
    r.add_argument("--as-new", action="store_true")
    r.add_argument("--only", nargs="+")
    d = sub.add_parser("diff", help="two run files, or two `assistant eval chat --json` files")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        run(args.out, args.work_dir, args.as_new, args.only)
    elif diff(args.before, args.after):
        sys.exit(1)


if __name__ == "__main__":
    main()
