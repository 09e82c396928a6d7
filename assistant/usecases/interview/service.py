"""Plans an interview (which questions, in which order) and ties the session to the history."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable, Mapping
from functools import cached_property

import numpy as np

from assistant.core.errors import UsageError
from assistant.index.embedder import Embedder
from assistant.index.store import IndexStore
from assistant.llm.grounded import GroundedLlm, Passage, with_sources
from assistant.search.clauses import ROLES, Catalogue
from assistant.usecases.history import History
from assistant.usecases.interview import question_bank
from assistant.usecases.interview.grader import Grade, Grader
from assistant.usecases.interview.session import InterviewSession, Mode, QuestionResult

_CITES = re.compile(r"\s*\[\d{1,2}\]")
QUICK_QUESTIONS = 5
DEFAULT_SET = "stage2-core"


class InterviewService:
    def __init__(
        self,
        catalogue: Catalogue,
        store: IndexStore,
        embedder: Embedder,
        grader: Grader,
        history: History,
        llm: GroundedLlm | None = None,
        own_words: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.store = store
        self.embedder = embedder
        self.grader = grader
        self.history = history
        self.llm = llm
        # the organisation's words for the catalogue's neutral ones (see usecases.own_words)
        self.own_words = own_words or dict
        self._procedure_bank: tuple[str | None, list[question_bank.BankQuestion]] | None = None
        self._lock = threading.Lock()

    @cached_property
    def question_sets(self) -> dict[str, question_bank.QuestionSet]:
        """The shipped sets, read once (every page rerun and session start asks for them)."""
        return question_bank.question_sets(self.catalogue)

    def procedure_questions(self) -> list[question_bank.BankQuestion]:
        """Built from the indexed procedures; rebuilt after each ingest."""
        key = self.store.manifest.get("last_ingest")
        with self._lock:
            if self._procedure_bank is None or self._procedure_bank[0] != key:
                # no question about a practice only a superseded revision has
                chunks = self.store.current_chunks()
                clauses = [c for c in self.catalogue if c.depth > 0] or list(self.catalogue)
                cards = self.embedder.fixed([c.embedding_text() for c in clauses], as_query=False)
                vectors = self.store.reader.embeddings([c.id for c in chunks])
                roles = self.grader.role_vocabulary()
                built = question_bank.procedure_questions(
                    chunks, vectors, [c.id for c in clauses], np.asarray(cards), roles
                )
                self._procedure_bank = (key, built)
            return self._procedure_bank[1]

    def bank(self) -> list[question_bank.BankQuestion]:
        sets = [q for s in self.question_sets.values() for q in s.questions]
        catalogue = question_bank.catalogue_questions(self.catalogue, self.own_words())
        return catalogue + sets + self.procedure_questions()

    def plan(
        self,
        user: str,
        mode: Mode,
        role: str | None = None,
        clauses: list[str] | None = None,
        question_set: str | None = None,
        count: int = 8,
        seed: int | None = None,
    ) -> list[question_bank.BankQuestion]:
        if role and role not in ROLES:
            raise UsageError(f"role must be one of: {', '.join(ROLES)}")
        unknown = [c for c in clauses or [] if c not in self.catalogue]
        if unknown:
            raise UsageError(f"no such clause: {unknown[0]} (see: assistant clause)")
        rng = random.Random(seed)
        if mode == Mode.EXAM:
            sets = self.question_sets
            name = question_set or DEFAULT_SET
            if name not in sets:
                raise UsageError(f"no question set {name!r}; sets: {', '.join(sorted(sets))}")
            return question_bank.select(list(sets[name].questions), role, clauses) or list(
                sets[name].questions
            )
        pool = question_bank.select(self.bank(), role, clauses)
        if not pool:
            raise UsageError("no questions for that role and clause; widen the choice")
        if mode == Mode.QUICK:
            order = self.history.due_first(user, sorted({c for q in pool for c in q.clauses}))
            picked: list[question_bank.BankQuestion] = []
            for clause in order:
                options = [q for q in pool if clause in q.clauses and q not in picked]
                if options:
                    picked.append(rng.choice(options))
                if len(picked) == QUICK_QUESTIONS:
                    break
            return picked
        rng.shuffle(pool)
        return pool[:count]

    def start(
        self,
        user: str,
        mode: Mode = Mode.PRACTICE,
        role: str | None = None,
        clauses: list[str] | None = None,
        question_set: str | None = None,
        count: int = 8,
        seed: int | None = None,
        on_turn: Callable[[QuestionResult, str, str, Grade], None] | None = None,
    ) -> tuple[int, InterviewSession]:
        """A session whose every answer is saved to the history as it is graded."""
        user = user.strip()
        if not user:
            raise UsageError("a user name is needed to keep practice history")
        questions = self.plan(user, mode, role, clauses, question_set, count, seed)
        set_id = (question_set or DEFAULT_SET) if mode == Mode.EXAM else ""
        session_id = self.history.start_session(user, mode.value, role or "", clauses, set_id)

        def save(result: QuestionResult, kind: str, prompt: str, grade: Grade) -> None:
            q = result.question
            self.history.record_turn(
                session_id, user, q.id, list(q.clauses), kind, prompt, result.answers[-1],
                grade.score, grade.label, grade.to_dict(),
            )  # fmt: skip
            if kind == "question":
                self.history.schedule(user, q.id, list(q.clauses), grade.label)
            if on_turn:
                on_turn(result, kind, prompt, grade)

        writers = (self._llm_follow_up, self._llm_feedback) if self.llm else (None, None)
        session = InterviewSession(
            questions, self.grader, mode, on_turn=save,
            follow_up_writer=writers[0], feedback_writer=writers[1],
        )  # fmt: skip
        return session_id, session

    def _llm_follow_up(self, result: QuestionResult, offline: str) -> str:
        """An LLM-phrased follow-up about what was missed; the offline one if unusable."""
        grade, llm = result.grade, self.llm
        # Called by the session only for a graded answer, and only when an LLM is configured.
        assert grade is not None and llm is not None
        points = (grade.missed or grade.points)[:3]
        passages = [Passage(p.point.text, p.point.citation) for p in points]
        role = ", ".join(result.question.roles) or "a member of staff"
        text = llm.write(
            "follow_up", passages, role=role, question=result.question.text,
            answer=" ".join(result.answers),
        ).text  # fmt: skip
        return _CITES.sub("", text).strip() or offline

    def _llm_feedback(self, result: QuestionResult) -> None:
        grade, llm = result.grade, self.llm
        assert grade is not None and llm is not None  # as for the follow-up
        passages = [Passage(p.point.text, p.point.citation) for p in grade.points]
        out = llm.write(
            "feedback", passages, score=grade.score, label=grade.label,
            question=result.question.text, answer=" ".join(result.answers),
        )  # fmt: skip
        grade.coaching = with_sources(out.text, passages)
        grade.coaching_notice = out.notice

    def finish(self, session_id: int, session: InterviewSession) -> None:
        self.history.finish_session(session_id, session.summary().to_dict())
