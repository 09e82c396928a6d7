"""An interview session: a plain state machine used by the CLI and the web app.

    ask question -> staff answer -> grade and feedback -> up to two follow-ups (probe the most
    important missed point; ask for the record) -> next question -> ... -> summary

Follow-up answers are graded together with the first answer against the same rubric, so a
follow-up can raise the question's score. Modes:
- practice: questions by role and clause, feedback after every answer;
- exam: a fixed question set, feedback only in the summary at the end;
- quick: five questions on the user's weakest (and due) clauses.
Every answer is written to the history as soon as it is graded (``on_turn``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.core.models import HEADING_SEP
from assistant.core.text import GENERIC_HEADING, without_list_marker
from assistant.usecases.interview.grader import Grade, Grader, PointResult, label_for
from assistant.usecases.interview.question_bank import BankQuestion


class Mode(StrEnum):
    PRACTICE = "practice"
    EXAM = "exam"
    QUICK = "quick"


@dataclass(frozen=True)
class Prompt:
    question: BankQuestion
    text: str  # what the auditor says now
    kind: str  # "question" | "follow-up"
    number: int  # 1-based question number
    total: int


@dataclass
class Feedback:
    grade: Grade | None  # None in exam mode (shown at the end)
    next: Prompt | None  # a follow-up or the next question; None when finished
    # For an answer to a follow-up: what it changed, instead of the whole card again.
    progress: FollowUpProgress | None = None


# Said when a follow-up answer adds nothing an auditor could check.
VAGUE_ADVICE = (
    "That adds nothing an auditor could check: say what you do, who does it, when, and which "
    "record shows it."
)


@dataclass(frozen=True)
class FollowUpProgress:
    """What an answer to a follow-up added to the question's grade."""

    score_before: int
    score_after: int
    newly_covered: list[str]  # key points the follow-up answer covered for the first time
    still_missing: list[str]  # key points still not covered, with their citations
    records_named: list[str]  # records named for the first time
    advice: str  # coaching when it added nothing ("" otherwise)

    def lines(self) -> list[str]:
        """Plain sentences for the person, in the order to read them."""
        out = [f"Score {self.score_before} -> {self.score_after}/100."]
        out += [f"Now covered: {p}" for p in self.newly_covered]
        out += [f"Newly named record: {r}" for r in self.records_named]
        if self.advice:
            out.append(self.advice)
        out += [f"Still missing: {p}" for p in self.still_missing]
        return out


@dataclass
class QuestionResult:
    question: BankQuestion
    answers: list[str] = field(default_factory=list)
    grade: Grade | None = None
    skipped: bool = False


@dataclass
class ClauseSummary:
    clause: str
    score: float
    questions: int


@dataclass
class Summary:
    clauses: list[ClauseSummary]
    strengths: list[str]  # clause ids scored good
    gaps: list[str]  # clause ids scored poor
    reread: list[str]  # procedure sections (citations) holding the missed points
    results: list[QuestionResult]

    @property
    def answered(self) -> list[QuestionResult]:
        return [r for r in self.results if r.grade is not None and not r.skipped]

    @property
    def skipped(self) -> list[QuestionResult]:
        """Questions passed over or not reached: shown as such, outside averages and gaps."""
        return [r for r in self.results if r.grade is None or r.skipped]

    @property
    def score(self) -> float:
        """Mean over the answered questions, the same basis as the per-clause table."""
        graded = [r.grade.score for r in self.answered if r.grade]
        return sum(graded) / len(graded) if graded else 0.0

    def to_dict(self) -> dict:
        return {
            "score": round(self.score, 1),
            "clauses": {c.clause: round(c.score, 1) for c in self.clauses},
            "strengths": self.strengths,
            "gaps": self.gaps,
            "reread": self.reread,
            "answered": len(self.answered),
            "skipped": len(self.skipped),
        }


TurnHook = Callable[[QuestionResult, str, str, Grade], None]  # result, kind, prompt, grade
# Optional LLM phrasing: (result, offline follow-up) -> follow-up; (result) -> None (sets
# grade.coaching). Either may return the offline text unchanged.
FollowUpWriter = Callable[[QuestionResult, str], str]
FeedbackWriter = Callable[[QuestionResult], None]


def _progress(before: Grade, after: Grade) -> FollowUpProgress:
    """What the follow-up answer changed between two grades of the same question."""

    def label(p: PointResult) -> str:
        return f'"{without_list_marker(p.point.text)}" ({p.point.citation.label()})'

    covered_before = {p.point.text for p in before.covered}
    newly = [label(p) for p in after.covered if p.point.text not in covered_before]
    records = [r for r in after.records_named if r not in before.records_named]
    # Nothing newly covered and no record newly named: nothing an auditor could check, even
    # if general wording nudged the score.
    vague = not newly and not records
    return FollowUpProgress(
        before.score,
        after.score,
        newly,
        [label(p) for p in after.missed],
        records,
        VAGUE_ADVICE if vague else "",
    )


def _topic(heading: str, title: str = "") -> str:
    """'5 Procedure > 5.3 The 8D steps' -> 'the 8D steps'; a heading in title case reads in
    the sentence's case ('3. Quality Relevance' -> 'quality relevance', not 'quality
    Relevance'); a word in capitals stays ('CAPA Review' -> 'CAPA review'). A heading that
    names no subject ('1. Introduction') gives way to the one above it, else to the document's
    ``title``: "You haven't mentioned introduction" was asked walking through gstt-csc."""
    parts = [h.strip() for h in heading.split(HEADING_SEP) if h.strip()]
    named = [h for h in parts if not GENERIC_HEADING.fullmatch(h)]
    subject = named[-1] if named else title.strip() or (parts[-1] if parts else "")
    last = subject.lstrip("0123456789.) ").strip()
    words = last.split()
    # title case leaves its short words small ("Control of Nonconforming Product")
    if len(words) > 1 and all(w[:1].isupper() or len(w) <= 3 for w in words if w[:1].isalpha()):
        return " ".join(w if w[:2].isupper() else w.lower() for w in words)
    return (last[0].lower() + last[1:]) if last and not last[:2].isupper() else last


class InterviewSession:
    def __init__(
        self,
        questions: list[BankQuestion],
        grader: Grader,
        mode: Mode = Mode.PRACTICE,
        max_follow_ups: int = 2,
        on_turn: TurnHook | None = None,
        follow_up_writer: FollowUpWriter | None = None,
        feedback_writer: FeedbackWriter | None = None,
    ) -> None:
        if not questions:
            raise ValueError("an interview needs at least one question")
        self.grader = grader
        self.mode = mode
        self.max_follow_ups = max_follow_ups
        self.on_turn = on_turn
        self.follow_up_writer = follow_up_writer
        self.feedback_writer = feedback_writer
        self.results = [QuestionResult(q) for q in questions]
        self._index = 0
        self._prompt: Prompt | None = self._ask(0)

    @property
    def finished(self) -> bool:
        return self._prompt is None

    @property
    def current(self) -> Prompt | None:
        return self._prompt

    def _ask(self, i: int) -> Prompt | None:
        if i >= len(self.results):
            return None
        q = self.results[i].question
        self.grader.prepare(q.text, list(q.clauses))  # ready by the time they answer
        return Prompt(q, q.text, "question", i + 1, len(self.results))

    def answer(self, text: str) -> Feedback:
        """Grade the answer to the current prompt and move on."""
        prompt = self._prompt
        if prompt is None:
            raise RuntimeError("the interview is over")
        result = self.results[self._index]
        result.answers.append(text)
        q = prompt.question
        before = result.grade
        grade = self.grader.grade(q.text, " ".join(result.answers), list(q.clauses))
        # A follow-up answer counts when it covers a key point or names a record the first
        # answer did not: one that adds nothing an auditor could check leaves the score as it
        # was (the same vague answer given three times had climbed from 26 to 74, under the
        # words "that adds nothing an auditor could check"), and one that scores lower too.
        counts = before is None or (
            grade.score >= before.score and not _progress(before, grade).advice
        )
        if prompt.kind == "question" or counts:
            result.grade = grade
        progress = None
        if prompt.kind == "follow-up" and before is not None and result.grade is not None:
            progress = _progress(before, result.grade)
        if self.feedback_writer and self.mode != Mode.EXAM:
            self.feedback_writer(result)
        if self.on_turn:
            self.on_turn(result, prompt.kind, prompt.text, result.grade or grade)
        follow_up = self._follow_up(result)
        if follow_up and self.follow_up_writer:
            follow_up = self.follow_up_writer(result, follow_up)
        if follow_up:
            self._prompt = Prompt(q, follow_up, "follow-up", prompt.number, prompt.total)
        else:
            self._index += 1
            self._prompt = self._ask(self._index)
        if self.mode == Mode.EXAM:
            return Feedback(None, self._prompt)
        return Feedback(result.grade, self._prompt, progress)

    def skip(self) -> Prompt | None:
        """Move to the next question (an unanswered question scores 0)."""
        result = self.results[self._index]
        if not result.answers:
            result.skipped = True
        self._index += 1
        self._prompt = self._ask(self._index)
        return self._prompt

    def _follow_up(self, result: QuestionResult) -> str | None:
        """Probe the most important missed point, then ask for the record, like an auditor."""
        asked = len(result.answers) - 1
        g = result.grade
        if g is None or asked >= self.max_follow_ups or not g.rubric.from_procedures:
            return None
        if g.contradictions and asked == 0:
            where = g.contradictions[0].point.citation
            return (
                f"Are you sure? Check {where.file}, {_topic(where.heading, where.title)}"
                ": what does it say, and what do you actually do?"
            )
        missed = sorted(g.missed, key=lambda p: -p.point.weight)
        if missed and g.label != "good" and asked == 0:
            where = missed[0].point.citation
            return (
                f"You haven't mentioned {_topic(where.heading, where.title)}. "
                "How does that work here, and who does it?"
            )
        records = [r for r in g.rubric.records if r not in g.records_named]
        if records:
            return (
                f"Show me the record: where would I find the last {records[0]}, "
                "and who completed it?"
            )
        return None

    def summary(self) -> Summary:
        by_clause: dict[str, list[int]] = {}
        reread: list[str] = []
        for r in self.results:
            if r.grade is None or r.skipped:
                continue  # a skipped question is not a score of 0, nor a gap
            for c in r.question.clauses:
                by_clause.setdefault(c, []).append(r.grade.score)
            if r.grade:
                for p in r.grade.missed:
                    label = p.point.citation.label()
                    if label not in reread:
                        reread.append(label)
        clauses = [ClauseSummary(c, sum(v) / len(v), len(v)) for c, v in sorted(by_clause.items())]
        params = self.grader.params
        return Summary(
            clauses,
            [c.clause for c in clauses if label_for(c.score, params) == "good"],
            [c.clause for c in clauses if label_for(c.score, params) == "poor"],
            reread,
            self.results,
        )
