"""The clause-citation map is kept beside the index: a new process does not read every passage
again (15-17 s at 20,000 passages), and a changed index, other code or a damaged file gets a
map built afresh, never a stale one."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant.core.settings import load_settings
from assistant.factory import build
from assistant.search import citation_cache
from assistant.search.retrieval import CitationMap
from tests.conftest import ROOT


def _maps(app):
    c = app.retriever.citations
    c.refresh()
    return (c.by_chunk, c.by_file, c.mapped, c.tabled, c.points_to, c.declared, c.cited_anyway)


@pytest.fixture
def index(sample, tmp_path):
    data = tmp_path / "index"
    shutil.copytree(sample.settings.data_dir, data)
    (data / citation_cache.FILE).unlink(missing_ok=True)
    return data


def test_a_new_process_reads_the_kept_map_instead_of_every_passage(index, monkeypatch):
    first = build(load_settings(data_dir=index))
    built = _maps(first)
    assert (index / citation_cache.FILE).is_file()
    assert any(built[1].values()), "the sample's procedures cite clauses"

    def read_again(self):
        raise AssertionError("the map was built again from the passages")

    monkeypatch.setattr(CitationMap, "_build", read_again)
    again = build(load_settings(data_dir=index))
    assert _maps(again) == built
    answer = again.ask("Which procedure shows how we meet clause 8.5.1?")
    assert answer.mode == "clause" and answer.ranked_files


def test_a_changed_index_other_code_or_a_damaged_file_gets_a_new_map(index, monkeypatch):
    app = build(load_settings(data_dir=index))
    before = _maps(app)
    kept = index / citation_cache.FILE
    calls = []
    build_map = CitationMap._build
    monkeypatch.setattr(CitationMap, "_build", lambda self: calls.append(1) or build_map(self))

    # a new document is indexed: its own citations are in the map
    new = index.parent / "docs"
    new.mkdir()
    (new / "QP-99-supplier-days.md").write_text(
        "# QP-99 Supplier days\n\nThis procedure meets ISO 9001 clause 8.4.3 for supplier days.\n",
        encoding="utf-8",
    )
    app.ingest([ROOT / "corpus" / "procedures", new])
    after = _maps(build(load_settings(data_dir=index)))
    assert calls and after[1].get("QP-99-supplier-days.md") == {"8.4.3"}
    assert json.loads(kept.read_text())["index"] == app.store.manifest.get("last_ingest")

    # code that reads citations otherwise (another version of the package)
    calls.clear()
    monkeypatch.setattr(citation_cache, "code_key", lambda: "another version")
    assert _maps(build(load_settings(data_dir=index))) == after and calls

    # a damaged file is built over, without an error
    calls.clear()
    kept.write_text("{not json", encoding="utf-8")
    assert _maps(build(load_settings(data_dir=index))) == after and calls
    assert json.loads(kept.read_text())["code"] == "another version"
    assert before[1] != after[1]


def test_an_ingest_or_a_removal_leaves_the_map_kept_for_the_next_process(index, monkeypatch):
    """The map is built while the user waits on the ingest, not by the first clause question
    afterwards (16 s at 20,000 passages), and a removed document leaves it at once."""
    app = build(load_settings(data_dir=index))
    new = index.parent / "docs"
    new.mkdir()
    doc = new / "QP-98-tool-days.md"
    doc.write_text(
        "# QP-98 Tool days\n\nThis procedure meets ISO 9001 clause 7.1.5 for tool days.\n",
        encoding="utf-8",
    )
    app.ingest([ROOT / "corpus" / "procedures", new])
    kept = index / citation_cache.FILE
    assert json.loads(kept.read_text())["index"] == app.store.manifest.get("last_ingest")

    def read_again(self):
        raise AssertionError("the map was built again by a later process")

    with monkeypatch.context() as m:
        m.setattr(CitationMap, "_build", read_again)
        assert _maps(build(load_settings(data_dir=index)))[1]["QP-98-tool-days.md"] == {"7.1.5"}

    app.remove_document(str(doc))
    assert json.loads(kept.read_text())["index"] == app.store.manifest.get("last_ingest")
    monkeypatch.setattr(CitationMap, "_build", read_again)
    assert "QP-98-tool-days.md" not in _maps(build(load_settings(data_dir=index)))[1]
