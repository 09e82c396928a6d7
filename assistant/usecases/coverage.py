"""Coverage (gap view): for every clause, which procedures support it and how strongly.

Support comes from two signals: an explicit citation of the clause in the document (outside a
cross-reference index that cites everything), and a semantic match between the clause card and
the document's best passage (MiniLM cosine). Strength:
- strong: cited and matched, or a very close match;
- moderate: cited, or a close match;
- weak: a loose match only.
A clause whose best support is weak or absent is listed as a gap.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.progress import NoProgress, Progress
from assistant.index.embedder import Embedder
from assistant.index.store import IndexStore
from assistant.search.clauses import Catalogue
from assistant.search.retrieval import Query, Retriever

STRENGTHS = ("none", "weak", "moderate", "strong")
# hand-set, not measured (commit 38e1224): supporting procedures listed per clause, at most
SUPPORTS_PER_CLAUSE = 3
# hand-set, not measured; inert: coverage reads the ranked documents, which k does not limit
SEARCH_PASSAGES = 5


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


@dataclass
class ClauseCoverage:
    clause_id: str
    title: str
    supports: list[Support] = field(default_factory=list)

    @property
    def strength(self) -> str:
        return max((s.strength for s in self.supports), key=STRENGTHS.index, default="none")

    @property
    def is_gap(self) -> bool:
        return STRENGTHS.index(self.strength) < STRENGTHS.index("moderate")


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
    t = thresholds
    progress = progress or NoProgress()
    clauses = list(catalogue)
    vectors, manifest = store.reader, store.manifest
    progress.stage("clauses", len(clauses))
    out = []
    for clause in clauses:
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
        hits = vectors.query(card_vec, retriever.params.dense_candidates)
        chunks = manifest.chunks_by_id([cid for cid, _ in hits])  # one query, not one per hit
        best_sim: dict[str, float] = {}
        for cid, sim in hits:
            chunk = chunks.get(cid)
            if chunk and sim > best_sim.get(chunk.file, -1.0):
                best_sim[chunk.file] = sim
        row = ClauseCoverage(clause.id, clause.title)
        for doc in result.documents[:per_clause]:
            sim = best_sim.get(doc.file, 0.0)
            strength = _strength(sim, doc.cites_clause, t)
            if strength != "none":
                row.supports.append(
                    Support(
                        doc.file, doc.best.chunk.doc_no, strength, round(sim, 4), doc.cites_clause
                    )
                )
        out.append(row)
        progress.advance()
    progress.close()
    return out


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
                ]
            )
    return f.getvalue()
