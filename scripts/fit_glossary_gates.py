"""Fit each glossary entry's own gate, with each organisation left out in turn.

    .venv/bin/python scripts/fit_glossary_gates.py --organisations evals/organisations.toml \
        --work-dir DIR [--write]

The glossary's words for a plain question's everyday phrase are searched only when the
question's own best cosine is below ``glossary_below`` (0.35): one gate for every entry. A wider
gate helps some entries and hurts others (stop 54, docs/retrieval.md: openregulatory's "a new
cloud tool" questions rise, fernhill's "fridge" questions fall), so no wider global gate
carries. Here each shipped entry is read on its own: every answered question of each
organisation's ``retrieval`` and ``retrieval_heldout`` sets whose plan searches that entry is
ranked with the entry's gate at each of ``GATES`` (0: never searched, 1: always) and every other
entry at the setting, with the question map fitted on the other organisations (as
scripts/fit_retrieval.py ranks; the not-covered decision is not scored here).

Choice per entry, as the grids choose a point:
- Folds: for each organisation whose questions the entry reaches, the gate best on the other
  organisations it reaches (mean of their MRRs on the entry's questions, in both readings of
  ``rank_entries``); it carries when the organisation left out does not do worse there than at
  the setting, in either reading.
- An entry reached in fewer than ``MIN_ORGANISATIONS`` organisations keeps the setting: nothing
  can confirm a choice made on one.
- Otherwise, when every fold carries, the best gate on all of them among those where no
  organisation's MRR falls below the setting's and the entry's questions it moves up outnumber
  those it moves down beyond chance (a one-sided sign test at 5%, ``SIGNIFICANCE``: most
  entries reach a handful of questions, and a gate chosen on one or two moved questions is
  chosen on noise); a tie keeps the setting.
- Never a gate the checks after an earlier fit turned down for that entry (``TURNED_DOWN``: the
  conversations, which this script does not read, found it costly).

Results go to evals/results/glossary-gates.json (every entry, gate and organisation); ``--write``
also writes the chosen gates that differ from the setting to assistant/search/glossary_gates.toml,
which the shipped glossary reads. ``retrieval_untouched`` files are never read here.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.progress import NoProgress
from assistant.core.settings import Settings
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.question_map_fit import use_fold_maps
from assistant.evaluation.retrieval import first_rank, load_questions
from assistant.search.glossary import DEFAULT_GATES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_retrieval import RESULTS, _Store, figures  # noqa: E402  (_Store: lists remembered)

GATES = (0.0, 0.35, 0.45, 0.55, 1.0)
MIN_ORGANISATIONS = 2
SIGNIFICANCE = 0.05
TIE = 1e-9
# Choices the checks after a fit turned down, by concept: (gate, why). The fit never reads the
# conversations (they stay the check, docs/retrieval.md), so without this list the next
# ``--write`` would ship again what they found costly. A turned-down gate is not offered
# to that entry; its other gates are chosen as before.
TURNED_DOWN: dict[str, tuple[float, str]] = {
    "temperature controlled storage": (
        0.0,
        "stop 67: never searched, 4 of fernhill's fitting questions better as is and 9 better "
        "and 1 worse as new, but one of its conversation turns fell from 2nd to 4th "
        "(docs/retrieval.md)",
    ),
}


def _rank(service: Any, question: Any) -> int | None:
    answer = service.answer(service.plan(question.question))
    return first_rank(answer.ranked_files, question.expected_sources)


AS_NEW = " (as new)"


def rank_entries(organisations: Path, work_dir: Path) -> dict[str, dict[str, dict[str, list]]]:
    """concept -> reading -> {"ids": [...], "ranks": {gate: [rank, ...]}} for the answered
    fitting questions whose plan searches that entry. Two readings per organisation: through
    the question map fitted now on the other organisations (``ORG``, as scripts/fit_retrieval.py
    reads), and through the shipped map fitted without it (``ORG (as new)``, as ``--as-new``
    reads): the maps move a question's cosine a little differently, enough to carry it across a
    gate (stop 55: two fernhill questions at 0.51 and 0.54 fell at a gate of 0.55 as new only)."""
    out: dict[str, dict[str, dict[str, list]]] = {}
    apps = list(indexed(load_organisations(organisations), work_dir, NoProgress()))
    use_fold_maps(apps)
    for org, app in apps:
        service = app.ask_service
        service.not_covered = None
        app.retriever.store = _Store(app.retriever.store)  # type: ignore[assignment]
        glossary = service.glossary
        if glossary is None:
            continue
        # every entry at the setting but the one read: the gates shipped now are not assumed
        glossary.entries[:] = [replace(e, below=None) for e in glossary.entries]
        questions = [
            q for f in org.fitting_files() for q in load_questions(f) if q.expected_sources
        ]
        reached: dict[int, list[Any]] = {}  # entry index -> its questions
        for q in questions:
            plan = service.plan(q.question)
            searched = {query.text for query in plan.queries if query.only_below is not None}
            for i, entry in enumerate(glossary.entries):
                if entry.terms in searched:
                    reached.setdefault(i, []).append(q)
        for reading in (org.key, org.key + AS_NEW):
            if reading.endswith(AS_NEW):
                app.as_new_organisation(org.key)
            for i, qs in sorted(reached.items()):
                entry = glossary.entries[i]
                ranks = {}
                for gate in GATES:
                    glossary.entries[i] = replace(entry, below=gate)
                    ranks[str(gate)] = [_rank(service, q) for q in qs]
                glossary.entries[i] = entry
                row = {"ids": [q.id for q in qs], "ranks": ranks}
                out.setdefault(entry.concept, {})[reading] = row
        print(f"{org.key}: {sum(map(len, reached.values()))} entry questions", flush=True)
    return out


def organisation(reading: str) -> str:
    return reading.removesuffix(AS_NEW)


def moved(by_org: dict[str, dict[str, list]], gate: float, now: float) -> tuple[int, int]:
    """How many of the entry's questions rank higher and lower at ``gate`` than at ``now``."""
    up = down = 0
    for row in by_org.values():
        for a, b in zip(row["ranks"][str(now)], row["ranks"][str(gate)], strict=True):
            before, after = (1 / a if a else 0.0), (1 / b if b else 0.0)
            up, down = up + (after > before), down + (after < before)
    return up, down


def significant(by_org: dict[str, dict[str, list]], gate: float, now: float) -> bool:
    """In each reading (the same questions twice: not pooled), more of the entry's questions
    move up than down beyond chance."""
    views = {r.endswith(AS_NEW) for r in by_org}
    return all(
        sign_test(*moved({r: v for r, v in by_org.items() if r.endswith(AS_NEW) == view},
                         gate, now)) < SIGNIFICANCE
        for view in views
    )  # fmt: skip


def sign_test(up: int, down: int) -> float:
    """One-sided: the chance of ``up`` or more of ``up + down`` moves going up by chance."""
    n = up + down
    return sum(math.comb(n, k) for k in range(up, n + 1)) / 2**n if n else 1.0


def choose(
    by_org: dict[str, dict[str, list]], setting: float, turned_down: tuple[float, str] | None = None
) -> dict[str, Any]:
    """The entry's gate: the setting unless choosing on the other organisations carries to each
    one left out (module docstring), and never a gate ``turned_down`` names."""
    orgs = sorted(by_org)
    table = {g: {o: figures(by_org[o]["ranks"][str(g)])[0] for o in orgs} for g in GATES}
    now = min(GATES, key=lambda g: abs(g - setting))

    def best(on: list[str], among: tuple[float, ...] = GATES) -> float:
        # the highest mean MRR; a tie keeps the setting, then the lower gate
        def score(g: float) -> tuple[float, bool, float]:
            return round(float(np.mean([table[g][o] for o in on])), 9), g == now, -g

        return max(among, key=score)

    folds = []
    for o in sorted({organisation(r) for r in orgs}):
        own = [r for r in orgs if organisation(r) == o]
        if others := [r for r in orgs if organisation(r) != o]:
            g = best(others)
            for r in own:
                folds.append({"organisation": r, "gate": g, "mrr": table[g][r],
                              "mrr_setting": table[now][r]})  # fmt: skip
    carries = len({organisation(r) for r in orgs}) >= MIN_ORGANISATIONS and all(
        f["mrr"] >= f["mrr_setting"] - TIE for f in folds
    )
    # "a change that helps one and hurts another is not kept", nor one that moves too few
    allowed = tuple(
        g
        for g in GATES
        if g == now
        or all(table[g][o] >= table[now][o] - TIE for o in orgs)
        and significant(by_org, g, now)
        and (turned_down is None or g != turned_down[0])
    )
    return {
        "gate": best(orgs, allowed) if carries else now,
        "setting": now,
        "carries": carries,
        "questions": {o: len(by_org[o]["ids"]) for o in orgs},
        "moved": {str(g): moved(by_org, g, now) for g in GATES},
        "mrr": {str(g): {o: round(v, 4) for o, v in table[g].items()} for g in GATES},
        "folds": folds,
        **({"turned_down": {"gate": turned_down[0], "why": turned_down[1]}} if turned_down else {}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--ranks", type=Path, help="an earlier --out file: choose from its ranks")
    ap.add_argument("--out", type=Path, default=RESULTS / "glossary-gates.json")
    ap.add_argument(
        "--write", action="store_true", help="write assistant/search/glossary_gates.toml"
    )
    args = ap.parse_args()
    setting = Settings().glossary_below
    if args.ranks:  # choose again from an earlier run's ranks (no asking)
        ranked = json.loads(args.ranks.read_text(encoding="utf-8"))["ranks"]
    else:
        ranked = rank_entries(args.organisations, args.work_dir)
    choices = {
        concept: choose(by_org, setting, TURNED_DOWN.get(concept))
        for concept, by_org in sorted(ranked.items())
    }
    for concept, c in choices.items():
        mark = "*" if c["gate"] != c["setting"] else " "
        per = ", ".join(
            f"{o} {c['mrr'][str(c['setting'])][o]:.3f}->{c['mrr'][str(c['gate'])][o]:.3f} ({n})"
            for o, n in c["questions"].items()
        )
        print(f"{mark} {concept[:40]:<40} gate {c['gate']:<4} carries {c['carries']!s:<5} {per}")
    result = {
        "command": "scripts/fit_glossary_gates.py --organisations evals/organisations.toml "
        "--work-dir DIR --write",
        "gates": list(GATES),
        "setting": setting,
        "entries": choices,
        "ranks": ranked,
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    if args.write:
        changed = {k: c["gate"] for k, c in choices.items() if c["gate"] != c["setting"]}
        lines = [
            "# Glossary entries' own gates (search/glossary.py), by concept: fitted by",
            "# scripts/fit_glossary_gates.py (evals/results/glossary-gates.json); an entry not",
            "# named here is searched below the glossary_below setting. Do not edit by hand.",
            "[gates]",
            *(f"{json.dumps(k)} = {v}" for k, v in sorted(changed.items())),
        ]
        DEFAULT_GATES.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {DEFAULT_GATES}: {len(changed)} entries with their own gate")


if __name__ == "__main__":
    main()
