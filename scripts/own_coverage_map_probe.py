"""Probe (stop 58, not kept): a new organisation's question map taught by its own clause coverage.

    .venv/bin/python scripts/own_coverage_map_probe.py --organisations evals/organisations.toml \
        --work-dir DIR [--top 2]

As a new organisation, the question map is the one fitted on the other organisations' labelled
questions (the fold map). The organisation's documents alone already say something about how its
staff's questions should land: the product answers "How do we meet ISO 9001 clause X?" from its
clause maps, citations and clause cards, and the catalogue holds interview questions for each
clause in everyday words. This probe makes those pairs (each clause's catalogue questions, the
first ``--top`` documents of the organisation's own clause answer, asked as a new organisation)
and fits the map on the other organisations' questions plus these pseudo-questions, as if the
organisation were one more in the fit with no labelled question of its own. Reported per
organisation: the dense search's MRR on its real answered fitting questions with no map, with
the fold map, and with the fold map fitted with its own pseudo-questions
(docs/retrieval.md, "A new organisation's map taught by its own clause coverage").
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.question_map_fit import OrganisationData, collect, dense_mrr, fit
from assistant.factory import Assistant
from assistant.search.clauses import default_catalogue


def pseudo_questions(app: Assistant, data: OrganisationData, top: int) -> OrganisationData:
    """The catalogue's questions of each clause the organisation's clause answer covers, each
    aimed at that answer's first ``top`` documents."""
    index = {f: i for i, f in enumerate(data.docs)}
    questions, targets = [], []
    for clause in default_catalogue():
        if not clause.questions:
            continue
        answer = app.ask(f"How do we meet ISO 9001 clause {clause.id}?")
        files = [f for f in answer.ranked_files[:top] if f in index]
        if answer.no_evidence or not files:
            continue
        target = np.zeros(len(data.docs), dtype=bool)
        target[[index[f] for f in files]] = True
        for q in clause.questions:
            questions.append(app.embedder.encode_query(q.text))
            targets.append(target)
    return OrganisationData(
        data.chunks,
        data.chunk_doc,
        data.docs,
        np.array(questions, dtype=np.float32),
        np.array(targets),
        [],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--top", type=int, default=2, help="documents of the clause answer aimed at")
    args = ap.parse_args()
    apps = list(indexed(load_organisations(args.organisations, None), args.work_dir, NoProgress()))
    data = collect(apps)
    pseudo = {}
    for org, app in apps:
        app.as_new_organisation(org.key)  # the clause answers a new organisation would get
        pseudo[org.key] = pseudo_questions(app, data[org.key], args.top)
        print(f"{org.key}: {len(pseudo[org.key].questions)} pseudo-questions", flush=True)
    for key, own in data.items():
        others = [d for o, d in data.items() if o != key]
        fold, adapted = fit(others), fit([*others, pseudo[key]])
        print(
            f"{key:<15} no map {dense_mrr(own, None):.4f}  fold map {dense_mrr(own, fold):.4f}"
            f"  fold map with its own pseudo-questions {dense_mrr(own, adapted):.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
