"""Documents page: the upload limit people see is the one the assistant applies, an upload shows
at once in the counts and the table, the table shows every document, and the uploader empties
after indexing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.ui.documents_page import ROW_PX, _table_height
from tests.conftest import ROOT

PAGE = "assistant/ui/pages/documents.py"
QP90 = (
    b"# QP-90 Forklift truck daily checks\n\n"
    b"Document No: QP-90 Revision: 1\n\n"
    b"## 5 Procedure\n\n"
    b"5.1 Before the first lift of each shift the driver checks the forklift tyres, forks, "
    b"mast chains, horn and hydraulic hoses, and records the check on form F-90-1.\n"
)


@pytest.fixture
def data_dir(sample, tmp_path) -> Path:
    """A copy of the sample index this test may write to."""
    data = tmp_path / "index"
    shutil.copytree(sample.settings.data_dir, data)
    return data


def _documents(monkeypatch, data_dir: Path) -> AppTest:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_uploader_limit_is_the_max_file_mb_setting(monkeypatch, data_dir):
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "3")
    at = _documents(monkeypatch, data_dir)
    uploader = at.file_uploader[0]
    # The label and the limit the browser enforces (and prints as "3MB per file") agree;
    # before, the browser said Streamlit's default 200MB under a "3 MB" label.
    assert "up to 3 MB each" in uploader.label
    assert uploader.proto.max_upload_size_mb == 3


def test_table_lists_every_document_with_title_and_status(monkeypatch, sample, data_dir):
    at = _documents(monkeypatch, data_dir)
    table = at.dataframe[0].value
    indexed = sample.status().document_list
    assert len(table) == len(indexed) == int(_metric(at, "Documents"))
    assert {"Document", "Title", "Revision", "Passages", "Status", "File"} <= set(table.columns)
    assert "Control of Nonconforming Product" in set(table["Title"])


@pytest.mark.fast
def test_table_is_tall_enough_for_every_row_of_a_normal_library():
    # Streamlit's default height shows about ten rows: the sample's 17 were cut off.
    assert _table_height(17) >= ROW_PX * 18
    assert _table_height(500) < 2000  # a big library scrolls inside the table


def test_upload_updates_counts_and_table_at_once_and_empties_the_uploader(monkeypatch, data_dir):
    at = _documents(monkeypatch, data_dir)
    before = int(_metric(at, "Documents"))
    at.file_uploader[0].set_value([("QP-90 forklift.md", QP90, "text/markdown")]).run()
    next(b for b in at.button if b.label == "Add and index").click().run()
    assert not at.exception
    assert any("QP\\-90\\-forklift\\.md" in s.value for s in at.success)
    # Same run, no page change: the new document is counted and listed...
    assert int(_metric(at, "Documents")) == before + 1
    assert "QP-90" in set(at.dataframe[0].value["Document"])
    # ...and the uploader is empty again, with no "Add and index" for the same file.
    assert not at.file_uploader[0].value
    assert not any(b.label == "Add and index" for b in at.button)


def test_an_excel_register_uploaded_is_listed_with_its_number_and_title(monkeypatch, data_dir):
    """A workbook is uploaded like any procedure (the uploader takes the formats the loader
    reads) and is listed under the form number and title its title row gives."""
    register = ROOT / "tests" / "data" / "good" / "F-08-2-approved-supplier-register.xlsx"
    at = _documents(monkeypatch, data_dir)
    assert {"xlsx", "csv"} <= {t.lstrip(".") for t in at.file_uploader[0].proto.type}
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader[0].set_value([(register.name, register.read_bytes(), kind)]).run()
    next(b for b in at.button if b.label == "Add and index").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    row = table[table["Document"] == "F-08-2"]
    assert list(row["Title"]) == ["Approved supplier register"]
    assert list(row["Status"]) == ["ok"]


def test_an_older_revision_uploaded_is_listed_as_superseded_and_said_so(monkeypatch, data_dir):
    """A QMS share's old revision uploaded beside the current one: indexed and listed, with
    why it is not searched (index/revisions.py)."""
    at = _documents(monkeypatch, data_dir)
    old = (
        b"# QP-11 Control of Nonconforming Product (Rev 3)\n\n"
        b"## 5 Procedure\n\n"
        b"5.1 Rejected parts go in the red bin beside the machine until the supervisor's round.\n"
    )
    at.file_uploader[0].set_value([("QP-11 rev 3.md", old, "text/markdown")]).run()
    next(b for b in at.button if b.label == "Add and index").click().run()
    assert not at.exception
    reason = "superseded by QP-11-nonconforming-product.md (rev 4)"
    assert any(reason in i.value.replace("\\", "") for i in at.info)
    table = at.dataframe[0].value
    row = table[table["Status"] == reason]
    assert list(zip(row["Document"], row["Revision"], strict=True)) == [("QP-11", "3")]
    assert sorted(table[table["Document"] == "QP-11"]["Status"]) == ["ok", reason]
