"""How often the short answer quotes the sentence that answers the question.

    .venv/bin/python scripts/answer_sentences_eval.py --organisations evals/organisations.toml \
        --work-dir DIR [--heldout | --confirm] [--json OUT] [--show-misses]

Labels: ``evals/answer-sentences/ORG.jsonl``, written by helpers from each organisation's
documents alone (stop 26): 16 staff questions each (6 "who ...?", 5 "when / how often / how
long ...?", 5 "what do I do if ...?"), each with the one document holding the answer and a
fragment of the answering sentence copied from it verbatim; ``heldout-ORG.jsonl`` (stop 27,
same brief, written by other helpers) is read only with ``--heldout``, to confirm; since stop
38 both are the fitting labels of the short answer's sentence scorer
(scripts/fit_lead_sentences.py), ``confirm-ORG.jsonl`` (same brief, stop 38) confirmed it and
joined them at stop 39, and ``confirm2-ORG.jsonl`` (same brief, end of stop 38) confirms the
stop-39 refit, read with ``--confirm``. Each question is asked as on the Ask page (a plain
question, alone) and counted:

- ``document``: the answer's leading document (the one the short answer quotes) is the source;
- ``first``: the short answer's first sentence holds the fragment;
- ``short``: a sentence of the short answer (``Answer.lead``, one or two) holds it;
- ``procedure``: a quote under "Procedures that answer" holds it;
- ``shown``: some quote of the answer (the short answer or a procedure's quotes) holds it.

Figures per organisation and per kind, so a change to how sentences are chosen is tuned on one
organisation and confirmed on the others. Nothing here is fitted (the shipped sentence scorer
is used, as on the Ask page).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "evals" / "answer-sentences"
MEASURES = ("document", "first", "short", "procedure", "shown")


def _norm(text: str) -> str:
    """Compared without Markdown's marks, escapes and spacing: the fragment was copied from
    the file, a quote is the indexed text (the same words, perhaps differently spaced)."""
    text = re.sub(r"[*_`\\]", "", text)
    return " ".join(text.lower().split())


def labels(org: str, prefix: str = "") -> list[dict]:
    """An organisation's labelled questions of one set ("", "heldout-", "confirm-",
    "confirm2-"); none when it has no such file."""
    path = LABELS / f"{prefix}{org}.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def holds(quote: str, fragment: str) -> bool:
    """A quote holds the answer when it contains the fragment."""
    return _norm(fragment) in _norm(quote)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--heldout", action="store_true", help="the held-out labels instead")
    ap.add_argument("--confirm", action="store_true", help="the confirming labels instead")
    ap.add_argument("--json", type=Path, help="per-question results")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    rows = []
    for org, app in indexed(load_organisations(args.organisations), args.work_dir, NoProgress()):
        prefix = "confirm2-" if args.confirm else "heldout-" if args.heldout else ""
        for q in labels(org.key, prefix):
            answer = app.ask(q["question"])
            lead = [x.text for x in answer.lead]
            listed = [x.text for p in answer.procedures for x in p.quotes]
            quoted = lead + listed
            rows.append(
                {
                    "organisation": org.key,
                    "id": q["id"],
                    "kind": q["kind"],
                    "document": answer.leading_file == q["source"] and not answer.no_evidence,
                    "first": bool(lead) and holds(lead[0], q["answer"]),
                    "short": any(holds(t, q["answer"]) for t in lead),
                    "procedure": any(holds(t, q["answer"]) for t in listed),
                    "shown": any(holds(t, q["answer"]) for t in quoted),
                    "lead": lead,
                    "question": q["question"],
                    "expected": q["answer"],
                }
            )
            if args.show_misses and not rows[-1]["short"]:
                print(f"  miss {q['id']} [{q['kind']}] {q['question']}")
                print(f"       expected: {q['answer']}")
                print(f"       short:    {' | '.join(lead)[:300]}")
    table: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        table[(r["organisation"], "all")].append(r)
        table[(r["organisation"], r["kind"])].append(r)
    print(f"{'organisation':<16}{'kind':<9}{'n':>4}  " + "  ".join(f"{m:>8}" for m in MEASURES))
    for (org, kind), found in sorted(table.items()):
        figures = "  ".join(f"{sum(r[m] for r in found):>4}/{len(found):<3}" for m in MEASURES)
        print(f"{org:<16}{kind:<9}{len(found):>4}  {figures}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
