"""The question bank: what an auditor may ask, each question tagged with clauses and roles.

Three sources:
- the clause catalogue's typical auditor questions (generic, one or more per clause);
- fixed question sets in ``corpus/question_sets`` (shipped as ``assistant.question_sets``), used
  by exam mode;
- questions built from the indexed procedures themselves: every sentence that sets a frequency
  or a time limit and names a record or a role becomes "your procedure says ...: show me the
  record", so the bank grows when procedures are added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from assistant.core.errors import UsageError
from assistant.core.models import Chunk
from assistant.core.text import sentences
from assistant.documents.text import is_table_row
from assistant.search.clauses import ROLES, Catalogue, load_yaml, yaml_files
from assistant.usecases.interview.facts import extract
from assistant.usecases.own_words import localise

# Lengths of a procedure sentence that a built question quotes; set with the bank (commit
# 2e43c3d), never measured.
# hand-set, not measured: the shortest sentence a procedure question is built from
MIN_QUESTION_SENTENCE_CHARS = 50
# hand-set, not measured: the longest (a longer one makes the quoted question unwieldy)
MAX_QUESTION_SENTENCE_CHARS = 260
# hand-set, not measured: a table row with this many cells or more is a register entry
MAX_QUESTION_ROW_CELLS = 4
_MARKUP = re.compile(r"<\s*/?\s*[a-z]+\s*/?\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class BankQuestion:
    id: str
    text: str
    clauses: tuple[str, ...]
    roles: tuple[str, ...]
    source: str  # "catalogue", "set:<id>" or the procedure file it was built from


@dataclass(frozen=True)
class QuestionSet:
    id: str
    title: str
    description: str
    questions: tuple[BankQuestion, ...] = field(default_factory=tuple)


def catalogue_questions(
    catalogue: Catalogue, words: Mapping[str, str] | None = None
) -> list[BankQuestion]:
    """The catalogue's typical questions, in the organisation's own ``words`` where it has them
    (see ``usecases.own_words``)."""
    words = words or {}
    return [
        BankQuestion(f"C-{c.id}-{n}", localise(q.text, words), (c.id,), (q.role,), "catalogue")
        for c in catalogue
        for n, q in enumerate(c.questions, 1)
    ]


def parse_question_set(name: str, text: str, catalogue: Catalogue) -> QuestionSet:
    try:
        data = load_yaml(text)
        set_id = str(data["id"])
        questions = []
        for q in data["questions"]:
            clauses = tuple(str(c) for c in q["clauses"])
            roles = tuple(q.get("roles") or ())
            bad = [c for c in clauses if c not in catalogue] + [r for r in roles if r not in ROLES]
            if bad:
                raise ValueError(f"unknown clause or role {bad[0]!r} in {q['id']}")
            questions.append(
                BankQuestion(str(q["id"]), str(q["text"]), clauses, roles, f"set:{set_id}")
            )
        return QuestionSet(
            set_id, str(data.get("title", set_id)), str(data.get("description", "")),
            tuple(questions),
        )  # fmt: skip
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"question set {name}: {exc}") from None


def question_sets(catalogue: Catalogue, directory: Path | None = None) -> dict[str, QuestionSet]:
    sets = [
        parse_question_set(n, t, catalogue)
        for n, t in yaml_files(directory, "assistant.question_sets")
    ]
    return {s.id: s for s in sets}


# Job titles to the five interview roles; the first pattern that matches wins.
_ROLE_MAP = [
    (re.compile(r"managing director|chief executive|\bceo\b|general manager|board"),
     "top management"),
    (re.compile(r"quality (?:manager|lead|officer)|management representative"), "quality lead"),
    (re.compile(r"auditor"), "internal auditor"),
    (re.compile(r"operator|technician|inspector|assembler|fitter|storeperson|tester"), "operator"),
    (re.compile(r"manager|supervisor|lead|engineer|owner|controller|coordinator"),
     "process owner"),
]  # fmt: skip


def interview_roles(job_titles: set[str]) -> tuple[str, ...]:
    out = []
    for title in sorted(job_titles):
        for pattern, role in _ROLE_MAP:
            if pattern.search(title):
                if role not in out:
                    out.append(role)
                break
    return tuple(out) or ("process owner",)


def _section(heading: str) -> str:
    """'5 Procedure > 5.3 Monthly checks' -> '5.3 Monthly checks'."""
    return heading.split(" > ")[-1] if heading else ""


def procedure_questions(
    chunks: list[Chunk],
    chunk_vectors: dict[str, np.ndarray],
    clause_ids: list[str],
    clause_vectors: np.ndarray,
    role_vocabulary: set[str],
    limit_per_document: int = 6,
) -> list[BankQuestion]:
    """Organisation-specific questions: a sentence that sets how often or how soon something
    is done and names its record or who does it becomes a question asking for the record. Each
    is tagged with the clause whose card is closest to its passage."""
    out: list[BankQuestion] = []
    per_doc: dict[str, int] = {}
    for chunk in chunks:
        if chunk.id not in chunk_vectors or per_doc.get(chunk.file, 0) >= limit_per_document:
            continue
        for n, s in enumerate(sentences(chunk.text)):
            if len(s) < MIN_QUESTION_SENTENCE_CHARS or len(s) > MAX_QUESTION_SENTENCE_CHARS:
                continue
            # A row of a register ("Id: CSC-PR-006; Title: ...; Review Date: 05/24; KPI: ...")
            # is a list entry, not a practice to ask about; a short row ("Check: monthly;
            # Record: F-05-2") still is.
            if is_table_row(s) and s.count("; ") + 1 >= MAX_QUESTION_ROW_CELLS:
                continue
            if _MARKUP.search(s):  # "Review <br>Date": quoted as written, it reads as code
                continue
            f = extract(s, role_vocabulary)
            timed = f.frequencies or any(u in ("day", "hour", "week") for u, _ in f.quantities)
            if not timed or not (f.forms or f.roles):
                continue
            clause = clause_ids[int(np.argmax(clause_vectors @ chunk_vectors[chunk.id]))]
            doc = chunk.doc_no or chunk.file
            where = f"{doc} section {_section(chunk.heading)}" if chunk.heading else doc
            ask = (
                f"show me the last completed {sorted(f.forms)[0]} and talk me through it."
                if f.forms
                else "show me the evidence that it was done last time, and who did it."
            )
            text = f'{where} says: "{s.rstrip(".")}." Is that what happens in practice? Then {ask}'
            out.append(
                BankQuestion(
                    f"P-{doc}-{chunk.ordinal}-{n}", text, (clause,),
                    interview_roles(f.roles), chunk.file,
                )
            )  # fmt: skip
            per_doc[chunk.file] = per_doc.get(chunk.file, 0) + 1
            break  # one question per passage keeps the bank varied
    return out


def select(
    questions: list[BankQuestion], role: str | None = None, clauses: list[str] | None = None
) -> list[BankQuestion]:
    """Questions for a role and (a clause or any of its sub-clauses)."""

    def in_scope(q: BankQuestion) -> bool:
        return not clauses or any(
            c == w or c.startswith(w + ".") for c in q.clauses for w in clauses
        )

    return [q for q in questions if (not role or role in q.roles) and in_scope(q)]
