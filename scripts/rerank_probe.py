"""Measure, without building it, a fitted re-ranking of the first documents over signals the
ranking does not already read, each organisation left out in turn.

    .venv/bin/python scripts/rerank_probe.py dump ROWS.pkl \
        --organisations evals/organisations.toml --work-dir DIR
    .venv/bin/python scripts/rerank_probe.py fit ROWS.pkl [--mode plain] [--documents 3] \
        [--c 0.01] [--signals npass,tcos | --rel-only]

``dump`` asks every answered question of each organisation's fitting sets (``retrieval`` and
``retrieval_heldout``; never ``retrieval_untouched``) as a new organisation's would be asked
(the question map fitted without it; no "not covered" decision), and keeps for each of the first
eight documents its place, its score as a share of the first's, and signals: the cosines of its
two best passages and of its title to the question, its best dense and BM25 ranks, how many of
its passages either list found (``npass``), its role, how many clauses it cites, its length in
passages, and whether it is a manual or policy by name. ``fit`` fits a pairwise logistic
regression (an expected document over one that is not, among the first ``--documents``) on six
organisations and re-ranks the seventh's, printing MRR and hit@1 before and after and how many
questions moved up and down. At stop 50 only ``npass`` raised every organisation; it was then
built as ``breadth_weight`` and fitted through the whole ranking (scripts/fit_retrieval.py
--grid breadth; docs/retrieval.md, "A document's breadth").
"""

from __future__ import annotations

import argparse
import pickle
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.logistic import fit_logistic
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.question_map_fit import use_fold_maps
from assistant.evaluation.retrieval import load_questions
from assistant.search.roles import asks_for_record

KEPT = 8  # documents kept per question
MANUAL = re.compile(r"manual|policy", re.IGNORECASE)


def dump(out: Path, organisations: Path, work_dir: Path) -> None:
    apps = list(indexed(load_organisations(organisations), work_dir, NoProgress()))
    use_fold_maps(apps)
    rows: list[dict[str, Any]] = []
    for org, app in apps:
        service, retriever = app.ask_service, app.retriever
        service.not_covered = None  # ranking only
        reader = retriever.store.reader
        retriever.citations.refresh()
        length = Counter(c.file for c in retriever.store.manifest.all_chunks())
        titles: dict[str, np.ndarray] = {}
        seen: dict[str, Any] = {}
        search = retriever.search

        def remembered(*args: Any, _search: Any = search, _seen: dict = seen, **kwargs: Any) -> Any:
            _seen["result"] = _search(*args, **kwargs)
            return _seen["result"]

        retriever.search = remembered  # type: ignore[method-assign]
        questions = [
            q for f in org.fitting_files() for q in load_questions(f) if q.expected_sources
        ]
        for q in questions:
            plan = service.plan(q.question)
            answer = service.answer(plan)
            result = seen["result"]
            by_file = {d.file: d for d in result.documents}
            docs = [by_file[f] for f in answer.ranked_files[:KEPT] if f in by_file]
            if not docs:
                continue
            own = result.vectors.get(plan.gap_query)
            if own is None:
                own = retriever.embedder.encode_query(plan.gap_query)
            top = docs[0].score or 1.0
            signals = []
            for place, d in enumerate(docs, 1):
                ids = [e.chunk.id for e in d.passages[:2]]
                vectors = reader.embeddings(ids)
                cosines = sorted(
                    (float(vectors[i] @ own) for i in ids if i in vectors), reverse=True
                )
                cosines += [0.0, 0.0]
                if d.file not in titles:
                    titles[d.file] = retriever.embedder.encode_query(d.best.chunk.title or d.file)
                signals.append(
                    {
                        "rank": place,
                        "rel": d.score / top,
                        "cos1": cosines[0],
                        "cos2": cosines[1],
                        "tcos": float(titles[d.file] @ own),
                        "dr": min((e.dense_rank for e in d.passages if e.dense_rank), default=None),
                        "lr": min(
                            (e.lexical_rank for e in d.passages if e.lexical_rank), default=None
                        ),
                        "npass": len(d.passages),
                        "role": service.roles.of(d.file) if service.roles else "procedure",
                        "ncited": len(retriever.citations.by_file.get(d.file, ())),
                        "nchunks": length.get(d.file, 1),
                        "manual": bool(MANUAL.search(d.file)),
                    }
                )
            rows.append(
                {
                    "org": org.key,
                    "mode": answer.mode,
                    "asks_record": asks_for_record(q.question),
                    "files": [d.file for d in docs],
                    "expected": list(q.expected_sources),
                    "ranked_all": answer.ranked_files,
                    "signals": signals,
                }
            )
        print(f"{org.key}: {len(questions)} answered questions", flush=True)
    with out.open("wb") as fh:
        pickle.dump(rows, fh)


def _row(question: dict[str, Any], s: dict[str, Any], keep: list[str] | None, rel_only: bool):
    def inverse(v: int | None) -> float:
        return 1.0 / v if v else 0.0

    if rel_only:
        return [s["rel"], np.log1p(s["npass"])]
    role = s["role"]
    named = {
        "cos1": s["cos1"],
        "cos2": s["cos2"],
        "tcos": s["tcos"],
        "dr": inverse(s["dr"]),
        "lr": inverse(s["lr"]),
        "npass": np.log1p(s["npass"]),
        "record": role == "record",
        "list": role == "list",
        "index": role == "index",
        "about": role == "about",
        "asksrec": (role != "procedure") * question["asks_record"],
        "ncited": np.log1p(s["ncited"]),
        "nchunks": np.log(s["nchunks"]),
        "manual": s["manual"],
    }
    chosen = [named[k] for k in keep] if keep else list(named.values())
    return [float(v) for v in [s["rel"], np.log(s["rank"]), 1.0 / s["rank"], *chosen]]


def _first(files: list[str], expected: list[str]) -> int | None:
    found = [files.index(f) + 1 for f in expected if f in files]
    return min(found) if found else None


def _mrr(ranks: list[int | None]) -> float:
    return sum(1 / r for r in ranks if r) / len(ranks)


def fit(rows_path: Path, mode: str, n: int, c: float, keep: list[str] | None, rel_only: bool):
    with rows_path.open("rb") as fh:
        rows = [r for r in pickle.load(fh) if mode == "all" or r["mode"] == mode]
    x = {id(r): np.array([_row(r, s, keep, rel_only) for s in r["signals"][:n]]) for r in rows}
    print(f"{mode} questions {len(rows)}, first {n} documents, C {c}")
    for left in sorted({r["org"] for r in rows}):
        pairs, labels = [], []
        for r in (r for r in rows if r["org"] != left):
            hit = [f in r["expected"] for f in r["files"][:n]]
            for i, a in enumerate(hit):
                for j, b in enumerate(hit):
                    if a and not b:
                        d = x[id(r)][i] - x[id(r)][j]
                        pairs += [d, -d]
                        labels += [1, 0]
        diffs = np.array(pairs)
        scale = diffs.std(axis=0) + 1e-9
        w, _ = fit_logistic(diffs / scale, np.array(labels, dtype=float), c)
        old, new = [], []
        for r in (r for r in rows if r["org"] == left):
            order = np.argsort(-(x[id(r)] @ (w / scale)), kind="stable")
            head = [r["files"][i] for i in order]
            old.append(_first(r["ranked_all"], r["expected"]))
            rest = [f for f in r["ranked_all"] if f not in head]
            new.append(_first(head + rest, r["expected"]))
        up = sum(1 for a, b in zip(old, new, strict=True) if (b or 99) < (a or 99))
        down = sum(1 for a, b in zip(old, new, strict=True) if (b or 99) > (a or 99))
        print(
            f"  {left:<15} {len(old):4d}  MRR {_mrr(old):.3f} -> {_mrr(new):.3f}  "
            f"up {up} down {down}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--organisations", type=Path, required=True)
    d.add_argument("--work-dir", type=Path, required=True)
    f = sub.add_parser("fit")
    f.add_argument("rows", type=Path)
    f.add_argument("--mode", choices=("plain", "clause", "all"), default="plain")
    f.add_argument("--documents", type=int, default=3)
    f.add_argument("--c", type=float, default=0.01)
    f.add_argument("--signals", help="comma-separated subset (default: all)")
    f.add_argument(
        "--rel-only", action="store_true", help="the share of the first's score and npass"
    )
    args = ap.parse_args()
    if args.command == "dump":
        dump(args.out, args.organisations, args.work_dir)
    else:
        keep = args.signals.split(",") if args.signals else None
        fit(args.rows, args.mode, args.documents, args.c, keep, args.rel_only)


if __name__ == "__main__":
    main()
