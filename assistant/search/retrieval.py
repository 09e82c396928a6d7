"""Hybrid retrieval: dense (MiniLM + Chroma) and BM25 lists for each query of a plan, fused by
weighted reciprocal rank, with a boost for passages and documents that cite the clause asked
about, then ranked as documents as well as passages."""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from assistant.core.models import Chunk, Evidence
from assistant.documents.text import is_table_row
from assistant.index.embedder import Embedder
from assistant.index.store import IndexStore
from assistant.search import citation_cache, clause_maps
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import Clause
from assistant.search.exclusions import (
    CitedAnyway,
    Exclusion,
    cited_anyway,
    excluded_clauses,
    exclusions_in,
)
from assistant.search.question_map import QuestionMap

# hand-set, not measured (commit 38e1224): a passage citing more clauses than this is a
# cross-reference, not evidence of meeting one (for documents: the max_doc_citations setting)
MAX_PASSAGE_CITATIONS = 3


@dataclass(frozen=True)
class RetrievalParams:
    """Filled from the settings of the same names (their defaults are the measured ones)."""

    dense_candidates: int
    lexical_candidates: int
    rrf_k: int
    cite_boost: float
    max_doc_citations: int
    doc_second_weight: float
    max_passages_per_document: int
    first_place_bonus: float
    pointer_weight: float = 0.0
    lexical_weight: float = 1.0  # BM25's list against the dense list's, in the fusion
    breadth_weight: float = 0.0  # how many of a document's passages were found (_documents)


@dataclass(frozen=True)
class Query:
    text: str
    weight: float = 1.0
    dense: bool = True
    lexical: bool = True
    fixed: bool = False  # one of a fixed set of texts (a clause card): its vector is kept
    # searched only when the first query's best cosine is below this (None: always): words
    # added for a question its own words do not find well
    only_below: float | None = None


@dataclass
class DocumentHit:
    file: str
    score: float
    passages: list[Evidence]
    cites_clause: bool = False

    @property
    def best(self) -> Evidence:
        return self.passages[0]


@dataclass
class RetrievalResult:
    passages: list[Evidence]
    documents: list[DocumentHit]
    similarity: dict[str, float] = field(default_factory=dict)  # query text -> best cosine
    # query text -> its vector, for what is decided after the search (not covered)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)


def document_score(passage_scores: list[float], second_weight: float) -> float:
    """A document's score from its passages': the best, plus ``second_weight`` times the next
    (``doc_second_weight``)."""
    top = sorted(passage_scores, reverse=True)
    if not top:
        return 0.0
    return top[0] + (second_weight * top[1] if len(top) > 1 else 0.0)


def _related(a: str, b: str) -> bool:
    """Same clause, or one is a sub-clause of the other (below the top level)."""
    return a == b or (a.count(".") >= 1 and (b.startswith(a + ".") or a.startswith(b + ".")))


class CitationMap:
    """Which chunks and documents cite which clauses; rebuilt when the manifest changes.

    Besides a document's own citations, an organisation's clause map counts: a table row that
    names exactly one indexed document by number and cites clauses ("Procedure: QP-15; ISO 9001
    clauses: 7.1.3, 7.1.4" in an audit programme or a manual's cross-reference table) maps that
    document to those clauses, wherever the table is. A row that names two to
    ``clause_maps.MAX_MAPPED_DOCUMENTS`` documents maps each of them to the clauses of the
    row's first cell that cites any ("ISO 9001:2015 clause: 8.5.4; Subject: Preservation;
    Documents: FCC-SOP-03, FCC-SOP-05, FCC-SOP-11"), kept with the mapping tables read by
    title (``tabled``). Prose is left out: "this procedure meets clause 10.2; records are kept
    under QP-01" says nothing about QP-01."""

    def __init__(self, store: IndexStore, resolver: ClauseResolver) -> None:
        self._store = store
        self._resolver = resolver
        self._key: str | None = None
        self._lock = threading.Lock()
        self.by_chunk: dict[str, set[str]] = {}
        self.by_file: dict[str, set[str]] = {}
        self.mapped: dict[str, set[str]] = {}  # file -> clauses the organisation maps it to
        # file -> clauses a mapping table names it for by title (``clause_maps``). Kept apart:
        # it says where a clause is met, and counts for that, but a row is a whole document and,
        # for another standard, a many-to-many bridge, so it does not say which clause a
        # passage is about (the conversation's clause inference reads ``by_file`` and ``mapped``;
        # with these rows its pool of clauses narrowed to wrong ones).
        self.tabled: dict[str, set[str]] = {}
        # chunk id -> the one other document it names by number ("approved and monitored
        # under FCC-SOP-09"): a manual's or a map's pointer to where the matter is dealt with.
        self.points_to: dict[str, str] = {}
        # ISO 9001 clause -> the sentences or rows that declare it excluded (exclusions.py)
        self.excluded: dict[str, list[Exclusion]] = {}
        # every exclusion as declared, in its own standard's numbers ("ISO 13485 7.5.5"): a
        # question may ask by that number
        self.declared: list[Exclusion] = []
        # sentences or rows elsewhere that cite an excluded clause all the same
        self.cited_anyway: list[CitedAnyway] = []

    def refresh(self) -> None:
        key = self._store.manifest.get("last_ingest") or ""
        if key == self._key:
            return
        with self._lock:
            if key == self._key:  # built by another thread while this one waited
                return
            # a map read with the old revisions too (a setting can ask for it) is kept apart
            cache_key = key if self._store.set_aside_superseded else f"{key}|with superseded"
            kept = citation_cache.load(self._store.data_dir, cache_key)
            if kept is None:
                kept = self._build()
                citation_cache.save(self._store.data_dir, cache_key, kept)
            self.by_chunk, self.by_file, self.mapped = kept.by_chunk, kept.by_file, kept.mapped
            self.tabled, self.points_to = kept.tabled, kept.points_to
            self.declared, self.cited_anyway = kept.declared, kept.cited_anyway
            self.excluded = excluded_clauses(self.declared, self._resolver.catalogue)
            self._key = key

    def cited_anywhere(self, clause_id: str) -> bool:
        """Some document cites the clause or the organisation's own clause map names one for it
        (exactly this clause: a manual's "7.1 Resources" says nothing of 7.1.6)."""
        self.refresh()
        tables = (self.by_file, self.mapped, self.tabled)
        return any(clause_id in clauses for table in tables for clauses in table.values())

    def _build(self) -> citation_cache.Citations:
        """The map read from every passage (kept beside the index: citation_cache.py)."""
        # Read from current documents only: an old revision beside its successor shares its
        # number, and a pointer to that number would name two files and count for neither.
        chunks = self._store.current_chunks()
        files_by_no: dict[str, set[str]] = defaultdict(set)
        for c in chunks:
            if c.doc_no:
                files_by_no[c.doc_no].add(c.file)
        numbers = DocumentNumbers(dict(files_by_no))
        by_chunk: dict[str, set[str]] = {}
        by_file: dict[str, set[str]] = defaultdict(set)
        mapped: dict[str, set[str]] = defaultdict(set)
        points_to: dict[str, str] = {}
        listed: dict[str, set[str]] = defaultdict(set)
        for c in chunks:
            lines = c.text.splitlines()
            # Each table row's own citations, read once: for pointers and for the map.
            rows = {
                line: self._resolver.cited_in_document(line) for line in lines if is_table_row(line)
            }
            # A pointer is prose, or a table row that cites a clause: a list of documents
            # ("CSC-I-001 | Roles") says what exists, not where anything is met.
            prose = "\n".join(line for line in lines if rows.get(line, True))
            named = numbers.named(prose) - {c.doc_no}
            if len(named) == 1 and len(targets := files_by_no[next(iter(named))]) == 1:
                points_to[c.id] = next(iter(targets))
            cited = self._resolver.cited_in_document(c.text)
            if not cited:
                continue
            by_chunk[c.id] = cited
            by_file[c.file] |= cited
            for line, line_cites in rows.items():
                if not line_cites:
                    continue
                named = numbers.named(line)
                if len(named) == 1:
                    for file in files_by_no[named.pop()]:
                        mapped[file] |= line_cites
                elif len(named) > 1:
                    # A cross-reference row naming several documents (stop 42: fernhill's
                    # manual lists two or three per clause, and its table said nothing: its
                    # 8.5.4 question led with the nonconforming-product SOP). Only its
                    # clause cell counts: a later cell's "FCC-QM-01 §8.4" is the manual's
                    # own section, not clause 8.4.
                    clauses, files = self._row_mapping(line, numbers)
                    for file in files:
                        listed[file] |= clauses
        # A mapping table: a row per clause of the standard its heading names, the
        # documents that meet it by title (clause_maps); and the rows above that name
        # several documents by number. Neither says which clause a passage is about.
        tabled: dict[str, set[str]] = defaultdict(set, listed)
        titles = clause_maps.titles_index(chunks)
        for c in chunks:
            standard = clause_maps.table_standard(c.heading)
            if standard is None:
                continue
            for line in filter(is_table_row, c.text.splitlines()):
                row = clause_maps.row_clauses(line, standard, self._resolver.catalogue)
                files = clause_maps.row_documents(line, titles) - {c.file} if row else set()
                if 0 < len(files) <= clause_maps.MAX_MAPPED_DOCUMENTS:
                    for file in files:
                        tabled[file] |= row
        declared = [e for c in chunks for e in exclusions_in(c, self._resolver)]
        excluded = excluded_clauses(declared, self._resolver.catalogue)
        return citation_cache.Citations(
            by_chunk,
            dict(by_file),
            dict(mapped),
            dict(tabled),
            points_to,
            declared,
            cited_anyway(chunks, declared, excluded, self._resolver),
        )

    def _row_mapping(self, line: str, numbers: DocumentNumbers) -> tuple[set[str], set[str]]:
        """A cross-reference row's clauses (those of its first cell that cites any) and the
        files of the documents its later cells name by number; none when it names more than
        ``clause_maps.MAX_MAPPED_DOCUMENTS`` (a general list, not a mapping). Cells as a table
        row is indexed: "Header: value; Header: value"."""
        cells = line.split(";")
        for i, cell in enumerate(cells):
            clauses = self._resolver.cited_in_document(cell)
            if not clauses:
                continue
            named = numbers.named(";".join(cells[i + 1 :]))
            if len(named) > clause_maps.MAX_MAPPED_DOCUMENTS:
                break
            return clauses, {file for no in named for file in numbers.files[no]}
        return set(), set()

    def cites(
        self, chunk: Chunk, clause_ids: list[str], max_doc_citations: int
    ) -> tuple[bool, bool]:
        """(the chunk cites one of the clauses, its document does and is not a cross-index)."""
        own = self.by_chunk.get(chunk.id, set())
        doc = self.by_file.get(chunk.file, set())
        # A passage listing many clauses is a cross-reference, not evidence of meeting one.
        chunk_cites = len(own) <= MAX_PASSAGE_CITATIONS and any(
            _related(c, x) for c in own for x in clause_ids
        )
        doc_cites = len(doc) <= max_doc_citations and any(
            _related(c, x) for c in doc for x in clause_ids
        )
        mapped = self.mapped.get(chunk.file, set()) | self.tabled.get(chunk.file, set())
        return chunk_cites, doc_cites or any(_related(c, x) for c in mapped for x in clause_ids)


# A number followed by the short forms of its siblings: "LPP-SOP-02, -04, -09" names LPP-SOP-04
# and LPP-SOP-09 too (stop 42: larkfield's manual maps 8.5 to all three so; read as one, the
# row made the artwork SOP the only one citing 8.5, and its 8.5.4 question led with it).
_SIBLINGS = re.compile(r"(?<![\w-])([A-Za-z][\w-]*?-)(\d+)((?:\s*(?:,|&|/|\band\b)\s*-\d+\b)+)")


_WORD = re.compile(r"[\w-]+")


class DocumentNumbers:
    r"""The indexed documents' numbers (number -> its files), and which of them a line names.

    A line names a number as whole words: nothing of ``[\w-]`` on either side. So the number's
    first run of such characters ("QP-05", or "QM" of "QM 001") is then a whole run of the line
    too, and only the numbers whose first run is one of the line's runs need looking for: one
    look-up per word of the line instead of a search per number (at 1,000 documents and 20,000
    passages the map took 12 s of scanning every number for every passage)."""

    def __init__(self, files_by_no: dict[str, set[str]]) -> None:
        self.files = files_by_no
        self._by_first_run: dict[str, list[str]] = defaultdict(list)
        self._always: list[str] = []  # numbers that do not start with a word character
        for no in files_by_no:
            first = _WORD.match(no)
            if first is None:
                self._always.append(no)
            else:
                self._by_first_run[first.group(0)].append(no)

    def named(self, line: str) -> set[str]:
        """The numbers a line names as whole words, and those it names in short after a
        sibling ("LPP-SOP-02, -04, -09")."""
        candidates = [*self._always]
        for run in set(_WORD.findall(line)):
            candidates += self._by_first_run.get(run, ())
        named = {no for no in candidates if re.search(rf"(?<![\w-]){re.escape(no)}(?![\w-])", line)}
        for m in _SIBLINGS.finditer(line):
            for short in re.findall(r"-(\d+)", m.group(3)):
                if (no := m.group(1) + short) in self.files:
                    named.add(no)
        return named


class Retriever:
    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        params: RetrievalParams,
        resolver: ClauseResolver,
        question_map: QuestionMap | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.params = params
        self.citations = CitationMap(store, resolver)
        self.question_map = question_map

    def vector(self, query: Query) -> np.ndarray:
        """The vector a query is searched with: its own, moved by the fitted question map
        when there is one (search/question_map.py) and the query is a question, not a card."""
        return self._searched(query, self._read(query))

    def _read(self, query: Query) -> np.ndarray:
        """A query's own vector; a clause card's is computed once per process (it is long, and
        asked with every question about that clause: 10-20 ms each time)."""
        if not query.fixed:
            return self.embedder.encode_query(query.text)
        return self.embedder.fixed([query.text], as_query=True)[0]

    def _searched(self, query: Query, own: np.ndarray) -> np.ndarray:
        if self.question_map is None or query.fixed:
            return own
        return self.question_map.apply(own)

    def card_vectors(self, clauses: Iterable[Clause]) -> np.ndarray:
        """The vectors of these clauses' cards (their ``embedding_text``), one row each, each
        computed once per process and in one batch (``Embedder.fixed``; a card is never moved
        by the question map)."""
        texts = [c.embedding_text() for c in clauses]
        return self.embedder.fixed(texts, as_query=True)

    def search(
        self,
        queries: list[Query],
        k: int = 5,
        clause_ids: list[str] | None = None,
        pointers: bool = False,
        cite_boost: float | None = None,
    ) -> RetrievalResult:
        """The passages and documents for the queries. ``clause_ids``: passages and documents
        citing these clauses get ``cite_boost``; ``pointers``: a passage naming one other
        document also counts for it (``_documents``), for "which document meets clause X?".
        ``cite_boost``: instead of the parameter's (a conversation's carried clauses)."""
        p = self.params
        boost = p.cite_boost if cite_boost is None else cite_boost
        scores: dict[str, float] = defaultdict(float)
        dense_rank: dict[str, int] = {}
        lexical_rank: dict[str, int] = {}
        similarity: dict[str, float] = {}
        searched_best: dict[str, float] = {}  # the best cosine to the vector searched with
        vectors: dict[str, np.ndarray] = {}
        # Superseded revisions' passages (index/revisions.py) are left out of both lists; each
        # list is read that much deeper, so the current documents keep the depth they would
        # have had without the old copies beside them.
        aside = self.store.set_aside_ids()
        extra = min(len(aside), max(p.dense_candidates, p.lexical_candidates))

        def kept(hits: list[tuple[str, float]], n: int) -> list[tuple[str, float]]:
            return [h for h in hits if h[0] not in aside][:n] if aside else hits

        for q in queries:
            if q.only_below is not None and searched_best.get(queries[0].text, 0.0) >= q.only_below:
                continue
            if q.dense:
                # The map only ranks (with the glossary's gate, which asks whether the search
                # found well): the best cosine and the vector kept for the answer (the "not
                # covered" signals, the quotes' closeness) are the question's own, as those were
                # fitted and chosen on; measured at stop 35, a "not covered" model refitted on
                # moved cosines was right on fewer left-out questions (docs/retrieval.md).
                own = self._read(q)
                searched = self._searched(q, own)
                hits = kept(
                    self.store.reader.query(searched, p.dense_candidates + extra),
                    p.dense_candidates,
                )
                searched_best[q.text] = hits[0][1] if hits else 0.0
                if searched is not own:
                    best = kept(self.store.reader.query(own, 1 + extra), 1)
                    similarity[q.text] = best[0][1] if best else 0.0
                else:
                    similarity[q.text] = searched_best[q.text]
                vectors[q.text] = own
                for r, (cid, _) in enumerate(hits, 1):
                    scores[cid] += q.weight * self._fused(r)
                    dense_rank.setdefault(cid, r)
            if q.lexical:
                lexical = self.store.lexical.query(q.text, p.lexical_candidates + extra)
                for r, (cid, _) in enumerate(kept(lexical, p.lexical_candidates), 1):
                    scores[cid] += q.weight * p.lexical_weight * self._fused(r)
                    lexical_rank.setdefault(cid, r)
        chunks = self.store.manifest.chunks_by_id(scores)
        cites: dict[str, bool] = {}
        if clause_ids:
            self.citations.refresh()
            for cid, chunk in chunks.items():
                chunk_cites, doc_cites = self.citations.cites(
                    chunk, clause_ids, p.max_doc_citations
                )
                scores[cid] += boost * (chunk_cites + doc_cites)
                cites[chunk.file] = cites.get(chunk.file, False) or chunk_cites or doc_cites
        ranked = sorted((c for c in scores if c in chunks), key=scores.__getitem__, reverse=True)
        evidence = [
            Evidence(chunks[c], scores[c], dense_rank.get(c), lexical_rank.get(c)) for c in ranked
        ]
        lift = clause_ids if pointers and p.pointer_weight > 0 else None
        documents = self._documents(evidence, cites, lift)
        return RetrievalResult(self._diversify(evidence, k), documents, similarity, vectors)

    def _fused(self, rank: int) -> float:
        """Reciprocal rank, plus a bonus for first place: plain RRF rewards passages that are
        middling in every list over one that a single retriever is sure of."""
        p = self.params
        return 1.0 / (p.rrf_k + rank) + (p.first_place_bonus if rank == 1 else 0.0)

    def _documents(
        self,
        evidence: list[Evidence],
        cites: dict[str, bool],
        pointer_clauses: list[str] | None = None,
    ) -> list[DocumentHit]:
        per_doc: dict[str, list[Evidence]] = defaultdict(list)
        for e in evidence:
            per_doc[e.chunk.file].append(e)
        # In a clause question, a passage of a cross-index (a manual citing more clauses than
        # max_doc_citations) that points at one other document ("approved and monitored under
        # FCC-SOP-09") also counts for it, when the organisation's own clause map names that
        # document for the asked clause: the manual and its map say where the clause is met,
        # and the procedure that meets it is lifted rather than the manual. The passage stays
        # its own document's: it is never quoted as the other's. Measured (docs/retrieval.md):
        # without the map condition, or between procedures, right answers moved down.
        pointed: dict[str, list[float]] = defaultdict(list)
        if pointer_clauses:
            w, c = self.params.pointer_weight, self.citations
            for e in evidence:
                target = c.points_to.get(e.chunk.id)
                index = len(c.by_file.get(e.chunk.file, ())) > self.params.max_doc_citations
                if not (index and target in per_doc and target != e.chunk.file):
                    continue
                mapped = c.mapped.get(target, set()) | c.tabled.get(target, set())
                if any(_related(m, x) for m in mapped for x in pointer_clauses):
                    pointed[target].append(w * e.score)
        docs = []
        for file, items in per_doc.items():
            score = document_score(
                [e.score for e in items[:2]] + pointed.get(file, []), self.params.doc_second_weight
            )
            docs.append(DocumentHit(file, score, items, cites.get(file, False)))
        self._add_breadth(docs)
        return sorted(docs, key=lambda d: d.score, reverse=True)

    def _add_breadth(self, docs: list[DocumentHit]) -> None:
        """Each document gains ``breadth_weight`` times the best document's score times the log
        of one plus how many of its passages either list found: a procedure that deals with the
        matter throughout outranks one that shares a phrase with it in one or two places (as
        CombMNZ counts a hit's lists). Relative to the best score, so the weight reads the same
        whatever the fusion's scale."""
        w = self.params.breadth_weight
        if w <= 0 or not docs:
            return
        top = max(d.score for d in docs)
        for d in docs:
            d.score += w * top * math.log1p(len(d.passages))

    def _diversify(self, evidence: list[Evidence], k: int) -> list[Evidence]:
        """Best passages, at most ``max_passages_per_document`` from any one document."""
        out: list[Evidence] = []
        count: dict[str, int] = defaultdict(int)
        for e in evidence:
            if count[e.chunk.file] < self.params.max_passages_per_document:
                out.append(e)
                count[e.chunk.file] += 1
            if len(out) == k:
                break
        return out
