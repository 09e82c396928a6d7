"""Coverage (gap view): for every clause, which procedures support it and how strongly.

Support comes from two signals: an explicit citation of the clause in the document (outside a
cross-reference index that cites everything), and a semantic match between the clause card and
the document's best passage (MiniLM cosine). Strength:
- strong: cited and matched, or a very close match;
- moderate: cited, or a close match;
- weak: a loose match only.
A clause whose best support is weak or absent is listed as a gap, unless the documents declare it
excluded (search/exclusions.py): then it is listed as excluded, with the words that say so.

Each support keeps the passages of its procedure that show it (the one citing the clause, the
closest match, the retrieval's best), so the clause card and a click on a heatmap cell can show
them, cited, without searching again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from assistant.core.models import Chunk, Citation
from assistant.core.progress import NoProgress, Progress
from assistant.index.embedder import Embedder
from assistant.index.store import IndexStore
from assistant.search.clauses import Catalogue, Clause
from assistant.search.exclusions import citing, excluded_clause
from assistant.search.retrieval import DocumentHit, Query, Retriever

STRENGTHS = ("none", "weak", "moderate", "strong")
# hand-set, not measured (commit 38e1224): supporting procedures listed per clause, at most
SUPPORTS_PER_CLAUSE = 3
# hand-set, not measured; inert: coverage reads the ranked documents, which k does not limit
SEARCH_PASSAGES = 5
# hand-set, not measured: passages kept per supporting procedure (the citing one and the closest
# match; a third rarely adds anything, and the coverage is cached for the whole index)
PASSAGES_PER_SUPPORT = 2


@dataclass(frozen=True)
class CoverageThresholds:
    """Card-to-passage cosines for each strength; the values live in the settings
    (``coverage_strong`` / ``coverage_moderate`` / ``coverage_weak``)."""

    strong: float
    moderate: float
    weak: float


@dataclass
class Support:
    file: str
    doc_no: str
    strength: str
    similarity: float
    cited: bool

    @property
    def reason(self) -> str:
        """Why it has this strength, in plain words for people who do not read cosines (the
        same rules as ``_strength``: a citation makes at least moderate, so a weak support is
        never cited)."""
        if self.strength == "strong":
            return "cited and a close match" if self.cited else "a very close match"
        if self.strength == "moderate":
            return "cited" if self.cited else "a close match"
        return "a loose match"


@dataclass(frozen=True)
class SupportPassage:
    """A passage of a supporting procedure: its verbatim indexed text, where it is, and why it
    was picked (``"cites the clause"``, ``"closest to the clause"``, ``"found for the clause"``)."""

    citation: Citation
    text: str
    why: str


@dataclass
class ClauseCoverage:
    clause_id: str
    title: str
    supports: list[Support] = field(default_factory=list)
    # file -> the passages showing its support. Kept beside ``supports`` rather than in them:
    # a Support stays flat (``vars(support)`` is the CLI's JSON).
    passages: dict[str, tuple[SupportPassage, ...]] = field(default_factory=dict)
    # "BW-QM-01 Quality Manual.md: We have decided that ... clause 8.3 ... does not apply.":
    # where the documents declare the clause excluded (search/exclusions.py); "" for the others
    excluded_by: str = ""

    def support(self, file: str) -> Support | None:
        return next((s for s in self.supports if s.file == file), None)

    @property
    def strength(self) -> str:
        return max((s.strength for s in self.supports), key=STRENGTHS.index, default="none")

    @property
    def is_gap(self) -> bool:
        """Weak or no support, and not a clause the documents declare excluded (that is their
        decision, to be justified, not a gap)."""
        return not self.excluded_by and STRENGTHS.index(self.strength) < STRENGTHS.index("moderate")


@dataclass(frozen=True)
class CoverageCell:
    """One clause x procedure cell of the coverage: its support (None: the procedure does not
    support the clause) and the passages that show it."""

    clause: ClauseCoverage
    file: str
    support: Support | None
    passages: tuple[SupportPassage, ...]


def cell(rows: list[ClauseCoverage], clause_id: str, file: str) -> CoverageCell | None:
    """The cell of ``clause_id`` and the procedure ``file``; None for a clause not in ``rows``."""
    row = next((r for r in rows if r.clause_id == clause_id), None)
    if row is None:
        return None
    support = row.support(file)
    passages = row.passages.get(file, ()) if support else ()
    return CoverageCell(row, file, support, passages)


def _passages(
    doc: DocumentHit, closest: Chunk | None, cites: Callable[[Chunk], bool]
) -> tuple[SupportPassage, ...]:
    """The passages that show a procedure's support, most telling first: the one citing the
    clause (the strongest evidence), the closest match (what its similarity is), then the
    retrieval's best for the clause; each once, at most ``PASSAGES_PER_SUPPORT``."""
    picks: list[tuple[Chunk, str]] = []
    if citing := next((e.chunk for e in doc.passages if cites(e.chunk)), None):
        picks.append((citing, "cites the clause"))
    if closest is not None:
        picks.append((closest, "closest to the clause"))
    picks += [(e.chunk, "found for the clause") for e in doc.passages]
    out: dict[str, SupportPassage] = {}
    for chunk, why in picks:
        if chunk.id not in out:
            citation = Citation(chunk.file, chunk.heading, chunk.page, chunk.doc_no, chunk.title)
            out[chunk.id] = SupportPassage(citation, chunk.text, why)
        if len(out) == PASSAGES_PER_SUPPORT:
            break
    return tuple(out.values())


def _passage_cites(retriever: Retriever, clause_id: str, chunk: Chunk) -> bool:
    """The passage itself cites the clause, not only its document (the retriever's citation
    map, refreshed by the search just made)."""
    return retriever.citations.cites(chunk, [clause_id], retriever.params.max_doc_citations)[0]


def _strength(similarity: float, cited: bool, t: CoverageThresholds) -> str:
    if similarity >= t.strong or (cited and similarity >= t.moderate):
        return "strong"
    if cited or similarity >= t.moderate:
        return "moderate"
    if similarity >= t.weak:
        return "weak"
    return "none"


def coverage(
    catalogue: Catalogue,
    retriever: Retriever,
    embedder: Embedder,
    store: IndexStore,
    thresholds: CoverageThresholds,
    per_clause: int = SUPPORTS_PER_CLAUSE,
    progress: Progress | None = None,
) -> list[ClauseCoverage]:
    """Every clause of the catalogue with the procedures that support it (at most
    ``per_clause``, strongest first) and how strongly."""
    progress = progress or NoProgress()
    clauses = list(catalogue)
    progress.stage("clauses", len(clauses))
    out = []
    for clause in clauses:
        out.append(clause_coverage(clause, retriever, embedder, store, thresholds, per_clause))
        progress.advance()
    progress.close()
    return out


def clause_coverage(
    clause: Clause,
    retriever: Retriever,
    embedder: Embedder,
    store: IndexStore,
    thresholds: CoverageThresholds,
    per_clause: int = SUPPORTS_PER_CLAUSE,
) -> ClauseCoverage:
    """One clause's row of the coverage. Each clause is worked out on its own, so a clause
    checked alone (the Ask page's example questions) gets the same row as in the whole."""
    result = retriever.search(
        [
            Query(clause.embedding_text(), lexical=False, fixed=True),
            Query(clause.keyword_text(), dense=False),
        ],
        k=SEARCH_PASSAGES,
        clause_ids=[clause.id],
    )
    card_vec = embedder.encode_query(clause.embedding_text())
    # as many nearest passages as the retriever's dense stage looks at
    hits = store.reader.query(card_vec, retriever.params.dense_candidates)
    chunks = store.manifest.chunks_by_id([cid for cid, _ in hits])  # one query, not one per hit
    closest: dict[str, tuple[float, Chunk]] = {}  # file -> its best cosine and passage
    for cid, sim in hits:
        chunk = chunks.get(cid)
        if chunk and (chunk.file not in closest or sim > closest[chunk.file][0]):
            closest[chunk.file] = (sim, chunk)
    row = ClauseCoverage(clause.id, clause.title)
    retriever.citations.refresh()
    if excluded := excluded_clause(clause.id, retriever.citations.excluded):
        row.excluded_by = f"{excluded[0].file}: {excluded[0].quote}"
        # a document citing it all the same: the exclusion and it cannot both stand
        cited = citing(excluded, [clause.id], retriever.citations.cited_anyway)
        if cited:
            files = ", ".join(dict.fromkeys(c.file for c in cited))
            row.excluded_by += f" (yet cited all the same by {files})"
    cites = partial(_passage_cites, retriever, clause.id)
    for doc in result.documents[:per_clause]:
        sim, passage = closest.get(doc.file, (0.0, None))
        strength = _strength(sim, doc.cites_clause, thresholds)
        if strength != "none":
            row.supports.append(
                Support(doc.file, doc.best.chunk.doc_no, strength, round(sim, 4), doc.cites_clause)
            )
            row.passages[doc.file] = _passages(doc, passage, cites)
    return row


def write_csv(rows: list[ClauseCoverage], path: Path) -> None:
    path.write_text(csv_text(rows), encoding="utf-8", newline="")


def matrix(rows: list[ClauseCoverage]) -> list[dict[str, object]]:
    """Long-form clause x document cells (for a heatmap): strength as 0-3 and its name."""
    return [
        {"clause": r.clause_id, "document": s.doc_no or s.file, "strength": s.strength,
         "level": STRENGTHS.index(s.strength), "similarity": round(s.similarity, 3)}
        for r in rows
        for s in r.supports
    ]  # fmt: skip


def csv_text(rows: list[ClauseCoverage]) -> str:
    f = io.StringIO()
    w = csv.writer(f)
    w.writerow(
        [
            "clause",
            "title",
            "strength",
            "gap",
            "file",
            "doc_no",
            "support",
            "similarity",
            "cites_clause",
            "excluded_by",
        ]
    )
    for r in rows:
        supports: list[Support | None] = list(r.supports) or [None]  # a gap is one row
        for s in supports:
            w.writerow(
                [
                    r.clause_id,
                    r.title,
                    r.strength,
                    "yes" if r.is_gap else "no",
                    s.file if s else "",
                    s.doc_no if s else "",
                    s.strength if s else "none",
                    s.similarity if s else "",
                    ("yes" if s.cited else "no") if s else "",
                    r.excluded_by,
                ]
            )
    return f.getvalue()
