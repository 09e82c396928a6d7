"""Every fitting question's decision, per organisation, and what a change moved.

    .venv/bin/python scripts/fitting_decisions.py run OUT.json --work-dir DIR [--as-new] [--only O]
    .venv/bin/python scripts/fitting_decisions.py diff BEFORE.json AFTER.json

``run`` asks every question of every organisation's fitting sets (evals/organisations.toml,
each indexed under DIR/<key>; never the untouched sets), prints MRR and no-answer accuracy per
organisation and keeps each question's rank, decision and caution in OUT. ``--as-new`` asks as
for a new organisation (``Assistant.as_new_organisation``: no own precedents, the question map
fitted without it). ``diff`` lists the questions whose rank, decision or caution differ between
two runs (before and after a change, on the same code otherwise), and counts them per
organisation: how a rule change was measured at stop 41 (docs/retrieval.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import load_questions, run_system, summarise

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


def diff(before: Path, after: Path) -> None:
    old = json.loads(before.read_text(encoding="utf-8"))
    new = json.loads(after.read_text(encoding="utf-8"))
    keys = ("rank", "no_evidence", "caution")
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
        print(f"{org}: {moved} moved")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--work-dir", type=Path, required=True)
    r.add_argument("--as-new", action="store_true")
    r.add_argument("--only", nargs="+")
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        run(args.out, args.work_dir, args.as_new, args.only)
    else:
        diff(args.before, args.after)


if __name__ == "__main__":
    main()
