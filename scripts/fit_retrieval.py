"""Fit the retrieval parameters with each organisation left out in turn.

    .venv/bin/python scripts/fit_retrieval.py --organisations evals/organisations.toml \
        --work-dir DIR [--grid GRID] [--out FILE]

Grids (``GRIDS``): ``fusion`` (``lexical_weight``, ``rrf_k``, ``first_place_bonus``,
``doc_second_weight``), ``fusion-near`` (the first and last of those around today's point),
``second`` (``doc_second_weight`` alone), ``breadth`` (``breadth_weight``: how many of a
document's passages were found),
``clause`` (``card_weight``, ``cite_boost``, ``record_weight``: what a clause question adds),
``rest`` (``clause_words_weight``: a clause question's words beyond the reference),
``about`` (``about_weight``: a README's weight), ``words`` (``word_rerank_weight``), ``reach``
(how many documents and passages it reads), ``glossary`` (``glossary_weight``,
``glossary_below``: everyday phrases searched in a quality system's words), ``glossary-gap``
(``glossary_gap``: words between a two-word phrase's two), ``lead``
(``record_lead_reach``: a leading form hands the lead to its procedure), ``policy``
(``policy_weight``: a quality-policy passage in a plain question not about it) and
``standard`` (``standard_card_weight``, ``standard_cards``: the closest clause cards for a
plain question on the standard that names no clause); settings of the same names, first chosen
on the sample organisation's question set alone or on one organisation.
Results go to evals/results/retrieval-fit-GRID.json. Here every answered question of each
organisation's ``retrieval`` and ``retrieval_heldout`` sets is ranked under every point of a
grid (the dense and BM25 lists are asked once per query and reused: the grid only changes how
they are fused).
The score of a point is the mean over organisations of each one's MRR, so the organisation with
the most questions does not decide alone.

- Folds: for each organisation, the point best on the other three, and that organisation's
  MRR and hit@3 there, beside the current settings. This says whether choosing on some
  organisations carries to another.
- Choice: the current settings, unless choosing on three organisations carries to the fourth
  in every fold (no organisation left out does worse at the point chosen on the others than
  at the current one: "tune on one organisation, confirm on the others"). Then the best point on
  all four among those where no organisation's MRR is below what the current settings give
  ("a change that helps one and hurts another is not kept"), and
  where the conversations (evals/conversations.jsonl, conversations2/ to conversations10/,
  asked turn by turn as ``assistant eval chat`` does) do not rank worse either
  (``conversations_kept``): a clause question's settings also weigh a follow-up's carried
  clauses. The conversations are asked only for the points that would
  otherwise be chosen, best first (``MAX_CONVERSATION_CHECKS``), and the JSON records each.

``retrieval_untouched`` files are never read here; they confirm the choice afterwards, with
``assistant eval retrieval``.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.question_map_fit import use_fold_maps
from assistant.evaluation.retrieval import first_rank, load_questions

GRIDS: dict[str, dict[str, tuple[float, ...]]] = {
    # how the dense and BM25 lists are fused into passages and documents (every question)
    "fusion": {
        "lexical_weight": (0.5, 0.75, 1.0, 1.5),
        "rrf_k": (10, 30, 60),
        "first_place_bonus": (0.0, 0.01, 0.02, 0.04),
        "doc_second_weight": (0.15, 0.3, 0.6),
    },
    # the fusion's two main weights around today's point, every question: the whole fusion grid
    # (144 points) takes hours on five organisations' sets; added at stop 32
    # (its second weight around 0.6 from stop 40, when `second` moved it; stop 40's reading, with
    # 0.2 / 0.3 / 0.45, is evals/results/retrieval-fit-fusion-near.json)
    "fusion-near": {"lexical_weight": (0.75, 1.0, 1.25), "doc_second_weight": (0.45, 0.6, 0.8)},
    # how many of a document's passages were found (search/retrieval.py, `_add_breadth`);
    # 0 first, so a tie keeps it off. Added at stop 50 (docs/retrieval.md, "A document's breadth")
    "breadth": {"breadth_weight": (0.0, 0.025, 0.05, 0.075, 0.1, 0.15)},
    # a document's second passage alone (every question): declared at the end of stop 32, when
    # fusion-near, read, showed 0.45 hurting no organisation at today's lexical weight; 0.8 and
    # 1.0 from stop 40, when 0.6, the old edge, was chosen (read through fold maps)
    "second": {"doc_second_weight": (0.3, 0.45, 0.6, 0.8, 1.0)},
    # what a clause question adds: its cards' weight, the boost for documents citing the
    # clause (their own or the organisation's clause map) and the weight of forms and lists
    "clause": {
        "card_weight": (0.5, 1.0, 2.0),
        "cite_boost": (0.0, 0.02, 0.04, 0.06),
        "record_weight": (0.4, 0.6, 0.8, 1.0),
    },
    # a clause question's own words beyond the reference, searched beside its cards (stop 45:
    # "An auditor from our certification body wants evidence for clause 8.5.1 ..." led with the
    # audit procedure, which the manual names for the certification body); 1 first, so a tie
    # keeps today's weight
    "rest": {"clause_words_weight": (1.0, 0.75, 0.5, 0.35, 0.2, 0.0)},
    # a folder's notes about itself (README, changelog: search/roles.py), every question;
    # gentlest first, so a tie goes to the weight that moves them least
    "about": {"about_weight": (1.0, 0.75, 0.5, 0.25)},
    # plain questions' first documents re-ranked by the question's words matched in context
    # (usecases/ask.py); 0 first, so a tie keeps it off. The range: scripts/word_rerank_probe.py
    # at stop 15 (above 0.2 the sample's fold lost); up to 0.3 from stop 18, when the fitting
    # sets chose the old edge, 0.2, against 0
    "words": {"word_rerank_weight": (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)},
    # how far the re-ranking reaches: documents re-ranked and passages each is read by (8 and
    # 2 from scripts/word_rerank_probe.py at stop 15, where fewer did worse; more not tried)
    "reach": {"word_rerank_documents": (8, 12, 16), "word_rerank_passages": (2, 3)},
    # a plain question led by a form, list or map: how many documents after it are searched
    # for a procedure the form names, to take the lead (usecases/ask.py); 0 first, so a tie
    # keeps it off. Added at stop 29 (docs/retrieval.md, "A form hands the lead to its procedure")
    "lead": {"record_lead_reach": (0, 1, 2, 3)},
    # a quality-policy passage's weight in plain questions not about the policy (usecases/ask.py);
    # 1 first, so a tie keeps it off. Added at stop 31 (docs/retrieval.md, "A quality policy
    # answers questions about the policy")
    "policy": {"policy_weight": (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)},
    # a plain question that speaks of the standard but names no clause: the cards of the
    # clauses closest in meaning searched beside it (usecases/ask.py); 0 first, so a tie keeps
    # it off. Added at stop 32 (docs/retrieval.md)
    "standard": {
        "standard_card_weight": (0.0, 0.1, 0.175, 0.25, 0.35),
        "standard_cards": (1, 2, 3),
    },
    # a plain question's everyday phrases searched again in the quality system's words
    # (search/glossary.py); 0 first, so a tie keeps it off. Gates above 0.35 from stop 28
    # (questions whose own cosine is 0.35-0.47 missed the bridge): none carried across the folds;
    # 0.55 from stop 54 (the "new cloud tool" and "agency we hired" questions reach 0.55)
    "glossary": {
        "glossary_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
        "glossary_below": (0.3, 0.35, 0.4, 0.45, 0.5, 0.55),
    },
    # words allowed between a two-word phrase's two ("a free online diagram tool"), at the
    # glossary's weight and gate (stop 52)
    "glossary-gap": {
        "glossary_weight": (0.0, 0.75),
        "glossary_below": (0.35,),
        "glossary_gap": (0, 1, 2),
    },
}
# Settings the plan holds (in its queries' weights and gates): a point that sets one plans again.
PLAN_SETTINGS = {
    "card_weight",
    "clause_words_weight",
    "glossary_weight",
    "glossary_below",
    "glossary_queries",
    "glossary_gap",
    "standard_card_weight",
    "standard_cards",
}
RESULTS = Path(__file__).resolve().parents[1] / "evals" / "results"
# The conversations a point must not rank worse, pooled per organisation: the first set, and
# from stop 16 evals/conversations2 and evals/conversations3, from stop 17 evals/conversations4,
# from stop 19 evals/conversations5, conversations6 and conversations7, from stop 20
# conversations8 and conversations9, from the end of stop 21 conversations10 (12 conversations
# of four turns per organisation each, written by helpers from the documents alone), and from
# stop 22, once read, conversations11 (12 of three turns each, opening in everyday words), and
# from stop 43 conversations12 (8 long conversations of 6-8 turns each, read once to decide
# the capped carry: docs/conversation.md).
CONVERSATIONS = (
    RESULTS.parent / "conversations.jsonl",
    *(
        path
        for n in range(2, 13)  # conversations2/ to conversations12/
        for path in sorted((RESULTS.parent / f"conversations{n}").glob("*.jsonl"))
    ),
)
# What "ranks conversations worse" means (``conversations_kept``), set down at stop 16 before
# evals/conversations3 was read. Until then: any organisation's pooled MRR lower at three
# places. That passed over the word re-ranking twice for one turn (the sample's at stop 15,
# 0.915 -> 0.905; gstt-csc's at stop 16, 0.786 -> 0.785, while 12 turns rose and 5 fell over the
# four organisations): with 50-100 turns an organisation, one turn moving either way is what
# any change does. Now a point costs conversations when an organisation's pooled MRR falls by
# more than CONVERSATION_SLACK (a first-ranked document falling to second in one turn of about
# 50 costs 0.01), or when, over every organisation's turns, more rank lower than higher.
CONVERSATION_SLACK = 0.01
# Points better than the current one on the questions whose conversations are asked, best first:
# each costs one pass over every organisation's conversations (about 5 s).
MAX_CONVERSATION_CHECKS = 8


class _Memo:
    """A list search asked once per (query, size): the grid reuses it. The largest size asked
    is kept and cut for smaller ones (the first n of an exact top-N search)."""

    def __init__(self, search: Any) -> None:
        self._search = search
        self._seen: dict[Any, list] = {}

    def __call__(self, query: Any, n: int) -> list:
        key = query.tobytes() if isinstance(query, np.ndarray) else query
        if key not in self._seen or len(self._seen[key]) < n:
            self._seen[key] = self._search(query, max(n, 100))
        return self._seen[key][:n]


class _Lists:
    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.query = _Memo(inner.query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Store:
    """The index store with its dense and BM25 searches remembered."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.reader = _Lists(store.reader)
        self.lexical = _Lists(store.lexical)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@contextmanager
def _settings_at(app: Any) -> Iterator[Callable[[dict[str, float]], None]]:
    """A setter that puts one grid point into the app's retrieval and ask parameters (each
    name goes to whichever holds it); the app's own parameters are put back on leaving."""
    service, retriever = app.ask_service, app.retriever
    base, base_ask = retriever.params, service.params
    own = {f.name for f in fields(base)}

    def put(values: dict[str, float]) -> None:
        retriever.params = replace(base, **{k: v for k, v in values.items() if k in own})
        service.params = replace(base_ask, **{k: v for k, v in values.items() if k not in own})

    try:
        yield put
    finally:
        retriever.params, service.params = base, base_ask


def rank_all(
    organisations: Path, work_dir: Path, grid: dict[str, tuple[float, ...]]
) -> dict[str, list[dict[str, Any]]]:
    """Per organisation, per grid point, the rank of each answered question's first expected
    document (None: not ranked)."""
    names = list(grid)
    points = list(itertools.product(*grid.values()))
    out: dict[str, list[dict[str, Any]]] = {}
    apps = list(indexed(load_organisations(organisations), work_dir, NoProgress()))
    # Each organisation's questions are ranked with the question map fitted on the other
    # organisations, as a new organisation's would be: the shipped map was fitted on these very
    # questions, and a map that has seen an organisation's questions ranks even its new ones
    # better than one that has not (stop 40, confirm51-56: MRR 0.004-0.077 higher per
    # organisation; docs/retrieval.md), so a grid read through it would judge the fusion for
    # a dense list no new organisation gets.
    use_fold_maps(apps)
    for org, app in apps:
        service, retriever = app.ask_service, app.retriever
        retriever.store = _Store(retriever.store)  # type: ignore[assignment]
        service.not_covered = None  # ranking only: the not-covered decision is not scored here
        questions = [
            q for f in org.fitting_files() for q in load_questions(f) if q.expected_sources
        ]
        plans = [service.plan(q.question) for q in questions]
        rows = []
        with _settings_at(app) as put:
            for point in points:
                values = dict(zip(names, point, strict=True))
                put(values)
                if PLAN_SETTINGS & set(values):
                    plans = [service.plan(q.question) for q in questions]
                ranks = []
                for q, plan in zip(questions, plans, strict=True):
                    ranks.append(first_rank(service.answer(plan).ranked_files, q.expected_sources))
                rows.append({"point": values, "ranks": ranks})
        out[org.key] = rows
        print(f"{org.key}: {len(questions)} answered questions x {len(points)} points", flush=True)
    return out


def conversation_ranks(
    organisations: Path, work_dir: Path, points: list[dict[str, float]]
) -> dict[str, list[list[int | None]]]:
    """Per organisation with conversations, the rank of each answered turn at each point (as
    ``assistant eval chat`` ranks it: None when no expected document is found)."""
    from assistant.evaluation.chat import load_conversations, run, stateful

    out: dict[str, list[list[int | None]]] = {}
    for org, app in indexed(load_organisations(organisations), work_dir, NoProgress()):
        conversations = [c for path in CONVERSATIONS for c in load_conversations(path, org.key)]
        if not conversations:
            continue
        ranks = []
        with _settings_at(app) as put:
            for values in points:
                put(values)
                rows, _ = run(
                    app.conversation, conversations, stateful, "conversation", NoProgress()
                )
                ranks.append([r["rank"] for r in rows if r["expected_sources"]])
        out[org.key] = ranks
    return out


def conversations_kept(
    new: dict[str, list[int | None]], old: dict[str, list[int | None]]
) -> tuple[bool, dict[str, Any]]:
    """Does a point (turn ranks ``new``) keep the conversations of the current one (``old``)?
    No organisation's MRR down by more than CONVERSATION_SLACK, and no more turns lower than
    higher over all organisations (a turn not found counts as lowest)."""

    def place(rank: int | None) -> float:
        return rank if rank else float("inf")

    mrr = {o: (figures(new[o])[0], figures(old[o])[0]) for o in sorted(new)}
    pairs = [(place(a), place(b)) for o in new for a, b in zip(new[o], old[o], strict=True)]
    up = sum(1 for a, b in pairs if a < b)
    down = sum(1 for a, b in pairs if a > b)
    kept = down <= up and all(n >= o - CONVERSATION_SLACK - 1e-9 for n, o in mrr.values())
    return kept, {"mrr": mrr, "turns_up": up, "turns_down": down}


def _tied(score: Any) -> Any:
    """Scores at the precision they are reported (MRR to three places): a point is not chosen
    for ranks moved beyond the tenth document (a gain a user would never see)."""
    return np.round(score, 3)


def figures(ranks: list[int | None]) -> tuple[float, float]:
    """(MRR, hit@3)."""
    n = len(ranks) or 1
    return (
        sum(1 / r for r in ranks if r) / n,
        sum(1 for r in ranks if r and r <= 3) / n,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--grid", choices=sorted(GRIDS), default="fusion")
    ap.add_argument("--out", type=Path, help="default: evals/results/retrieval-fit-GRID.json")
    args = ap.parse_args()
    grid = GRIDS[args.grid]
    out = args.out or RESULTS / f"retrieval-fit-{args.grid}.json"
    from assistant.core.settings import Settings

    current = {k: getattr(Settings(), k) for k in grid}
    table = rank_all(args.organisations, args.work_dir, grid)
    orgs = sorted(table)
    n_points = len(table[orgs[0]])
    mrr = np.array([[figures(table[o][i]["ranks"])[0] for o in orgs] for i in range(n_points)])
    hit3 = np.array([[figures(table[o][i]["ranks"])[1] for o in orgs] for i in range(n_points)])
    points = [table[orgs[0]][i]["point"] for i in range(n_points)]
    now = next(i for i, p in enumerate(points) if all(p[k] == current[k] for k in grid))

    folds = []
    print("\nfolds (point chosen on the other organisations; MRR / hit@3 of the one left out):")
    for j, org in enumerate(orgs):
        others = [k for k in range(len(orgs)) if k != j]
        best = int(np.argmax(_tied(mrr[:, others].mean(axis=1))))
        folds.append(
            {
                "organisation": org,
                "point": points[best],
                "mrr": round(float(mrr[best, j]), 4),
                "hit_at_3": round(float(hit3[best, j]), 4),
                "mrr_current": round(float(mrr[now, j]), 4),
                "hit_at_3_current": round(float(hit3[now, j]), 4),
            }
        )
        f = folds[-1]
        print(
            f"  {org:<15} {f['mrr_current']:.3f} / {f['hit_at_3_current']:.3f} -> "
            f"{f['mrr']:.3f} / {f['hit_at_3']:.3f}   at {f['point']}"
        )
    # A fold whose left-out organisation does worse says choosing here does not carry.
    carries = all(_tied(f["mrr"]) >= _tied(f["mrr_current"]) for f in folds)
    allowed = [i for i in range(n_points) if np.all(mrr[i] >= mrr[now] - 1e-9)] if carries else []
    if not carries:
        print("\nchoosing on three organisations does not carry to the fourth: current kept")
    allowed = allowed or [now]
    # a tie: the current point, then the earliest in the grid
    order = sorted(allowed, key=lambda i: (_tied(mrr[i].mean()), i == now, -i), reverse=True)
    better = order[: order.index(now)][:MAX_CONVERSATION_CHECKS]
    choice, checked = now, []
    if better:
        print(f"\nconversations at the current point and {len(better)} better on the questions:")
        asked = conversation_ranks(
            args.organisations, args.work_dir, [points[i] for i in [now, *better]]
        )
        for n, i in enumerate(better, 1):
            kept, seen = conversations_kept(
                {o: asked[o][n] for o in asked}, {o: asked[o][0] for o in asked}
            )
            conv = seen["mrr"]
            checked.append(
                {
                    "point": points[i],
                    "kept": kept,
                    "conversation_mrr": {o: round(new, 4) for o, (new, _) in conv.items()},
                    "conversation_mrr_current": {o: round(old, 4) for o, (_, old) in conv.items()},
                    "turns_up": seen["turns_up"],
                    "turns_down": seen["turns_down"],
                }
            )
            moved = ", ".join(f"{o} {old:.3f} -> {new:.3f}" for o, (new, old) in conv.items())
            print(
                f"  {points[i]}: {moved}; turns {seen['turns_up']} up, {seen['turns_down']} down"
                + ("" if kept else "  (costs conversations: not chosen)")
            )
            if kept:
                choice = i
                break
    print(
        f"\ncurrent {points[now]}: MRR "
        + ", ".join(f"{o} {m:.3f}" for o, m in zip(orgs, mrr[now], strict=True))
    )
    print(
        f"chosen  {points[choice]}: MRR "
        + ", ".join(f"{o} {m:.3f}" for o, m in zip(orgs, mrr[choice], strict=True))
    )
    result = {
        "command": "scripts/fit_retrieval.py --organisations evals/organisations.toml "
        f"--work-dir DIR --grid {args.grid}",
        "grid": grid,
        "organisations": orgs,
        "current": {"point": points[now], "mrr": mrr[now].round(4).tolist(),
                    "hit_at_3": hit3[now].round(4).tolist()},
        "chosen": {"point": points[choice], "mrr": mrr[choice].round(4).tolist(),
                   "hit_at_3": hit3[choice].round(4).tolist()},
        "folds": folds,
        "folds_carry": carries,
        "conversation_checks": checked,
        "points": [
            {"point": p, "mrr": m.round(4).tolist(), "hit_at_3": h.round(4).tolist()}
            for p, m, h in zip(points, mrr, hit3, strict=True)
        ],
    }  # fmt: skip
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
