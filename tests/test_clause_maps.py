"""An organisation's clause-to-document table read as its own statement of which document meets
which clause: the standard from the table's heading, the clause from the row's first cell
(another standard's number bridged to ISO 9001), the documents by their titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.models import Chunk
from assistant.search import clause_maps
from assistant.search.clauses import default_catalogue
from tests.conftest import ROOT

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


class _Manifest:
    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks

    def get(self, key: str) -> str:
        return "ingest-1"

    def all_chunks(self) -> list[Chunk]:
        return self.chunks


class _Store:
    def __init__(self, chunks: list[Chunk], data_dir: Path) -> None:
        self.manifest = _Manifest(chunks)
        self.data_dir = data_dir  # where the map is kept (search/citation_cache.py)
        self.set_aside_superseded = True

    def current_chunks(self) -> list[Chunk]:
        return self.manifest.all_chunks()  # no old revisions here (index/revisions.py)


def _numbered(file: str, doc_no: str, text: str = "Purpose of the procedure.") -> Chunk:
    return Chunk(f"{file}#1", file, file, file, doc_no, "", "Purpose", None, 1, text)


def test_a_cross_reference_row_naming_several_documents_maps_each_to_its_clause(tmp_path: Path):
    """A manual's cross-reference table lists two or three procedures per clause (fernhill's:
    before stop 42 only rows naming one document counted, so its 8.5.4 question led with the
    nonconforming-product SOP the table does not name). Only the clause cell counts: "FCC-QM-01
    §8.4" in a later cell is the manual's own section, not clause 8.4."""
    from assistant.search.clause_resolver import ClauseResolver
    from assistant.search.retrieval import CitationMap

    table = "\n".join(
        [
            "ISO 9001:2015 clause: 8.5.4; Subject (short): Preservation; Documents: "
            "OPS-03, OPS-05, OPS-11",
            "ISO 9001:2015 clause: 8.5.3; Subject (short): Customer property; Documents: "
            "QM-01 §8.4, OPS-06",
            "ISO 9001:2015 clause: 7.5; Subject (short): Documented information; Documents: OPS-01",
            # a general list of every procedure is not a mapping
            "ISO 9001:2015 clause: 5.3; Subject (short): Roles; Documents: OPS-01, OPS-03, "
            "OPS-05, OPS-06, OPS-11",
        ]
    )
    chunks = [
        _numbered("manual.md", "QM-01", table),
        *(_numbered(f"ops-{n}.md", f"OPS-{n}") for n in ("01", "03", "05", "06", "11")),
    ]
    citations = CitationMap(_Store(chunks, tmp_path), ClauseResolver(default_catalogue()))  # type: ignore[arg-type]
    citations.refresh()
    for file in ("ops-03.md", "ops-05.md", "ops-11.md"):
        assert citations.tabled[file] == {"8.5.4"}
    assert citations.tabled["ops-06.md"] == {"8.5.3"}
    assert citations.tabled["manual.md"] == {"8.5.3"}  # not 8.4
    # a row naming one document maps it as before (and says which clause a passage is about)
    assert citations.mapped["ops-01.md"] == {"7.5"}
    assert "ops-01.md" not in citations.tabled
    chunk = chunks[2]  # ops-03: cited for the clause through the table
    assert citations.cites(chunk, ["8.5.4"], 8) == (False, True)
    assert citations.cites(chunk, ["8.7"], 8) == (False, False)


def test_a_number_followed_by_its_siblings_in_short_names_them_all():
    """ "LPP-SOP-02, -04, -09" is how people shorten three numbers of one series (larkfield's
    manual maps 8.5 so; fernhill's document procedure lists "FCC-SOP-03, -04, -05, -06, -09"):
    read as naming only the first, the artwork SOP was the one document mapped to 8.5 and led
    the 8.5.4 question, and fernhill's line became a pointer to FCC-SOP-03 alone."""
    from assistant.search.retrieval import DocumentNumbers

    files = {no: {f"{no}.md"} for no in ("LPP-SOP-02", "LPP-SOP-04", "LPP-SOP-09", "QP-11")}
    named = DocumentNumbers(files).named
    assert named("Where addressed: LPP-SOP-02, -04, -09") == {
        "LPP-SOP-02",
        "LPP-SOP-04",
        "LPP-SOP-09",
    }
    assert named("LPP-SOP-04 and -09") == {"LPP-SOP-04", "LPP-SOP-09"}
    # a short number no document has, or a minus sign elsewhere, names nothing more
    assert named("LPP-SOP-02, -07") == {"LPP-SOP-02"}
    assert named("see QP-11; store at -04 to -09 C") == {"QP-11"}


def test_document_numbers_are_found_as_whole_words_as_a_search_for_each_would():
    """The citation map looks numbers up by a line's words instead of searching for every
    number in every passage (quadratic: 12 s at 1,000 documents). It must name exactly what a
    search for each number as whole words names: numbers of one word or several, a longer
    number sharing a shorter one's start, numbers in the sample's own lines."""
    import re

    from assistant.search.retrieval import DocumentNumbers

    def searched(line: str, numbers: list[str]) -> set[str]:
        return {n for n in numbers if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", line)}

    numbers = ["QP-05", "QP-05-A", "QM 001", "SOP 4.2", "F-01-2", "(A) form"]
    lookup = DocumentNumbers({n: {f"{n}.md"} for n in numbers})
    lines = [
        "see QP-05-A and QM 001.",
        "QP-05/QP-05-A",
        "QM 0012 is not QM 001; SOP 4.2.1 is not SOP 4.2",
        "XQP-05, QP-05x, -QP-05 and F-01-2's copy",
        "the (A) form and (A) formal",
    ]
    for line in lines:
        assert lookup.named(line) == searched(line, numbers), line
    assert lookup.named(lines[0]) == {"QP-05-A", "QM 001"}
    # every line of the sample's procedures, with every number they use
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "corpus" / "procedures").glob("*.md")
    )
    found = sorted(set(re.findall(r"\b[A-Z]{1,4}-\d{2,3}(?:-\d+)?\b", text)))
    assert len(found) > 15
    lookup = DocumentNumbers({n: {f"{n}.md"} for n in found})
    for line in text.splitlines():
        assert lookup.named(line) == searched(line, found), line
