"""Ingest, ask, coverage and status end to end with a real Chroma store, real SQLite and real
documents, but a hashing embedder instead of MiniLM: the fast tier's check that the pieces fit.

What is asserted does not depend on the model: which files are indexed, renamed, failed or
unchanged, that every quote shown is verbatim in its source, that citations name real files,
and that explicit clause citations count as support. Answer quality is the real tier's job.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.factory import Assistant
from assistant.usecases.coverage import CoverageThresholds, coverage

from .conftest import CORPUS, make_assistant
from .fakes import HashingEmbedder

pytestmark = pytest.mark.fast

DOCS = (
    "QP-11-nonconforming-product.md",
    "QP-13-internal-audit.html",
    "QP-10-final-inspection-and-release.txt",
)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in DOCS:
        shutil.copy(CORPUS / name, folder / name)
    return folder


@pytest.fixture
def app(tmp_path: Path) -> Assistant:
    app = make_assistant(tmp_path / "index")
    app.__dict__["embedder"] = HashingEmbedder()  # before first use: the factory's slot
    return app


def test_ingest_indexes_each_document_and_a_second_run_reads_nothing(app, docs) -> None:
    first = app.ingest([docs])
    assert sorted(first.added) == sorted(DOCS)
    assert first.chunks_embedded > 0 and not first.failed
    second = app.ingest([docs])
    assert second.chunks_embedded == 0 and not second.changed
    assert len(second.unchanged) == len(DOCS)
    assert app.status().consistent


def test_a_renamed_file_is_moved_in_the_index_without_embedding_again(app, docs) -> None:
    app.ingest([docs])
    old, new = docs / DOCS[0], docs / "QP-11-renamed.md"
    old.rename(new)
    report = app.ingest([docs])
    assert report.renamed == [(old.name, new.name)]
    assert str(old) not in app.store.manifest.files()
    assert report.chunks_embedded == 0
    assert str(new) in app.store.manifest.files()


def test_a_second_folder_of_the_same_files_never_empties_the_first(app, docs) -> None:
    """A copy of the procedures folder indexed too, then deleted: the copies were skipped as
    duplicates, so the first folder keeps every passage (they used to share passage ids, and
    removing the copy left 17 documents with none)."""
    app.ingest([docs])
    chunks = app.store.manifest.chunk_count()
    copy = docs.parent / "copy"
    shutil.copytree(docs, copy)
    report = app.ingest([copy])
    assert len(report.skipped) == len(DOCS) and not report.added
    assert all(str(docs) in reason for _, reason in report.skipped)
    shutil.rmtree(copy)
    app.ingest([docs])
    assert app.store.manifest.chunk_count() == chunks and app.status().consistent
    assert app.ask("How do we meet clause 8.7?").procedures


def test_an_index_that_lost_a_documents_passages_says_so_and_the_next_ingest_restores_them(
    app, docs
) -> None:
    """An index written before copies in two folders were told apart (above) could list a
    document whose passages were gone; status said it was consistent."""
    app.ingest([docs])
    chunks = app.store.manifest.chunk_count()
    path = str(docs / DOCS[0])
    with app.store.manifest.transaction() as db:
        db.execute("DELETE FROM chunks WHERE path=?", (path,))
    status = app.status()
    assert not status.consistent and any("has lost passages" in p for p in status.problems)
    report = app.ingest([docs])
    assert report.repaired and report.added == [DOCS[0]]
    assert app.store.manifest.chunk_count() == chunks and app.status().consistent


def test_one_unreadable_file_fails_alone_and_the_rest_is_indexed(app, docs) -> None:
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a real pdf")
    report = app.ingest([docs])
    assert [f for f, _ in report.failed] == ["broken.pdf"]
    assert len(report.added) == len(DOCS)


def test_every_quote_in_an_answer_is_verbatim_in_the_passage_it_cites(app, docs) -> None:
    app.ingest([docs])
    answer = app.ask("How do we meet clause 8.7?")
    assert answer.mode == "clause" and [c.id for c in answer.clauses] == ["8.7"]
    quotes = [q for p in answer.procedures for q in p.quotes]
    assert quotes, "a clause the documents cite is answered with quotes"
    indexed = {c.text for c in app.store.manifest.all_chunks()}
    for q in quotes:
        assert q.text in q.passage and q.passage in indexed
        assert Path(q.citation.file).name in DOCS


def test_a_removed_document_is_no_longer_cited(app, docs) -> None:
    app.ingest([docs])
    gone = str(docs / DOCS[0])
    assert DOCS[0] in app.ask("How do we meet clause 8.7?").ranked_files
    assert gone in app.store.manifest.files()
    app.remove_document(gone)
    assert gone not in app.store.manifest.files()
    assert (docs / DOCS[0]).exists(), "a file outside the library is left where it is"
    assert DOCS[0] not in app.ask("How do we meet clause 8.7?").ranked_files


def test_coverage_counts_a_procedure_that_cites_the_clause(app, docs) -> None:
    app.ingest([docs])
    rows = coverage(
        app.catalogue,
        app.retriever,
        app.embedder,
        app.store,
        CoverageThresholds(strong=0.55, moderate=0.45, weak=0.35),
    )
    by_clause = {r.clause_id: r for r in rows}
    assert len(rows) == len(list(app.catalogue))
    cited = [s for s in by_clause["8.7"].supports if s.cited]
    assert any(Path(s.file).name == DOCS[0] for s in cited)
