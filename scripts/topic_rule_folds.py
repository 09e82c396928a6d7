"""Choose ``topic_rule_similarity`` with each organisation left out in turn.

    .venv/bin/python scripts/topic_rule_folds.py --organisations evals/organisations.toml \
        --work-dir DIR

For every question of every organisation's retrieval sets (tuning and held out), it is asked
with the "another standard's topic, named nowhere" rule (without its similarity limit) and
without the rule. Where the two differ, the rule decided: right when the documents do not
answer the question, wrong when they do. For each organisation, the limit is chosen on the
other organisations (most right less wrong; a tie goes to the lower limit, the rule deciding
less) and scored on the one left out. Indexes are kept under DIR/ORG (incremental).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import load_questions
from assistant.usecases.ask import AskService

LIMITS = (0.40, 0.45, 0.50, 0.55, 0.60, 1.0)


def decided(organisations: Path, work_dir: Path) -> list[tuple[str, str, float, int]]:
    """(organisation, question id, best cosine, +1 right / -1 wrong) where the rule decided."""
    rows = []
    for org, app in indexed(load_organisations(organisations), work_dir, NoProgress()):
        on = app.ask_service
        on.params = dataclasses.replace(on.params, topic_rule_similarity=1.0)  # no limit
        off = AskService(
            on.resolver, on.retriever, on.params, on.roles, topics=None, not_covered=on.not_covered
        )
        for file in org.fitting_files():
            for q in load_questions(file):
                with_rule = on.ask(q.question, app.settings.top_k)
                if with_rule.no_evidence != off.ask(q.question, app.settings.top_k).no_evidence:
                    right = 1 if not q.expected_sources else -1
                    rows.append((org.key, q.id, with_rule.similarity, right))
    return rows


def net(rows: list[tuple[str, str, float, int]], limit: float) -> int:
    return sum(right for _, _, similarity, right in rows if similarity < limit)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    args = ap.parse_args()
    rows = decided(args.organisations, args.work_dir)
    for org, qid, similarity, right in sorted(rows, key=lambda r: r[2]):
        print(f"{similarity:.3f} {'right' if right > 0 else 'WRONG'} {org} {qid}")
    print("all organisations, right less wrong by limit:", {x: net(rows, x) for x in LIMITS})
    for org in sorted({r[0] for r in rows}):
        others = [r for r in rows if r[0] != org]
        mine = [r for r in rows if r[0] == org]
        limit = max(LIMITS, key=lambda x: (net(others, x), -x))
        print(f"{org}: chosen on the others {limit}; on {org}: {net(mine, limit):+d} "
              f"(no limit {net(mine, 1.0):+d})")  # fmt: skip


if __name__ == "__main__":
    main()
