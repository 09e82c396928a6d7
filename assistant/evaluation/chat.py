"""Conversation evaluation: follow-up turns scored like single questions, beside two baselines
computed in the same run.

File format, one conversation a line: ``{"id": "C01", "turns": [{"question": "...",
"expected_sources": ["file"], "expected_clauses": ["8.7"]}, ...]}`` (other keys ignored, except
an optional ``organisation`` used to pick one organisation's conversations);
``expected_sources: []`` means the documents do not answer that turn.

Per turn: the rank of the first expected source among the documents ranked, whether "not
covered" was right, and whether the turn's clause matches an expected one (the same clause, or
its direct parent below the top level: 7.1.5 for 7.1.5.2). Baselines: ``stateless`` (every
turn asked alone) and ``concatenated`` (each turn asked with all earlier turns' text in front).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import UsageError
from assistant.core.progress import NoProgress, Progress
from assistant.evaluation.retrieval import first_rank, read_jsonl
from assistant.usecases.conversation import NEW, Conversation, ConversationTurn

Asker = Callable[[Conversation, list[str], str], ConversationTurn]


@dataclass(frozen=True)
class ChatTurn:
    question: str
    expected_sources: list[str]
    expected_clauses: list[str]
    kind: str  # the set's own label of the turn (first, followup_same, new_topic ...), if any


@dataclass(frozen=True)
class ChatConversation:
    id: str
    organisation: str
    turns: list[ChatTurn]


def load_conversations(path: Path, organisation: str | None = None) -> list[ChatConversation]:
    out = []
    for n, row in read_jsonl(path, "conversations file"):
        where = f"{path}:{n}"
        turns = row.get("turns")
        if not isinstance(turns, list) or not turns:
            raise UsageError(f"{where}: 'turns' must be a non-empty list")
        parsed = []
        for i, t in enumerate(turns, 1):
            if not isinstance(t, dict) or not isinstance(t.get("question"), str):
                raise UsageError(f"{where}: turn {i} needs a 'question' text")
            sources, clauses = t.get("expected_sources", []), t.get("expected_clauses", [])
            if not isinstance(sources, list) or not isinstance(clauses, list):
                raise UsageError(f"{where}: turn {i}: expected_* must be lists")
            parsed.append(ChatTurn(t["question"], sources, clauses, str(t.get("type", ""))))
        conv = ChatConversation(str(row.get("id", n)), str(row.get("organisation", "")), parsed)
        if organisation is None or conv.organisation == organisation:
            out.append(conv)
    return out


def _related(a: str, b: str) -> bool:
    """The same clause, or a clause and its direct parent below the top level (7.1.5 and
    7.1.5.2 match; 7 and 7.2 do not: naming a whole section is not naming the clause)."""
    if a == b:
        return True
    parent, child = sorted((a, b), key=len)
    direct = child.startswith(parent + ".") and child.count(".") == parent.count(".") + 1
    return "." in parent and direct


def stateful(conv: Conversation, earlier: list[str], question: str) -> ConversationTurn:
    return conv.ask(question)


def stateless(conv: Conversation, earlier: list[str], question: str) -> ConversationTurn:
    return conv.ask(question, standalone=True)


def concatenated(conv: Conversation, earlier: list[str], question: str) -> ConversationTurn:
    return conv.ask(" ".join([*earlier, question]), standalone=True)


def run(
    new_conversation: Callable[[], Conversation],
    conversations: list[ChatConversation],
    asker: Asker,
    name: str,
    progress: Progress,
) -> tuple[list[dict[str, Any]], list[float]]:
    rows, latencies = [], []
    progress.stage(name, sum(len(c.turns) for c in conversations))
    for c in conversations:
        conv = new_conversation()
        earlier: list[str] = []
        for i, t in enumerate(c.turns):
            start = time.perf_counter()
            turn = asker(conv, earlier, t.question)
            latencies.append((time.perf_counter() - start) * 1000)
            earlier.append(t.question)
            ranked = turn.answer.ranked_files
            rows.append(
                {
                    "conversation": c.id,
                    "turn": i + 1,
                    "kind": t.kind,
                    "question": t.question,
                    "reading": turn.reading.kind,
                    "expected_sources": t.expected_sources,
                    "expected_clauses": t.expected_clauses,
                    "ranked": ranked[:5],
                    "rank": first_rank(ranked, t.expected_sources),
                    "no_evidence": turn.answer.no_evidence,
                    "decided_by": turn.answer.decided_by,
                    "clauses": turn.clauses,
                }
            )
            progress.advance()
    return rows, latencies


# A set's turn labels: a new subject must be read as new, any follow-up as carried (a
# follow-up, "which clause" or "which form": each carries the earlier topic). "first" and
# "unanswered" turns are not judged: the first turn has nothing to continue, and an unanswered
# one may be either.
_NEW_LABELS = {"new_topic"}
_CARRIED_LABELS = {"followup_same", "followup_switch", "which_clause", "which_form"}


def reading_accuracy(rows: list[dict[str, Any]]) -> float | None:
    """The share of labelled turns read as their label says (new subject or continuation);
    None when the set labels no turn."""
    judged = [r for r in rows if r["kind"] in _NEW_LABELS | _CARRIED_LABELS]
    if not judged:
        return None
    right = sum((r["reading"] == NEW) == (r["kind"] in _NEW_LABELS) for r in judged)
    return round(right / len(judged), 4)


def summarise(rows: list[dict[str, Any]], latencies: list[float]) -> dict[str, Any]:
    def ranking(sub: list[dict[str, Any]]) -> tuple[float, float, float]:
        scored = [r for r in sub if r["expected_sources"]]
        if not scored:
            return 0.0, 0.0, 0.0
        n = len(scored)
        hit1 = sum(1 for r in scored if r["rank"] == 1) / n
        hit3 = sum(1 for r in scored if r["rank"] and r["rank"] <= 3) / n
        mrr = sum(1 / r["rank"] for r in scored if r["rank"]) / n
        return round(hit1, 4), round(hit3, 4), round(mrr, 4)

    hit1, hit3, mrr = ranking(rows)
    _, f_hit3, f_mrr = ranking([r for r in rows if r["turn"] > 1])
    with_clauses = [r for r in rows if r["expected_clauses"]]
    clause_right = sum(
        any(_related(p, e) for p in r["clauses"][:1] for e in r["expected_clauses"])
        for r in with_clauses
    )
    out: dict[str, Any] = {
        "n_conversations": len({r["conversation"] for r in rows}),
        "n_turns": len(rows),
        "hit_at_1": hit1,
        "hit_at_3": hit3,
        "mrr": mrr,
        "followup_hit_at_3": f_hit3,
        "followup_mrr": f_mrr,
        "no_answer_accuracy": round(
            sum(r["no_evidence"] == (not r["expected_sources"]) for r in rows) / len(rows), 4
        )
        if rows
        else 0.0,
        "clause_accuracy": round(clause_right / len(with_clauses), 4) if with_clauses else None,
    }
    out["reading_accuracy"] = reading_accuracy(rows)
    out["by_kind"] = {}
    for kind in sorted({r["kind"] for r in rows if r["kind"]}):
        sub = [r for r in rows if r["kind"] == kind]
        k1, k3, km = ranking(sub)
        out["by_kind"][kind] = {"n": len(sub), "hit_at_3": k3, "mrr": km}
    if latencies:
        ordered = sorted(latencies)
        out["latency_ms_p50"] = round(statistics.median(ordered), 1)
        out["latency_ms_p95"] = round(ordered[int(round(0.95 * (len(ordered) - 1)))], 1)
    return out


def evaluate_chat(
    new_conversation: Callable[[], Conversation],
    conversations: list[ChatConversation],
    baselines: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The conversation engine's figures and, in the same run, the two baselines'."""
    progress = progress or NoProgress()
    warm = new_conversation()  # latencies are warm: model loaded, clause cards embedded
    warm.warm_up()
    warm.ask("warm up: calibration")
    rows, lat = run(new_conversation, conversations, stateful, "conversation", progress)
    result = summarise(rows, lat)
    result["turns"] = rows
    if baselines:
        result["baselines"] = {}
        for name, asker in (("stateless", stateless), ("concatenated", concatenated)):
            b_rows, b_lat = run(new_conversation, conversations, asker, name, progress)
            result["baselines"][name] = summarise(b_rows, b_lat)
            # A baseline reads nothing: every turn is asked alone, whatever it is.
            result["baselines"][name]["reading_accuracy"] = None
    progress.close()
    return result
