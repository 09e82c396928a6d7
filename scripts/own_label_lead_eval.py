"""How much an organisation's labels naming the document that answers (usecases/own_labels.py,
``label_lead_similarity``) lead its later questions to the right document, measured as a new
organisation, and the closeness line fitted with each organisation left out.

    .venv/bin/python scripts/own_label_lead_eval.py --organisations evals/organisations.toml \
        --work-dir DIR [--labels 20 40 80] [--confirm 40] [--write]

DIR holds each organisation's index (``DIR/ORG``, as ``scripts/fitting_decisions.py`` uses).
For each organisation, read as a new one (``as_new_organisation``: its own questions are not in
the question map or the "not covered" precedents), its fitting questions are taken in the order
its sets were written; the last quarter (at least 20) are asked, and the K questions just before
them are its labels, each answered one naming its expected documents: what a quality lead marked
on the Ask page, or imported, before those were asked. A label in the very words of a question
asked is not read (it would answer its own question).

The sweep asks every question once with no label leading, then leads each with the document of
its nearest label (``own_labels.nearest_answering`` and ``lead_index``, the product's own
functions) at each line of ``GRID``: MRR of the answered questions asked, per organisation and K.
The line is chosen on the five main organisations by the summed MRR gain over the K's; each of
them is also read at the line chosen without it (``folds``). ``--confirm K`` then runs the
product itself at the chosen line on a copy of each index with the K labels imported (labels
also move "not covered": both runs have them, only the lead differs): MRR and no-answer accuracy
of everything asked, with the lead and without. ``--write``: evals/results/own-label-lead.json.

``--clause-lead K [K ...]`` measures only what a label on a question about one clause does for
later questions on that clause (``clause_labels``: by number or by name, whatever their words,
they are led by the documents it names and get its verdict): the product on a copy of each
index with the K labels imported (0: every question before the first asked), the closeness lead
at the shipped line in both runs, without and with it. ``--write``:
evals/results/clause-label-lead.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

import numpy as np

from assistant.core.settings import Settings, load_settings
from assistant.evaluation.organisations import Organisation, load_organisations
from assistant.evaluation.retrieval import EvalQuestion, load_questions
from assistant.factory import Assistant
from assistant.usecases.own_labels import lead_index, nearest_answering

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "evals" / "results" / "own-label-lead.json"
CLAUSE_OUT = ROOT / "evals" / "results" / "clause-label-lead.json"
GRID = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]
MAIN = ["sample", "gstt-csc", "openregulatory", "fernhill", "brightwater"]
ASKED_AT_LEAST = 20  # as scripts/own_labels_eval.py
SAME_WORDS = 0.999  # two vectors this close are one question in the same words
OFF = 2.0  # label_lead_similarity above 1: no label leads


@dataclass
class Read:
    """One organisation's questions asked with no label leading, and its candidate labels."""

    questions: list[EvalQuestion]
    start: int  # the first question asked
    files: dict[int, list[str]]  # answered question asked -> the documents found, best first
    vectors: np.ndarray  # every question's own vector


def ordered(org: Organisation) -> list[EvalQuestion]:
    return [q for path in org.fitting_files() for q in load_questions(path)]


def first_asked(questions: list[EvalQuestion]) -> int:
    """Where the asked questions start: the last quarter, and never fewer than ASKED_AT_LEAST."""
    return len(questions) - max(ASKED_AT_LEAST, len(questions) // 4)


def reciprocal_rank(files: list[str], expected: list[str]) -> float:
    names = {PurePath(e).name for e in expected}
    return next((1 / r for r, f in enumerate(files, 1) if PurePath(f).name in names), 0.0)


def read(org: Organisation, work_dir: Path) -> Read:
    app = Assistant(
        load_settings(data_dir=work_dir / org.key, label_lead_similarity=OFF, clause_labels=False)
    )
    app.as_new_organisation(org.key)
    questions = ordered(org)
    start = first_asked(questions)
    files = {
        i: app.ask(questions[i].question).ranked_files
        for i in range(start, len(questions))
        if questions[i].expected_sources
    }
    vectors = np.stack([app.embedder.encode_query(q.question) for q in questions])
    return Read(questions, start, files, vectors)


def labelled(r: Read, k: int) -> list[int]:
    """The K questions before the first asked."""
    return list(range(max(0, r.start - k), r.start))


def led_mrr(r: Read, k: int, line: float) -> float:
    """MRR of the answered questions asked, each led by its nearest label at ``line``."""
    labels = labelled(r, k)
    out = []
    for i, files in r.files.items():
        q = r.questions[i]
        pool = [
            (r.questions[j].question, r.vectors[j], tuple(r.questions[j].expected_sources))
            for j in labels
            if float(r.vectors[j] @ r.vectors[i]) < SAME_WORDS
        ]
        found = nearest_answering(q.question, r.vectors[i], pool, line) if line <= 1 else None
        if found is not None:
            at = lead_index(files, pool[found[0]][2])
            if at is not None:
                files = [files[at]] + files[:at] + files[at + 1 :]
        out.append(reciprocal_rank(files, q.expected_sources))
    return float(np.mean(out))


def choose(table: dict[str, dict[int, dict[float, float]]], orgs: list[str]) -> float:
    """The line with the largest summed MRR gain over the K's on ``orgs``, among those that
    leave no organisation worse at any K (a change that helps one and hurts another is not
    kept; at stop 46 the lowest lines helped most with 40 labels or more and hurt two
    organisations with 20). Ties: the higher line, which leads fewer questions. OFF when no
    line qualifies."""

    def gain(line: float) -> float:
        return sum(t[line] - t[OFF] for o in orgs for t in table[o].values())

    def harmless(line: float) -> bool:
        return all(t[line] >= t[OFF] - 1e-9 for o in orgs for t in table[o].values())

    return max(
        [line for line in GRID if harmless(line)] or [OFF],
        key=lambda line: (round(gain(line), 6), line),
    )


def confirm(org: Organisation, work_dir: Path, k: int, line: float) -> dict:
    """The product on a copy of the index with the K labels imported: everything asked, with
    the lead at ``line`` and without (neither led by a label on the clause asked)."""
    return compare(
        org,
        work_dir,
        k,
        {"label_lead_similarity": OFF, "clause_labels": False},
        {"label_lead_similarity": line, "clause_labels": False},
    )


def confirm_clauses(org: Organisation, work_dir: Path, k: int | None, line: float) -> dict:
    """As ``confirm``, the lead at ``line`` in both, without and with the word of a label on
    the clause asked (``clause_labels``); ``k`` None: every question before the first asked
    is a label."""
    return compare(
        org,
        work_dir,
        k,
        {"label_lead_similarity": line, "clause_labels": False},
        {"label_lead_similarity": line, "clause_labels": True},
    )


def import_earlier(
    app: Assistant, questions: list[EvalQuestion], start: int, k: int | None
) -> None:
    """Label the K questions before the first asked (None: every one) as the organisation
    would have, each answered or not as its set says and naming the documents it names."""
    first = 0 if k is None else max(0, start - k)
    app.own_labels.add_many(
        [
            (q.question, bool(q.expected_sources), q.expected_sources)
            for q in questions[first:start]
        ],
        "earlier questions",
    )


def compare(org: Organisation, work_dir: Path, k: int | None, without: dict, led: dict) -> dict:
    """The product on a copy of the index with the K labels imported (None: every question
    before the first asked), everything asked with the settings ``without`` and ``led``: MRR
    (of all answered questions, and of the clause questions among them), no-answer accuracy
    and how many answers a label led."""
    questions = ordered(org)
    start = first_asked(questions)
    asked = questions[start:]
    out: dict = {"asked": len(asked)}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / org.key
        shutil.copytree(work_dir / org.key, copy)
        for name, overrides in (("without", without), ("with", led)):
            app = Assistant(load_settings(data_dir=copy, **overrides))
            app.as_new_organisation(org.key)
            if name == "without":
                import_earlier(app, questions, start, k)
            app.own_labels.ignore(q.question for q in asked)
            rr, clause_rr, right, by_label, top3 = [], [], 0, 0, 0
            for q in asked:
                a = app.ask(q.question)
                right += bool(q.expected_sources) != a.no_evidence
                by_label += bool(a.label_lead)
                if q.expected_sources:
                    rr.append(reciprocal_rank(a.ranked_files, q.expected_sources))
                    top3 += rr[-1] >= 1 / 3
                    if q.kind == "clause_lookup":
                        clause_rr.append(rr[-1])
            out[name] = {
                "hit_at_3": round(top3 / len(rr), 4),
                "mrr": round(float(np.mean(rr)), 4),
                "clause_mrr": round(float(np.mean(clause_rr)), 4) if clause_rr else None,
                "clause_questions": len(clause_rr),
                "no_answer_accuracy": round(right / len(asked), 4),
                "led": by_label,
            }
    return out


def coverage_agreement(org: Organisation, work_dir: Path, k: int | None) -> dict:
    """How often the coverage agrees with the clause questions asked (each on one clause):
    the first support of the clause is a document the question's set names, one of the first
    three is, and the clause is a gap exactly when the set says the documents do not answer;
    without labels and with the K before them imported (None: every earlier question)."""
    questions = ordered(org)
    start = first_asked(questions)
    asked = [q for q in questions[start:] if q.kind == "clause_lookup"]
    asked = [q for q in asked if len(q.expected_clauses) == 1]
    out: dict = {"clause_questions": len(asked)}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / org.key
        shutil.copytree(work_dir / org.key, copy)
        app = Assistant(load_settings(data_dir=copy))
        for name in ("without", "with"):
            if name == "with":
                import_earlier(app, questions, start, k)
            app.own_labels.ignore(q.question for q in questions[start:])
            rows = {r.clause_id: r for r in app.coverage()}
            first = top3 = gap_right = 0
            for q in asked:
                row = rows.get(q.expected_clauses[0])
                if row is None:
                    continue
                files = [s.file for s in row.supports]
                first += reciprocal_rank(files[:1], q.expected_sources) == 1
                top3 += reciprocal_rank(files[:3], q.expected_sources) > 0
                gap_right += row.is_gap == (not q.expected_sources)
            n = len(asked) or 1
            out[name] = {
                "first_support_named": round(first / n, 4),
                "named_in_first_three": round(top3 / n, 4),
                "gap_right": round(gap_right / n, 4),
            }
    return out


def clause_lead(orgs: list[Organisation], work_dir: Path, ks: list[int], write: bool) -> None:
    """``confirm_clauses`` for every organisation and K, at the shipped line, and the
    coverage's agreement with the clause questions asked (``coverage_agreement``)."""
    line = Settings().label_lead_similarity
    result: dict = {
        "command": "scripts/own_label_lead_eval.py --organisations evals/organisations.toml "
        f"--work-dir DIR --clause-lead {' '.join(map(str, ks))}",
        "line": line,
        "by_labels": {},
    }
    for k in ks:
        rows = {}
        for org in orgs:
            rows[org.key] = confirm_clauses(org, work_dir, k or None, line)
            rows[org.key]["coverage"] = coverage_agreement(org, work_dir, k or None)
            print(f"{org.key} with {k or 'all earlier'} labels: {json.dumps(rows[org.key])}")
        result["by_labels"][str(k or "all")] = rows
    if write:
        CLAUSE_OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"written: {CLAUSE_OUT.relative_to(ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--labels", type=int, nargs="+", default=[20, 40, 80])
    ap.add_argument("--confirm", type=int, help="run the product with this many labels")
    ap.add_argument(
        "--clause-lead",
        type=int,
        nargs="+",
        metavar="K",
        help="only compare the product without and with the word of a label on the clause "
        "asked, at the shipped line, with K labels (0: every earlier question); "
        f"--write: {CLAUSE_OUT.relative_to(ROOT)}",
    )
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = ap.parse_args()
    orgs = load_organisations(args.organisations)
    if args.clause_lead:
        clause_lead(orgs, args.work_dir, args.clause_lead, args.write)
        return
    table: dict[str, dict[int, dict[float, float]]] = {}
    for org in orgs:
        r = read(org, args.work_dir)
        table[org.key] = {
            k: {line: led_mrr(r, k, line) for line in [OFF, *GRID]} for k in args.labels
        }
        print(f"{org.key}: {len(r.files)} answered asked, labels from {r.start} before", flush=True)
        for k, row in table[org.key].items():
            cells = "  ".join(f"{line}: {row[line]:.3f}" for line in GRID)
            print(f"  K={k:<3} none {row[OFF]:.3f}  {cells}", flush=True)
    main_orgs = [o for o in MAIN if o in table]
    chosen = choose(table, main_orgs)
    folds = {}
    for held in main_orgs:
        line = choose(table, [o for o in main_orgs if o != held])
        folds[held] = {
            "line": line,
            "mrr": {k: [round(row[OFF], 4), round(row[line], 4)] for k, row in table[held].items()},
        }
        print(
            f"{held} left out: line {line}, MRR none -> led "
            + ", ".join(f"K={k} {a:.3f} -> {b:.3f}" for k, (a, b) in folds[held]["mrr"].items())
        )
    print(f"chosen on {', '.join(main_orgs)}: {chosen}")
    result: dict = {
        "command": "scripts/own_label_lead_eval.py --organisations evals/organisations.toml "
        "--work-dir DIR" + (f" --confirm {args.confirm}" if args.confirm else ""),
        "grid": GRID,
        "chosen": chosen,
        "folds": folds,
        "table": {
            o: {
                str(k): {
                    ("none" if line == OFF else str(line)): round(v, 4) for line, v in row.items()
                }
                for k, row in t.items()
            }
            for o, t in table.items()
        },
    }
    if args.confirm:
        result["confirm"] = {}
        for org in orgs:
            c = confirm(org, args.work_dir, args.confirm, chosen)
            result["confirm"][org.key] = c
            print(f"{org.key} with {args.confirm} labels, product: {json.dumps(c)}", flush=True)
    if args.write:
        OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"written: {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
