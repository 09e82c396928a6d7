"""Every loader on real documents, and every kind of bad file with a one-line reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.errors import DocumentError
from assistant.documents import loaders
from tests.conftest import CORPUS, DATA, REALQMS

LIMIT = 25 * 2**20


def load(path: Path):
    return loaders.load(path, LIMIT)


def section(doc, heading_end: str):
    return next(s for s in doc.sections if s.heading.endswith(heading_end))


def test_markdown_front_matter_headings_and_tables():
    doc = load(CORPUS / "QM-001-quality-manual.md")
    assert (doc.info.doc_no, doc.info.revision, doc.info.title) == ("QM-001", "9", "Quality Manual")
    # Tables read row by row, each cell with its column header.
    rows = [ln for s in doc.sections for ln in s.text.splitlines() if "QO-1" in ln]
    assert any("On-time delivery" in r or "on-time delivery" in r.lower() for r in rows)
    assert all(not s.heading.startswith("Quality Manual") for s in doc.sections)


def test_markdown_header_table_and_first_heading_forms():
    table_doc = load(CORPUS / "QP-01-document-and-record-control.md")
    assert (table_doc.info.doc_no, table_doc.info.revision) == ("QP-01", "5")
    assert table_doc.info.title == "Control of Documents and Records"
    heading_doc = load(CORPUS / "QP-11-nonconforming-product.md")
    assert (heading_doc.info.doc_no, heading_doc.info.revision) == ("QP-11", "4")
    assert heading_doc.info.title == "Control of Nonconforming Product"
    assert any(
        s.heading_path[:1] == ("5 Procedure",) and len(s.heading_path) == 2
        for s in heading_doc.sections
    )


def test_plain_text_headings_and_metadata_lines():
    doc = load(CORPUS / "QP-10-final-inspection-and-release.txt")
    assert (doc.info.doc_no, doc.info.revision) == ("QP-10", "4")
    assert any(len(s.heading_path) == 2 and s.heading_path[0].startswith("5") for s in doc.sections)


def test_html_headings_tables_and_no_markup():
    doc = load(CORPUS / "QP-13-internal-audit.html")
    assert (doc.info.doc_no, doc.info.revision) == ("QP-13", "5")
    text = "\n".join(s.text for s in doc.sections)
    assert "<" not in text and "F-13-2" in text
    assert any(len(s.heading_path) >= 2 for s in doc.sections)


def test_html_scripts_are_dropped(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>WI-9 Packing</title><script>alert('x')</script></head>"
        "<body><h1>WI-9 Packing (Rev 2)</h1><h2>1 Method</h2><p>Wrap each gauge.</p>"
        "<style>p{}</style></body></html>"
    )
    doc = load(page)
    assert (doc.info.doc_no, doc.info.revision) == ("WI-9", "2")
    assert [s.text for s in doc.sections] == ["Wrap each gauge."]
    assert doc.sections[0].heading == "1 Method"


def test_word_heading_styles_header_table_and_tables():
    doc = load(CORPUS / "QP-04-training-and-competence.docx")
    assert (doc.info.doc_no, doc.info.revision) == ("QP-04", "6")
    assert doc.info.title == "Training, Competence and Awareness"
    assert any(len(s.heading_path) == 2 for s in doc.sections), "Heading 2 under Heading 1"
    # A Word table stays readable row by row: every row line carries its column headers.
    table_lines = [ln for s in doc.sections for ln in s.text.splitlines() if ln.count(": ") >= 2]
    assert len(table_lines) >= 5


def test_pdf_pages_and_bookmarked_headings():
    doc = load(CORPUS / "QP-05-calibration-of-measuring-equipment.pdf")
    assert (doc.info.doc_no, doc.info.revision) == ("QP-05", "5")
    oot = section(doc, "5.3 Out-of-tolerance results")
    assert oot.heading_path[0] == "5 Procedure"
    assert oot.page is not None and oot.page > 1
    assert {s.page for s in doc.sections} >= {1, 2, 3}
    # Running headers and page footers are not content.
    assert not any("Page 1 of" in s.text for s in doc.sections)


def test_non_utf8_text_is_decoded_with_a_warning():
    doc = load(DATA / "good" / "wi-31-cp1252.txt")
    assert "45\u00b0" in doc.sections[-1].text
    assert doc.warnings == ["not UTF-8: decoded as Windows-1252"]
    assert (doc.info.doc_no, doc.info.revision) == ("WI-31", "3")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("corrupt.pdf", "corrupt PDF"),
        ("encrypted.pdf", "encrypted PDF"),
        ("empty.docx", "empty file"),
        ("malformed.docx", "not a Word document"),
        ("bomb.docx", "zip bomb"),
        ("binary.md", "binary content"),
    ],
)
def test_bad_files_fail_with_a_one_line_reason(name, reason):
    with pytest.raises(DocumentError, match=reason) as err:
        load(DATA / "bad" / name)
    assert "\n" not in str(err.value)


def test_file_over_the_size_limit_is_refused_without_reading(tmp_path):
    big = tmp_path / "huge.md"
    with big.open("wb") as f:  # sparse: 26 MB on paper, nothing on disk
        f.truncate(26 * 2**20)
    with pytest.raises(DocumentError, match=r"26\.0 MB, over the 25 MB limit"):
        load(big)


def test_wrong_extension_is_refused():
    with pytest.raises(DocumentError, match="unsupported file type '.png'"):
        load(DATA / "bad" / "logo.png")


@pytest.mark.skipif(not REALQMS.is_dir(), reason="../shared/realqms not present")
def test_real_third_party_markdown_metadata():
    doc = load(REALQMS / "CSC-PR-010-Control-Of-Non-Conforming-Product.md")
    assert doc.info.doc_no == "CSC PR.010"
    assert doc.info.revision == "2.0.1"
    assert "Non-Conforming" in doc.info.title


def test_markdown_links_leave_their_text_and_nothing_else(tmp_path: Path):
    """Links whose target holds parentheses, an image inside a link, a titled link: the reader
    sees the link text, never a stray ')' or a URL."""
    doc = tmp_path / "links.md"
    doc.write_text(
        "# QP-99 Links (Rev 1)\n\n## 1 Purpose\n\n"
        "See [the guide](https://example.org/wiki/Gauge_(instrument)) before use.\n"
        "[![logo](logo.png)](https://example.org) Approved by the Quality Manager.\n"
        'Records follow [QP-01](QP-01.md "Document control (QP-01)") for 10 years.\n'
    )
    text = " ".join(s.text for s in load(doc).sections)
    assert "See the guide before use." in text
    assert "logo Approved by the Quality Manager." in text
    assert "Records follow QP-01 for 10 years." in text
    assert ")" not in text.replace("(Rev 1)", "") and "example.org" not in text
