"""Chunks follow headings, split long sections with overlap, merge tiny ones, stay verbatim."""

from __future__ import annotations

import pytest

from assistant.core.models import DocumentInfo, LoadedDocument, Section
from assistant.documents.chunking import ChunkingParams, chunk_document

pytestmark = pytest.mark.fast  # no model: make test-fast

INFO = DocumentInfo("wi.md", "/x/wi.md", "Work instruction", "WI-1", "2")


def doc(*sections: Section) -> LoadedDocument:
    return LoadedDocument(INFO, list(sections))


def test_long_section_is_split_with_overlap_into_verbatim_slices():
    sentences = [f"Step {i} checks gauge number {i} against the master." for i in range(60)]
    text = " ".join(sentences)
    chunks = chunk_document(
        doc(Section(("5 Procedure",), text)), "a" * 64, ChunkingParams(400, 80, 50)
    )
    assert len(chunks) > 5
    assert all(len(c.text) <= 400 for c in chunks)
    assert all(c.text in text for c in chunks)
    # Overlap: each chunk starts before the previous one ended.
    starts = [text.index(c.text) for c in chunks]
    ends = [s + len(c.text) for s, c in zip(starts, chunks, strict=True)]
    assert all(starts[i + 1] < ends[i] for i in range(len(chunks) - 1))
    assert {c.heading for c in chunks} == {"5 Procedure"}


def test_tiny_sections_merge_with_the_next_and_keep_its_heading():
    chunks = chunk_document(
        doc(
            Section(("5 Procedure",), "Steps follow."),
            Section(("5 Procedure", "5.1 Receive"), "Receive the gauge and log it. " * 10),
            Section(("6 Records",), "F-01."),
        ),
        "b" * 64,
        ChunkingParams(1000, 100, 100),
    )
    assert len(chunks) == 1 or chunks[0].heading == "5 Procedure > 5.1 Receive"
    assert chunks[0].text.startswith("Steps follow.")
    assert chunks[-1].text.endswith("F-01.")


def test_chunk_ids_derive_from_content_and_position():
    d = doc(Section(("1 Purpose",), "Purpose text " * 30))
    one = chunk_document(d, "c" * 64, ChunkingParams(1000, 100, 50))
    two = chunk_document(d, "c" * 64, ChunkingParams(1000, 100, 50))
    assert [c.id for c in one] == [c.id for c in two] == ["cccccccccccccccc-0000"]


def test_embedding_text_carries_document_and_heading():
    section = Section(("5 Procedure", "5.3 Out of tolerance"), "Quarantine it. " * 20)
    c = chunk_document(doc(section), "d" * 64, ChunkingParams(1000, 100, 50))[0]
    head = "WI-1 Work instruction\n5 Procedure > 5.3 Out of tolerance"
    assert c.embedding_text().startswith(head)


def _rows(n: int) -> str:
    return "\n".join(
        f"Product: Chilled line {i}; Accept: +5.0 °C or colder; Reject: above +8.0 °C"
        for i in range(n)
    )


@pytest.mark.parametrize("rows", [8, 30], ids=["table-fits", "table-longer-than-a-chunk"])
def test_a_lead_in_ending_with_a_colon_stays_in_the_chunk_with_its_table(rows):
    lead = "5.2.4 Acceptance limits:"
    before = "\n\n".join(
        f"5.2.{i} The operative checks pallet {i} for damage." for i in range(1, 4)
    )
    text = f"{'Intro step. ' * 60}\n\n{before}\n\n{lead}\n\n{_rows(rows)}\n\n5.2.5 Record it."
    chunks = chunk_document(
        doc(Section(("5 Procedure",), text)), "e" * 64, ChunkingParams(1000, 150, 200)
    )
    assert all(c.text in text for c in chunks)  # still verbatim slices
    first_row = _rows(1)
    holding = [c.text for c in chunks if first_row in c.text]
    assert holding and all(lead in t for t in holding)
    assert not any(t.endswith(lead) for t in (c.text for c in chunks))  # never left dangling


def test_a_blank_line_before_a_table_after_a_full_stop_is_still_a_place_to_cut():
    text = f"{'Intro step. ' * 60}\n\nThe limits follow.\n\n{_rows(30)}"
    chunks = chunk_document(
        doc(Section(("5 Procedure",), text)), "f" * 64, ChunkingParams(1000, 150, 200)
    )
    assert not any("The limits follow." in c.text and _rows(1) in c.text for c in chunks)
