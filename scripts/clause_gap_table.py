"""Where the clause question's "possible gap" line (``gap_similarity``) falls on labelled data.

    .venv/bin/python scripts/clause_gap_table.py --work-dir DIR [--lines 0.30 0.35 0.40]

Asks every clause question of every organisation's fitting sets (evals/organisations.toml,
each indexed under DIR/<key>) and prints, per organisation and candidate line, how many the
documents answer that a line would call a possible gap, and how many they do not answer that it
would still answer. A clause question led by a document that cites the clause (or that the
organisation's clause map names for it) is answered whatever the line, as in the product; one on
a clause the documents declare excluded is answered so whatever the line (counted apart).
Nothing is written: the line is a setting (``ASSISTANT_GAP_SIMILARITY``).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import load_questions
from assistant.usecases.ask import EXCLUDED

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=Path, default=ROOT / "evals/organisations.toml")
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--lines", type=float, nargs="+", default=[0.30, 0.35, 0.38, 0.40, 0.45])
    args = parser.parse_args()
    # (organisation) -> [(answered by the documents, similarity, a citing document leads)]
    rows: dict[str, list[tuple[bool, float, bool]]] = defaultdict(list)
    excluded: dict[str, int] = defaultdict(int)  # questions on a clause declared excluded
    for org, app in indexed(load_organisations(args.organisations), args.work_dir, NoProgress()):
        for path in org.fitting_files():
            for q in load_questions(path):
                if q.kind != "clause_lookup":
                    continue
                answer = app.ask(q.question)
                if answer.mode != "clause":
                    continue  # decided as a plain question (no clause recognised)
                if answer.decided_by == EXCLUDED:
                    excluded[org.key] += 1
                    continue  # the documents exclude the clause: answered so at any line
                # a document the answer leads with cites the clause (or the clause map names it)
                cited = any(p.cites_clause for p in answer.procedures)
                rows[org.key].append((bool(q.expected_sources), answer.similarity, cited))
        print(
            f"{org.key}: {len(rows[org.key])} clause questions "
            f"(and {excluded[org.key]} on a clause the documents exclude)",
            flush=True,
        )
    print("\nline  " + "  ".join(f"{k[:14]:>14s}" for k in rows))
    print("      (answered called a gap / not answered still answered)")
    for line in args.lines:
        cells = []
        for data in rows.values():
            gaps = sum(1 for a, s, c in data if a and s < line and not c)
            missed = sum(1 for a, s, c in data if not a and (s >= line or c))
            cells.append(f"{gaps:>6d} / {missed:<5d}")
        print(f"{line:.2f}  " + "  ".join(f"{c:>14s}" for c in cells))


if __name__ == "__main__":
    main()
