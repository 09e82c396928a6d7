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


@pytest.mark.fast
def test_a_revision_in_the_file_name_does_not_change_what_the_document_is():
    # found by scripts/superseded_eval.py: "README v2.md" was read as a procedure, not as the
    # folder's note about itself, and gstt-csc's copy lost 0.012 MRR with the old one set aside
    from assistant.search.roles import ABOUT, RECORD, procedure_names, role_of

    assert role_of("README v2.md", "", "") == role_of("README.md", "", "") == ABOUT
    assert role_of("CSC-F-001-Training-Log-Template v2.md", "Training Record", "") == RECORD
    assert procedure_names("sop-vigilance v3.md", "") == procedure_names("sop-vigilance.md", "")
