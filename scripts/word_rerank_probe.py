"""Measure, without building it, a re-ranking of plain questions' documents by words in context.

    .venv/bin/python scripts/word_rerank_probe.py --organisations evals/organisations.toml \
        --work-dir DIR [--weights 0 0.1 0.15 0.2 0.3 0.5] [--documents 8] [--passages 2]

For every answered plain question of each organisation's fitting sets (``retrieval`` and
``retrieval_heldout``; never ``retrieval_untouched``), the first ``--documents`` documents are
recorded with their fused score and a word score: for each of the question's subject words, its
best cosine to a word of the passage, both read in context by MiniLM (the not-covered model's
``word_recall``), averaged, and the better of the document's first ``--passages`` passages
taken. Each document is then re-ranked offline by fused score + weight x word score, and MRR
per organisation is printed for each weight, with the weight chosen on three organisations and
applied to the fourth (the folds). docs/retrieval.md ("A lead for the next stop") has the
stop-15 run and why it is not built: reading a passage's words costs about 16 ms.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import load_questions


def record(organisations: Path, work_dir: Path, documents: int, passages: int) -> list[dict]:
    """One row per answered plain question: its expected files, the system's ranking, and the
    first documents with fused score and word score."""
    rows = []
    for org, app in indexed(load_organisations(organisations), work_dir, NoProgress()):
        service = app.ask_service
        assert service.not_covered is not None  # the factory always gives the reader
        reader = service.not_covered[0]
        for file in org.fitting_files():
            for q in load_questions(file):
                if not q.expected_sources:
                    continue
                plan = service.plan(q.question)
                if plan.clause_mode:
                    continue
                result = service.retriever.search(plan.queries, app.settings.top_k)
                if service.roles is not None:
                    service._weigh_roles(result.documents, False)
                rows.append(
                    {
                        "organisation": org.key,
                        "expected": q.expected_sources,
                        "ranked": [d.file for d in result.documents],
                        "top": [
                            (
                                d.file,
                                d.score,
                                max(reader.word_matches(q.question, d.passages[:passages])),
                            )
                            for d in result.documents[:documents]
                        ],
                    }
                )
        print(f"{org.key}: {sum(r['organisation'] == org.key for r in rows)} plain questions")
    return rows


def mrr(rows: list[dict], weight: float) -> float:
    total = 0.0
    for r in rows:
        top = sorted(r["top"], key=lambda d: -(d[1] + weight * d[2]))
        order = [d[0] for d in top] + [f for f in r["ranked"] if f not in {d[0] for d in top}]
        ranks = [order.index(f) + 1 for f in r["expected"] if f in order]
        total += 1 / min(ranks) if ranks else 0.0
    return total / len(rows) if rows else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--weights", type=float, nargs="+", default=[0, 0.1, 0.15, 0.2, 0.3, 0.5])
    ap.add_argument("--documents", type=int, default=8)
    ap.add_argument("--passages", type=int, default=2)
    args = ap.parse_args()
    rows = record(args.organisations, args.work_dir, args.documents, args.passages)
    orgs = sorted({r["organisation"] for r in rows})
    by_org = {o: [r for r in rows if r["organisation"] == o] for o in orgs}
    table = {w: {o: mrr(by_org[o], w) for o in orgs} for w in args.weights}
    print("weight  " + "  ".join(f"{o:>15}" for o in orgs))
    for w, per in table.items():
        print(f"{w:<7g} " + "  ".join(f"{per[o]:>15.3f}" for o in orgs))
    print("\nfolds (weight chosen on the other organisations; MRR of the one left out):")
    for o in orgs:
        others = [x for x in orgs if x != o]
        chosen = max(args.weights, key=lambda w: (np.mean([table[w][x] for x in others]), -w))
        print(
            f"  {o:<15} {table[0.0][o] if 0.0 in table else float('nan'):.3f} -> "
            f"{table[chosen][o]:.3f} at {chosen:g}"
        )


if __name__ == "__main__":
    main()
