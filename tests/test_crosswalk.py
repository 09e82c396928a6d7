"""Another standard's clause numbers bridged to ISO 9001 by our own cross-reference."""

from __future__ import annotations

import pytest

from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import default_catalogue
from assistant.search.crosswalk import CROSSWALKS, blank_references, bridges, crosswalk

RESOLVER = ClauseResolver(default_catalogue())


@pytest.mark.fast
@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("This procedure meets ISO 13485:2016, para 8.5.2.", {"10.2"}),
        ("ISO13485:2016 7.5.8, 7.5.9", {"8.5.2"}),
        ("See ISO 13485:2016 Section 7.6 and ISO 9001:2015 clause 10.2", {"7.1.5", "10.2"}),
        # Another standard's "clause 7.3" is not ISO 9001's 7.3 (awareness).
        ("Design is controlled per ISO 13485 clause 7.3.", {"8.3"}),
        ("Risk analysis follows ISO 14971 clause 7.3.", set()),
    ],
)
def test_a_procedure_citing_iso_13485_counts_as_citing_its_iso_9001_clause(text, cited) -> None:
    assert RESOLVER.cited_in_document(text) == cited


@pytest.mark.fast
@pytest.mark.parametrize(
    ("text", "cited"),
    [
        # The "Regulatory References" cells of a real ISO 13485 system (GSTT-CSC's SOPs): a
        # table cell broken by <br>, "Sec." for section, a comma after the cue word, item
        # letters after the numbers. Missed, they made false gaps (8.2.1 customer communication).
        (
            "Regulatory References; ISO 13485:2016: <br> 7.1 a, b, c <br> 7.2.3 <br> 7.3.2",
            {"8.1", "8.2.1", "8.3.2"},
        ),
        ("ISO 13485:2016 Sec. 8.2.1 and 8.2.2 </br> IEC 62304:2006 Sec. 6.2.1", {"8.2.1", "9.1.2"}),
        ("ISO 13485:2016 Sec. 4.1.6 and 6.3 and 7.6<br>IEC 62304 Sec. 9.8", {"7.1.3", "7.1.5"}),
        ("Regulatory References; ISO 13485:2016 Section, 4.2.4, 4.2.5", {"7.5.2", "7.5.3"}),
        ("ISO 13485:2016 <br> 7.3.9 <br><br> BS EN 62304:2006 <br> 6.2.3/4/5", {"8.3.6"}),
        ("ISO 13485:2016 4.1.4a 4.2.4", {"6.3", "7.5.2", "7.5.3"}),
        ("BS EN ISO 13485:2016: 6.2 (a)(d)", {"7.2", "7.3"}),
        # The trace tag such a system writes (in a Markdown comment; the loader keeps the tag).
        ("[13485:7.5.8,7.5.9]", {"8.5.2"}),
        # A run of numbers ends at the line: the next line's heading number is not a clause.
        ("Regulatory References; ISO 13485:2016 Sec. 6.3\n4.1 Purpose", {"7.1.3"}),
    ],
)
def test_the_ways_a_quality_system_writes_its_iso_13485_references(text, cited) -> None:
    assert RESOLVER.cited_in_document(text) == cited


@pytest.mark.fast
def test_a_question_about_an_iso_13485_clause_is_asked_through_iso_9001() -> None:
    matches = RESOLVER.resolve("How do we meet ISO 13485 clause 8.3?")
    assert [m.clause_id for m in matches] == ["8.7"]
    assert RESOLVER.is_clause_question("How do we meet ISO 13485 clause 8.3?", matches)
    (bridge,) = bridges("How do we meet ISO 13485 clause 8.3?")
    assert "ISO 13485:2016 8.3" in bridge.note() and "ISO 9001:2015 8.7" in bridge.note()
    assert RESOLVER.resolve("What about ISO 45001 clause 5.4?") == []  # no table: not bridged


@pytest.mark.fast
def test_deeper_numbers_use_their_nearest_listed_parent_but_a_chapter_alone_is_too_coarse() -> None:
    table = crosswalk("13485")
    assert table is not None
    deeper = table.bridge("7.5.6.1")
    assert deeper is not None and deeper.iso9001 == ("8.5.1",)
    assert table.bridge("7") is None


@pytest.mark.fast
def test_blanking_keeps_length_and_removes_only_the_other_standard() -> None:
    text = "ISO 13485 para 7.6; ISO 9001 clause 7.1.5"
    blanked = blank_references(text)
    assert len(blanked) == len(text) and "7.6" not in blanked and "7.1.5" in blanked


@pytest.mark.fast
def test_every_bridge_lands_on_a_clause_of_our_catalogue() -> None:
    catalogue = default_catalogue()
    for number in CROSSWALKS:
        table = crosswalk(number)
        assert table is not None and table.clauses
        for topic, ids in table.clauses.values():
            assert ids and all(i in catalogue for i in ids), topic


def test_the_answer_says_how_another_standards_clause_was_answered(sample) -> None:
    answer = sample.ask("How do we meet ISO 13485 clause 7.6?")
    assert answer.mode == "clause" and [c.id for c in answer.clauses] == ["7.1.5"]
    assert answer.bridges and "ISO 9001:2015 7.1.5" in answer.bridges[0]
    assert not answer.no_evidence
    assert "QP-05-calibration-of-measuring-equipment.pdf" in answer.ranked_files[:2]
    assert answer.to_dict()["bridges"] == answer.bridges


@pytest.mark.fast
def test_a_trace_tag_in_a_markdown_comment_is_read_as_the_documents_clause_map() -> None:
    # GSTT-CSC tags its release and traceability sections only in comments; dropped with every
    # other comment, those sections cited nothing and 8.5 looked like a gap.
    from assistant.documents.text import parse_markdown

    _, sections = parse_markdown(
        "# Release\n\n## 3 Releasing an app\n<!-- [13485:7.5.8,7.5.9] -->\n"
        "The QMO releases the app.\n<!-- reviewer: check wording -->\n",
        "release",
    )
    text = "\n".join(s.text for s in sections)
    assert "[13485:7.5.8,7.5.9]" in text and "reviewer" not in text
    assert "The QMO releases the app." in text.split("\n\n")  # a block of its own
    assert RESOLVER.cited_in_document(text) == {"8.5.2"}
