"""The passages behind each coverage support: which are kept for a (clause, procedure) pair, that
they are verbatim indexed text of that procedure, and which the heatmap shows for a clicked
cell. Fast: a hashing embedder at most (what is asserted does not depend on the model)."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.core.models import Chunk, Citation, Evidence
from assistant.factory import Assistant
from assistant.search.retrieval import DocumentHit
from assistant.ui.coverage_page import SELECTION, chosen
from assistant.usecases.coverage import (
    PASSAGES_PER_SUPPORT,
    ClauseCoverage,
    Support,
    SupportPassage,
    _passages,
    cell,
    with_own_verdicts,
)
from assistant.usecases.own_labels import Label

from .conftest import CORPUS, make_assistant
from .fakes import HashingEmbedder

pytestmark = pytest.mark.fast


def _chunk(n: int, text: str, file: str = "QP-11.md") -> Chunk:
    return Chunk(
        f"c{n}", file, f"/d/{file}", "Nonconforming", "QP-11", "2", f"{n}. Step", None, n, text
    )


def test_a_support_keeps_the_citing_passage_then_the_closest_then_the_best_found() -> None:
    found, citing, closest = _chunk(1, "found"), _chunk(2, "per clause 8.7"), _chunk(3, "close")
    doc = DocumentHit("QP-11.md", 1.0, [Evidence(found, 0.9), Evidence(citing, 0.5)], True)
    kept = _passages(doc, closest, lambda c: c.id == "c2")
    assert [(p.text, p.why) for p in kept][:2] == [
        ("per clause 8.7", "cites the clause"),
        ("close", "closest to the clause"),
    ]
    assert len(kept) == PASSAGES_PER_SUPPORT
    assert kept[0].citation.file == "QP-11.md" and kept[0].citation.heading == "2. Step"
    # Nothing cites it and the closest is the best found: that one passage, said once.
    (only,) = _passages(DocumentHit("QP-11.md", 1.0, [Evidence(found, 0.9)]), found, _never)
    assert only.text == "found" and only.why == "closest to the clause"
    # Nothing cites it, one passage names it: that one first, as the citing one would be
    naming = _chunk(4, "- Control of nonconforming outputs: held in the red cage")
    doc = DocumentHit("QP-11.md", 1.0, [Evidence(found, 0.9), Evidence(naming, 0.5)])
    kept = _passages(doc, closest, _never, naming)
    assert [p.why for p in kept][:2] == ["names the clause", "closest to the clause"]


def _never(chunk: Chunk) -> bool:
    return False


def test_a_cell_has_the_passages_of_that_procedure_for_that_clause_only() -> None:
    citation = Citation("QP-11.md", "1. Step", None, "QP-11", "Nonconforming")
    passage = SupportPassage(citation, "Segregate it.", "cites the clause")
    row = ClauseCoverage("8.7", "Control of nonconforming outputs")
    row.supports.append(Support("QP-11.md", "QP-11", "strong", 0.6, True))
    row.passages["QP-11.md"] = (passage,)
    found = cell([row], "8.7", "QP-11.md")
    assert found is not None and found.support is row.supports[0]
    assert found.passages == (passage,)
    other = cell([row], "8.7", "QP-05.md")  # a procedure that does not support it
    assert other is not None and other.support is None and other.passages == ()
    assert cell([row], "8.6", "QP-11.md") is None  # not a clause of the coverage


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            {"selection": {SELECTION: [{"clause_id": "8.7", "file": "QP-11.md"}]}},
            ("8.7", "QP-11.md"),
        ),
        ({"selection": {SELECTION: {}}}, None),  # nothing clicked, or the click cleared
        ({"selection": {SELECTION: [{"clause": "8.7 Control"}]}}, None),  # not our fields
        (None, None),
    ],
)
def test_the_clicked_cell_is_read_from_the_chart_event(event, expected) -> None:
    as_event = SimpleNamespace(**event) if event else None
    assert chosen(as_event) == expected


@pytest.fixture
def app(tmp_path: Path) -> Assistant:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (
        "QP-01-document-and-record-control.md",
        "QP-11-nonconforming-product.md",
        "QP-13-internal-audit.html",
    ):
        shutil.copy(CORPUS / name, folder / name)
    app = make_assistant(tmp_path / "index")
    app.__dict__["embedder"] = HashingEmbedder()  # before first use: the factory's slot
    app.ingest([folder])
    return app


def test_every_support_comes_with_verbatim_passages_of_its_own_procedure(app) -> None:
    rows = app.coverage()
    indexed = {(c.file, c.text) for c in app.store.manifest.all_chunks()}
    supports = [(r, s) for r in rows for s in r.supports]
    assert supports
    for row, support in supports:
        kept = row.passages[support.file]
        assert 1 <= len(kept) <= PASSAGES_PER_SUPPORT
        assert all((p.citation.file, p.text) in indexed for p in kept)
    # QP-01 cites 7.5 itself: the passage that does so is shown first.
    qp01 = cell(rows, "7.5", "QP-01-document-and-record-control.md")
    assert qp01 is not None and qp01.support is not None and qp01.support.cited
    assert qp01.passages[0].why == "cites the clause" and "7.5" in qp01.passages[0].text
    # QP-11 is mapped to 8.7 by QP-13's audit programme, and cites no clause itself: its support
    # is cited, but its passages are its own, none claiming to cite the clause.
    qp11 = cell(rows, "8.7", "QP-11-nonconforming-product.md")
    assert qp11 is not None and qp11.support is not None and qp11.support.cited
    assert qp11.passages and all(p.why != "cites the clause" for p in qp11.passages)


@pytest.mark.fast
def test_the_organisations_own_word_on_a_clause_comes_over_the_words_match():
    def rows() -> list[ClauseCoverage]:
        weak = Support("QP-03.md", "QP-03", "weak", 0.38, False)
        strong = Support("QP-01.md", "QP-01", "strong", 0.6, True)
        return [
            ClauseCoverage("8.4", "External providers", [weak]),
            ClauseCoverage("7.5", "Documented information", [strong]),
            ClauseCoverage("9.2", "Internal audit", [weak]),
            ClauseCoverage("9.3", "Management review", []),
        ]

    passage = SupportPassage(Citation("QP-02.md", "1. Orders", None, "QP-02", "T"), "x", "y")
    asked: list[tuple[str, str]] = []

    def support_of(clause_id: str, path: str):
        asked.append((clause_id, path))
        return Support("QP-02.md", "QP-02", "moderate", 0.3, False, confirmed=True), (passage,)

    verdicts = {
        # a document the coverage did not list for the clause, named by its file
        "8.4": Label(1, "Who buys our parts?", True, "Ask page", 0.0, ("QP-02.md",)),
        "7.5": Label(2, "Where is 7.5 met?", False, "cli", 0.0),
        # a document the coverage listed, weak: confirmed, it counts as a citation does
        "9.2": Label(3, "Who audits us?", True, "cli", 0.0, ("QP-03.md",)),
        # a label naming only a document no longer indexed is out of date
        "9.3": Label(4, "Who reviews?", True, "cli", 0.0, ("QP-99.md",)),
    }
    indexed = ["/docs/QP-01.md", "/docs/QP-02.md", "/docs/QP-03.md"]
    before = rows()
    assert [r.is_gap for r in before] == [True, False, True, True]
    out = with_own_verdicts(before, verdicts, indexed, support_of)
    by = {r.clause_id: r for r in out}
    assert asked == [("8.4", "/docs/QP-02.md")]  # the path, to read its passages
    assert [s.file for s in by["8.4"].supports] == ["QP-02.md", "QP-03.md"]
    assert by["8.4"].supports[0].reason == "marked as meeting it by a label"
    assert by["8.4"].passages["QP-02.md"] == (passage,) and not by["8.4"].is_gap
    # marked not met: a gap whatever the words match, and it says whose word that is
    assert by["7.5"].is_gap and by["7.5"].strength == "strong"
    assert by["7.5"].own is not None
    assert by["7.5"].own.note().startswith('marked not met by our documents ("Where is 7.5')
    confirmed = by["9.2"].supports[0]
    assert confirmed.confirmed and confirmed.strength == "moderate" and not by["9.2"].is_gap
    assert by["9.3"].own is None and by["9.3"].is_gap
    # the cached coverage itself is not changed
    assert [r.is_gap for r in before] == [True, False, True, True]
    assert with_own_verdicts(before, {}, indexed, support_of) is before
