"""How often a conversation turn's short answer quotes one of the turn's expected documents.

    .venv/bin/python scripts/lead_quotes_eval.py --organisations evals/organisations.toml \
        --work-dir DIR evals/conversations.jsonl [evals/heldout/conversations.jsonl]

Each organisation named in the conversation files is indexed under DIR/ORG (once; reused after),
its conversations asked turn by turn as on the Ask page, and for every plain answered turn with
expected sources it counts whether the first sentence of the short answer (``Answer.lead``)
comes from one of them; follow-up turns and turns read as new questions are counted apart.
Chose ``CONTEXT_TERM_WEIGHT`` in assistant/usecases/composer.py (2026-12-01).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.core.settings import load_settings
from assistant.evaluation.organisations import load_organisations
from assistant.factory import build


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", type=Path, nargs="+")
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    args = ap.parse_args()
    organisations = {o.key: o for o in load_organisations(args.organisations)}
    apps = {}
    counts: dict[tuple[str, str, str], list[int]] = {}
    for file in args.files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            conversation = json.loads(line)
            key = conversation["organisation"]
            if key not in apps:
                app = build(load_settings(data_dir=args.work_dir / key))
                if not app.store.manifest.chunk_count():
                    app.ingest([organisations[key].documents])
                apps[key] = app
            app = apps[key]
            talk = app.conversation()
            for t in conversation["turns"]:
                turn = app.chat(talk, t["question"])
                answer = turn.answer
                if not t.get("expected_sources") or answer.no_evidence or answer.mode != "plain":
                    continue
                lead = answer.lead
                right = bool(lead) and lead[0].citation.file in t["expected_sources"]
                kind = "follow-up" if turn.reading.carried else "own"
                cell = counts.setdefault((str(file), key, kind), [0, 0])
                cell[0] += right
                cell[1] += 1
    for (file, key, kind), (right, n) in sorted(counts.items()):
        print(f"{file:<36} {key:<16} {kind:<10} {right}/{n}")


if __name__ == "__main__":
    main()
