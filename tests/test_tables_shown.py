"""Tables read back from the row lines the readers write ("Header: value; Header: value") and
shown as tables, never as run-on lines; the quoted row in bold; cells shown as text, not HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.documents.chunking import ChunkingParams, chunk_document
from assistant.documents.loaders import load
from assistant.documents.text import passage_blocks
from assistant.ui.render import plain, table_frame

pytestmark = pytest.mark.fast  # no model: make test-fast

HEADER = ("Gauge", "Check", "Interval", "By")
ROWS = (
    ("Pressure gauges", "Comparison with master gauge", "Monthly", "Metrology Lead"),
    # "; " inside a cell and an empty cell: the row line leaves the empty cell out.
    ("Torque wrenches", "External calibration; certificate kept", "Annually", ""),
    ("Dial indicators", "Gauge block check", "Every 6 months", "User"),
)


def _chunks(path: Path) -> list[str]:
    doc = load(path, 10_000_000)
    return [c.text for c in chunk_document(doc, "a" * 64, ChunkingParams(1000, 150, 200))]


def _tables(texts: list[str]) -> list:
    return [b.table for t in texts for b in passage_blocks(t) if b.table is not None]


def test_a_word_table_is_read_back_with_its_headers_and_cells(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("5 Procedure", level=1)
    document.add_paragraph("5.1 Gauges are checked at these intervals:")
    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    for r, row in enumerate((HEADER, *ROWS)):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("5.2 A gauge that fails is quarantined.")
    path = tmp_path / "QP-05-gauges.docx"
    document.save(str(path))

    texts = _chunks(path)
    assert any("Interval: Monthly" in t for t in texts)  # the readers' row lines, as indexed
    [read] = _tables(texts)
    assert read.header == HEADER
    assert read.rows == ROWS
    blocks = [b for t in texts for b in passage_blocks(t)]
    prose = [b.text for b in blocks if b.table is None]
    assert "5.1 Gauges are checked at these intervals:" in prose
    assert "5.2 A gauge that fails is quarantined." in prose


def test_a_markdown_table_is_read_back_and_blocks_are_verbatim_slices(tmp_path):
    lines = ["| " + " | ".join(r) + " |" for r in (HEADER, *ROWS)]
    lines.insert(1, "|---|---|---|---|")
    path = tmp_path / "QP-05-gauges.md"
    path.write_text(
        "# QP-05 Gauges\n\n## 5 Procedure\n\nChecks **must** be recorded on F-05.\n\n"
        "Intervals:\n\n" + "\n".join(lines) + "\n\nA gauge that fails is quarantined.\n"
    )
    [text] = _chunks(path)
    blocks = passage_blocks(text)
    assert [b.table is not None for b in blocks] == [False, True, False]
    for b in blocks:
        assert text[b.start : b.end] == b.text
    assert blocks[0].text.endswith("Intervals:")
    assert blocks[1].table is not None
    assert blocks[1].table.header == HEADER and blocks[1].table.rows == ROWS
    # Each row's span is its line, so a quote found in the passage finds its row.
    at = text.index("Gauge block check")
    assert blocks[1].row_at(at) == 2 and blocks[0].row_at(at) is None


def test_prose_alone_is_one_block_and_a_note_with_a_colon_stays_prose():
    text = "Note: see QP-01 for records (clause 7.5).\nThe QA Manager signs it; F-01 is kept."
    assert [(b.text, b.table) for b in passage_blocks(text)] == [(text, None)]
    assert passage_blocks("\n\n") == []


def test_a_header_left_out_of_the_first_row_keeps_its_place_among_the_columns():
    text = "Task: Approve; QA: yes\nTask: Release; Stores: yes; QA: yes"
    [block] = passage_blocks(text)
    assert block.table is not None
    assert block.table.header == ("Task", "Stores", "QA")
    assert block.table.rows == (("Approve", "", "yes"), ("Release", "yes", "yes"))


def test_cells_are_escaped_and_only_the_marked_row_is_bold():
    text = "Item: <b>bold?</b> [link](http://x); Owner: QA\nItem: Gauge; Owner: Stores"
    [block] = passage_blocks(text)
    assert block.table is not None
    frame = table_frame(block.table, marked=1)
    assert list(frame.columns) == ["Item", "Owner"]
    assert frame.iloc[0, 0] == plain("<b>bold?</b> [link](http://x)")
    assert frame.iloc[1, 0] == "**Gauge**" and not frame.iloc[0, 1].startswith("**")


def _page(passage: str, quote: str) -> None:
    from assistant.ui.render import show_passage

    show_passage(passage, quote)


PASSAGE = (
    "5.3 Calibration and verification frequencies:\n\n"
    "Equipment: Probe thermometers; Check: Ice-point check; Frequency: Every shift; By: User\n"
    "Equipment: Probe thermometers; Check: <i>Reference</i> comparison; Frequency: Monthly; "
    "By: Site Technical Lead\n\n"
    "A probe that fails is not used."
)


def test_a_passage_with_a_table_is_shown_as_a_table_with_the_quoted_row_in_bold():
    quote = (
        "Equipment: Probe thermometers; Check: <i>Reference</i> comparison; Frequency: Monthly; "
        "By: Site Technical Lead"
    )
    at = AppTest.from_function(_page, args=(PASSAGE, quote), default_timeout=60).run()
    assert not at.exception
    assert len(at.table) == 1
    frame = at.table[0].value
    assert list(frame.columns) == ["Equipment", "Check", "Frequency", "By"]
    assert frame["Frequency"].tolist() == ["Every shift", "**Monthly**"]  # the quoted row
    assert frame["Check"].tolist()[1] == f"**{plain('<i>Reference</i> comparison')}**"
    shown = [m.value for m in at.markdown]
    assert shown == [
        plain("5.3 Calibration and verification frequencies:"),
        plain("A probe that fails is not used."),
    ]
    page = "\n".join([*shown, *frame.to_numpy().ravel().tolist()])
    assert "Frequency: Monthly" not in page  # no run-on row line
    assert "<i>" not in page.replace("\\<i\\>", "")  # escaped, never HTML


def test_a_quoted_sentence_in_prose_is_bold_and_no_row_is():
    quote = "A probe that fails is not used."
    at = AppTest.from_function(_page, args=(PASSAGE, quote), default_timeout=60).run()
    assert not at.exception
    assert at.markdown[-1].value == f"**{plain(quote)}**"
    assert not any("**" in str(v) for v in at.table[0].value.to_numpy().ravel())


def test_a_header_repeated_in_a_row_is_a_column_of_its_own_and_names_stay_unique():
    [block] = passage_blocks("Date: 1 May; Date (2): x; Date: 2 May; By: QA")
    assert block.table is not None
    assert block.table.header == ("Date", "Date (2)", "Date (3)", "By")
    assert block.table.rows == (("1 May", "x", "2 May", "QA"),)


def _quote(text: str) -> None:
    from assistant.ui.render import show_quote

    show_quote(text)


def test_a_quoted_table_row_in_the_answer_is_a_one_row_table_and_a_sentence_a_quote():
    row = "Equipment: Probe thermometers; Check: Ice-point check; Frequency: Every shift; By: User"
    at = AppTest.from_function(_quote, args=(row,), default_timeout=60).run()
    assert not at.exception and not at.markdown
    frame = at.table[0].value
    assert list(frame.columns) == ["Equipment", "Check", "Frequency", "By"]
    assert frame["Frequency"].tolist() == ["Every shift"]
    sentence = "A probe that fails is not used."
    at = AppTest.from_function(_quote, args=(sentence,), default_timeout=60).run()
    assert not at.table and at.markdown[0].value == f"> {plain(sentence)}"
