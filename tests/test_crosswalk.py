"""Another standard's clause numbers bridged to ISO 9001 by our own cross-reference."""

from __future__ import annotations

import pytest

from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import default_catalogue
from assistant.search.crosswalk import CROSSWALKS, blank_references, bridges, crosswalk
from tests.conftest import indexed_texts

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
        (
            "ISO 13485:2016 Sec. 8.2.1 and 8.2.2 </br> IEC 62304:2006 Sec. 6.2.1",
            {"8.2.1", "8.5.5", "9.1.2"},
        ),
        (
            "ISO 13485:2016 Sec. 4.1.6 and 6.3 and 7.6<br>IEC 62304 Sec. 9.8",
            {"7.1.3", "7.1.5", "7.1.5.1"},
        ),
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
    # Workers' consultation has no ISO 9001 counterpart: not bridged, so not a clause question.
    assert RESOLVER.resolve("What about ISO 45001 clause 5.4?") == []
    assert RESOLVER.resolve("What about ISO 27001 clause 9.2?") == []  # no table at all


@pytest.mark.fast
@pytest.mark.parametrize(
    ("question", "clauses"),
    [
        ("How do we meet ISO 45001 clause 9.2?", ["9.2"]),
        ("Which procedure covers ISO 14001:2015 10.2?", ["10.2"]),
        ("Where do we meet ISO 45001 8.1.4.2?", ["8.4"]),  # contractors, under buying
        ("ISO 14001 clause 6.1.2 - what do we do?", []),  # environmental aspects: none
    ],
)
def test_iso_14001_and_45001_clauses_are_asked_through_their_place_in_the_shared_structure(
    question: str, clauses: list[str]
) -> None:
    assert [m.clause_id for m in RESOLVER.resolve(question)] == clauses


@pytest.mark.fast
def test_another_systems_bridge_says_what_it_is_and_what_to_ask_instead() -> None:
    (audit,) = bridges("How do we meet ISO 45001 clause 9.2?")
    assert not audit.same_system and audit.code == "45001"
    assert "ISO 9001:2015 9.2" in audit.note() and "both standards" in audit.note()
    assert "ask about 9.2" in audit.counterpart()
    (aspects,) = bridges("ISO 14001 6.1.2")
    assert aspects.iso9001 == () and "no ISO 9001:2015 counterpart" in aspects.counterpart()
    # a topic with commas is read whole (an unquoted one was cut at its first comma)
    (incidents,) = bridges("ISO 45001 clause 10.2")
    assert incidents.topic == "incidents, nonconformity and corrective action"
    (design,) = bridges("ISO 13485 clause 7.3")
    assert design.same_system and "is met through ISO 9001:2015 8.3" in design.note()


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
            assert all(i in catalogue for i in ids), topic
            # A quality-system table lists only clauses it bridges; another system's table also
            # lists its own matters, with no counterpart, so the answer can say so.
            assert ids or not table.same_system, topic
    # The shared structure: every chapter of ISO 14001 and 45001 has clauses with counterparts.
    for number in ("14001", "45001"):
        table = crosswalk(number)
        assert table is not None
        chapters = {k.split(".")[0] for k, (_, ids) in table.clauses.items() if ids}
        assert chapters == {"4", "5", "6", "7", "8", "9", "10"}


def test_the_answer_says_how_another_standards_clause_was_answered(sample) -> None:
    answer = sample.ask("How do we meet ISO 13485 clause 7.6?")
    assert answer.mode == "clause" and [c.id for c in answer.clauses] == ["7.1.5"]
    assert answer.bridges and "ISO 9001:2015 7.1.5" in answer.bridges[0]
    assert not answer.no_evidence
    assert "QP-05-calibration-of-measuring-equipment.pdf" in answer.ranked_files[:2]
    assert answer.to_dict()["bridges"] == answer.bridges


def test_another_systems_clause_is_not_met_by_a_quality_system_that_never_names_it(sample) -> None:
    # The sample is a quality system only: its internal-audit procedure is not shown as meeting
    # ISO 45001's internal audit, but the answer names the ISO 9001 clause to ask about.
    answer = sample.ask("How do we meet ISO 45001 clause 9.2?")
    assert answer.no_evidence and answer.decided_by == "unknown standard"
    assert "No indexed document mentions ISO 45001" in answer.message
    assert "ISO 9001:2015 9.2" in answer.message and not answer.bridges
    aspects = sample.ask("Which procedure covers ISO 14001 clause 6.1.2?")
    assert aspects.no_evidence and "no ISO 9001:2015 counterpart" in aspects.message


def test_an_integrated_system_answers_another_standards_clause_through_its_counterpart(
    tmp_path,
) -> None:
    # An integrated system's procedures name ISO 45001 and ISO 14001 beside ISO 9001.
    app = indexed_texts(
        tmp_path,
        {
            "IMS-PR-09-internal-audit.md": (
                "# IMS-PR-09 Internal audit\n\nScope: the integrated management system "
                "(ISO 9001:2015, ISO 14001:2015 and ISO 45001:2018 clause 9.2).\n\n"
                "## 1 Audit programme\n\nThe IMS manager plans audits each January so every "
                "process, site and shift is audited at least once a year, more often where "
                "incidents or complaints occurred. Auditors never audit their own area.\n\n"
                "## 2 Reporting\n\nFindings are reported to the area manager within five "
                "working days and logged as corrective actions.\n"
            ),
            "IMS-PR-04-training.md": (
                "# IMS-PR-04 Training and competence\n\nCovers ISO 45001:2018 clause 7.2 and "
                "ISO 9001:2015 clause 7.2.\n\n## 1 Induction\n\nEvery new starter completes "
                "the site induction and a safety walk on day one; supervisors sign the "
                "competence matrix once the starter has been observed three times.\n"
            ),
        },
    )
    answer = app.ask("How do we meet ISO 45001 clause 9.2?")
    assert answer.mode == "clause" and not answer.no_evidence
    assert answer.ranked_files[0] == "IMS-PR-09-internal-audit.md"
    assert answer.bridges and "ISO 45001:2018 9.2" in answer.bridges[0]
    assert "both standards" in answer.bridges[0]


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
