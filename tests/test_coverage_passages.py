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
)

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
