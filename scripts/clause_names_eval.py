"""Which clause questions by name (no clause number) the resolver takes for their clause, and
which plain questions it takes for clause questions, over every organisation's sets.

    .venv/bin/python scripts/clause_names_eval.py --organisations evals/organisations.toml \
        [--untouched]

Reads each organisation's ``retrieval`` and ``retrieval_heldout`` files (with ``--untouched``,
its ``retrieval_untouched`` ones too: only once they have been run and reported). No index or
model is needed: it checks the resolver alone. Chose the loose name rules in
assistant/search/clause_resolver.py (``LOOSE_*``; docs/retrieval.md).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from assistant.evaluation.organisations import load_organisations
from assistant.evaluation.retrieval import load_questions
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import load_catalogue


def _same(found: str, expected: str) -> bool:
    return found == expected or found.startswith(expected + ".") or expected.startswith(found + ".")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--untouched", action="store_true")
    args = ap.parse_args()
    resolver = ClauseResolver(load_catalogue())
    for org in load_organisations(args.organisations):
        files = org.fitting_files()
        if args.untouched:
            files += org.files("retrieval_untouched")
        named = right = plain = taken = 0
        for file in files:
            for q in load_questions(file):
                matches = resolver.resolve(q.question)
                clause = resolver.is_clause_question(q.question, matches)
                if q.kind == "clause_lookup" and q.expected_clauses:
                    if re.search(r"\d+\.\d+", q.question):
                        continue
                    named += 1
                    ok = clause and any(
                        _same(m.clause_id, e) for m in matches for e in q.expected_clauses
                    )
                    right += ok
                    if not ok:
                        print(f"  {org.key} {q.id}: not taken for {q.expected_clauses}")
                elif not q.expected_clauses:
                    plain += 1
                    taken += clause
        print(
            f"{org.key}: clause questions by name taken for their clause {right}/{named}; "
            f"questions without a clause taken for clause questions {taken}/{plain}"
        )


if __name__ == "__main__":
    main()
