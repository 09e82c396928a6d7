"""A fitted "not covered" for carried follow-ups, tried at stop 20 and not kept
(docs/conversation.md, candidate I). This script repeats the measurement; nothing of it is in
the product.

    .venv/bin/python scripts/carried_turns_experiment.py \
        --organisations evals/organisations.toml --work-dir DIR

Every fitting conversation set (``fit_retrieval.CONVERSATIONS``) is asked turn by turn as
``assistant eval chat`` does. For each carried turn (not "which clause", not decided by a rule
that decides first) it reads the signals a model could use: the best cosine of topic and turn
together (what today's line reads), of the turn's own words, the recall of the turn's own
subject words in the passages the answer leads with (and in those found for the turn alone),
and the turn's own closeness to a matter outside a quality system. Then, with each organisation
left out in turn, a logistic model on every combination of them is scored against today's rule
(right = refused exactly when the set says the documents do not answer the turn).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.chat import load_conversations
from assistant.evaluation.logistic import fit_logistic
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.search.retrieval import Query
from assistant.usecases.ask import NAMED_ELSEWHERE
from assistant.usecases.conversation import NEW, WHICH_CLAUSE

sys.path.insert(0, str(Path(__file__).parent))
from fit_retrieval import CONVERSATIONS  # noqa: E402

SIGNALS = ("topic_and_turn", "own", "own_recall", "topic_recall", "own_elsewhere", "alone_recall")


def carried_turns(organisations: Path, work_dir: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for org, app in indexed(load_organisations(organisations), work_dir, NoProgress()):
        service = app.ask_service
        assert service.not_covered is not None  # the factory always gives the model
        reader = service.not_covered[0]
        for path in CONVERSATIONS:
            for c in load_conversations(path, org.key):
                conv = app.conversation()
                for t in c.turns:
                    turn = conv.ask(t.question)
                    answer = turn.answer
                    if (
                        turn.reading.kind in (NEW, WHICH_CLAUSE)
                        or answer.decided_by in NAMED_ELSEWHERE
                    ):
                        continue
                    alone = service.retriever.search([Query(t.question)], 5)
                    vector = alone.vectors[t.question]
                    values = (
                        answer.similarity,
                        alone.similarity.get(t.question, 0.0),
                        reader.word_recall(t.question, answer.evidence),
                        reader.word_recall(turn.effective, answer.evidence),
                        reader.elsewhere(vector),
                        reader.word_recall(t.question, alone.passages),
                    )
                    rows.append(
                        {
                            "organisation": org.key,
                            "label": int(not t.expected_sources),
                            "refused": int(answer.no_evidence),
                            **dict(zip(SIGNALS, values, strict=True)),
                        }
                    )
        print(f"{org.key}: {sum(r['organisation'] == org.key for r in rows)} carried turns")
    return rows


def left_out_right(
    rows: list[dict[str, Any]], signals: tuple[str, ...], c: float
) -> dict[str, int]:
    """Per organisation, the carried turns a model fitted on the others decides right."""
    right = {}
    for org in sorted({r["organisation"] for r in rows}):
        train = [r for r in rows if r["organisation"] != org]
        test = [r for r in rows if r["organisation"] == org]
        x = np.array([[r[f] for f in signals] for r in train])
        weights, intercept = fit_logistic(x, np.array([r["label"] for r in train], dtype=float), c)
        z = np.array([[r[f] for f in signals] for r in test]) @ weights + intercept
        right[org] = int(sum((v >= 0) == bool(r["label"]) for v, r in zip(z, test, strict=True)))
    return right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organisations", type=Path, required=True)
    parser.add_argument("--work-dir", type=Path, required=True)
    args = parser.parse_args()
    rows = carried_turns(args.organisations, args.work_dir)
    orgs = sorted({r["organisation"] for r in rows})
    today = {
        o: sum(r["refused"] == r["label"] for r in rows if r["organisation"] == o) for o in orgs
    }
    print(f"today's rule: {today} = {sum(today.values())} of {len(rows)}")
    for k in range(1, len(SIGNALS) + 1):
        for signals in itertools.combinations(SIGNALS, k):
            for c in (0.3, 1.0, 10.0):
                right = left_out_right(rows, signals, c)
                kept = all(right[o] >= today[o] for o in orgs) and sum(right.values()) > sum(
                    today.values()
                )
                print(f"{signals} C={c}: {right} = {sum(right.values())}{'  KEPT' if kept else ''}")


if __name__ == "__main__":
    main()
