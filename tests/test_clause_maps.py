"""An organisation's clause-to-document table read as its own statement of which document meets
which clause: the standard from the table's heading, the clause from the row's first cell
(another standard's number bridged to ISO 9001), the documents by their titles."""

from __future__ import annotations

import pytest

from assistant.core.models import Chunk
from assistant.search import clause_maps
from assistant.search.clauses import default_catalogue

pytestmark = pytest.mark.fast

MAPPING = "ISO 13485:2016 Mapping of Requirements to Documents > ISO 13485:2016"
ROW = (
    "Section: 8.3; Title: Control of Nonconforming Products; Document: "
    "*SOP Corrective and Preventive Actions*<br>*SOP Incident Reporting*"
)


def _chunk(file: str, title: str) -> Chunk:
    return Chunk(f"{file}#1", file, file, title, "", "", "Purpose", None, 1, "text")


TITLES = clause_maps.titles_index(
    [
        _chunk("sop-capa.md", "SOP Corrective and Preventive Action (CAPA)"),
        _chunk("sop-management-review.md", "Summary"),  # generic: its file name names it
        _chunk("sop-purchasing.md", "SOP Purchasing"),
    ]
)


def test_a_row_of_another_standard_maps_its_documents_to_the_iso_9001_clause():
    catalogue = default_catalogue()
    assert clause_maps.table_standard(MAPPING) == "13485"
    # ISO 13485 8.3 (nonconforming product) is met through ISO 9001 8.7, not 9001's 8.3 (design)
    assert clause_maps.row_clauses(ROW, "13485", catalogue) == {"8.7"}
    # a title compares whole, plural or singular, without its bracketed short name; a name no
    # document has ("SOP Incident Reporting") maps nothing
    assert clause_maps.row_documents(ROW, TITLES) == {"sop-capa.md"}


def test_titles_are_matched_whole_or_followed_by_and():
    row = "Section: 5.6; Document: *SOP Management Review and KPIs*<br>*SOP Purchasing*"
    assert clause_maps.row_documents(row, TITLES) == {
        "sop-management-review.md",
        "sop-purchasing.md",
    }
    # a document name inside longer prose is not a mapping
    assert clause_maps.row_documents("Note: see the SOP Purchasing team", TITLES) == set()


def test_only_a_table_about_one_known_standard_with_a_clause_in_its_first_cell_counts():
    catalogue = default_catalogue()
    assert clause_maps.table_standard("Process Steps > 2.3 Audit Follow-Up") is None
    assert clause_maps.table_standard("ISO 9001 and ISO 13485 cross-reference") is None
    assert clause_maps.table_standard("ISO 27001 mapping") is None  # no crosswalk for it
    # An integrated system's map against ISO 45001 is read through its crosswalk.
    assert clause_maps.table_standard("ISO 45001 mapping") == "45001"
    assert clause_maps.table_standard("ISO 9001:2015 clause map") == "9001"
    assert clause_maps.row_clauses("Clause: 8.7; Procedure: QP-11", "9001", catalogue) == {"8.7"}
    assert clause_maps.row_clauses("Step: Review; Owner: QA; Due: 8.3", "13485", catalogue) == set()
