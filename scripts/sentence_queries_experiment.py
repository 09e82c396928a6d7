"""Each sentence of a long question as a dense query of its own, tried at stop 19 and not kept
(docs/retrieval.md, "Each sentence of a long question as a query of its own"). This script
repeats the measurement; nothing of it is in the product.

    .venv/bin/python scripts/sentence_queries_experiment.py \
        --organisations evals/organisations.toml --work-dir DIR [--weights 0,0.3,0.6,1.0]

A plain question of two or more sentences (three words or more each) also searches each
sentence by meaning only (BM25 already reads every word), at a total weight shared between the
sentences. Every question of each organisation's fitting sets (``retrieval`` and
``retrieval_heldout``) is asked at each weight: MRR and hit@3 over the answered ones, and
no-answer accuracy over the plain ones.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import first_rank as rank_of
from assistant.search.retrieval import Query
from assistant.usecases.ask import AskPlan, AskService

# A sentence ends at ".", "?" or "!" followed by a capital: "e.g. the" is not split.
SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")


def with_sentences(plan: AskPlan, weight: float) -> AskPlan:
    """The plan, plus each sentence of a plain question of two or more as a dense query."""
    if weight <= 0 or plan.clause_mode:
        return plan
    parts = [s for s in SENTENCE_END.split(plan.question.strip()) if len(s.split()) >= 3]
    if len(parts) >= 2:
        plan.queries += [Query(s, weight / len(parts), lexical=False) for s in parts]
    return plan


def measure(ask: AskService, questions: list[dict[str, Any]], weight: float) -> str:
    reciprocal, no_answer = [], []
    for q in questions:
        answer = ask.answer(with_sentences(ask.plan(q["question"]), weight))
        expected = q.get("expected_sources") or []
        if expected:
            rank = rank_of(answer.ranked_files, expected)
            reciprocal.append(1 / rank if rank else 0.0)
        if q.get("kind") != "clause_lookup":
            no_answer.append(answer.no_evidence == (not expected))
    mrr = sum(reciprocal) / len(reciprocal)
    hit3 = sum(r >= 1 / 3 for r in reciprocal) / len(reciprocal)
    right = sum(no_answer) / len(no_answer)
    return f"w={weight}: MRR {mrr:.4f} hit@3 {hit3:.3f} no-answer {right:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organisations", type=Path, required=True)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--weights", default="0,0.3,0.6,1.0")
    args = parser.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    for org, app in indexed(load_organisations(args.organisations), args.work_dir, NoProgress()):
        questions: list[dict[str, Any]] = []
        for path in org.fitting_files():
            questions += [json.loads(line) for line in path.open() if line.strip()]
        lines = [measure(app.ask_service, questions, w) for w in weights]
        print(f"{org.key} ({len(questions)} questions): " + " | ".join(lines), flush=True)


if __name__ == "__main__":
    main()
