"""Fit the question map (search/question_map.py) with each organisation left out in turn.

    # the folds: dense search alone, then the whole answer, without and with the map
    .venv/bin/python scripts/fit_question_map.py --organisations evals/organisations.toml \
        --work-dir DIR [--pulls 0.003 0.01] [--out-dir OUT] [--write] [--write-folds]

The map: a 384 x 384 matrix M, kept near the identity, applied to a question's MiniLM vector
before the dense search (``normalise(M @ q)``); passages and clause cards as the model reads
them. Fitted on every answered question of the organisations' fitting sets (``retrieval`` and
``retrieval_heldout``; ``retrieval_untouched`` is never read), each organisation left out in
turn. The objective, per question: the log of the probability the expected documents get under
a softmax over documents (a document's score: the best cosine of its passages to the moved
question, over ``TEMPERATURE``), with an L2 pull towards the identity (``PULL``); each
organisation's loss weighs the same. Full-batch Adam from the identity for ``STEPS`` steps.

Reported per organisation left out: MRR of the dense search alone without and with the map
fitted on the others, for each pull; then the whole answer (both retrievers, fusion, roles,
clause cards, "not covered") without and with that map. ``--out-dir`` keeps each whole-answer
run as ``assistant eval retrieval --json`` does (OUT/PULL-ORG.json, "none" without a map), to
compare question by question. ``--write`` fits on every organisation at ``PULL`` and writes the
map the product loads; ``--write-folds`` keeps the folds' maps at ``PULL`` (each organisation's
fitted without it), which ``assistant eval retrieval --as-new ORG`` searches with. Tried at
stop 13 and 18 on fewer questions (not kept then), kept at stop 35: docs/retrieval.md, "A fitted
map on the question's vector".
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import Organisation, indexed, load_organisations
from assistant.evaluation.question_map_fit import (
    PULL,
    STEPS,
    collect,
    dense_mrr,
    fit,
    fold_matrices,
)
from assistant.evaluation.retrieval import evaluate_retrieval, load_questions
from assistant.factory import Assistant
from assistant.index.embedder import MODEL_ID
from assistant.search.question_map import FOLDS_FILE, MAP_FILE, QuestionMap, save_folds

PULLS = (0.003, 0.01, 0.03)


def whole_answer(
    apps: list[tuple[Organisation, Assistant]],
    folds: dict[float, dict[str, np.ndarray]],
    out_dir: Path | None,
) -> None:
    """Each organisation's fitting questions (answered and not), asked as the product asks
    them, without a map and with the one fitted on the other organisations at each pull.
    No-answer accuracy is read with the shipped "not covered" model (refit it after writing a
    new map: scripts/fit_not_covered.py)."""
    for org, app in apps:
        questions = [q for file in org.fitting_files() for q in load_questions(file)]
        variants: list[tuple[str, QuestionMap | None]] = [("none", None)]
        for pull, matrices in folds.items():
            variants.append((f"{pull:g}", QuestionMap(matrices[org.key], app.embedder.model_id)))
        figures = []
        for name, question_map in variants:
            app.retriever.question_map = question_map
            r = evaluate_retrieval(app.ask, questions)
            if out_dir:
                out_dir.mkdir(parents=True, exist_ok=True)
                (out_dir / f"{name}-{org.key}.json").write_text(json.dumps(r), encoding="utf-8")
            figures.append(
                f"{name}: hit@3 {r['hit_at_3']:.3f} MRR {r['mrr']:.3f} "
                f"no-answer {r['no_answer_accuracy']:.3f}"
            )
        print(f"  {org.key:<15} " + " | ".join(figures), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True, help="where each org is indexed")
    ap.add_argument("--pulls", type=float, nargs="+", default=list(PULLS))
    ap.add_argument("--out-dir", type=Path, help="keep each whole-answer run here")
    ap.add_argument("--write", action="store_true", help=f"write the map fitted at {PULL}")
    ap.add_argument("--only", nargs="+", help="only these organisations (keys in the TOML)")
    ap.add_argument(
        "--write-folds",
        action="store_true",
        help=f"keep each organisation's map fitted without it at {PULL} (for --as-new)",
    )
    args = ap.parse_args()
    organisations = load_organisations(args.organisations, args.only)
    apps = list(indexed(organisations, args.work_dir, NoProgress()))
    data = collect(apps)
    print("\ndense search alone, MRR without -> with the map fitted on the other organisations:")
    folds = {pull: fold_matrices(data, pull) for pull in args.pulls}
    for pull, matrices in folds.items():
        print(
            f"  pull {pull:g}: "
            + ", ".join(
                f"{k} {dense_mrr(d, None):.3f} -> {dense_mrr(d, matrices[k]):.3f}"
                for k, d in data.items()
            )
        )
    print("\nthe whole answer, without a map and with the map fitted on the others:")
    whole_answer(apps, folds, args.out_dir)
    if args.write_folds:
        matrices = folds.get(PULL) or fold_matrices(data, PULL)
        save_folds(matrices, MODEL_ID)
        print(f"\nwrote {FOLDS_FILE} ({len(matrices)} organisations, each left out, pull {PULL:g})")
    if args.write:
        QuestionMap(fit(data.values(), PULL), MODEL_ID).save(MAP_FILE)
        print(f"\nwrote {MAP_FILE} (pull {PULL:g}, {STEPS} steps, {len(data)} organisations)")


if __name__ == "__main__":
    main()
