"""The README's tables of untouched sets: each confirm set's recorded run, and all of them pooled.

    .venv/bin/python scripts/confirm_report.py [--sets 3 4 5 6 7] [--as-new | --with-labels]
        [--markdown | --misses]

Reads evals/results/retrieval-confirmN-ORG.json, each written once by
``assistant eval retrieval --data-dir IDX --questions evals/confirmN/ORG.jsonl --json ...`` on
the code of its stop (the README says which). Nothing is asked again here: a set's figures are
those of the run that confirmed a change, before it joined the fitting sets.

``--as-new`` reads the same sets' runs as a new organisation's
(``assistant eval retrieval --as-new ORG ... --json ...-as-new.json``: no precedents of the
organisation's own, the question map fitted without it), recorded beside each run from confirm49
on. An organisation's earlier questions teach the map and the precedents where its documents
answer the matters helpers ask about again and again; a new user's organisation has none, so
these are the figures to read for one (docs/retrieval.md, "What the map learns").

``--with-labels`` reads them as a new organisation's whose quality lead labelled the four sets
before (``ORG-as-new-labels.json``, ``scripts/read_confirm.sh N IDX N-4 N-1``: 80 questions
imported with ``assistant labels import``), recorded beside each run from stop 50 on: what the
Ask page's "Do our documents answer this?" gives a user who answers it.

``--markdown`` prints the pooled figures as the README's table rows (organisation, hit@3, MRR,
best baseline MRR, no-answer accuracy, not answered refused / cautioned / answered as fine,
answered called not covered), from the questions' own ranks and decisions; the README's tables
are these rows, and tests/test_readme_figures.py checks that they still are.

``--misses`` lists what the README's prose about these sets names: each answered question whose
document is not in the first three, each wrong "not covered" decision (an answered question
refused, or a not-answered one answered, with or without a caution), and each run less than
``LEAD`` MRR points ahead of its best baseline.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from assistant.evaluation.organisations import load_organisations
from assistant.evaluation.retrieval import exact_figures, refused

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "evals" / "results"


def runs_of_set(n: int, org: str, suffix: str = "") -> list[Path]:
    """A set's recorded runs for one organisation: ``ORG.json``, and ``ORG-b.json`` etc. where
    two helpers wrote halves of it (brightwater's confirm35); ``ORG-as-new.json`` with the
    suffix "-as-new", ``ORG-as-new-labels.json`` with "-as-new-labels"."""
    return sorted(
        [
            RESULTS / f"retrieval-confirm{n}-{org}{suffix}.json",
            *RESULTS.glob(f"retrieval-confirm{n}-{org}-?{suffix}.json"),
        ]
    )


def recorded_runs(n: int, org: str, suffix: str = "") -> list[dict]:
    """The recorded runs of ``runs_of_set`` that exist, read."""
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in runs_of_set(n, org, suffix)
        if path.is_file()
    ]


def _best_baseline(run: dict) -> float:
    return max(b["mrr"] for b in run["baselines"].values())


def decisions(questions: list[dict]) -> tuple[int, int, int, int]:
    """The not-answered questions refused, shown with a caution and shown as fine, and the
    answered ones called not covered: the tables' last two columns."""
    unanswered = [q for q in questions if not q["expected_sources"]]
    shown = [q for q in unanswered if not q["no_evidence"]]
    cautioned = sum(bool(q.get("caution")) for q in shown)
    called = sum(bool(q["no_evidence"]) for q in questions if q["expected_sources"])
    return len(unanswered) - len(shown), cautioned, len(shown) - cautioned, called


def organisation_keys() -> list[str]:
    """The organisations evaluated, in evals/organisations.toml's order."""
    return [o.key for o in load_organisations(ROOT / "evals" / "organisations.toml")]


def pooled(runs: list[dict]) -> dict[str, Any]:
    """One organisation's runs pooled, unrounded: what the README's rows and the plain report
    print, each to its own number of decimals."""
    questions = [q for r in runs for q in r["questions"]]
    exact = exact_figures(questions)
    answered = sum(1 for q in questions if q["expected_sources"])
    refusals, cautioned, as_fine, called = decisions(questions)
    return {
        "answered": answered,
        "not answered": len(questions) - answered,
        "hit@3": exact["hit_at_3"] or 0.0,
        "MRR": exact["mrr"] or 0.0,
        "baseline MRR": sum(_best_baseline(r) for r in runs) / len(runs),
        "no-answer": exact["no_answer_accuracy"] or 0.0,
        "refused / cautioned / as fine": (refusals, cautioned, as_fine),
        "answered called not covered": called,
        "runs ahead of the best baseline": sum(r["mrr"] > _best_baseline(r) for r in runs),
    }


def table_rows(sets: list[int], suffix: str = "") -> dict[str, list[str]]:
    """Each organisation's pooled row over these sets, cell by cell as the README prints it
    (three decimals of the unrounded figures; organisations with no recorded run left out)."""
    rows: dict[str, list[str]] = {}
    for org in organisation_keys():
        runs = [run for n in sets for run in recorded_runs(n, org, suffix)]
        if not runs:
            continue
        p = pooled(runs)
        rows[org] = [
            org,
            *(f"{p[k]:.3f}" for k in ("hit@3", "MRR", "baseline MRR", "no-answer")),
            " / ".join(map(str, p["refused / cautioned / as fine"])),
            f"{p['answered called not covered']} of {p['answered']}",
        ]
    return rows


LEAD = 0.08  # issue 14's bar: MRR at least 8 points ahead of both baselines in the same run


def misses(sets: list[int], suffix: str = "") -> list[str]:
    """One line per miss, organisation by organisation and set by set (``--misses``)."""
    lines = []
    for org in organisation_keys():
        for n in sets:
            for run in recorded_runs(n, org, suffix):
                if run["mrr"] - (best := _best_baseline(run)) < LEAD:
                    lines.append(f"{org} confirm{n}: lead {run['mrr']:.3f} against {best:.3f}")
                for q in run["questions"]:
                    where = f"{org} confirm{n} {q['id']}"
                    if q["expected_sources"] and (not q["rank"] or q["rank"] > 3):
                        lines.append(f"{where}: ranked {q['rank']}: {q['question'][:90]}")
                    if q.get("no_evidence") is None or refused(q) == (not q["expected_sources"]):
                        continue
                    if q["expected_sources"]:
                        lines.append(f"{where}: answered, called not covered: {q['question'][:90]}")
                    else:
                        shown = "with a caution" if q.get("caution") else "as fine"
                        lines.append(f"{where}: not answered, shown {shown}: {q['question'][:90]}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, nargs="+", default=[3, 4, 5, 6, 7])
    reading = ap.add_mutually_exclusive_group()
    reading.add_argument(
        "--as-new", action="store_true", help="the runs read as a new organisation's (confirm49 on)"
    )
    reading.add_argument(
        "--with-labels",
        action="store_true",
        help="... as a new organisation's with the four sets before as its labels (stop 50 on)",
    )
    output = ap.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="the pooled rows as the README's")
    output.add_argument("--misses", action="store_true", help="each miss the README's prose names")
    args = ap.parse_args()
    suffix = "-as-new-labels" if args.with_labels else "-as-new" if args.as_new else ""
    if args.misses:
        print("\n".join(misses(args.sets, suffix)))
        return
    if args.markdown:
        for cells in table_rows(args.sets, suffix).values():
            print("| " + " | ".join(cells) + " |")
        return
    print("set by set (hit@3 / MRR / no-answer accuracy; best baseline MRR):")
    rows: dict[str, dict] = {}
    for org in organisation_keys():
        runs = [(n, run) for n in args.sets for run in recorded_runs(n, org, suffix)]
        if not runs:
            continue
        print(
            f"  {org:<15} "
            + " | ".join(
                f"confirm{n} {r['hit_at_3']:.3f} / {r['mrr']:.3f} / "
                f"{r['no_answer_accuracy']:.3f} ({_best_baseline(r):.3f})"
                for n, r in runs
            )
        )
        rows[org] = pooled([r for _, r in runs])
    print("\npooled:")
    for org, row in rows.items():
        print(f"  {org:<15} " + ", ".join(f"{k} {_plain(v)}" for k, v in row.items()))


def _plain(value: Any) -> str:
    """A pooled figure as the plain report prints it: four decimals, or "a / b / c"."""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, tuple):
        return " / ".join(map(str, value))
    return str(value)


if __name__ == "__main__":
    main()
