"""Every loader on real documents, and every kind of bad file with a one-line reason."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from assistant.core.errors import DocumentError, UsageError
from assistant.documents import loaders
from assistant.documents.formats import FORMATS, check_size, format_labels
from assistant.usecases.library import safe_name
from tests.conftest import CORPUS, DATA, REALQMS, make_assistant, run_cli

pytestmark = pytest.mark.fast  # no model: make test-fast

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
    # Its header block labels each row (<th>Revision</th><td>5</td>): read along the rows,
    # not as a header row over columns ("Document No: Revision; QP-13: 5").
    assert "Document No: QP-13\nRevision: 5\n" in text and "Document No: Revision" not in text
    assert "Process: Calibration; Procedure: QP-05;" in text  # a header row over columns


def test_html_rows_labelled_in_pairs_and_header_rows(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><h1>WI-7 Loading</h1><table>"
        "<tr><th>Owner</th><td>Transport Manager</td><th>Approved by</th><td>QA</td></tr>"
        "<tr><th>Revision</th><td>4</td><th>Review due</th><td></td></tr></table>"
        "<h2>1 Checks</h2><table><tr><th>Check</th><th>By</th></tr>"
        "<tr><th>Seal number</th><td>Driver</td></tr><tr><td>Door alarm</td><td>Driver</td></tr>"
        "</table></body></html>"
    )
    text = "\n".join(s.text for s in load(page).sections)
    assert "Owner: Transport Manager; Approved by: QA\nRevision: 4\n" in text
    assert "Check: Seal number; By: Driver\nCheck: Door alarm; By: Driver" in text


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


def test_a_page_saved_from_an_intranet_is_read_without_the_sites_menus(tmp_path):
    """A procedure saved from the intranet sits in the site's banner, menus and footer: the
    site's name was taken for the title and every menu item was indexed."""
    site = (
        "<html><head><title>QP-21 Shipping - Intranet</title></head><body>"
        "<header><h1>Calderbrook Intranet</h1><nav><a>Home</a> <a>HR</a> <a>Canteen menu</a>"
        "</nav></header><div class='layout'><aside><h2>Quick links</h2><p>Book a holiday</p>"
        "</aside><main><h1>QP-21 Shipping (Rev 3)</h1><h2>5 Packing</h2>"
        "<p>Each gauge is wrapped and boxed with its certificate.</p></main></div>"
        "<footer><p>Intranet help desk, extension 200</p></footer></body></html>"
    )
    (tmp_path / "shipping.html").write_text(site, encoding="utf-8")
    doc = load(tmp_path / "shipping.html")
    assert (doc.info.doc_no, doc.info.revision, doc.info.title) == ("QP-21", "3", "Shipping")
    assert [s.text for s in doc.sections] == [
        "Each gauge is wrapped and boxed with its certificate."
    ]
    # Without a <main>, only menus go: a hand-written page's header may be its title block.
    plain = (
        "<html><body><header><h1>WI-8 Labelling (Rev 1)</h1></header>"
        "<nav role='navigation'><a>Back to all work instructions</a></nav>"
        "<h2>1 Labels</h2><p>Labels are printed from the order.</p></body></html>"
    )
    (tmp_path / "labelling.html").write_text(plain, encoding="utf-8")
    doc = load(tmp_path / "labelling.html")
    assert (doc.info.doc_no, doc.info.revision) == ("WI-8", "1")
    assert "Back to all work instructions" not in " ".join(s.text for s in doc.sections)


def test_word_heading_styles_header_table_and_tables():
    doc = load(CORPUS / "QP-04-training-and-competence.docx")
    assert (doc.info.doc_no, doc.info.revision) == ("QP-04", "6")
    assert doc.info.title == "Training, Competence and Awareness"
    assert any(len(s.heading_path) == 2 for s in doc.sections), "Heading 2 under Heading 1"
    # A Word table stays readable row by row: every row line carries its column headers.
    table_lines = [ln for s in doc.sections for ln in s.text.splitlines() if ln.count(": ") >= 2]
    assert len(table_lines) >= 5


def test_word_table_rows_keep_equal_values_under_their_headers(tmp_path: Path):
    """Equal neighbouring values are separate cells. Folding them shifted the skills matrix's
    values under the wrong headers: level 3 read "May sign first-off inspection: No", the
    opposite of the document."""
    doc = load(CORPUS / "QP-04-training-and-competence.docx")
    matrix = section(doc, "Skills matrix").text
    assert (
        "Level: 3; Meaning: Experienced; May work unsupervised: Yes; "
        "May sign first-off inspection (F-09-3): Yes; May train others: No"
    ) in matrix
    assert "Level: 0; Meaning: Not trained; May work unsupervised: No; May sign" in matrix

    import docx

    built = docx.Document()
    built.add_heading("Approvals", level=1)
    table = built.add_table(rows=3, cols=3)
    for r, values in enumerate([("Step", "Owner", "Signs"), ("Plan", "QA", "QA"), ("", "", "")]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    merged = table.cell(2, 0).merge(table.cell(2, 1))  # one cell over two columns
    merged.text = "Release"
    table.cell(2, 2).text = "MD"
    path = tmp_path / "approvals.docx"
    built.save(str(path))
    text = load(path).sections[-1].text
    assert "Step: Plan; Owner: QA; Signs: QA" in text
    assert "Step: Release; Signs: MD" in text  # the merged cell once; MD stays under Signs


_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _tracked(kind: str, text: str) -> str:
    tag = "delText" if kind == "del" else "t"
    return (
        f'<w:{kind} {_W_NS} w:id="{len(text)}" w:author="QA" w:date="2026-11-01T00:00:00Z">'
        f'<w:r><w:{tag} xml:space="preserve">{text}</w:{tag}></w:r></w:{kind}>'
    )


def test_word_is_read_as_shown_with_changes_accepted_and_template_fields_filled(tmp_path):
    """A procedure under review carries tracked changes and a company template fills its fields
    with content controls; python-docx's paragraph text reads neither, so the inserted
    countersignature, the owner and a whole block control's clause were lost. Word shows the
    insertion, the controls' text and a field's result; deleted text and text boxes stay out."""
    import docx
    from docx.oxml import parse_xml

    built = docx.Document()
    built.add_heading("5 Release", level=1)
    steps = built.add_paragraph("The inspector signs the record ")
    steps._p.append(parse_xml(_tracked("ins", "and the supervisor countersigns it ")))
    steps._p.append(parse_xml(_tracked("del", "within a week ")))
    steps.add_run("before release.")
    owner = built.add_paragraph("Owner: ")
    owner._p.append(
        parse_xml(
            f'<w:sdt {_W_NS}><w:sdtPr><w:alias w:val="Owner"/></w:sdtPr><w:sdtContent>'
            "<w:r><w:t>Quality Manager</w:t></w:r></w:sdtContent></w:sdt>"
        )
    )
    body = built.element.body
    body.insert(
        len(body) - 1,  # before the section properties, as Word places body content
        parse_xml(
            f"<w:sdt {_W_NS}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Release records are kept "
            "for ten years.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    see = built.add_paragraph("See ")
    see._p.append(
        parse_xml(
            f'<w:fldSimple {_W_NS} w:instr="REF _Ref1 \\h"><w:r><w:t>section 5.2</w:t></w:r>'
            "</w:fldSimple>"
        )
    )
    see.add_run(" for the checks.")
    table = built.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Record", "Kept by"
    table.cell(1, 0).text = "Release note"
    table.cell(1, 1)._tc.append(
        parse_xml(
            f"<w:sdt {_W_NS}><w:sdtContent><w:p><w:r><w:t>Stores</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        )
    )
    path = tmp_path / "QP-20-release.docx"
    built.save(str(path))
    text = load(path).sections[-1].text
    assert text.splitlines()[::2][:4] == [
        "The inspector signs the record and the supervisor countersigns it before release.",
        "Owner: Quality Manager",
        "Release records are kept for ten years.",
        "See section 5.2 for the checks.",
    ]
    assert "within a week" not in text
    assert "Record: Release note; Kept by: Stores" in text


def test_word_headings_in_a_company_templates_own_styles(tmp_path):
    """A template names its own heading styles; python-docx's style name is then not "Heading
    n", and the document read as one section with its headings as text. A style based on a
    heading, or one that sets an outline level (as the navigation pane reads it), is a heading;
    so is a paragraph given an outline level of its own."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml

    built = docx.Document()
    based = built.styles.add_style("QP Heading 1", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = built.styles["Heading 1"]
    outlined = built.styles.add_style("QP Step Title", WD_STYLE_TYPE.PARAGRAPH)
    outlined.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {_W_NS} w:val="1"/>'))
    body = built.styles.add_style("QP Body", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = built.styles["Normal"]
    built.add_paragraph("5 Procedure", style="QP Heading 1")
    built.add_paragraph("5.1 Goods in", style="QP Step Title")
    built.add_paragraph("Deliveries are checked against the order.", style="QP Body")
    own = built.add_paragraph("6 Records")
    own._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {_W_NS} w:val="0"/>'))
    built.add_paragraph("Delivery notes are filed by date.", style="QP Body")
    path = tmp_path / "QP-31-goods-in.docx"
    built.save(str(path))
    sections = load(path).sections
    assert [(s.heading, s.text) for s in sections] == [
        ("5 Procedure > 5.1 Goods in", "Deliveries are checked against the order."),
        ("6 Records", "Delivery notes are filed by date."),
    ]


def test_word_automatic_numbers_and_bullets_are_read_as_shown(tmp_path):
    """Word numbers headings and steps itself ("5.3 Out-of-tolerance results") and draws bullets;
    none of it is in the paragraphs' text. Counted as Word counts: a deeper level restarts under
    each new parent, a list instance with its own start restarts, letters and bullets as set."""
    import docx
    from docx.oxml import parse_xml

    built = docx.Document()
    numbering = built.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {_W_NS} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1.%2"/></w:lvl>'
            '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
            '<w:lvlText w:val="%3)"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(f'<w:num {_W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )

    def numbered(text: str, level: int, style: str = "Normal") -> None:
        paragraph = built.add_paragraph(text, style=style)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {_W_NS}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
        )

    numbered("Purpose", 0, "Heading 1")
    built.add_paragraph("How goods are received.")
    numbered("Procedure", 0, "Heading 1")
    numbered("Receiving", 1, "Heading 2")
    built.add_paragraph("The storeman checks each delivery for:")
    for item in ("a damaged outer box", "a missing delivery note"):
        built.add_paragraph(item, style="List Bullet")
    numbered("Storage", 1, "Heading 2")
    numbered("Chilled goods go to chamber 2.", 2)
    numbered("Frozen goods go to chamber 4.", 2)
    numbered("Records", 0, "Heading 1")
    numbered("Retention", 1, "Heading 2")
    built.add_paragraph("Delivery notes are kept for two years.")
    path = tmp_path / "WI-12-goods-in.docx"
    built.save(str(path))
    doc = load(path)
    assert [s.heading for s in doc.sections] == [
        "1 Purpose", "2 Procedure > 2.1 Receiving", "2 Procedure > 2.2 Storage",
        "3 Records > 3.1 Retention",
    ]  # fmt: skip
    receiving, storage = doc.sections[1].text, doc.sections[2].text
    assert receiving.splitlines()[::2] == [
        "The storeman checks each delivery for:",
        "- a damaged outer box",
        "- a missing delivery note",
    ]
    assert storage.splitlines()[::2] == [
        "a) Chilled goods go to chamber 2.",
        "b) Frozen goods go to chamber 4.",
    ]


def test_a_word_templates_page_header_gives_number_and_revision(tmp_path):
    """Company templates keep the control block in the page header, as a table or a tabbed
    line; the body then names neither. Read for the number and revision only: the header's
    text repeats on every page and is not indexed."""
    import docx

    tabled = docx.Document()
    tabled.add_heading("Supplier Evaluation", level=1)
    tabled.add_paragraph("Suppliers are scored each year on delivery and quality.")
    block = tabled.sections[0].header.add_table(rows=2, cols=2, width=docx.shared.Cm(12))
    for r, (label, value) in enumerate([("Document No", "QP-30"), ("Revision", "2")]):
        block.cell(r, 0).text, block.cell(r, 1).text = label, value
    tabled.save(str(tmp_path / "supplier-evaluation.docx"))
    doc = load(tmp_path / "supplier-evaluation.docx")
    assert (doc.info.doc_no, doc.info.revision) == ("QP-30", "2")
    assert doc.info.title == "Supplier Evaluation"
    assert "QP-30" not in " ".join(s.text for s in doc.sections)

    tabbed = docx.Document()
    tabbed.add_heading("Customer Property", level=1)
    tabbed.add_paragraph("Customer-owned fixtures are labelled and checked on arrival.")
    tabbed.sections[0].header.paragraphs[0].text = "Doc No: WI-7\tRev: C\tPage 1 of 2"
    tabbed.save(str(tmp_path / "customer-property.docx"))
    doc = load(tmp_path / "customer-property.docx")
    assert (doc.info.doc_no, doc.info.revision) == ("WI-7", "C")


def test_pdf_pages_and_bookmarked_headings():
    doc = load(CORPUS / "QP-05-calibration-of-measuring-equipment.pdf")
    assert (doc.info.doc_no, doc.info.revision) == ("QP-05", "5")
    oot = section(doc, "5.3 Out-of-tolerance results")
    assert oot.heading_path[0] == "5 Procedure"
    assert oot.page is not None and oot.page > 1
    assert {s.page for s in doc.sections} >= {1, 2, 3}
    # Running headers and page footers are not content.
    assert not any("Page 1 of" in s.text for s in doc.sections)


def test_pdf_table_rows_keep_their_columns():
    """A PDF table is read as laid out on the page, each row with its headers; plain text
    extraction ran a row's cells together ("R1 Deadweight tester External UKAS-accredited 12
    months") and a wrapped cell's second line into the next row."""
    doc = load(CORPUS / "QP-05-calibration-of-measuring-equipment.pdf")
    intervals = section(doc, "5.2 Calibration intervals and methods").text
    assert (
        "Class: W; Equipment: Working pressure gauges (cells A-C, clean room); Method: In-house "
        "check against the reference set; Interval: Monthly; Tolerance: +/-0.5% of full scale"
    ) in intervals
    assert "Class: T; Equipment: Torque wrenches and drivers;" in intervals
    # the paragraphs around the table are as before
    assert "5.2.1 Each item has an equipment class, which sets its method" in intervals
    assert "5.2.2 Reference standards are calibrated every 12 months" in intervals
    records = section(doc, "6 Records and forms").text
    assert "Form: F-05-3; Record: Out-of-tolerance impact assessment; Kept by: Metrology Lead;" in (
        records
    )


def test_plain_text_tables_set_out_with_spaces_read_row_by_row(tmp_path: Path):
    doc = load(CORPUS / "QP-15-infrastructure-and-maintenance.txt")
    text = "\n".join(s.text for s in doc.sections)
    # a first cell running into the next column with one space is cut at the column
    assert (
        "Asset type: Hand tools and benches, cells A-C; Operator check: Weekly (tidy); "
        "PPM by Maintenance Engineer: Every 6 months; External service: -"
    ) in text
    assert "Form: F-15-2; Record: Breakdown log; Kept by: Maintenance Engineer; Retention:" in text
    page = tmp_path / "wi.txt"
    page.write_text(
        "WI-4 Despatch\n\nDocument No: WI-4    Revision: 2    Owner: Shipping\n\n"
        "1 CHECKS\n\nEach load is checked before it leaves.\n\n"
        "Check          Who       Record\n"
        "-------------  --------  ------\n"
        "Seal number    Loader    F-4-1,\n"
        "                         the seal log\n"
        "Door alarm     Driver    -\n"
        "==========\n\n"
        "A failed check   stops the load.\n"
    )
    text = "\n".join(s.text for s in load(page).sections)
    assert (
        "Check: Seal number; Who: Loader; Record: F-4-1, the seal log\n"
        "Check: Door alarm; Who: Driver; Record: -"
    ) in text
    assert "Document No: WI-4    Revision: 2" in text  # label: value pairs are no header row
    assert "==========" in text and "A failed check   stops the load." in text


def test_pdf_built_table_with_a_wrapped_cell(tmp_path: Path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 6, "4 Checks\n\nThe loader checks each trailer before it leaves.")
    rows = [
        ("Check", "Who", "When"),
        ("Seal number against the manifest and the booking note", "Loader", "Before departure"),
        ("Door alarm", "Driver", "Every drop"),
    ]
    with pdf.table(col_widths=(60, 30, 30), text_align="LEFT") as table:
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.multi_cell(0, 6, "\nA failed check is reported to the transport office.")
    path = tmp_path / "checks.pdf"
    path.write_bytes(bytes(pdf.output()))
    text = "\n".join(s.text for s in load(path).sections)
    assert (
        "Check: Seal number against the manifest and the booking note; Who: Loader; "
        "When: Before departure\nCheck: Door alarm; Who: Driver; When: Every drop"
    ) in text
    assert "The loader checks each trailer before it leaves." in text
    assert "A failed check is reported to the transport office." in text


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


# --- OpenDocument text (.odt), built here: a zip with the mimetype first and stored, then
# content.xml, meta.xml and the manifest, as LibreOffice Writer writes them.

_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)
_ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def _odt_parts(body: str, title: str = "", mimetype: str = _ODT_MIMETYPE) -> dict[str, str]:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_ODF_NS} office:version="1.3"><office:automatic-styles>'
        '<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>'
        "</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF_NS}>'
        f"<office:meta><dc:title>{title}</dc:title></office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return {"mimetype": mimetype, "content.xml": content, "meta.xml": meta,
            "META-INF/manifest.xml": manifest}  # fmt: skip


def write_odt(path: Path, parts: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            zf.writestr(name, text, compress_type=kind)
    return path


def _cells(*texts: str) -> str:
    return "".join(f"<table:table-cell><text:p>{t}</text:p></table:table-cell>" for t in texts)


def _row(*texts: str) -> str:
    return f"<table:table-row>{_cells(*texts)}</table:table-row>"


# A short work instruction written for these tests.
WI_42_BODY = (
    '<text:p text:style-name="P1">WI-42 Receiving Inspection of Castings</text:p>'
    f'<table:table table:name="Control">{_row("Document No", "WI-42")}{_row("Revision", "3")}'
    "</table:table>"
    "<text:table-of-content><text:index-body>"
    "<text:p>5.1 Visual check<text:tab/>2</text:p></text:index-body></text:table-of-content>"
    '<text:h text:outline-level="1">1 Purpose</text:h>'
    "<text:p>How stores checks <text:span>incoming castings</text:span> against the "
    '<text:a xlink:href="https://example.org/po">purchase order</text:a>.'
    "<office:annotation><text:p>Reviewer: reword this</text:p></office:annotation></text:p>"
    "<text:tracked-changes><text:changed-region><text:deletion>"
    "<text:p>Castings are accepted without inspection.</text:p>"
    "</text:deletion></text:changed-region></text:tracked-changes>"
    '<text:h text:outline-level="1">5 Procedure</text:h>'
    '<text:h text:outline-level="2">5.1 Visual check</text:h>'
    "<text:p>The inspector looks at each casting for:</text:p>"
    "<text:list><text:list-item><text:p>cracks and porosity</text:p></text:list-item>"
    "<text:list-item><text:p>a missing heat<text:s/>number<text:tab/>stamp</text:p>"
    "<text:list><text:list-item><text:p>on the flange face</text:p></text:list-item>"
    "</text:list></text:list-item></text:list>"
    "<text:p>Rejected castings go to<text:line-break/>the quarantine rack.</text:p>"
    '<text:h text:outline-level="2">5.2 Dimensional check</text:h>'
    "<table:table><table:table-header-rows>"
    f"{_row('Feature', 'Gauge', 'Record')}</table:table-header-rows>"
    f"{_row('Bore diameter', 'Plug gauge PG-7', 'F-42-1')}"
    f"{_row('Flange thickness', 'Micrometer MC-2', 'F-42-1')}</table:table>"
)


@pytest.fixture
def wi_42(tmp_path: Path) -> Path:
    parts = _odt_parts(WI_42_BODY, title="Receiving Inspection of Castings")
    return write_odt(tmp_path / "wi-42-receiving.odt", parts)


def test_odt_headings_paragraphs_lists_and_tables(wi_42: Path):
    doc = load(wi_42)
    assert (doc.info.doc_no, doc.info.revision) == ("WI-42", "3")
    assert doc.info.title == "Receiving Inspection of Castings"
    # The title paragraph is the top of the heading path, dropped as it names the document.
    visual = section(doc, "5.1 Visual check")
    assert visual.heading_path == ("5 Procedure", "5.1 Visual check")
    assert "The inspector looks at each casting for:" in visual.text
    lines = visual.text.splitlines()
    assert "cracks and porosity" in lines
    assert "a missing heat number\tstamp" in lines  # text:s and text:tab keep words apart
    assert "on the flange face" in lines  # a list inside a list item
    assert "Rejected castings go to\nthe quarantine rack." in visual.text
    purpose = section(doc, "1 Purpose")
    assert purpose.text == "How stores checks incoming castings against the purchase order."
    # A table reads row by row, each cell with its column header.
    dims = section(doc, "5.2 Dimensional check").text.splitlines()
    assert "Feature: Bore diameter; Gauge: Plug gauge PG-7; Record: F-42-1" in dims
    assert "Feature: Flange thickness; Gauge: Micrometer MC-2; Record: F-42-1" in dims
    # Not body text: the table of contents, comments, text deleted under change tracking.
    text = "\n".join(s.text for s in doc.sections)
    assert "Reviewer" not in text and "without inspection" not in text
    assert sum(s.heading.endswith("5.1 Visual check") for s in doc.sections) == 1
    assert "\t2" not in text


def test_an_odt_cell_merged_down_the_rows_holds_for_each_row(tmp_path: Path):
    """A gauge merged down two features' rows applies to both (each row is read alone, as a
    line of its own); a note merged across two columns is said once, later cells in place."""
    cell = "<table:table-cell{}><text:p>{}</text:p></table:table-cell>"
    covered = "<table:covered-table-cell/>"
    body = (
        '<text:h text:outline-level="1">5.2 Dimensional check</text:h><table:table>'
        f"{_row('Feature', 'Gauge', 'Record', 'Note')}"
        "<table:table-row>" + _cells("Bore diameter")
        + cell.format(' table:number-rows-spanned="2"', "Plug gauge PG-7")
        + _cells("F-42-1", "none") + "</table:table-row>"
        "<table:table-row>" + _cells("Bore depth") + covered + _cells("F-42-1", "none")
        + "</table:table-row>"
        "<table:table-row>" + _cells("Flange thickness", "Micrometer MC-2")
        + cell.format(' table:number-columns-spanned="2"', "Record on F-42-2") + covered
        + "</table:table-row></table:table>"
    )  # fmt: skip
    doc = load(write_odt(tmp_path / "wi-44.odt", _odt_parts(body)))
    assert doc.sections[-1].text.splitlines() == [
        "Feature: Bore diameter; Gauge: Plug gauge PG-7; Record: F-42-1; Note: none",
        "Feature: Bore depth; Gauge: Plug gauge PG-7; Record: F-42-1; Note: none",
        "Feature: Flange thickness; Gauge: Micrometer MC-2; Record: Record on F-42-2",
    ]


def test_odt_title_comes_from_its_properties_and_number_from_the_file_name(tmp_path: Path):
    body = '<text:h text:outline-level="1">1 Scope</text:h><text:p>All cast parts.</text:p>'
    doc = load(
        write_odt(tmp_path / "WI-43_casting_receipt.odt", _odt_parts(body, "Casting receipt"))
    )
    assert (doc.info.title, doc.info.doc_no) == ("Casting receipt", "WI-43")
    untitled = load(write_odt(tmp_path / "notes.odt", _odt_parts(body)))
    # like Word: the first heading, then the file name; a section name ("1 Scope") is no title
    assert untitled.info.title == "Notes"
    headed = '<text:h text:outline-level="1">Casting receipt</text:h><text:p>All parts.</text:p>'
    assert load(write_odt(tmp_path / "n2.odt", _odt_parts(headed))).info.title == "Casting receipt"


def _broken_odts(tmp_path: Path) -> dict[str, Path]:
    good = _odt_parts('<text:h text:outline-level="1">1 Scope</text:h><text:p>Text.</text:p>')
    no_content = {k: v for k, v in good.items() if k != "content.xml"}
    bad_xml = {**good, "content.xml": good["content.xml"].replace("</text:p>", "")}
    spreadsheet = _odt_parts("", mimetype="application/vnd.oasis.opendocument.spreadsheet")
    locked = {
        **good,
        "META-INF/manifest.xml": good["META-INF/manifest.xml"].replace(
            "/>", "><manifest:encryption-data/></manifest:file-entry>"
        ),
    }
    whole = write_odt(tmp_path / "whole.odt", good).read_bytes()
    with zipfile.ZipFile(tmp_path / "whole.odt") as zf:
        part = zf.getinfo("content.xml")
    start = part.header_offset + 30 + len(part.filename) + len(part.extra)  # compressed data
    damaged = whole[:start] + b"\xff" * 24 + whole[start + 24 :]
    files = {
        "text.odt": b"Notes typed in a text editor and saved with an .odt name.\n",
        "truncated.odt": whole[: len(whole) // 2],
        "damaged.odt": damaged,
    }
    for name, parts in [("no-content.odt", no_content), ("bad-xml.odt", bad_xml),
                        ("spreadsheet.odt", spreadsheet), ("locked.odt", locked)]:  # fmt: skip
        files[name] = write_odt(tmp_path / name, parts).read_bytes()
    folder = tmp_path / "broken"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in files}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("text.odt", r"not an OpenDocument text \(the \.odt is not a zip container\)"),
        ("truncated.odt", r"malformed \.odt \(broken zip container"),
        ("damaged.odt", r"malformed \.odt \(cannot read content\.xml"),
        ("no-content.odt", r"malformed \.odt: no content\.xml inside"),
        ("bad-xml.odt", r"malformed \.odt \(content\.xml is not well-formed XML"),
        ("spreadsheet.odt", r"not an OpenDocument text .*spreadsheet"),
        ("locked.odt", r"encrypted \.odt"),
    ],
)
def test_broken_odt_fails_with_a_one_line_reason(tmp_path: Path, name: str, reason: str):
    with pytest.raises(DocumentError, match=reason) as err:
        load(_broken_odts(tmp_path)[name])
    assert "\n" not in str(err.value)


@pytest.mark.fast
def test_odt_is_ingested_and_answers_and_a_broken_one_fails_alone(tmp_path: Path, wi_42: Path):
    from tests.fakes import HashingEmbedder

    folder = _broken_odts(tmp_path)["text.odt"].parent
    shutil.copy(wi_42, folder)
    shutil.copy(CORPUS / "QP-11-nonconforming-product.md", folder)
    app = make_assistant(tmp_path / "index")
    app.__dict__["embedder"] = HashingEmbedder()  # no model: what is asserted is not ranking
    report = app.ingest([folder])
    assert sorted(report.added) == ["QP-11-nonconforming-product.md", wi_42.name]
    assert len(report.failed) == 7 and all(f.endswith(".odt") for f, _ in report.failed)
    answer = app.ask("Which gauge checks the bore diameter of incoming castings?")
    assert answer.ranked_files[0] == wi_42.name


def test_every_registered_format_loads(tmp_path: Path, wi_42: Path):
    """What the help and the upload widget offer is what the loader reads."""
    samples = {
        ".docx": CORPUS / "QP-04-training-and-competence.docx",
        ".pdf": CORPUS / "QP-05-calibration-of-measuring-equipment.pdf",
        ".md": CORPUS / "QP-11-nonconforming-product.md",
        ".markdown": CORPUS / "QP-11-nonconforming-product.md",
        ".txt": CORPUS / "QP-10-final-inspection-and-release.txt",
        ".html": CORPUS / "QP-13-internal-audit.html",
        ".htm": CORPUS / "QP-13-internal-audit.html",
        ".odt": wi_42,
        ".xlsx": REGISTER,
        ".xlsm": REGISTER,  # the same parts; macros are never read
        ".csv": EQUIPMENT_CSV,
        ".pptx": REVIEW_PACK,
    }
    assert set(FORMATS) == set(samples), "a new format needs a sample here"
    for ext, source in samples.items():
        copy = shutil.copy(source, tmp_path / f"sample{ext.upper()}")
        assert load(Path(copy)).sections, ext


def test_the_registry_drives_supported_types_help_and_upload_label():
    # Every registered extension is found by an ingest and accepted as an upload, any case.
    assert all(loaders.is_supported(Path(f"WI-42{ext.upper()}")) for ext in FORMATS)
    assert all(safe_name(f"a{ext.upper()}") == f"a{ext}" for ext in FORMATS)
    assert safe_name("WI 42 receiving.ODT") == "WI-42-receiving.odt"
    assert format_labels() == (
        "Word, PDF, Markdown, text, HTML, OpenDocument text, Excel, CSV or PowerPoint"
    )
    help_text = run_cli("ingest", "--help").stdout
    assert set(FORMATS) <= set(re.findall(r"\.[a-z]+", help_text))


def test_size_refusals_name_an_upload_and_not_a_found_file():
    with pytest.raises(DocumentError, match=r"^empty file \(0 bytes\)$"):
        check_size(0, LIMIT)
    with pytest.raises(UsageError, match=r"^'QP-1\.md' is empty$"):
        check_size(0, LIMIT, "QP-1.md")
    with pytest.raises(UsageError, match=r"^'QP-1\.md' is 26\.0 MB, over the 25 MB limit$"):
        check_size(26 * 2**20, LIMIT, "QP-1.md")
    check_size(LIMIT, LIMIT, "QP-1.md")  # at the limit is allowed


def test_front_matter_without_a_space_after_the_colon_is_still_front_matter(tmp_path):
    # GSTT-CSC's PR.008 writes "sop_version:2.0.2": not a YAML mapping, so it was kept in the
    # body, its closing "---" made that line a heading, and the document's title.
    p = tmp_path / "CSC-PR-008-Machine-Learning-Operations.md"
    p.write_text(
        "---\nqms_version:2.2.0\nsop_version:2.0.2\n---\n\n# Machine Learning Operations\n\n"
        "## Purpose\nHow models are trained and released.\n"
    )
    doc = loaders.load(p, 10**6)
    assert doc.info.title == "Machine Learning Operations"
    assert "sop_version" not in "\n".join(s.text for s in doc.sections)


def test_a_document_whose_first_heading_is_a_section_name_is_titled_by_its_file(tmp_path):
    # OpenRegulatory's SOPs open with "# Summary": listed as closest documents, five of them
    # read "Summary".
    p = tmp_path / "sop-internal-audit.md"
    p.write_text("# Summary\n\nThe audit programme covers every process once a year.\n")
    assert loaders.load(p, 10**6).info.title == "SOP Internal Audit"
    q = tmp_path / "Supplier_Approval.md"
    q.write_text("## 1. General Information\n\nSuppliers are approved before the first order.\n")
    assert loaders.load(q, 10**6).info.title == "Supplier Approval"


def test_a_templates_blanks_are_neither_its_title_nor_its_revision(tmp_path):
    """A template opens with a blank for the company's name and leaves its version blank:
    listed as "(Enter Company Name)" at revision "*<version>*", it named nothing. A header
    row's next label ("Release Date" beside "Version") is no revision either."""
    p = tmp_path / "field-safety-notice.md"
    p.write_text(
        "### (Enter Company Name)\n\n### Field Safety Notice for (Enter Product Name)\n\n"
        "| Product | Version |\n|---|---|\n| *\\<your product\\>* | *\\<version\\>* |\n\n"
        "We write to every customer who holds an affected device within two days.\n"
    )
    info = loaders.load(p, 10**6).info
    assert (info.title, info.revision) == ("Field Safety Notice", "")
    for blank in ("<Company Name>", "\\<Company Name\\>", "[Insert title]", "{{ company }}"):
        p.write_text(f"# {blank}\n\nWe write to every customer within two days.\n")
        assert loaders.load(p, 10**6).info.title == "Field Safety Notice", blank
    q = tmp_path / "QP-07-design.md"
    q.write_text(
        "# QP-07 Design\n\n| Version | Release Date | Owner | Next Review |\n|---|---|---|---|\n"
        "| 3 | 2026-01-15 | QM | 2027-01-15 |\n\nDesign reviews are held at each stage.\n"
    )
    assert loaders.load(q, 10**6).info.revision == "3"
    for revision in ("1.0", "B", "C2", "v2", "Rev 4", "Issue 03", "Draft"):
        q.write_text(f"# QP-07 Design\n\n| Revision | {revision} |\n|---|---|\n\nReviews.\n")
        assert loaders.load(q, 10**6).info.revision == revision


# --- Excel workbooks (.xlsx, .xlsm). The register was written by LibreOffice Calc 7.4 from its
# flat source beside it (`soffice --headless --convert-to xlsx F-08-2-...fods`): shared
# strings, a merged title row, date, percentage and formula cells, a hidden sheet, as a
# spreadsheet program writes them.
REGISTER = DATA / "good" / "F-08-2-approved-supplier-register.xlsx"
REVIEW_PACK = DATA / "good" / "F-03-1-management-review-pack.pptx"  # LibreOffice Impress 7.4
EQUIPMENT_CSV = DATA / "good" / "F-05-1-equipment-register.csv"  # semicolons, as Excel in Europe


def test_excel_sheets_are_sections_and_cells_read_as_the_sheet_shows_them():
    doc = load(REGISTER)
    assert (doc.info.doc_no, doc.info.title) == ("F-08-2", "Approved supplier register")
    assert [s.heading for s in doc.sections] == ["Approved suppliers", "Removed suppliers"]
    approved, removed = doc.sections
    lines = approved.text.splitlines()
    # the line above the table, then one row per entry under the column headers
    assert lines[0] == "F-08-2 Approved supplier register (owner: Purchasing Lead)"
    assert lines[2] == (
        "Supplier: Brightline Castings Ltd; Supplies: Brass sockets & housings; "
        "Approved on: 2026-03-14; On-time delivery: 96%; Next review: 2027-03-14; Batches: 12"
    )  # a date, a percentage, a formula's result (approved + 365 days), a whole number
    assert lines[3].endswith("Next review: 2026-11-02; Batches: 7.5")
    assert lines[4] == "Supplier: Yes; Supplies: Yes"  # equal cells stay under their headers
    assert removed.text == (
        "Supplier: Kestrel Springs; Removed on: 2026-06-30; "
        "Reason: Three late deliveries in a quarter; rating below 80%"
    )
    assert "Hidden lookup value" not in " ".join(s.text for s in doc.sections)


def _rezip(source: bytes, replace: dict[str, bytes | None]) -> bytes:
    """The workbook with parts replaced (None: left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("old.xlsx", r"old-style Excel file or a password-protected workbook .*save it as \.xlsx"),
        ("text.xlsx", r"not an Excel workbook \(the \.xlsx is not a zip container\)"),
        ("truncated.xlsx", r"malformed \.xlsx \(broken zip container"),
        ("no-workbook.xlsx", r"not an Excel workbook \(no xl/workbook\.xml inside\)"),
        ("bad-sheet.xlsx", r"malformed \.xlsx \(xl/worksheets/sheet1\.xml is not well-formed"),
        ("dtd.xlsx", r"refused \.xlsx: xl/sharedStrings\.xml declares a DTD"),
        ("empty.xlsx", r"no text found in any visible sheet"),
        ("encoding.xlsx", r"malformed \.xlsx \(xl/sharedStrings\.xml is not well-formed XML"),
    ],
)
def test_broken_workbook_fails_with_a_one_line_reason(tmp_path: Path, name: str, reason: str):
    good = REGISTER.read_bytes()
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sst>&a;</sst>'
    blank = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    sheets = [f"xl/worksheets/sheet{n}.xml" for n in (1, 2, 3)]
    files = {
        "old.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),  # an OLE2 .xls
        "text.xlsx": b"Supplier,Rating\nBrightline,96\n",
        "truncated.xlsx": good[: len(good) // 2],
        "no-workbook.xlsx": _rezip(good, {"xl/workbook.xml": None}),
        "bad-sheet.xlsx": _rezip(good, {sheets[0]: b"<worksheet><sheetData><row>"}),
        "dtd.xlsx": _rezip(good, {"xl/sharedStrings.xml": dtd}),
        "empty.xlsx": _rezip(good, dict.fromkeys(sheets, blank)),
        # an XML declaration naming an encoding that does not exist (found by mutating parts)
        "encoding.xlsx": _rezip(
            good, {"xl/sharedStrings.xml": b'<?xml version="1.0" encoding="A0"?><sst/>'}
        ),
    }
    path = tmp_path / name
    path.write_bytes(files[name])
    with pytest.raises(DocumentError, match=reason) as err:
        load(path)
    assert "\n" not in str(err.value)


@pytest.mark.fast
def test_a_workbook_is_ingested_beside_procedures_and_a_broken_one_fails_alone(tmp_path: Path):
    from tests.fakes import HashingEmbedder

    folder = tmp_path / "qms"
    folder.mkdir()
    shutil.copy(REGISTER, folder)
    (folder / "F-09-1-old-format.xlsx").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    shutil.copy(CORPUS / "QP-08-purchasing-and-supplier-control.docx", folder)
    app = make_assistant(tmp_path / "index")
    app.__dict__["embedder"] = HashingEmbedder()  # no model: what is asserted is not ranking
    report = app.ingest([folder])
    assert sorted(report.added) == [REGISTER.name, "QP-08-purchasing-and-supplier-control.docx"]
    assert [f for f, _ in report.failed] == ["F-09-1-old-format.xlsx"]
    # the fitted sentence scorer reads MiniLM cosines, meaningless from the hashing embedder:
    # the hand-set one (shared words first) shows that a register's row can be the short answer
    app.ask_service.lead_model = None
    answer = app.ask("When is Kestrel Springs removed from the supplier register and why?")
    assert answer.ranked_files[0].startswith("F-08-2")
    quoted = [q.text for q in answer.lead]
    assert any("Three late deliveries" in q for q in quoted)


def test_a_csv_register_is_read_as_one_sheet_whatever_its_separator(tmp_path: Path):
    doc = load(EQUIPMENT_CSV)
    assert (doc.info.doc_no, doc.info.revision) == ("F-05-1", "3")
    assert doc.info.title == "Measuring equipment register"
    assert doc.sections[0].text.splitlines()[2:] == [
        # a quoted cell keeps its own separator, and stays under its header
        "ID: PG-03; Description: Pressure gauge; 0-10 bar; Location: Test bay 2; "
        "Interval (months): 12; Due: 2026-05-01",
        "ID: DW-01; Description: Dead-weight tester; Location: Metrology lab; "
        "Interval (months): 24; Due: 2027-01-15",
    ]
    commas = tmp_path / "suppliers.csv"
    commas.write_text("Supplier,Rating\nHarrow Glass,88%\n", encoding="utf-8")
    assert load(commas).sections[0].text == "Supplier: Harrow Glass; Rating: 88%"


SKILLS_MATRIX = DATA / "good" / "F-04-2-skills-matrix.xlsx"  # LibreOffice Calc 7.4, from its .fods
GAUGE_CSV = DATA / "good" / "F-05-3-gauge-block-register.csv"


def test_a_register_laid_out_for_printing_is_read_as_its_printout_reads():
    """A skills matrix as quality teams keep them: a title merged across the sheet, a form block
    (owner, revision, review date) above the table, group names merged over the column names,
    a cell merged down the rows of a cell's people, a key under the table."""
    doc = load(SKILLS_MATRIX)
    assert (doc.info.doc_no, doc.info.title, doc.info.revision) == ("F-04-2", "Skills matrix", "5")
    assert [line for line in doc.sections[0].text.splitlines() if line] == [
        "F-04-2 Skills matrix, assembly and test",  # merged over seven columns: said once
        "Owner: Quality Manager Revision: 5",  # the form block is lines, not the headers
        "Last reviewed: 2026-09-01",
        # the group name is part of each column's name; "Cell A" holds for its three people
        "Name: Asha Patel; Cell: Cell A; Assembly / Brazing: C; Assembly / Leak test: C; "
        "Assembly / Torque setting: T",
        "Name: Tom Reilly; Cell: Cell A; Assembly / Brazing: T; Assembly / Torque setting: C",
        "Name: Jo Grant; Cell: Cell A; Assembly / Leak test: C",
        "Name: Dev Mistry; Cell: Test bay; Test / Final test: C; Test / Calibration check: T",
        "Key: C = competent to work alone; T = in training, supervised; blank = not trained",
    ]


def test_a_csv_registers_form_block_and_note_are_lines_not_entries():
    doc = load(GAUGE_CSV)
    assert (doc.info.doc_no, doc.info.revision) == ("F-05-3", "3")
    assert [line for line in doc.sections[0].text.splitlines() if line] == [
        "F-05-3 Gauge block register",
        "Owner: Metrology Lead Revision: 3",
        "ID: GB-01; Description: Gauge block set, grade 1; Location: Metrology lab; "
        "Last calibrated: 2026-02-10; Next due: 2027-02-10",
        "ID: GB-02; Description: Gauge block set, grade 0; Location: Metrology lab; "
        "Last calibrated: 2026-05-22; Next due: 2027-05-22",
        "Blocks out of date are quarantined in the red tray",
    ]


def test_a_two_column_list_keeps_its_first_row_as_headers(tmp_path: Path):
    """The form-block rule does not eat a narrow list: a two-column sheet's first row is still
    its headers, and a one-cell row in it is an entry, not a note."""
    narrow = tmp_path / "contacts.csv"
    narrow.write_text("Role,Name\nQuality Manager,R. Okafor\nDeputy\n", encoding="utf-8")
    assert load(narrow).sections[0].text.splitlines() == [
        "Role: Quality Manager; Name: R. Okafor",
        "Role: Deputy",
    ]


def test_a_slide_deck_is_read_slide_by_slide_as_the_audience_sees_it(tmp_path: Path):
    """A management review pack: each slide shown is a section under its title, its text boxes
    as lines and its tables as rows; the hidden spare slide and the speaker's notes are not
    read. Written by LibreOffice Impress 7.4 from its flat source beside it."""
    doc = load(REVIEW_PACK)
    assert (doc.info.doc_no, doc.info.title) == ("F-03-1", "Management review pack, March 2026")
    assert [(s.heading, s.text) for s in doc.sections] == [
        (
            "Management review, March 2026",
            "Chaired by the Managing Director; inputs from every process owner",
        ),
        (
            "Customer complaints",
            "14 complaints in the year, 5 about late delivery\n\n"
            "Action: weekly despatch review from April, owner Operations Manager",
        ),
        (
            "Quality objectives",
            # the owner merged down both rows holds for each
            "Objective: On-time delivery; Target: 95%; Result: 91%; Owner: Operations Manager\n"
            "Objective: First-pass yield; Target: 98%; Result: 98%; Owner: Operations Manager",
        ),
    ]
    text = " ".join(s.text for s in doc.sections)
    assert "draft budget" not in text and "Harrow Glass" not in text  # hidden slide, notes
    old = tmp_path / "review.pptx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    with pytest.raises(DocumentError, match=r"old-style PowerPoint file .*save it as \.pptx"):
        load(old)
    workbook = shutil.copy(REGISTER, tmp_path / "renamed.pptx")  # a zip, but not slides
    with pytest.raises(DocumentError, match=r"^not a PowerPoint presentation \(no ppt/"):
        load(Path(workbook))


@pytest.mark.parametrize(
    "source",
    [REGISTER, SKILLS_MATRIX, REVIEW_PACK, CORPUS / "QP-04-training-and-competence.docx"],
    ids=["xlsx", "xlsx-merged", "pptx", "docx"],
)
def test_damaged_parts_fail_with_a_reason_never_a_crash(source: Path):
    """One XML part of a real file damaged at random (an attribute's value changed, a span cut
    out or repeated), 40 times with a fixed seed: each file reads or fails with a one-line
    DocumentError, never another exception. Longer runs of the same mutations (2,400 files)
    found a bogus encoding declaration (LookupError) and python-docx's lazily read parts
    (AttributeError) at stop 24; both now fail with a reason."""
    import random

    rng = random.Random(24)
    original = source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as zf:
        parts = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
    for _ in range(40):
        name = rng.choice(parts)
        with zipfile.ZipFile(io.BytesIO(original)) as zf:
            text = zf.read(name).decode("utf-8", "replace")
        at = rng.randrange(len(text))
        roll = rng.random()
        if roll < 0.4 and (values := list(re.finditer(r'="([^"]*)"', text))):
            value = rng.choice(values)
            new = rng.choice(["", "-1", "x", "99999999", "A0", "%9", "1.5"])
            text = text[: value.start(1)] + new + text[value.end(1) :]
        elif roll < 0.7:
            text = text[:at] + text[at + rng.randint(1, 200) :]
        else:
            text = text[:at] + text[at : at + 200] + text[at:]
        damaged = _rezip(original, {name: text.encode()})
        try:
            loaders.parse(damaged, source, source.suffix)
        except DocumentError as err:
            assert "\n" not in str(err)


def _written(tmp_path: Path, name: str, text: str):
    """The document a file of this name and text loads as."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    return load(tmp_path / name)


def test_a_form_numbered_in_a_letter_series_has_its_number_and_title(tmp_path):
    """Forms numbered "BW-F04-01" (series F04) under a "Form no." header had no number, and
    their number stayed in their title."""
    form = (
        "# BW-F04-01 Site Quality Inspection Scoresheet\n\n"
        "| Form no. | Revision | Parent procedure |\n|---|---|---|\n"
        "| BW-F04-01 | 6 | BW-QP-04 |\n\n"
        "| Area | Score |\n|---|---|\n| Washrooms | ____ |\n"
    )
    doc = _written(tmp_path, "BW-F04-01 Site Quality Inspection Scoresheet.md", form)
    assert (doc.info.doc_no, doc.info.revision) == ("BW-F04-01", "6")
    assert doc.info.title == "Site Quality Inspection Scoresheet"


def test_a_company_banner_over_the_title_is_not_the_title(tmp_path):
    """A plain-text procedure opening with the company's name, underlined, then its numbered
    title: it was listed as "ACME CLEANING LTD"."""
    text = (
        "ACME CLEANING LTD\n=================\n\nBW-QP-08  NONCONFORMITY AND CORRECTIVE ACTION\n\n"
        "Document no.    : BW-QP-08\nRevision        : 3\n\n1. PURPOSE\n\n"
        "To contain problems, put them right and stop them happening again.\n"
    )
    doc = _written(tmp_path, "BW-QP-08 Nonconformity and Corrective Action.txt", text)
    assert (doc.info.doc_no, doc.info.title) == ("BW-QP-08", "NONCONFORMITY AND CORRECTIVE ACTION")
    # a first heading that shares a word with the file's name stays the title
    audit_guide = text.replace("ACME CLEANING LTD", "AUDIT GUIDE")
    other = _written(tmp_path, "BW-QP-09 Audit.txt", audit_guide)
    assert other.info.title == "AUDIT GUIDE"


def test_a_page_whose_main_opens_with_a_section_takes_its_page_title(tmp_path):
    page = (
        "<html><head><title>BW-F06-01 Approved Supplier Register</title></head><body>"
        "<header><h1>BW-F06-01 Approved Supplier Register</h1><table><tr><th>Form no.</th>"
        "<td>BW-F06-01</td><th>Revision</th><td>9</td></tr></table></header><main>"
        "<h2>Category 1 providers</h2><p>Merrow Rope and Glass: approved.</p></main></body></html>"
    )
    doc = _written(tmp_path, "register.html", page)
    assert (doc.info.doc_no, doc.info.title) == ("BW-F06-01", "Approved Supplier Register")
    # the header's document-control table gives the revision; its text is not indexed
    assert doc.info.revision == "9"
    assert [s.text for s in doc.sections] == ["Merrow Rope and Glass: approved."]
