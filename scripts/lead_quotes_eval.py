"""How often a conversation turn's short answer quotes one of the turn's expected documents.

    .venv/bin/python scripts/lead_quotes_eval.py --organisations evals/organisations.toml \
        --work-dir DIR evals/conversations.jsonl [evals/heldout/conversations.jsonl]

Each organisation named in the conversation files is indexed under DIR/ORG (incremental),
its conversations asked turn by turn as on the Ask page, and for every plain answered turn with
expected sources it counts whether the first sentence of the short answer (``Answer.lead``)
comes from one of them; follow-up turns and turns read as new questions are counted apart.
Chose ``CONTEXT_TERM_WEIGHT`` in assistant/usecases/composer.py (2026-12-01).

With ``--question-sets``, also every answered plain question of each organisation's fitting
sets (``retrieval`` and ``retrieval_heldout`` in the TOML), asked alone; measured
``POLICY_SECTION`` (stop 14) and the leading-document rule (``Answer.leading_file``, stop 17).
With ``--untouched``, the same over each organisation's ``retrieval_untouched`` sets instead
(once, to confirm a change: docs/retrieval.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.core.progress import NoProgress
from assistant.evaluation.chat import load_conversations
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import load_questions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", type=Path, nargs="+")
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--question-sets", action="store_true", help="also the fitting sets")
    ap.add_argument("--untouched", action="store_true", help="the untouched sets, not fitting")
    args = ap.parse_args()
    conversations = {file: load_conversations(file) for file in args.files}
    named = {c.organisation for convs in conversations.values() for c in convs}
    everyone = load_organisations(args.organisations)
    orgs = [o for o in everyone if o.key in named or args.question_sets]
    apps = {org.key: app for org, app in indexed(orgs, args.work_dir, NoProgress())}
    counts: dict[tuple[str, str, str], list[int]] = {}
    for file, convs in conversations.items():
        for conversation in convs:
            if conversation.organisation not in apps:
                continue
            app = apps[conversation.organisation]
            talk = app.conversation()
            for t in conversation.turns:
                turn = app.chat(talk, t.question)
                answer = turn.answer
                if not t.expected_sources or answer.no_evidence or answer.mode != "plain":
                    continue
                lead = answer.lead
                right = bool(lead) and lead[0].citation.file in t.expected_sources
                kind = "follow-up" if turn.reading.carried else "own"
                cell = counts.setdefault((str(file), conversation.organisation, kind), [0, 0])
                cell[0] += right
                cell[1] += 1
    if args.question_sets:
        for org in orgs:
            app = apps[org.key]
            if args.untouched:
                name, files = "untouched question sets", org.files("retrieval_untouched")
            else:
                name = "fitting question sets"
                files = org.fitting_files()
            cell = counts.setdefault((name, org.key, "alone"), [0, 0])
            for f in files:
                for q in load_questions(f):
                    if not q.expected_sources:  # nothing to count: not asked
                        continue
                    answer = app.ask(q.question)
                    if answer.no_evidence or answer.mode != "plain":
                        continue
                    lead = answer.lead
                    cell[0] += bool(lead) and lead[0].citation.file in q.expected_sources
                    cell[1] += 1
    for (file, key, kind), (right, n) in sorted(counts.items()):
        print(f"{file:<36} {key:<16} {kind:<10} {right}/{n}")


if __name__ == "__main__":
    main()
