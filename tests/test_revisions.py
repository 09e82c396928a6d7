"""Old revisions beside the current one (index/revisions.py): listed, never searched or quoted,
and searched again when the current one goes; folders of documents no longer in force are not
ingested from above."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.documents.loaders import parse
from assistant.documents.metadata import without_revision
from assistant.index.ingest import walk
from assistant.index.manifest import FileRecord
from assistant.index.revisions import revision_key, superseded
from tests.conftest import CORPUS, make_assistant


def _rec(path: str, doc_no: str, revision: str, title: str = "", status: str = "ok") -> FileRecord:
    return FileRecord(
        path=path,
        file=path,
        sha256=path,
        size=1,
        status=status,
        title=title,
        doc_no=doc_no,
        revision=revision,
        chunk_ids=[f"{path}#0", f"{path}#1"],
    )


@pytest.mark.fast
def test_revisions_order_within_their_scheme():
    assert revision_key("4") < revision_key("5")  # type: ignore[operator]
    assert revision_key("1.9") < revision_key("1.10")  # type: ignore[operator]
    assert revision_key("B") < revision_key("C")  # type: ignore[operator]
    assert revision_key("Rev 4") == revision_key("4") == revision_key("Issue 04")
    assert revision_key("v2") == revision_key("2")
    assert revision_key("Draft") == ("draft", ())
    assert revision_key("Release Date") is None
    assert revision_key("") is None


@pytest.mark.fast
def test_a_later_revision_supersedes_the_earlier_ones_of_the_same_document():
    found = superseded(
        [
            _rec("QP-05 rev 4.md", "QP-05", "4"),
            _rec("QP-05 rev 5.md", "QP-05", "5"),
            _rec("QP-05 draft.md", "qp-05", "Draft"),
            _rec("QP-06.md", "QP-06", "2"),
        ]
    )
    assert set(found) == {"QP-05 rev 4.md", "QP-05 draft.md"}
    assert found["QP-05 rev 4.md"].by_file == "QP-05 rev 5.md"
    assert found["QP-05 rev 4.md"].reason == "superseded by QP-05 rev 5.md (rev 5)"
    assert found["QP-05 rev 4.md"].chunk_ids == ("QP-05 rev 4.md#0", "QP-05 rev 4.md#1")


@pytest.mark.fast
def test_documents_without_a_number_are_the_same_document_by_title():
    found = superseded(
        [
            _rec("manual v2.docx", "", "2", "Quality  Manual"),
            _rec("manual v3.docx", "", "3", "quality manual"),
            _rec("form.md", "", "", "Quality Manual"),  # no revision: the group is left alone
        ]
    )
    assert found == {}
    found = superseded(
        [
            _rec("manual v2.docx", "", "2", "Quality Manual"),
            _rec("v3.docx", "", "3", "Quality Manual"),
        ]
    )
    assert set(found) == {"manual v2.docx"}


@pytest.mark.fast
def test_what_cannot_be_ordered_is_left_searched():
    # a Word file and its PDF export at the same revision
    assert superseded([_rec("QP-05.docx", "QP-05", "5"), _rec("QP-05.pdf", "QP-05", "5")]) == {}
    # numbers and letters: which is later is not ours to say
    assert superseded([_rec("a.md", "QP-05", "5"), _rec("b.md", "QP-05", "C")]) == {}
    # a revision missing from one of them
    assert superseded([_rec("a.md", "QP-05", "5"), _rec("b.md", "QP-05", "")]) == {}
    # a file that failed to be read is not indexed: it supersedes nothing
    assert (
        superseded([_rec("a.md", "QP-05", "4"), _rec("b.md", "QP-05", "5", status="failed")]) == {}
    )
    # documents without number or title are not grouped together
    assert superseded([_rec("a.md", "", "4"), _rec("b.md", "", "5")]) == {}


@pytest.mark.fast
def test_a_file_name_gives_the_revision_its_header_does_not():
    assert without_revision("QP-05 Calibration rev 4") == ("QP-05 Calibration", "4")
    assert without_revision("SOP-001_v3") == ("SOP-001", "3")
    assert without_revision("Quality Manual (Issue 2)") == ("Quality Manual", "2")
    assert without_revision("QP-05-rev-B") == ("QP-05", "B")
    for name in ("sop-version-control", "audit report v2 final", "Tier-V", "rev 4"):
        assert without_revision(name) == (name, "")
    text = b"# Calibration\n\nGauges are checked against the reference set every month.\n"
    doc = parse(text, Path("QP-05 Calibration rev 4.md"), ".md")
    assert (doc.info.doc_no, doc.info.revision) == ("QP-05", "4")
    # the header's own revision wins over the name's
    doc = parse(b"# QP-05 Calibration (Rev 6)\n\nGauges are checked.\n", Path("QP-05 v4.md"), ".md")
    assert doc.info.revision == "6"
    # a title made from the file name leaves the revision out: both revisions are one document
    text = b"# Summary\n\nGauges are checked every month.\n"
    doc = parse(text, Path("calibration-procedure_v2.md"), ".md")
    assert (doc.info.title, doc.info.revision) == ("Calibration Procedure", "2")


@pytest.mark.fast
def test_a_folder_of_obsolete_documents_is_not_ingested_from_above(tmp_path):
    (tmp_path / "Obsolete").mkdir()
    (tmp_path / "Superseded documents" / "2023").mkdir(parents=True)
    (tmp_path / "Archive").mkdir()
    for name in ("Obsolete/QP-05 rev 3.md", "Superseded documents/2023/QP-01.md"):
        (tmp_path / name).write_text("old")
    (tmp_path / "Archive" / "audit report 2023.md").write_text("a record kept as evidence")
    (tmp_path / "QP-05.md").write_text("current")
    files, skipped = walk([tmp_path])
    assert sorted(p.name for p in files) == ["QP-05.md", "audit report 2023.md"]
    reasons = dict(skipped)
    assert "'Obsolete'" in reasons[str(tmp_path / "Obsolete" / "QP-05 rev 3.md")]
    assert "ingest that folder itself" in reasons[str(tmp_path / "Obsolete" / "QP-05 rev 3.md")]
    # asked for by name, the folder is ingested
    files, skipped = walk([tmp_path / "Obsolete"])
    assert [p.name for p in files] == ["QP-05 rev 3.md"] and not skipped


# The current revision (4) says nonconforming product waits in the quarantine cage; this older
# one says a red bin on the line, a practice the current one no longer has.
_OLD_PRACTICE = (
    "Rejected parts are dropped straight into the red scrap bin beside the machine and the "
    "operator decides alone whether to rework them."
)


def _older_revision() -> str:
    text = (CORPUS / "QP-11-nonconforming-product.md").read_text(encoding="utf-8")
    assert "(Rev 4)" in text
    head, _, rest = text.partition("## 1 Purpose")
    return head.replace("(Rev 4)", "(Rev 3)") + f"## 1 Purpose\n\n{_OLD_PRACTICE}\n\n" + rest


def test_an_old_revision_is_listed_but_never_searched_or_quoted(small_corpus, tmp_path):
    old = small_corpus / "QP-11-nonconforming-product rev 3.md"
    old.write_text(_older_revision(), encoding="utf-8")
    app = make_assistant(tmp_path / "idx")
    report = app.ingest([small_corpus])
    assert report.set_aside == [(old.name, "superseded by QP-11-nonconforming-product.md (rev 4)")]
    listed = {d.file: d.status for d in app.status().document_list}
    assert listed[old.name] == "superseded by QP-11-nonconforming-product.md (rev 4)"
    assert listed["QP-11-nonconforming-product.md"] == "ok"

    question = (
        "Can the operator drop rejected parts in the red scrap bin and decide alone on rework?"
    )
    answer = app.ask(question)
    assert old.name not in answer.ranked_files
    assert all(e.chunk.file != old.name for e in answer.evidence)
    assert answer.ranked_files[0] == "QP-11-nonconforming-product.md"

    # with the setting off, the old revision's own words lead: what the setting prevents
    everything = make_assistant(tmp_path / "idx", set_aside_superseded=False)
    assert everything.ask(question).ranked_files[0] == old.name
    assert {d.file: d.status for d in everything.status().document_list}[old.name] == "ok"

    # the current revision removed: the older one is the document in force, searched again
    app.remove_document(str((small_corpus / "QP-11-nonconforming-product.md").resolve()))
    assert app.store.superseded() == {}
    assert app.ask(question).ranked_files[0] == old.name


def test_a_document_marked_obsolete_is_listed_but_never_searched_or_quoted(small_corpus, tmp_path):
    # a withdrawn work instruction with no successor: its practice is no longer the
    # organisation's, so the procedure in force answers, and the list says why it is not used
    withdrawn = small_corpus / "WI-11-02 Scrap bin.md"
    withdrawn.write_text(
        "| Document No | WI-11-02 |\n| --- | --- |\n| Revision | 2 |\n| Status | Obsolete |\n\n"
        f"# Scrap bin at the machine\n\n## Practice\n\n{_OLD_PRACTICE}\n",
        encoding="utf-8",
    )
    app = make_assistant(tmp_path / "idx")
    report = app.ingest([small_corpus])
    assert report.set_aside == [(withdrawn.name, "marked Obsolete in the document")]
    listed = {d.file: d.status for d in app.status().document_list}
    assert listed[withdrawn.name] == "marked Obsolete in the document"
    question = (
        "Can the operator drop rejected parts in the red scrap bin and decide alone on rework?"
    )
    answer = app.ask(question)
    assert withdrawn.name not in answer.ranked_files
    assert all(e.chunk.file != withdrawn.name for e in answer.evidence)
    everything = make_assistant(tmp_path / "idx", set_aside_superseded=False)
    assert everything.ask(question).ranked_files[0] == withdrawn.name


@pytest.mark.fast
def test_a_revision_in_the_file_name_does_not_change_what_the_document_is():
    # found by scripts/superseded_eval.py: "README v2.md" was read as a procedure, not as the
    # folder's note about itself, and gstt-csc's copy lost 0.012 MRR with the old one set aside
    from assistant.search.roles import ABOUT, RECORD, procedure_names, role_of

    assert role_of("README v2.md", "", "") == role_of("README.md", "", "") == ABOUT
    assert role_of("CSC-F-001-Training-Log-Template v2.md", "Training Record", "") == RECORD
    assert procedure_names("sop-vigilance v3.md", "") == procedure_names("sop-vigilance.md", "")


# -- a document that says itself it is no longer in force (stop 54) ----------------------------


@pytest.mark.fast
def test_a_documents_own_status_says_whether_it_is_in_force():
    from assistant.documents.metadata import from_lines, from_pairs, from_table

    # a control block as label/value columns, as a label row over one value row, as lines
    assert from_table([["Document No", "QP-05"], ["Status", "OBSOLETE"]]).status == "Obsolete"
    assert from_table([["Doc No", "Rev", "Status"], ["QP-05", "3", "Withdrawn"]]).status == (
        "Withdrawn"
    )
    assert from_lines(["Document status: Superseded by rev 5"]).status == "Superseded"
    # in force, or a draft: nothing to set aside (the revision order handles drafts)
    for value in ("Approved", "Issued", "Current", "Draft", "Released for use"):
        assert from_pairs([("Status", value)]).status == ""
    # a register's "Status" column holds its first entry's status, not the file's
    register = [
        ["CAPA", "Opened", "Status"],
        ["CAPA-01", "2026-01-04", "Cancelled"],
        ["CAPA-02", "2026-02-11", "Open"],
    ]
    assert from_table(register).status == ""


@pytest.mark.fast
def test_a_document_marked_obsolete_is_set_aside_with_or_without_a_successor():
    from dataclasses import replace

    alone = replace(_rec("QP-09.md", "QP-09", "2"), doc_status="Obsolete")
    untitled = replace(_rec("notes.md", "", ""), doc_status="Withdrawn")
    kept = _rec("QP-10.md", "QP-10", "1")
    aside = superseded([alone, untitled, kept])
    assert set(aside) == {"QP-09.md", "notes.md"}
    assert aside["QP-09.md"].reason == "marked Obsolete in the document"
    assert aside["notes.md"].reason == "marked Withdrawn in the document"
    assert aside["QP-09.md"].chunk_ids == ("QP-09.md#0", "QP-09.md#1")
    # beside a later revision, the successor is the more useful reason
    old = replace(_rec("QP-11 rev 3.md", "QP-11", "3"), doc_status="Superseded")
    new = _rec("QP-11.md", "QP-11", "4")
    assert superseded([old, new])["QP-11 rev 3.md"].reason == "superseded by QP-11.md (rev 4)"


@pytest.mark.fast
def test_the_status_is_read_where_documents_keep_it(tmp_path):
    import docx

    front = b"---\ntitle: Calibration\nstatus: obsolete\n---\n# Calibration\n\nGauges yearly.\n"
    assert parse(front, Path("QP-05.md"), ".md").info.status == "Obsolete"
    # a control table after a title heading that already gave number and revision
    table = (
        b"# QP-05 Calibration (Rev 2)\n\n| Owner | Status |\n| --- | --- |\n"
        b"| Quality | Withdrawn |\n\n## Scope\n\nGauges yearly.\n"
    )
    assert parse(table, Path("QP-05.md"), ".md").info.status == "Withdrawn"
    # "Label: value" lines at the top of a plain-text document
    lines = b"Document No: QP-05\nRevision: 2\nStatus: Withdrawn\n\nCALIBRATION\n\nGauges yearly.\n"
    assert parse(lines, Path("QP-05.txt"), ".txt").info.status == "Withdrawn"
    current = lines.replace(b"Withdrawn", b"Approved")
    assert parse(current, Path("QP-05.txt"), ".txt").info.status == ""

    # Word's Status property, set by a document controller without touching the text
    document = docx.Document()
    document.add_heading("QP-05 Calibration", 1)
    document.add_paragraph("Gauges are calibrated yearly.")
    document.core_properties.content_status = "Obsolete"
    path = tmp_path / "QP-05.docx"
    document.save(str(path))
    assert parse(path.read_bytes(), path, ".docx").info.status == "Obsolete"
    # and in its page header, where many templates keep the control block
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "QP-05\tRevision: 2\tStatus: Withdrawn"
    document.add_heading("Calibration", 1)
    document.add_paragraph("Gauges are calibrated yearly.")
    document.save(str(path))
    assert parse(path.read_bytes(), path, ".docx").info.status == "Withdrawn"
    # and a watermark drawn across every page from the header (a VML text path)
    from docx.oxml import parse_xml

    for mark, status in (("OBSOLETE COPY", "Obsolete"), ("DRAFT", "")):
        document = docx.Document()
        document.add_heading("QP-05 Calibration (Rev 2)", 1)
        document.add_paragraph("Gauges are calibrated yearly.")
        pict = parse_xml(
            '<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
            ' xmlns:v="urn:schemas-microsoft-com:vml"><v:shape id="PowerPlusWaterMarkObject">'
            f'<v:textpath string="{mark}"/></v:shape></w:pict>'
        )
        document.sections[0].header.paragraphs[0].add_run()._r.append(pict)
        document.save(str(path))
        assert parse(path.read_bytes(), path, ".docx").info.status == status


@pytest.mark.fast
def test_an_index_from_before_the_status_column_opens_and_gains_it(tmp_path, monkeypatch):
    import sqlite3

    from assistant.index.manifest import Manifest

    path = tmp_path / "manifest.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE files (path TEXT PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT NOT NULL,"
        " size INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',"
        " warnings TEXT NOT NULL DEFAULT '[]', title TEXT NOT NULL DEFAULT '',"
        " doc_no TEXT NOT NULL DEFAULT '', revision TEXT NOT NULL DEFAULT '',"
        " chunk_ids TEXT NOT NULL DEFAULT '[]', ingested_at REAL NOT NULL);"
        "INSERT INTO files VALUES ('/d/QP-05.md', 'QP-05.md', 'x', 1, 'ok', '', '[]',"
        " 'Calibration', 'QP-05', '2', '[\"c1\"]', 0);"
    )
    db.commit()
    db.close()
    # read-only (a published index; as root a chmod would not make it so): read as no status,
    # and nothing written
    with monkeypatch.context() as m:
        m.setattr("assistant.index.manifest.os.access", lambda *_: False)
        read_only = Manifest(path)
        assert read_only.read_only and read_only.files()["/d/QP-05.md"].doc_status == ""
        read_only.close()
    columns = [c[0] for c in sqlite3.connect(path).execute("SELECT * FROM files").description]
    assert "doc_status" not in columns
    manifest = Manifest(path)
    record = manifest.files()["/d/QP-05.md"]
    assert (record.doc_no, record.doc_status) == ("QP-05", "")
    with manifest.transaction() as db:
        manifest.put_file(db, FileRecord(**{**record.__dict__, "doc_status": "Obsolete"}))
    assert manifest.files()["/d/QP-05.md"].doc_status == "Obsolete"


def _stamped_pdf(stamp: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for i in range(1, 4):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, f"{i} Step {i}\n\nGauges in class {i} are calibrated every year.")
        # drawn across the page, as a document controller's stamp or watermark is
        pdf.set_font("Helvetica", size=40)
        with pdf.rotation(45, 60, 200):
            pdf.text(60, 200, stamp)
    return bytes(pdf.output())


@pytest.mark.fast
def test_a_stamp_across_every_page_of_a_pdf_is_its_status_and_not_its_text():
    from assistant.documents.metadata import stamped

    for stamp, status in (("OBSOLETE COPY", "Obsolete"), ("Uncontrolled when printed", "")):
        loaded = parse(_stamped_pdf(stamp), Path("QP-05.pdf"), ".pdf")
        assert loaded.info.status == status
        text = "\n".join(s.text for s in loaded.sections)
        assert "class 3 are calibrated" in text and stamp not in text
    # a stamp is the status alone, never a sentence that mentions it
    assert stamped("SUPERSEDED - DO NOT USE") == "Superseded"
    assert stamped("Obsolete stock is quarantined") == ""
