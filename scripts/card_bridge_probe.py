"""Probe (nothing of it is in the product): would the clause card nearest a plain question help
rank the documents that cite that clause?

    .venv/bin/python scripts/card_bridge_probe.py --organisations evals/organisations.toml \
        --work-dir DIR [--floors 0.3 0.35 0.4 0.45 0.5] [--lifts 0.01 0.02 0.04]

Everyday words often miss an organisation's terms ("the bosses sit down to judge whether the
quality system works" for a management review) where the clause catalogue's summaries and
everyday words bridge them. Searching the nearest card's words beside the question was tried
at stop 15 and moved as many questions down as up (docs/retrieval.md). Here the card only
names a clause: among a plain question's first ``DOCUMENTS`` documents (ranked as the product
ranks them, word re-ranking included), those that cite the nearest card's clause (their own
citations, another standard's clause through the crosswalk, or the organisation's clause map)
get ``lift`` added to their score, when the question's cosine to the card is at least ``floor``.
Every answered plain question of the fitting sets (never ``retrieval_untouched``); MRR per
organisation at each point, and the folds: the point chosen on three organisations, scored on
the fourth.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import load_questions
from assistant.search.retrieval import Query, _related

DOCUMENTS = 8


def record(organisations: Path, work_dir: Path) -> dict[str, list[dict]]:
    """Per organisation, per answered plain question: its documents (file, score, whether it
    cites the nearest card's clause), that card's cosine and the expected files."""
    out: dict[str, list[dict]] = {}
    for org, app in indexed(load_organisations(organisations), work_dir, NoProgress()):
        service, retriever = app.ask_service, app.retriever
        retriever.citations.refresh()
        catalogue = list(service.resolver.catalogue)
        cards = np.stack(
            [retriever.vector(Query(c.embedding_text(), fixed=True)) for c in catalogue]
        )
        seen: list = []
        original = service._rerank_by_words

        # Passes every argument through, so a new parameter of the re-ranking (the policy
        # weight at stop 33) does not break the probe again; the documents are the second.
        def capture(*args, original=original, seen=seen, **kwargs):  # noqa: ANN002, ANN003
            ran = original(*args, **kwargs)
            seen.append(list(args[1]))
            return ran

        service._rerank_by_words = capture
        rows = []
        for kind in ("retrieval", "retrieval_heldout"):
            for f in org.files(kind):
                for q in load_questions(f):
                    if not q.expected_sources:
                        continue
                    plan = service.plan(q.question)
                    if plan.clause_mode or plan.gap_query != q.question:
                        continue
                    seen.clear()
                    service.answer(plan)
                    documents = seen[-1][:DOCUMENTS] if seen else []
                    sims = cards @ retriever.vector(Query(q.question))
                    best = int(np.argmax(sims))
                    clause = catalogue[best].id
                    c = retriever.citations

                    def cites(file: str, clause: str = clause, c=c) -> bool:  # noqa: ANN001
                        found = c.by_file.get(file, set()) | c.mapped.get(file, set())
                        found |= c.tabled.get(file, set())
                        return any(_related(x, clause) for x in found)

                    rows.append(
                        {
                            "expected": q.expected_sources,
                            "cosine": float(sims[best]),
                            "docs": [(d.file, d.score, cites(d.file)) for d in documents],
                        }
                    )
        service._rerank_by_words = original
        out[org.key] = rows
        print(f"{org.key}: {len(rows)} plain questions", flush=True)
    return out


def mrr(rows: list[dict], floor: float, lift: float) -> float:
    total = 0.0
    for r in rows:
        bonus = lift if r["cosine"] >= floor else 0.0
        order = sorted(r["docs"], key=lambda d: -(d[1] + (bonus if d[2] else 0.0)))
        files = [d[0] for d in order]
        found = [files.index(e) + 1 for e in r["expected"] if e in files]
        total += 1 / min(found) if found else 0.0
    return total / max(len(rows), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--floors", type=float, nargs="+", default=[0.3, 0.35, 0.4, 0.45, 0.5])
    ap.add_argument("--lifts", type=float, nargs="+", default=[0.01, 0.02, 0.04])
    args = ap.parse_args()
    table = record(args.organisations, args.work_dir)
    orgs = sorted(table)
    points = [(1.0, 0.0), *itertools.product(args.floors, args.lifts)]
    scores = {p: {o: mrr(table[o], *p) for o in orgs} for p in points}
    print("floor lift  " + "  ".join(f"{o:>14}" for o in orgs))
    for p in points:
        print(f"{p[0]:.2f}  {p[1]:.2f}  " + "  ".join(f"{scores[p][o]:14.3f}" for o in orgs))
    print("\nfolds (chosen on the other three; the one left out, off -> there):")
    for o in orgs:
        others = [x for x in orgs if x != o]
        best = max(points, key=lambda p: (round(np.mean([scores[p][x] for x in others]), 3), -p[1]))
        print(f"  {o:<15} {scores[points[0]][o]:.3f} -> {scores[best][o]:.3f} at {best}")


if __name__ == "__main__":
    main()
