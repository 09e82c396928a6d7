"""The ask use case: resolve clauses, plan queries, retrieve, decide evidence vs gap, compose."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.core.models import Citation, Evidence
from assistant.core.text import FUNCTION_WORDS, asks_about_policy, is_policy_section, terms
from assistant.search.clause_resolver import ClauseMatch, ClauseResolver, naming_passage
from assistant.search.clauses import Clause
from assistant.search.crosswalk import Bridge, bridges, crosswalk
from assistant.search.exclusions import (
    Exclusion,
    citing,
    declared_excluded,
    excluded_clause,
    first_documents,
    more_documents,
)
from assistant.search.glossary import Glossary, GlossaryEntry
from assistant.search.retrieval import (
    DocumentHit,
    Query,
    RetrievalResult,
    Retriever,
    document_score,
)
from assistant.search.roles import ABOUT, PROCEDURE, DocumentRoles, asks_for_record
from assistant.usecases.clause_needs import ClauseGaps, ClauseNeed, clause_need, other_part
from assistant.usecases.composer import (
    Answer,
    Closeness,
    Quote,
    document_label,
    procedure_answers,
)
from assistant.usecases.lead_choice import LeadModel
from assistant.usecases.not_covered import LEAD_PASSAGES, NotCoveredModel, SignalReader
from assistant.usecases.other_standards import (
    CorpusTopics,
    OtherStandardTopic,
    other_standard_topic,
)
from assistant.usecases.own_labels import Label, LabelLead, OwnLabels, lead_index

# Words that frame a clause question as an audit visit rather than say what it asks about
# ("The auditor wants to look at clause 8.5.1 next week, what should I have ready?"). Searched
# as words, they led the internal-audit procedure over the clause's (docs/retrieval.md).
# core.text.FUNCTION_WORDS (want, would, she, about...) are left out with them (``plan``).
CLAUSE_FRAMING = frozenset(
    "auditor auditors assessor assessors certification surveillance visit next week "
    "month tomorrow ready look looking covers cover covered satisfy satisfies meet meets point "
    "asks asked address addresses deals deal shows show see says handle handles prepare pull "
    "documents procedures "
    # stop 49: "what do I put in front of the auditor", "she'll be sampling 8.5.3", "the
    # auditor's asking about ...", "what's our evidence for that one?"
    "put putting front hand evidence ask asking sample sampling going "
    "external body agenda expect expects bring present".split()
)
# What a clause question's words beyond the reference must have two of to be searched: neither
# framing nor function words (``plan``; stop 50, docs/retrieval.md).
NOT_ASKED = CLAUSE_FRAMING | FUNCTION_WORDS


@dataclass(frozen=True)
class AskParams:
    card_weight: float
    synonym_weight: float
    answer_documents: int
    document_score_ratio: float
    no_evidence_similarity: float
    topic_rule_similarity: float
    gap_similarity: float
    record_weight: float
    carried_cite_boost: float
    about_weight: float = 1.0
    word_rerank_weight: float = 0.0
    carried_rerank_weight: float = 0.0
    word_rerank_documents: int = 16
    word_rerank_passages: int = 2
    glossary_weight: float = 0.0
    glossary_queries: int = 2
    glossary_below: float = 1.0
    glossary_gap: int = 0
    clause_words_weight: float = 1.0
    record_lead_reach: int = 0
    policy_weight: float = 1.0
    standard_card_weight: float = 0.0
    standard_cards: int = 1
    # a labelled question at this cosine or closer leads with the document it names (above 1:
    # off); the settings' default is fitted (scripts/own_label_lead_eval.py)
    label_lead_similarity: float = 2.0
    # a plain question this close to a labelled one (another wording of it) gets that label's
    # verdict (above 1: only a question in the same words); the settings' default is measured
    # (scripts/own_labels_eval.py --verdict-lines)
    label_verdict_similarity: float = 2.0
    # a label on a question about one clause speaks for the clause: a question on it is led by
    # the documents it names (``_lead_with_label``) and gets its verdict (``_own_label``)
    clause_labels: bool = False


@dataclass
class AskPlan:
    """What is searched for a question; a conversation may add to it before it is run."""

    question: str
    matches: list[ClauseMatch]
    clause_mode: bool
    queries: list[Query]
    clauses: list[Clause]
    gap_query: str  # its best cosine decides "not covered"
    # Clauses whose citations are boosted (default: the clauses asked about).
    boost_clauses: list[str] | None = None


class AskService:
    def __init__(
        self,
        resolver: ClauseResolver,
        retriever: Retriever,
        params: AskParams,
        roles: DocumentRoles | None = None,
        topics: CorpusTopics | None = None,
        not_covered: tuple[SignalReader, NotCoveredModel] | None = None,
        word_reader: SignalReader | None = None,
        glossary: Glossary | None = None,
        lead_model: LeadModel | None = None,
        gaps: ClauseGaps | None = None,
    ) -> None:
        self.resolver = resolver
        self.retriever = retriever
        self.params = params
        self.roles = roles
        self.topics = topics
        # The fitted "not covered" model and what reads its signals (the factory always gives
        # them); without them, as in an AskService built by hand to measure a rule alone, the
        # cosine line decides.
        self.not_covered = not_covered
        # Reads the question's and the passages' words for the re-ranking (``_rerank_by_words``;
        # the factory gives the not-covered model's reader, so both read a question once).
        self.word_reader = word_reader
        self.glossary = glossary
        # The fitted scorer of the short answer's sentences (usecases/lead_choice.py; the
        # factory gives the shipped one); None: the hand-set scorer in the composer.
        self.lead_model = lead_model
        # Whether the documents are silent on a clause need a plain question names
        # (usecases/clause_needs.py); None, as built by hand to measure other rules: not asked.
        self.gaps = gaps

    def plan(self, question: str) -> AskPlan:
        """How a question is searched: a clause question by its clause cards (and any words
        beyond the reference), any other question by its own words."""
        p = self.params
        matches = self.resolver.resolve(question)
        clause_mode = self.resolver.is_clause_question(question, matches)
        queries = [Query(question)]
        clauses: list[Clause] = []
        gap_query = question
        if clause_mode:
            # "How do we meet clause 7.1.5?" asks nothing beyond the clause: its card is the
            # query. Words beyond the reference ("... and who keeps the records?") still count.
            rest = self.resolver.strip_references(question)
            # Stop 50: with the function words left out too, three clause questions of the
            # fitting sets ("The auditor says she'll start tomorrow with clause 8.1. What do
            # we show her?") rank their procedure higher as new and none lower.
            own_words = len(terms(rest) - NOT_ASKED) >= 2 and p.clause_words_weight > 0
            queries = [Query(rest, p.clause_words_weight)] if own_words else []
            clauses = self.resolver.asked_clauses(question, matches)
            queries += self.card_queries(clauses)
            gap_query = clauses[0].embedding_text()
        else:
            queries += self.glossary_queries(question)
            if matches and p.synonym_weight > 0:
                c = self.resolver.catalogue.get(matches[0].clause_id)
                queries.append(Query(f"{c.title}. {', '.join(c.synonyms)}", p.synonym_weight))
            elif not matches and self.resolver.speaks_of_standard(question):
                queries += self.standard_card_queries(question)
        return AskPlan(question, matches, clause_mode, queries, clauses, gap_query)

    def glossary_queries(self, question: str) -> list[Query]:
        """The quality system's words for the practices the question names in everyday words
        ("an idea" -> "improvement suggestion"), each searched beside it, unless the question
        already uses them."""
        p = self.params
        if self.glossary is None or p.glossary_weight <= 0:
            return []
        own = terms(question)
        entries = [
            e for e in self.glossary.matches(question, p.glossary_gap) if not terms(e.terms) <= own
        ]

        # Only for a question its own words do not find well (``glossary_below``, or the entry's
        # own fitted gate): searched for every matching question, gstt-csc lost at every weight
        # ("code change" pulled its design-change procedure over the code review asked about;
        # docs/retrieval.md). A gate of 1 is "always" (inf: no cosine reaches it), still marked
        # as a glossary query for the note above the answer.
        def gate(entry: GlossaryEntry) -> float:
            below = p.glossary_below if entry.below is None else entry.below
            return below if below < 1 else math.inf

        return [
            Query(e.terms, p.glossary_weight, only_below=gate(e))
            for e in entries[: p.glossary_queries]
        ]

    @staticmethod
    def _glossary_notes(queries: list[Query], result: RetrievalResult) -> list[str]:
        """Said above the answer, as a search engine says what else it searched: the glossary's
        words, when the retriever searched them (it records each searched query's cosine)."""
        return [
            f'Also searched for "{q.text}", the quality system\'s words for what you asked'
            for q in queries
            if q.only_below is not None and q.text in result.similarity
        ]

    def standard_card_queries(self, question: str) -> list[Query]:
        """A question that speaks of the standard but names no clause ("How do we check our
        customers are happy, for ISO 9001?"): the cards of the clauses closest in meaning to its
        words, searched for their meaning beside it at ``standard_card_weight``."""
        p = self.params
        if p.standard_card_weight <= 0 or p.standard_cards <= 0:
            return []
        rest = self.resolver.strip_references(question)
        if not terms(rest):
            return []
        catalogue = list(self.resolver.catalogue)
        closeness = self.retriever.card_vectors(catalogue) @ self.retriever.vector(Query(rest))
        return [
            Query(catalogue[i].embedding_text(), p.standard_card_weight, lexical=False, fixed=True)
            for i in np.argsort(-closeness)[: p.standard_cards]
        ]

    def card_queries(self, clauses: list[Clause]) -> list[Query]:
        """A clause card as queries: its meaning for the dense search, its words for BM25."""
        w = self.params.card_weight
        queries: list[Query] = []
        for c in clauses:
            queries += [
                Query(c.embedding_text(), w, lexical=False, fixed=True),
                Query(c.keyword_text(), w, dense=False),
            ]
        return queries

    def ask(self, question: str, k: int = 5) -> Answer:
        return self.answer(self.plan(question), k)

    def answers_alone(self, question: str) -> bool:
        """Whether the question, asked on its own, is answered (not "not covered")."""
        return not self.ask(question).no_evidence

    def _named_nowhere(
        self, topic: OtherStandardTopic | None, similarity: float, spoken_of: bool
    ) -> bool:
        """The topic of another standard a question is on is named by no indexed passage, and
        nothing suggests the documents say it in other words: ``similarity`` (the best cosine of
        the question's own words, a follow-up's without its topic) stays below
        ``topic_rule_similarity`` and (unless the topic is a named method) no passage the
        answer leads with has the question's words for the topic in its title or heading ("data
        breach": "Disclosure of sensitive data"): ``spoken_of``, ``_spoken_of``'s answer."""
        if topic is None or self.topics is None:
            return False
        if similarity >= self.params.topic_rule_similarity:
            return False
        return not spoken_of

    def _spoken_of(self, topic: OtherStandardTopic | None, passages: list[Evidence]) -> bool:
        """The documents speak of the question's topic: an indexed passage names it, or (for a
        topic the documents may call otherwise) a passage the answer leads with has the
        question's words for it in its title or heading (``found_by_headings``)."""
        if topic is None or self.topics is None:
            return False
        headings = " ".join(f"{e.chunk.title} {e.chunk.heading}" for e in passages[:LEAD_PASSAGES])
        if topic.found_by_headings and terms(topic.words) & terms(headings):
            return True
        return self.topics.names(topic)

    def _says_where_met(self, clauses: list[Clause], docs: Sequence[DocumentHit]) -> bool:
        """A document the answer leads with cites the clause, or the organisation's own clause
        map names it for it, or one of its passages labels a part with the clause's name (a
        manual's "Organisational knowledge: ..."): it says where the clause is met, however its
        words compare."""
        return any(
            d.cites_clause or naming_passage((e.chunk for e in d.passages), clauses) is not None
            for d in docs
        )

    def _nothing_answers(
        self, answer: Answer, plan: AskPlan, result: RetrievalResult, line: float, spoken_of: bool
    ) -> tuple[bool, bool]:
        """(nothing found answers the question, the fitted model doubts it does). Nothing
        answers a clause question (or, without the fitted model, any question) when the best
        cosine is below ``line``; a plain question when the fitted model says so
        (``not_covered.py``, which also keeps its signals on the answer). A follow-up judged
        with the topic it continues ("<earlier question> what if we miss it?") keeps the line:
        the model was fitted on questions asked on their own, and on conversations it moved two
        sample turns the wrong way and none the right way (docs/conversation.md). ``spoken_of``:
        the documents speak of the question's topic (``_spoken_of``)."""
        similarity = result.similarity.get(plan.gap_query, 0.0)
        if plan.clause_mode or self.not_covered is None or plan.gap_query != plan.question:
            return similarity < line, False
        reader, model = self.not_covered
        vector = result.vectors.get(plan.gap_query)
        signals = reader.read(plan.gap_query, similarity, answer.evidence, vector, spoken_of)
        probability = model.probability(signals)
        answer.signals = {**signals.as_dict(), "probability": round(probability, 4)}
        return model.not_covered(signals), model.doubtful(probability)

    def _exclusions(
        self, clauses: list[Clause], asked: list[Bridge]
    ) -> tuple[list[Exclusion], list[Bridge]]:
        """What declares every asked clause excluded (nothing unless all are: a question on
        8.3 and 8.4 is answered for 8.4). Asked by another standard's number ("ISO 13485
        7.5.5"), what declares that clause excluded: the organisation left out the sterile-
        product clause, not ISO 9001's production control 8.5.1 it shares with six others.
        With them, the other standard's clauses they were found for (none: by ISO 9001's)."""
        citations = self.retriever.citations
        citations.refresh()
        if asked:
            by_number = [declared_excluded(b.code, b.number, citations.declared) for b in asked]
            if all(by_number):
                return [e for es in by_number for e in es], asked
        per_clause = [excluded_clause(c.id, citations.excluded) for c in clauses]
        if not per_clause or not all(per_clause):
            return [], []
        return [e for es in per_clause for e in es], []

    def _cited_anyway(
        self, found: list[Exclusion], clauses: list[Clause]
    ) -> tuple[list[Quote], str]:
        """Where other documents cite the excluded clause (or an ISO 9001 clause asked, excluded
        through it) all the same, quoted, and a sentence saying so ("" for none): the exclusion
        and they cannot both stand."""
        cited, more = first_documents(
            citing(found, [c.id for c in clauses], self.retriever.citations.cited_anyway)
        )
        quotes = self._excluded_quotes(cited)
        if not quotes:
            return [], ""
        # a document whose words could not be quoted verbatim is counted, not named
        more += len({c.file for c in cited} - {q.citation.file for q in quotes})
        labels = (
            document_label(q.citation.doc_no, q.citation.title, q.citation.file) for q in quotes
        )
        named = list(dict.fromkeys(labels))
        clauses_cited = ", ".join(dict.fromkeys(f"ISO {c.standard} {c.number}" for c in cited))
        verb = "cites" if len(named) == 1 and not more else "cite"
        shown = f"the first {len(named)} quoted below" if more else "quoted below"
        return quotes, (
            f"Yet {'; '.join(named)}{more_documents(more)} {verb} {clauses_cited} all the same "
            f"({shown}): an auditor will ask how that fits the exclusion."
        )

    def _excluded_quotes(self, found: Sequence[Exclusion]) -> list[Quote]:
        """Each exclusion's words, quoted from its passage (verbatim, or not shown)."""
        chunks = self.retriever.store.manifest.chunks_by_id({e.chunk_id for e in found})
        quotes: dict[tuple[str, str], Quote] = {}
        for e in found:
            c = chunks.get(e.chunk_id)
            if c is not None and e.quote in c.text:
                citation = Citation(c.file, c.heading, c.page, c.doc_no, c.title)
                quotes.setdefault((c.file, e.quote), Quote(e.quote, citation, c.text))
        return list(quotes.values())

    @staticmethod
    def _excluded_message(
        clauses: list[Clause],
        found: list[Exclusion],
        quotes: list[Quote],
        asked_by: list[Bridge],
    ) -> str:
        """ "Clause 8.3 (...) is excluded from our quality management system: BW-QM-01 says so";
        through another standard, which of its clauses the documents declare not applicable."""
        labels = (
            document_label(q.citation.doc_no, q.citation.title, q.citation.file) for q in quotes
        )
        where = "; ".join(dict.fromkeys(labels))
        if asked_by:
            # asked by another standard's number: that clause is out, its ISO 9001
            # counterpart may well be met through its other parts
            named = ", ".join(f"{b.standard} {b.number} ({b.topic})" for b in asked_by)
            counterparts = ", ".join(dict.fromkeys(i for b in asked_by for i in b.iso9001))
            verb = "is" if len(asked_by) == 1 else "are"
            return (
                f"{named} {verb} declared not applicable in our quality management system: {where} "
                f"says so, quoted below. Its ISO 9001:2015 counterpart ({counterparts}) may "
                "still be met through its other parts: ask about it to see how."
            )
        asked = ", ".join(f"{c.id} ({c.title})" for c in clauses)
        others = sorted({f"ISO {e.standard} {e.number}" for e in found if e.standard != "9001"})
        through = f" (through {', '.join(others)}, declared not applicable)" if others else ""
        return (
            f"Clause {asked} is excluded from our quality management system{through}: {where} "
            "says so, quoted below. An auditor will ask for the reasons; they should be there too."
        )

    @property
    def _own_labels(self) -> OwnLabels | None:
        """The organisation's labels (kept with the "not covered" reader, which reads them as
        precedents); None without that reader."""
        return self.not_covered[0].own_labels if self.not_covered is not None else None

    def _own_label(
        self, plan: AskPlan, result: RetrievalResult
    ) -> tuple[Label | None, float | None]:
        """The organisation's word on this question and, when it was given on another wording,
        that wording's cosine: for a plain question asked on its own, its label in these words,
        else the label of the closest labelled question at ``label_verdict_similarity`` or
        closer (asked by the same numbers); for a question on one clause, the newest label on a
        question about that clause, in these words or others (the clause is the same: the
        coverage reads it so too)."""
        labels = self._own_labels
        if labels is None:
            return None, None
        if plan.clause_mode:
            return self._clause_label(plan, labels)[1], None
        if plan.gap_query != plan.question:
            return None, None
        label = labels.of(plan.question)
        vector = result.vectors.get(plan.question)
        if label is not None or vector is None or self.params.label_verdict_similarity > 1:
            return label, None
        found = labels.nearest(plan.question, vector, self.params.label_verdict_similarity)
        return found if found is not None else (None, None)

    def _clause_label(self, plan: AskPlan, labels: OwnLabels) -> tuple[str, Label | None]:
        """The one clause the question is about ("" for none, or with ``clause_labels`` off)
        and the organisation's newest label on a question about it."""
        clause = self.resolver.one_clause(plan.clauses) if self.params.clause_labels else ""
        return clause, labels.on_clauses(self.clause_asked).get(clause) if clause else None

    def _standards_named_nowhere(self, question: str) -> list[str]:
        """The other standards the question cites that no indexed document names, and that a
        quality system cannot answer for: those we have no cross-reference for, and other
        management systems (ISO 14001, 45001), whose clauses a quality procedure does not claim
        to meet. ISO 13485, a quality-system standard, is always answered through ISO 9001."""
        named_nowhere = []
        for number in self.resolver.other_standards(question):
            table = crosswalk(number)
            if table is not None and table.same_system:
                continue
            if not self.retriever.store.lexical.mentions(number):
                named_nowhere.append(number)
        return named_nowhere

    def _weigh_roles(self, documents: list[DocumentHit], clause_mode: bool) -> None:
        """Documents that are not procedures weighed down, then sorted again."""
        p = self.params
        if p.about_weight == 1.0 and (not clause_mode or p.record_weight == 1.0):
            return
        for d in documents:
            d.score *= self._role_weight(d, clause_mode)
        documents.sort(key=lambda d: -d.score)

    def _role_weight(self, d: DocumentHit, clause_mode: bool) -> float:
        """What a document's role weighs it by (1 without roles)."""
        if self.roles is None:
            return 1.0
        p, role, weight = self.params, self.roles.of(d.file), 1.0
        # A README or changelog describes the folder, not a practice: every question.
        if role == ABOUT:
            weight *= p.about_weight
        # A clause question asks which procedure meets it: forms, lists and clause maps that
        # share its words count at record_weight (their passages stay citable).
        if clause_mode and role != PROCEDURE:
            weight *= p.record_weight
        return weight

    def _policy_weight(self, question: str, clause_mode: bool) -> float:
        """What a quality-policy passage counts for in this question (``is_policy_section``): 1 in
        a clause question, one about the policy, its commitments or objectives, or one that
        speaks of the standard ("..., for ISO 9001?": the policy's commitments are part of how
        a requirement is met, and a manual's policy section may cite the clauses it meets);
        else ``policy_weight``."""
        if clause_mode or asks_about_policy(question) or self.resolver.speaks_of_standard(question):
            return 1.0
        return self.params.policy_weight

    def _weigh_policy(self, documents: list[DocumentHit], weight: float) -> bool:
        """A document whose first passages include its quality policy is scored again from its
        passages with the policy's weighed by ``weight``, its next passage stepping in. True
        when an order may have changed."""
        if weight == 1.0:
            return False
        changed = False
        for d in documents:
            first = d.passages[:3]
            weights = [weight if is_policy_section(e.chunk.heading) else 1.0 for e in first]
            if min(weights[:2]) == 1.0:  # the policy is not among the passages that score it
                continue
            second = self.retriever.params.doc_second_weight
            before = document_score([e.score for e in first[:2]], second)
            after = document_score(
                [e.score * w for e, w in zip(first, weights, strict=True)], second
            )
            if before > 0:
                d.score *= after / before
                changed = True
        if changed:
            documents.sort(key=lambda d: -d.score)
        return changed

    def _lead_with_named_procedure(self, question: str, documents: list[DocumentHit]) -> None:
        """A form, list or map ranked first hands the lead to a procedure it names among the
        next ``record_lead_reach`` documents, unless the question asks for the form itself.
        The form shares the words of the situation it records ("a clinic rang: our software
        gave a wrong result", openregulatory's incident assessment form); the procedure it
        names as its own ("related documents: SOP Vigilance") says what to do. The form
        stays second, citable beside it."""
        reach = self.params.record_lead_reach
        if self.roles is None or reach <= 0 or len(documents) < 2 or asks_for_record(question):
            return
        lead = documents[0]
        if self.roles.of(lead.file) == PROCEDURE:
            return
        named = self.roles.procedures_named_by(lead.file)
        for i, d in enumerate(documents[1 : 1 + reach], start=1):
            if d.file in named:
                _to_first(documents, i)
                return

    def _lead_with_label(self, plan: AskPlan, result: RetrievalResult) -> LabelLead | None:
        """The organisation marked a question close to this one as answered by a document it
        named: that document, among those found, leads (its score rises to the lead's, as a
        form's procedure does). The label speaks for this organisation's documents, which the
        fitted rankers never saw. A question asked by other numbers is another question."""
        labels = self._own_labels
        vector = result.vectors.get(plan.question)
        threshold = self.params.label_lead_similarity
        if labels is None or not result.documents:
            return None
        found = (
            labels.leading(plan.question, vector, threshold)
            if vector is not None and threshold <= 1
            else None
        )
        label, cosine = found if found is not None else (None, None)
        clause = ""
        if label is None:
            # A question on one clause, by number or by name, is led by the documents the
            # organisation named for a question on that clause, however it was worded: the
            # clause is the same, the words need not be ("For 8.4, what do I show?" and "How
            # do we keep control of outside suppliers, for the auditor?").
            clause, label = self._clause_label(plan, labels)
        if label is None or not label.documents:
            return None
        documents = result.documents
        i = lead_index([d.file for d in documents], label.documents)
        # Not among the candidates: nothing of it to quote. Already first: the label changed
        # nothing, and a note would claim it did.
        if not i:
            return None
        _to_first(documents, i)
        lead = documents[0].best.chunk
        name = document_label(lead.doc_no, lead.title, lead.file)
        return LabelLead(label, name, cosine, clause)

    def clause_asked(self, question: str) -> str:
        """The one clause a question is about, as the Ask page reads it (``one_clause``); ""
        for a plain question or one on several clauses."""
        return self.resolver.one_clause(self.resolver.asked_clauses(question))

    def answer(self, plan: AskPlan, k: int = 5) -> Answer:
        """Search as planned, then decide evidence or gap and compose the offline answer."""
        p = self.params
        question, matches, clause_mode = plan.question, plan.matches, plan.clause_mode
        queries, clauses, gap_query = plan.queries, plan.clauses, plan.gap_query
        boost = plan.boost_clauses if plan.boost_clauses is not None else [c.id for c in clauses]
        # A conversation's carried clauses are a guess at what the turn is about, not a clause
        # asked for: their citations count for less (carried_cite_boost).
        carried = p.carried_cite_boost if plan.boost_clauses is not None else None
        result = self.retriever.search(queries, k, boost or None, clause_mode, carried)
        if self.roles is not None:
            self._weigh_roles(result.documents, clause_mode)
        # A follow-up is read with the topic it continues ("What happens if we miss it?" after
        # an objective), as "not covered" reads it.
        policy_weight = self._policy_weight(plan.gap_query, clause_mode)
        policy = self._weigh_policy(result.documents, policy_weight)
        # A plain question asked on its own, at the weight fitted for it; a follow-up by its
        # topic and its own words together (``gap_query``), at its own weight.
        own = plan.gap_query == question
        reranked = not clause_mode and self._rerank_by_words(
            plan.gap_query,
            result.documents,
            p.word_rerank_weight if own else p.carried_rerank_weight,
            policy_weight,
        )
        if not clause_mode:
            self._lead_with_named_procedure(question, result.documents)
        led = self._lead_with_label(plan, result)

        similarity = result.similarity.get(gap_query, 0.0)
        threshold = p.gap_similarity if clause_mode else p.no_evidence_similarity
        answer = Answer(
            question,
            "clause" if clause_mode else "plain",
            [m for m in matches if m.clause_id in {c.id for c in clauses}],
            clauses,
            evidence=result.passages,
            similarity=similarity,
            ranked_files=[d.file for d in result.documents],
            closeness=self._closeness(plan.question, result.vectors),
            passages_by_file={d.file: d.passages for d in result.documents},
            lead_model=self.lead_model,
        )
        if led is not None:
            answer.label_lead = led.note()
        extra = " ".join(c.keyword_text() for c in clauses)
        docs = result.documents
        if docs:
            top = docs[0].score
            docs = [d for d in docs if d.score >= p.document_score_ratio * top]
        answer.procedures = procedure_answers(
            docs, question, extra, p.answer_documents, None if clause_mode else answer.closeness
        )
        # "Which procedure covers ISO 27001 clause 5.4?" must not be answered from whatever is
        # closest when no indexed document even names that standard.
        unknown = self._standards_named_nowhere(question)
        asked = bridges(question)
        answer.bridges = (
            [b.note() for b in asked if b.iso9001 and b.code not in unknown] if clause_mode else []
        )
        answer.bridges += self._glossary_notes(queries, result)
        # Whether the documents speak of the question's topic, read once: the "not covered"
        # model's precedent and the topic rule below both ask it (a BM25 query and a read).
        # A question asked by a clause's number or title is about the clause. One taken for a
        # clause question only for a word ("Do we follow 5S or a similar standard?", "Is there
        # any requirement to run gauge R&R?") may still be on a method or another standard's
        # topic that no document names.
        about_clause = clause_mode and self.resolver.names_a_clause(plan.matches)
        topic = None if about_clause else other_standard_topic(question)
        spoken_of = self._spoken_of(topic, result.passages)
        below, doubted = self._nothing_answers(answer, plan, result, threshold, spoken_of)
        # A plain question on another standard's topic that no indexed document even names
        # ("gifts or hospitality") is not covered, however close its other words come. A
        # follow-up is judged by its own words' closeness: the topic it carries is close to the
        # documents whatever the turn asks ("What about holiday pay?" after gauges).
        own_similarity = result.similarity.get(question, similarity)
        unnamed = topic if self._named_nowhere(topic, own_similarity, spoken_of) else None
        # A plain question asking what a clause asks for ("when a senior developer leaves, how do
        # we keep what they know?", 7.1.6) in an organisation whose documents never speak of it
        # is a possible gap on that clause, by the topic rule's similarity limit; a question in
        # two parts is answered, with its first part's gap said.
        need = None if clause_mode else self._unmet_need(question, own_similarity)
        split = need is not None and other_part(question, need)
        # The organisation said whether its documents answer this very question, or one in other
        # words this close (own_labels.py): its word stands over every rule and the model, so it
        # is not contradicted a second time.
        label, like = self._own_label(plan, result)
        # (nothing found: nothing indexed that could say so either)
        found, asked_by = (
            self._exclusions(clauses, asked) if clause_mode and result.passages else ([], [])
        )
        excluded = self._excluded_quotes(found) if found else []
        if excluded:
            # The organisation says it leaves the clause out: that, quoted, is the answer an
            # auditor expects (with its reasons, in the passage), not the nearest procedure.
            answer.no_evidence, answer.decided_by = True, EXCLUDED
            answer.excluded = excluded
            answer.procedures = []  # nothing "meets" it: the quotes say why
            # the documents that say so lead: they are where the answer is
            saying = list(dict.fromkeys(q.citation.file for q in excluded))
            answer.ranked_files = saying + [f for f in answer.ranked_files if f not in saying]
            answer.closest = closest_documents(result.documents)
            answer.message = self._excluded_message(clauses, found, excluded, asked_by)
            answer.cited_anyway, note = self._cited_anyway(found, clauses)
            answer.message = " ".join(filter(None, [answer.message, note]))
            # not "is met through 8.5.1": the message says how the two stand
            notes = {b.note() for b in asked_by}
            answer.bridges = [n for n in answer.bridges if n not in notes]
        elif label is not None and (result.passages or not label.answered):
            if not label.answered:
                answer.no_evidence, answer.decided_by = True, OWN_LABEL
                answer.closest = closest_documents(result.documents)
                closest = "; ".join(answer.closest) or "none"
                given = f"{label.origin or 'a label'}, {label.day()}"
                if clause_mode:
                    said = (
                        f"Possible gap: clause {clauses[0].id} ({clauses[0].title}) was marked as "
                        f'not met by our documents ("{label.question}", {given}).'
                    )
                elif like is None:
                    said = f"Marked as not answered by our documents ({given})."
                else:
                    said = (
                        f'A question like this one ("{label.question}", {like:.2f} alike) was '
                        f"marked as not answered by our documents ({given})."
                    )
                answer.message = f"{said} Closest documents: {closest}."
        elif unknown:
            answer.no_evidence, answer.decided_by = True, UNKNOWN_STANDARD
            named = ", ".join(f"ISO {n}" for n in unknown)
            answer.message = (
                f"No indexed document mentions {named}; this assistant covers ISO 9001:2015 and "
                "the documents you index. Index that system's documents to ask about it."
            )
            counterparts = [b.counterpart() for b in asked if b.code in unknown]
            answer.message = " ".join([answer.message, *counterparts])
        elif unnamed is not None:
            answer.no_evidence, answer.decided_by = True, TOPIC_NAMED_NOWHERE
            answer.closest = closest_documents(result.documents)
            answer.other_standard = unnamed.standard.standard
            # A form's example entry may name it ("log in with email and password"): the
            # refusal must not then say no document does.
            forms = self.topics is not None and self.topics.only_forms_name(unnamed)
            answer.message = (
                "The indexed procedures do not appear to cover this: none of them mentions "
                f"{unnamed.topic}"
                f"{' (only a form or template names it)' if forms else ''}, "
                f"{unnamed.standard.matter()}. "
                f"Closest documents: {'; '.join(answer.closest) or 'none'}."
            )
        elif need is not None and not split:
            answer.no_evidence, answer.decided_by = True, CLAUSE_NEED_NAMED_NOWHERE
            answer.closest = closest_documents(result.documents)
            answer.message = (
                f"Possible gap: {self._need_note(need)}. Closest documents: "
                f"{'; '.join(answer.closest) or 'none'}."
            )
        elif (
            not result.passages
            or (
                below
                # A document the answer leads with that cites the clause, that the organisation's
                # own clause map names for it, or that labels a section with the clause's name,
                # says where it is met, however its words compare (``_says_where_met``).
                and not (clause_mode and self._says_where_met(clauses, docs[: p.answer_documents]))
            )
        ):
            answer.no_evidence = True
            answer.decided_by = "gap" if clause_mode else "not covered"
            answer.closest = closest_documents(result.documents)
            closest = "; ".join(answer.closest) or "none"
            if clause_mode:
                answer.message = (
                    f"Possible gap: none of the indexed procedures appears to cover clause "
                    f"{clauses[0].id} ({clauses[0].title}). Closest documents: {closest}."
                )
            else:
                if (
                    topic
                    and not topic.standard.standard
                    and self.topics
                    and self.topics.names(topic)
                ):
                    # A method the documents do name (QP-12's 8D) is not what is missing: "a
                    # method ISO 9001 leaves each organisation to choose" would read as the
                    # reason ("Do we pay people on an 8D team a bonus?").
                    topic = None
                answer.other_standard = topic.standard.standard if topic else ""
                why = f" {topic.note()}." if topic else ""
                answer.message = (
                    f"The indexed procedures do not appear to cover this.{why} "
                    f"Closest documents: {closest}."
                )
        if need is not None and split and not answer.no_evidence:
            answer.bridges.append(f"One part is a possible gap: {self._need_note(need)}")
        if doubted and not answer.no_evidence and label is None:  # shown, and the model doubts it
            answer.caution = CAUTION
        if reranked or policy or led is not None:
            # The passages shown, and the short answer's leading document, follow the
            # documents' new order (each document's passages in their own order), after "not
            # covered" was decided on the passages the model was fitted on.
            order = {d.file: n for n, d in enumerate(result.documents)}
            answer.evidence = sorted(answer.evidence, key=lambda e: order.get(e.chunk.file, 0))
        return answer

    def _unmet_need(self, question: str, similarity: float) -> ClauseNeed | None:
        """The clause need the question names when the documents are silent on it
        (``ClauseGaps``) and nothing comes close enough to say it in other words (its own
        words' best cosine below ``topic_rule_similarity``, the topic rule's limit)."""
        need = clause_need(question)
        if need is None or self.gaps is None:
            return None
        if similarity >= self.params.topic_rule_similarity or not self.gaps.silent_on(need):
            return None
        return need

    def _need_note(self, need: ClauseNeed) -> str:
        """'keeping the know-how ... is what clause 7.1.6 (Organizational knowledge) asks for,
        and no indexed document speaks of it or cites the clause', without a full stop: a note
        beside an answer gets its own where it is shown, as every bridge note does."""
        clause = self.resolver.catalogue.get(need.clause)
        return (
            f"{need.need} is what clause {clause.id} ({clause.title}) asks for, and no indexed "
            "document speaks of it or cites the clause"
        )

    def _closeness(self, question: str, vectors: dict[str, np.ndarray]) -> Closeness:
        """Sentences' cosines to the question, for choosing the short answer's and the
        procedures' quotes: worked out only when they are shown (the question's vector is the
        search's when it has one), each sentence once (the short answer reads the leading
        document's passages, which its procedure's quotes read again)."""
        known: dict[str, float] = {}
        asked = vectors.get(question)  # the search's; else worked out on first use

        def closeness(sentences: Sequence[str]) -> np.ndarray:
            nonlocal asked
            embedder = self.retriever.embedder
            new = list(dict.fromkeys(s for s in sentences if s not in known))
            if new:
                if asked is None:
                    asked = embedder.encode_query(question)
                cosines = np.asarray(embedder.encode(new)) @ asked
                known.update(zip(new, (float(c) for c in cosines), strict=True))
            return np.array([known[s] for s in sentences])

        return closeness

    def _rerank_by_words(
        self, question: str, documents: list[DocumentHit], weight: float, policy: float = 1.0
    ) -> bool:
        """The first documents re-ranked by how closely the question's subject words are
        matched, in context, by the words of their best passages (``word_rerank_*``): a
        document that speaks of the thing asked rises over one that only shares its subject.
        ``weight``: a plain question's or a follow-up's; ``policy``: what a quality-policy
        passage's match counts for (``_policy_weight``). True when it ran."""
        p = self.params
        reader = self.word_reader
        if reader is None or weight <= 0 or not documents:
            return False
        top = documents[: p.word_rerank_documents]
        read = [d.passages[: p.word_rerank_passages] for d in top]
        matches = iter(reader.word_matches(question, [e for found in read for e in found]))
        for d, found in zip(top, read, strict=True):
            match = max(
                next(matches)
                * (policy if policy != 1.0 and is_policy_section(e.chunk.heading) else 1.0)
                for e in found
            )
            # A README's score was weighed down (``_weigh_roles``); its words' match is too, or
            # the folder's notes, which name every topic in the words people ask with, would
            # lead again over the procedure they describe.
            d.score += weight * match * self._role_weight(d, clause_mode=False)
        documents[: len(top)] = sorted(top, key=lambda d: -d.score)
        return True


# The rules that say "not covered" from what the question names, whatever it comes close to
# (``Answer.decided_by``); the fitting scripts count them on both sides.
UNKNOWN_STANDARD, TOPIC_NAMED_NOWHERE = "unknown standard", "topic named nowhere"
# A plain question on a clause need the documents are silent on (usecases/clause_needs.py).
CLAUSE_NEED_NAMED_NOWHERE = "clause need named nowhere"
NAMED_ELSEWHERE = (UNKNOWN_STANDARD, TOPIC_NAMED_NOWHERE, CLAUSE_NEED_NAMED_NOWHERE)
# Not covered because the organisation marked the question so (usecases/own_labels.py).
OWN_LABEL = "own label"
# A clause question on a clause the documents declare excluded (search/exclusions.py).
EXCLUDED = "excluded"
# Said above an answer the fitted model doubts (usecases/not_covered.py, the caution band).
CAUTION = (
    "The documents may not answer this directly: the passages below come closest. "
    "Check them before relying on them."
)
# hand-set, not measured: documents named as the closest when nothing answers
CLOSEST_DOCUMENTS = 3


def _to_first(documents: list[DocumentHit], i: int) -> None:
    """Document ``i`` leads. Its score rises to the lead's, so that the score ratio that picks
    the documents to answer from still measures from the lead."""
    documents[i].score = documents[0].score
    documents.insert(0, documents.pop(i))


def closest_documents(documents: list[DocumentHit], n: int = CLOSEST_DOCUMENTS) -> list[str]:
    """The closest documents by number and title, as people know them ("QP-05 Calibration of
    measuring equipment"); by file name where two would read the same or there is no title."""
    hits = documents[:n]
    labels = [document_label(d.best.chunk.doc_no, d.best.chunk.title, d.file) for d in hits]
    return [
        label if labels.count(label) == 1 else d.file for d, label in zip(hits, labels, strict=True)
    ]
