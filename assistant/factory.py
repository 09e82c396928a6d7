"""The one factory: builds every service from one Settings object, lazily, once.

The CLI and the web app both call it; nothing heavy happens until a service is first used.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from assistant.core.errors import IndexMissingError, UsageError
from assistant.core.progress import NoProgress, Progress
from assistant.core.settings import Settings
from assistant.documents.chunking import ChunkingParams
from assistant.index.embedder import Embedder
from assistant.index.ingest import Ingestor, IngestReport
from assistant.index.store import IndexStore
from assistant.index.vector_store import VectorConfig
from assistant.llm.grounded import GroundedLlm, Passage
from assistant.llm.providers import chat_model
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import Catalogue, default_catalogue
from assistant.search.glossary import load_glossary
from assistant.search.question_map import FOLDS_FILE, QuestionMap
from assistant.search.retrieval import RetrievalParams, Retriever
from assistant.search.roles import PROCEDURE, DocumentRoles
from assistant.usecases.ask import AskParams, AskService
from assistant.usecases.clause_needs import ClauseGaps
from assistant.usecases.composer import Answer
from assistant.usecases.conversation import Conversation, ConversationParams, ConversationTurn
from assistant.usecases.coverage import (
    ClauseCoverage,
    CoverageThresholds,
    Support,
    SupportPassage,
    clause_coverage,
    coverage,
    labelled_support,
    with_own_verdicts,
)
from assistant.usecases.examples import GENERIC_EXAMPLES, example_questions
from assistant.usecases.history import History
from assistant.usecases.interview.grader import Grader, GraderParams
from assistant.usecases.interview.service import InterviewService
from assistant.usecases.lead_choice import LeadModel
from assistant.usecases.library import Library
from assistant.usecases.not_covered import NotCoveredModel, Precedents, SignalReader
from assistant.usecases.other_standards import CorpusTopics
from assistant.usecases.own_labels import OwnLabels
from assistant.usecases.own_words import own_words
from assistant.usecases.status import IndexStatus, index_status

P = TypeVar("P")


def _from_settings(cls: type[P], settings: Settings) -> P:  # cls: a dataclass
    """A parameters dataclass filled from the settings of the same names (one source of truth
    for names and defaults: the settings)."""
    return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})  # type: ignore[arg-type]


class Assistant:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._coverage: tuple[str | None, list[ClauseCoverage]] | None = None
        # (index version, clause, path) -> a labelled document's support (_labelled_support)
        self._labelled: dict[tuple, tuple[Support, tuple[SupportPassage, ...]] | None] = {}
        self._examples: tuple[str | None, list[str]] | None = None
        self._own_words: tuple[str | None, dict[str, str]] | None = None

    @cached_property
    def catalogue(self) -> Catalogue:
        return default_catalogue()

    @cached_property
    def store(self) -> IndexStore:
        s = self.settings
        config = VectorConfig(s.vector_store, s.chroma_host, s.chroma_port, s.chroma_collection)
        return IndexStore(Path(s.data_dir), config, s.set_aside_superseded)

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder(
            batch_size=self.settings.embed_batch_size,
            fast_dir=self.settings.models_dir or Path(self.settings.data_dir) / "models",
            fast_passages=self.settings.fast_passages,
        )

    @cached_property
    def chunking(self) -> ChunkingParams:
        s = self.settings
        return ChunkingParams(s.chunk_size, s.chunk_overlap, s.min_chunk_chars)

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.embedder, self.chunking, self.settings.max_file_bytes)

    @cached_property
    def resolver(self) -> ClauseResolver:
        return ClauseResolver(self.catalogue)

    @cached_property
    def retriever(self) -> Retriever:
        params = _from_settings(RetrievalParams, self.settings)
        question_map = (
            QuestionMap.load(self.embedder.model_id) if self.settings.question_map else None
        )
        return Retriever(self.store, self.embedder, params, self.resolver, question_map)

    @cached_property
    def ask_service(self) -> AskService:
        params = _from_settings(AskParams, self.settings)
        store = self.store
        precedents = Precedents.load(self.embedder.model_id)
        # the lexical index is read when asked: an ingest replaces it
        mentions = lambda word: store.lexical.mentions(word)  # noqa: E731
        reader = SignalReader(
            self.embedder, lambda: store.words, precedents, mentions, self.own_labels
        )
        # one reader of the documents' words for both rules that ask what no document names
        topics = CorpusTopics(self.store, self.roles)
        return AskService(
            self.resolver,
            self.retriever,
            params,
            self.roles,
            topics,
            (reader, NotCoveredModel.load()),
            reader,
            load_glossary(self.settings.glossary_file),
            LeadModel.load(),
            ClauseGaps(topics, self.retriever.citations),
        )

    @cached_property
    def own_labels(self) -> OwnLabels:
        """The organisation's own "answered / not answered" verdicts on questions, beside its
        index (its precedents for "not covered", and the verdict on a question asked again)."""
        return OwnLabels(Path(self.settings.data_dir) / "labels.sqlite", self.embedder.encode_query)

    @cached_property
    def roles(self) -> DocumentRoles:
        """Each indexed file's role (procedure, record, list, index), per index version."""
        return DocumentRoles(self.store)

    def conversation(self) -> Conversation:
        """A new conversation (one per browser session or ``chat``), on the shared services."""
        return Conversation(self.ask_service, _from_settings(ConversationParams, self.settings))

    @cached_property
    def grader(self) -> Grader:
        s = self.settings
        params = GraderParams(
            card_weight=s.card_weight, no_evidence_similarity=s.no_evidence_similarity
        )
        return Grader(self.retriever, self.resolver, self.catalogue, self.embedder, params)

    @cached_property
    def history(self) -> History:
        return History(Path(self.settings.data_dir) / "history.sqlite")

    @cached_property
    def interviews(self) -> InterviewService:
        return InterviewService(
            self.catalogue,
            self.store,
            self.embedder,
            self.grader,
            self.history,
            self.llm,
            own_words=self.own_words,
        )

    @cached_property
    def library(self) -> Library:
        """Where documents uploaded from the web page are kept."""
        return Library(Path(self.settings.data_dir) / "library", self.settings.max_file_bytes)

    def ingest(
        self, paths: list[Path], rebuild: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        report = self.ingestor.run(paths, rebuild=rebuild, progress=progress)
        self._read_citations(progress)
        report.set_aside = [(s.file, s.reason) for s in self.store.superseded().values()]
        return report

    def _read_citations(self, progress: Progress | None) -> None:
        """The clause-citation map, built for the new index and kept beside it
        (search/citation_cache.py) while the user is still waiting on the ingest: otherwise
        the first clause question pays for it (16 s at 20,000 passages). A no-op when it is
        already kept for this index."""
        if not self.store.manifest.chunk_count():
            return
        progress = progress or NoProgress()
        progress.stage("reading clause citations", 1)
        self.retriever.citations.refresh()
        progress.advance()
        progress.close()

    def add_documents(
        self, files: list[tuple[str, bytes]], progress: Progress | None = None
    ) -> tuple[IngestReport, list[tuple[str, str]]]:
        """Save uploaded files to the library and index them; refused files with reasons."""
        saved, refused = [], []
        for name, data in files:
            try:
                saved.append(self.library.save(name, data))
            except UsageError as exc:
                refused.append((name, str(exc)))
        report = self.ingest(saved, progress=progress) if saved else IngestReport()
        return report, refused

    def remove_document(self, path: str) -> IngestReport:
        """Out of the index; an uploaded file is deleted too (a file elsewhere is left)."""
        report = self.ingestor.remove([path])
        if self.library.contains(Path(path)):
            Path(path).unlink(missing_ok=True)
        self._read_citations(None)
        return report

    def status(self) -> IndexStatus:
        return index_status(self.store)

    @cached_property
    def llm(self) -> GroundedLlm | None:
        """The optional grounded LLM, or None (the default: everything stays offline)."""
        s = self.settings
        if s.llm_provider == "none":
            return None
        key = s.llm_api_key.get_secret_value() if s.llm_api_key else None
        model = chat_model(s.llm_provider, s.llm_model, s.llm_base_url, key)
        return GroundedLlm(model, s.llm_timeout)

    def as_new_organisation(self, key: str) -> None:
        """Answer as for a new organisation: this one's labelled questions (it is one of the
        organisations the not-covered model and the question map were fitted on) are not its
        precedents, and questions are moved by the map fitted without them."""
        if self.ask_service.not_covered is not None:
            self.ask_service.not_covered[0].leave_out(key)
        if self.retriever.question_map is not None:
            fold = QuestionMap.load_fold(self.embedder.model_id, key)
            if fold is None:
                raise UsageError(
                    f"no question map fitted without organisation {key!r} in {FOLDS_FILE.name}"
                    " (scripts/fit_question_map.py --write-folds keeps one per organisation)"
                )
            self.retriever.question_map = fold

    def ask(self, question: str, k: int | None = None) -> Answer:
        self.require_index()
        return self._with_llm(self.ask_service.ask(question, k or self.settings.top_k))

    def chat(
        self, conversation: Conversation, question: str, standalone: bool = False
    ) -> ConversationTurn:
        """One turn of a conversation (a follow-up keeps the topic; ``standalone`` asks it on
        its own), with the optional LLM's grounded rewrite as for ``ask``."""
        self.require_index()
        turn = conversation.ask(question, self.settings.top_k, standalone=standalone)
        self._with_llm(turn.answer)
        return turn

    def _with_llm(self, answer: Answer) -> Answer:
        if self.llm is not None and not answer.no_evidence:
            passages = [Passage(e.chunk.text, e.citation) for e in answer.evidence]
            result = self.llm.write("answer", passages, question=answer.question)
            answer.prose, answer.llm_notice = result.text, result.notice
            answer.llm_dropped = result.dropped
        return answer

    def coverage(self, progress: Progress | None = None) -> list[ClauseCoverage]:
        """Every clause's coverage, with the organisation's own word on it (its labels on
        clause questions) over the coverage the documents' words give."""
        rows = self._words_coverage(progress)
        verdicts = self.own_labels.on_clauses(self.ask_service.clause_asked)
        return with_own_verdicts(
            rows, verdicts, self.store.manifest.files(), self._labelled_support
        )

    def _labelled_support(
        self, clause_id: str, path: str
    ) -> tuple[Support, tuple[SupportPassage, ...]] | None:
        """A labelled document's support of a clause the words did not list, kept for the index
        version (the coverage page reads the coverage at every rerun)."""
        key = (self.store.manifest.get("last_ingest"), clause_id, path)
        if self._labelled and next(iter(self._labelled))[0] != key[0]:
            self._labelled.clear()  # another index version: none of them holds
        if key not in self._labelled:
            clause, t = self.catalogue.get(clause_id), self._thresholds()
            found = labelled_support(clause, path, self.retriever, self.embedder, self.store, t)
            self._labelled[key] = found
        return self._labelled[key]

    def _words_coverage(self, progress: Progress | None = None) -> list[ClauseCoverage]:
        """The coverage the documents' words give, worked out once per index version."""
        self.require_index()
        key = self.store.manifest.get("last_ingest")  # computed once per index version
        if self._coverage is None or self._coverage[0] != key:
            self._coverage = (
                key,
                coverage(
                    self.catalogue,
                    self.retriever,
                    self.embedder,
                    self.store,
                    self._thresholds(),
                    progress=progress,
                ),
            )
        return self._coverage[1]

    def _thresholds(self) -> CoverageThresholds:
        s = self.settings
        return CoverageThresholds(s.coverage_strong, s.coverage_moderate, s.coverage_weak)

    def examples(self) -> list[str]:
        """Example questions for the Ask page, drawn from what is indexed (neutral ones when
        nothing is), each answered from the documents; worked out once per index version (each
        candidate is asked first: about a second or two)."""
        manifest = self.store.manifest
        if manifest.chunk_count() == 0:
            return list(GENERIC_EXAMPLES)
        key = manifest.get("last_ingest")
        if self._examples is None or self._examples[0] != key:
            questions = example_questions(
                self.catalogue,
                self._coverage_row,
                manifest.all_chunks(),
                lambda file: self.roles.of(file) == PROCEDURE,
                lambda question: self.ask_service.ask(question, self.settings.top_k),
            )
            self._examples = (key, questions)
        return self._examples[1]

    def own_words(self) -> dict[str, str]:
        """The organisation's own words for the catalogue's neutral ones ("instrument" ->
        "handheld probe"), from the procedure that best meets each clause; per index version."""
        manifest = self.store.manifest
        if manifest.chunk_count() == 0:
            return {}
        key = manifest.get("last_ingest")
        if self._own_words is None or self._own_words[0] != key:
            self._own_words = (key, own_words(self._coverage_row, manifest.all_chunks()))
        return self._own_words[1]

    def _coverage_row(self, clause_id: str) -> ClauseCoverage:
        """One clause's coverage row: read from the whole coverage when it is worked out for
        this index version (the same row either way), else worked out alone."""
        key = self.store.manifest.get("last_ingest")
        if self._coverage and self._coverage[0] == key:
            row = next((r for r in self._coverage[1] if r.clause_id == clause_id), None)
            if row is not None:
                return row
        clause, t = self.catalogue.get(clause_id), self._thresholds()
        return clause_coverage(clause, self.retriever, self.embedder, self.store, t)

    def require_index(self) -> None:
        """Raise a one-line error people can act on when nothing is indexed yet."""
        if self.store.manifest.chunk_count() == 0:
            from assistant.index.lock import lock_holder

            if holder := lock_holder(self.store.lock_path):
                raise IndexMissingError(
                    f"the first ingest into {self.settings.data_dir} is still running "
                    f"({holder}); ask again when it has finished"
                )
            raise IndexMissingError(
                f"nothing is indexed in {self.settings.data_dir}; run: assistant ingest PATH"
            )

    def warm_up(self) -> None:
        """Load the model and indexes now (the web app calls this behind a spinner); one
        real question also builds the clause-citation map, so the first answer is quick."""
        self.embedder.encode_query("warm up")
        _ = self.store.reader, self.store.lexical
        if self.store.manifest.chunk_count():
            self.ask_service.ask("How do we meet clause 7.1.5?")


def build(settings: Settings) -> Assistant:
    return Assistant(settings)
