"""Practice history as files people take away: a CSV of every turn and a Markdown report of
readiness and final scores per user. Pure text from typed rows; nothing here reads SQLite.

The output is what earlier versions wrote, byte for byte, so spreadsheets and scripts built
on the exports keep working.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.usecases.history.schedule import Readiness
from assistant.usecases.history.store import Turn

CSV_HEADER = ("when", "user", "mode", "session", "question_id", "clauses", "kind",
              "question", "answer", "score", "label")  # fmt: skip


def format_when(timestamp: float) -> str:
    """Local time to the minute: when a person practised, as they would write it."""
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class UserProgress:
    """What the Markdown report shows of one user."""

    user: str
    results: Sequence[Turn]  # each question's final graded turn, oldest first
    readiness: Sequence[Readiness]


def csv_text(turns: Sequence[Turn]) -> str:
    """One line per turn (answers and follow-ups), in the order given."""
    fh = io.StringIO()
    w = csv.writer(fh)
    w.writerow(CSV_HEADER)
    for t in turns:
        w.writerow([
            format_when(t.created), t.user, t.mode, t.session_id, t.question_id,
            " ".join(t.clauses), t.kind, t.prompt, t.answer, t.score, t.label,
        ])  # fmt: skip
    return fh.getvalue()


def markdown_text(progress: Sequence[UserProgress]) -> str:
    """A report per user: readiness per clause, then each question's final score."""
    lines = ["# Interview practice report", ""]
    for p in progress:
        lines += [f"## {p.user}", "", f"{len(p.results)} questions answered.", ""]
        lines += ["| Clause | Readiness | Answers | Due |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {r.clause} | {r.score:.0f} | {r.answers} | {'yes' if r.due else 'no'} |"
            for r in p.readiness
        ]
        lines += ["", "| When | Question | Score | Label |", "| --- | --- | --- | --- |"]
        for t in p.results:
            question = t.prompt.replace("|", "/").replace("\n", " ")  # keep the table intact
            lines.append(f"| {format_when(t.created)} | {question} | {t.score} | {t.label} |")
        lines.append("")
    return "\n".join(lines)


def save_csv(text: str, path: Path) -> None:
    # newline="": the csv module already ends rows with \r\n; do not translate them again.
    path.write_text(text, encoding="utf-8", newline="")


def save_markdown(text: str, path: Path) -> None:
    path.write_text(text, encoding="utf-8")
