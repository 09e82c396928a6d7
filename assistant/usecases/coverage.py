"""Coverage (gap view): for every clause, which procedures support it and how strongly.

Support comes from two signals: an explicit citation of the clause in the document (outside a
cross-reference index that cites everything), and a semantic match between the clause card and
the document's best passage (MiniLM cosine). Strength:
- strong: cited and matched, or a very close match;
- moderate: cited, or a close match;
- weak: a loose match only.
A passage that labels part of itself with the clause's name (a manual's "Organisational
knowledge: ...", search/clause_resolver.py ``labels_by_name``) counts as a citation.
A clause whose best support is weak or absent is listed as a gap, unless the documents declare it
excluded (search/exclusions.py): then it is listed as excluded, with the words that say so.

The organisation's own word comes on top (``with_own_verdicts``): a label on a question about a
clause (usecases/own_labels.py, "For 8.4, what do we show?" marked answered by QP-08) makes the
documents it names supports of that clause, confirmed, as a citation would; one marked "not
answered" lists the clause as a gap, whatever the words match. Worked out for each reading,
over the coverage computed once per index version, so a new label shows at once.

Each support keeps the passages of its procedure that show it (the one citing the clause, the
closest match, the retrieval's best), so the clause card and a click on a heatmap cell can show
them, cited, without searching again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path, PurePath

from assistant.core.models import Chunk, Citation
from assistant.core.progress import NoProgress, Progress
from assistant.index.embedder import Embedder
from assistant.index.store import IndexStore
from assistant.search.clause_resolver import naming_passage
from assistant.search.clauses import Catalogue, Clause
from assistant.search.exclusions import citing, excluded_clause, first_documents, more_documents
from assistant.search.retrieval import DocumentHit, Query, Retriever
from assistant.usecases.own_labels import Label, lead_index

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
    # the organisation marked it as answering a question on the clause (a label); it then
    # counts as a citation does
    confirmed: bool = False
    # not cited, but one of its passages labels a part with the clause's name ("Organisational
    # knowledge: ..."): counts as a citation does
    named: bool = False

    @property
    def reason(self) -> str:
        """Why it has this strength, in plain words for people who do not read cosines (the
        same rules as ``_strength``: a citation or a label makes at least moderate, so a weak
        support is neither)."""
        if self.confirmed:
            return "marked as meeting it by a label" + (", and cited" if self.cited else "")
        said = "cited" if self.cited else "names it" if self.named else ""
        if self.strength == "strong":
            return f"{said} and a close match" if said else "a very close match"
        if self.strength == "moderate":
            return said or "a close match"
        return "a loose match"


@dataclass(frozen=True)
class SupportPassage:
    """A passage of a supporting procedure: its verbatim indexed text, where it is, and why it
    was picked (``"cites the clause"``, ``"names the clause"``, ``"closest to the clause"``,
    ``"found for the clause"``)."""

    citation: Citation
    text: str
    why: str


@dataclass(frozen=True)
class OwnVerdict:
    """The organisation's own word on a clause: its newest label on a question about it."""

    question: str
    answered: bool
    origin: str
    day: str

    def note(self) -> str:
        verdict = "met by our documents" if self.answered else "not met by our documents"
        return f'marked {verdict} ("{self.question}", {self.origin or "a label"}, {self.day})'


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
    # the organisation's own word on the clause (``with_own_verdicts``), None without one
    own: OwnVerdict | None = None

    def support(self, file: str) -> Support | None:
        return next((s for s in self.supports if s.file == file), None)

    @property
    def strength(self) -> str:
        return max((s.strength for s in self.supports), key=STRENGTHS.index, default="none")

    @property
    def is_gap(self) -> bool:
        """Weak or no support, and not a clause the documents declare excluded (that is their
        decision, to be justified, not a gap); the organisation's own word on the clause,
        when it gave one, over the words' match."""
        if self.excluded_by:
            return False
        if self.own is not None:
            return not self.own.answered
        return STRENGTHS.index(self.strength) < STRENGTHS.index("moderate")


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
    doc: DocumentHit,
    closest: Chunk | None,
    cites: Callable[[Chunk], bool],
    naming: Chunk | None = None,
) -> tuple[SupportPassage, ...]:
    """The passages that show a procedure's support, most telling first: the one citing the
    clause (the strongest evidence), else ``naming``, the one that labels a part with the
    clause's name, the closest match (what its similarity is), then the retrieval's best for
    the clause; each once, at most ``PASSAGES_PER_SUPPORT``."""
    picks: list[tuple[Chunk, str]] = []
    if citing := next((e.chunk for e in doc.passages if cites(e.chunk)), None):
        picks.append((citing, "cites the clause"))
    elif naming is not None:
        picks.append((naming, "names the clause"))
    if closest is not None:
        picks.append((closest, "closest to the clause"))
    picks += [(e.chunk, "found for the clause") for e in doc.passages]
    return _picked(picks)


def _picked(picks: list[tuple[Chunk, str]]) -> tuple[SupportPassage, ...]:
    """The passages picked, with why, in order: each once, at most ``PASSAGES_PER_SUPPORT``."""
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
    if aside := store.set_aside_ids():
        # a superseded revision is no document of the organisation's for the clause
        hits = [h for h in hits if h[0] not in aside]
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
        cited, more = first_documents(
            citing(excluded, [clause.id], retriever.citations.cited_anyway)
        )
        if cited:
            files = ", ".join(dict.fromkeys(c.file for c in cited))
            row.excluded_by += f" (yet cited all the same by {files}{more_documents(more)})"
    cites = partial(_passage_cites, retriever, clause.id)
    for doc in result.documents[:per_clause]:
        sim, passage = closest.get(doc.file, (0.0, None))
        # its first passage labelling a part with the clause's name, read once: it makes the
        # support and is shown first when none cites the clause
        naming = naming_passage((e.chunk for e in doc.passages), [clause])
        named = not doc.cites_clause and naming is not None
        strength = _strength(sim, doc.cites_clause or named, thresholds)
        if strength != "none":
            row.supports.append(
                Support(
                    doc.file,
                    doc.best.chunk.doc_no,
                    strength,
                    round(sim, 4),
                    doc.cites_clause,
                    named=named,
                )
            )
            row.passages[doc.file] = _passages(doc, passage, cites, naming)
    return row


def with_own_verdicts(
    rows: list[ClauseCoverage],
    verdicts: Mapping[str, Label],
    indexed: Iterable[str],
    support_of: Callable[[str, str], tuple[Support, tuple[SupportPassage, ...]] | None],
) -> list[ClauseCoverage]:
    """The coverage with the organisation's own word on each clause (``verdicts``: clause id ->
    its newest label, ``OwnLabels.on_clauses``): the documents an answered one names lead the
    clause's supports, confirmed; a "not answered" one marks the clause a gap. ``indexed``:
    the indexed files (a label names a file, the index a path); ``support_of(clause id,
    file)``: the support of a named document the coverage did not list, with its passages. A
    label naming only documents no longer indexed is out of date and not read. ``rows`` are
    not changed (they are the cached coverage)."""
    if not verdicts:
        return rows
    by_name: dict[str, list[str]] = {}
    for path in indexed:
        by_name.setdefault(PurePath(path).name, []).append(path)
    out = []
    for row in rows:
        label = verdicts.get(row.clause_id)
        named = (
            [p for d in label.documents for p in by_name.get(PurePath(d).name, [])] if label else []
        )
        if label is None or (label.documents and not named):
            out.append(row)
            continue
        own = OwnVerdict(label.question, label.answered, label.origin, label.day())
        supports, passages = list(row.supports), dict(row.passages)
        confirmed: list[Support] = []
        for path in dict.fromkeys(named):
            # the coverage names a document as its passages do, which need not be the path
            if (at := lead_index([s.file for s in supports], [path])) is not None:
                s = supports.pop(at)
                strength = max(s.strength, "moderate", key=STRENGTHS.index)
                confirmed.append(replace(s, strength=strength, confirmed=True))
            elif (found := support_of(row.clause_id, path)) is not None:
                confirmed.append(found[0])
                passages[found[0].file] = found[1]
        out.append(replace(row, supports=confirmed + supports, passages=passages, own=own))
    return out


def labelled_support(
    clause: Clause,
    file: str,
    retriever: Retriever,
    embedder: Embedder,
    store: IndexStore,
    thresholds: CoverageThresholds,
) -> tuple[Support, tuple[SupportPassage, ...]] | None:
    """The support of a document the organisation named for the clause and the coverage did
    not list: its passage closest to the clause card (and the one citing it, if any), its
    strength as for a cited document; None for a file with no passages."""
    chunks = store.manifest.chunks_of(file)
    vectors = store.reader.embeddings([c.id for c in chunks])
    card = embedder.encode_query(clause.embedding_text())
    scored = [(float(vectors[c.id] @ card), c) for c in chunks if c.id in vectors]
    if not scored:
        return None
    similarity, closest = max(scored, key=lambda sc: sc[0])
    cites = partial(_passage_cites, retriever, clause.id)
    citing = next((c for c in chunks if cites(c)), None)
    picks = [(citing, "cites the clause")] if citing is not None else []
    picks += [(closest, "closest to the clause")]
    strength = _strength(similarity, True, thresholds)
    support = Support(
        closest.file,  # as the coverage's other supports name it
        closest.doc_no,
        strength,
        round(similarity, 4),
        citing is not None,
        confirmed=True,
    )
    return support, _picked(picks)


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
            "our_label",
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
                    r.own.note() if r.own else "",
                ]
            )
    return f.getvalue()
