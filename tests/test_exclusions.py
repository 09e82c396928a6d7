"""Clauses the documents declare excluded (search/exclusions.py): read from a sentence, a
cross-reference row, another standard's mapping table and an exclusions list; never from a scope
cut short or "no exclusions"; answered as "excluded", quoted, not "how we meet it" or a gap; and
shown as excluded, not a gap, in the coverage."""

from __future__ import annotations

import pytest

from assistant.core.models import Chunk
from assistant.evaluation.retrieval import summarise
from assistant.search.clause_resolver import ClauseResolver
from assistant.search.clauses import default_catalogue
from assistant.search.exclusions import (
    CitedAnyway,
    cited_anyway,
    excluded_clause,
    excluded_clauses,
    exclusions_in,
    first_documents,
)
from assistant.usecases.ask import EXCLUDED
from tests.conftest import indexed_texts


@pytest.fixture(scope="module")
def resolver() -> ClauseResolver:
    return ClauseResolver(default_catalogue())


def _chunk(text: str, heading: str = "Scope", n: int = 1) -> Chunk:
    return Chunk(
        f"QM#{n}", "QM.md", "QM.md", "Quality Manual", "QM-01", "1", heading, None, n, text
    )


def _excluded(resolver: ClauseResolver, *chunks: Chunk) -> dict[str, list[str]]:
    found = [e for c in chunks for e in exclusions_in(c, resolver)]
    return {k: [e.quote for e in v] for k, v in excluded_clauses(found, resolver.catalogue).items()}


@pytest.mark.fast
@pytest.mark.parametrize(
    "text",
    [
        "We have decided that ISO 9001:2015 clause 8.3 (design and development) does not apply. "
        "We do not design products.",
        "2.4.1 ISO 9001:2015 clause 8.3 (design and development) is **not applicable**.",
        "ISO 9001 clause 8.3 (design and development) is excluded.",
        "ISO 9001:2015 clause: 8.3; Subject: Design and development; Documents: Not applicable",
        "We have considered clause 8.3 and decided it does not apply to us.",
    ],
)
def test_a_declared_exclusion_is_read_with_the_sentence_that_says_so(resolver, text):
    found = _excluded(resolver, _chunk(text))
    assert list(found) == ["8.3"]
    (quote,) = found["8.3"]
    assert quote in text and "8.3" in quote and "We do not design" not in quote  # the sentence


@pytest.mark.fast
@pytest.mark.parametrize(
    "text",
    [
        "4.2 Applicability: every requirement of ISO 9001:2015 applies here; there are no "
        "exclusions.",
        "Clause 7.1.5 does not apply to the reference gauges, which are calibrated externally.",
        "Clause 8.3 is not excluded: we design our own gauges.",
        "5.6.2 Blank fields that do not apply are marked N/A.",
        "No other clause is excluded.",
    ],
)
def test_no_exclusion_is_read_where_none_is_declared(resolver, text):
    assert _excluded(resolver, _chunk(text)) == {}


@pytest.mark.fast
def test_another_standards_exclusion_leaves_out_an_iso_9001_clause_only_when_all_of_it_goes(
    resolver,
):
    """ISO 13485 6.4 (work environment) is all of ISO 9001 7.1.4; 7.5.5 (sterile products) is
    one of seven ISO 13485 clauses of 9001's 8.5.1, which the organisation still meets."""
    mapping = _chunk(
        "Section: 6.4; Title: Work Environment; Document: - not applicable -\n"
        "Section: 7.5.5; Title: Sterile Medical Devices; Document: - not applicable -\n"
        "Section: 7.5.1; Title: Production; Document: SOP Production",
        heading="ISO 13485:2016 Mapping of Requirements to Documents",
    )
    listed = _chunk(
        "The following sections of ISO 13485:2016 will be excluded as the product is software:\n"
        "* 7.5.11 Preservation of product\n* 7.5.2 Cleanliness of product",
        heading="1. Scope > Exclusions",
        n=2,
    )
    found = _excluded(resolver, mapping, listed)
    assert set(found) == {"7.1.4", "8.5.4"}
    assert found["8.5.4"] == [
        "The following sections of ISO 13485:2016 will be excluded as the product is software:",
        "* 7.5.11 Preservation of product",
    ]


@pytest.mark.fast
def test_a_table_under_a_non_applicable_heading_is_read_though_split_from_its_lead_in(resolver):
    """gstt-csc's manual: "Non-Applicable Requirements > ISO 13485:2016", a table of sections
    and rationales, no "not applicable" in any row; the passage holding 7.6 does not hold the
    lead-in. Leaving out 7.6 (calibration) while validating software (4.1.6) takes out 7.1.5.2
    only, not 7.1.5 or 7.1.5.1; leaving out servicing (7.5.4) keeps post-delivery activities
    (8.5.5), which post-market feedback (8.2.1) still meets."""
    heading = "Quality Manual > 1. Scope > Non-Applicable Requirements > ISO 13485:2016"
    first = _chunk(
        "The following sections of ISO 13485:2016 are non-applicable because we make software:"
        "\n\nSection: 7.5.4; Title: Servicing activities; Rationale: We develop software only",
        heading=heading,
    )
    split = _chunk(
        "Section: 7.6; Title: Control of Monitoring and Measuring equipment; Rationale: Ad-hoc "
        "software makes any measurements",
        heading=heading,
        n=2,
    )
    found = _excluded(resolver, first, split)
    assert set(found) == {"7.1.5.2"}
    assert found["7.1.5.2"] == [split.text]
    excluded = excluded_clauses(
        [e for c in (first, split) for e in exclusions_in(c, resolver)], resolver.catalogue
    )
    assert not excluded_clause("7.1.5", excluded) and not excluded_clause("7.1.5.1", excluded)


@pytest.mark.fast
def test_a_clause_table_under_scope_and_exclusions_excludes_nothing_without_a_lead_in(resolver):
    """A manual's "Scope and exclusions" section may map every clause to where it is met."""
    mapping = _chunk(
        "Section: 8.3; Title: Design and development; Document: QP-07\n"
        "Section: 8.4; Title: Externally provided processes; Document: QP-08",
        heading="Quality Manual > 1.2 Scope and exclusions > ISO 9001:2015",
    )
    assert _excluded(resolver, mapping) == {}


@pytest.mark.fast
def test_a_sub_clause_of_an_excluded_clause_is_excluded_with_it(resolver):
    found = [e for e in exclusions_in(_chunk("Clause 8.3 is excluded."), resolver)]
    excluded = excluded_clauses(found, resolver.catalogue)
    assert excluded_clause("8.3.4", excluded) and excluded_clause("8.3", excluded)
    assert not excluded_clause("8.4", excluded) and not excluded_clause("8.5.3", excluded)


@pytest.mark.fast
def test_a_document_citing_an_excluded_clause_is_found_but_not_one_naming_the_decision(resolver):
    """gstt-csc's manual leaves out ISO 13485 7.6 while a procedure lists 7.6 among its
    references: found, with the row that cites it. An audit programme's "n/a" row, a review
    input "the applicability decision on clause 8.3", or a parent clause are no such citation."""
    manual = _chunk(
        "These sections of ISO 13485:2016 are non-applicable:\n"
        "Section: 7.6; Title: Measuring equipment; Rationale: nothing is measured by hand\n"
        "Section: 7.5.5; Title: Sterile devices; Rationale: software only\n"
        "ISO 9001 clause 8.3 (design and development) is excluded.",
        heading="Scope > Non-Applicable Requirements > ISO 13485:2016",
    )
    declared = exclusions_in(manual, resolver)
    excluded = excluded_clauses(declared, resolver.catalogue)
    citing = Chunk(
        "SOP#1",
        "SOP.md",
        "SOP.md",
        "Validation",
        "SOP-09",
        "1",
        "General",
        None,
        1,
        (
            "Regulatory References; ISO 13485:2016 Sec. 4.1.6 and 7.6\n"
            "Design reviews are held at each stage (ISO 9001 clause 8.3.4). Production follows "
            "ISO 13485 7.5 throughout."
        ),
    )
    decision = Chunk(
        "AP#1",
        "AP.md",
        "AP.md",
        "Audit programme",
        "AP-01",
        "1",
        "Plan",
        None,
        1,
        (
            "Audit ID: ISO 13485:2016, para. 7.6; #1: n/a; #2: n/a\n"
            "Review inputs include the applicability decision on clause 8.3."
        ),
    )
    found = cited_anyway([manual, citing, decision], declared, excluded, resolver)
    assert sorted((c.standard, c.number, c.file, c.quote) for c in found) == [
        ("13485", "7.6", "SOP.md", "Regulatory References; ISO 13485:2016 Sec. 4.1.6 and 7.6"),
        ("9001", "8.3", "SOP.md", "Design reviews are held at each stage (ISO 9001 clause 8.3.4)."),
    ]
    assert all(c.quote in citing.text for c in found)  # verbatim, so it can be quoted


@pytest.mark.fast
def test_an_exclusion_led_by_the_expected_document_agrees_with_either_label():
    def row(expected: list[str], rank: int | None) -> dict:
        return {
            "kind": "clause_lookup",
            "expected_sources": expected,
            "rank": rank,
            "no_evidence": True,
            "decided_by": "excluded",
        }

    not_met, by_manual, elsewhere = row([], None), row(["QM.md"], 1), row(["SOP-07.md"], 3)
    assert summarise([not_met, by_manual], [])["no_answer_accuracy"] == 1.0
    assert summarise([elsewhere], [])["no_answer_accuracy"] == 0.0  # a refusal of an answer


MANUAL = (
    "# QM-01 Quality Manual\n\n## 2. Scope\n\n### 2.1 Exclusion\n\nWe have decided that ISO "
    "9001:2015 clause 8.3 (design and development) does not apply. We make parts to our "
    "customers' drawings and design nothing ourselves.\n\n## 3. Purchasing\n\nSuppliers are "
    "approved by the Purchasing Manager (ISO 9001 clause 8.4) and re-evaluated every year."
)


def test_a_question_on_an_excluded_clause_is_answered_with_the_exclusion(tmp_path):
    app = indexed_texts(tmp_path, {"QM-01 Quality Manual.md": MANUAL})
    for question in ("How do we meet clause 8.3?", "Which document covers ISO 9001 8.3.2?"):
        answer = app.ask(question)
        assert answer.no_evidence and answer.decided_by == EXCLUDED
        assert not answer.to_dict()["possible_gap"] and not answer.procedures
        (quote,) = answer.excluded
        assert quote.text == (
            "We have decided that ISO 9001:2015 clause 8.3 (design and development) does not apply."
        )
        assert quote.text in quote.passage  # verbatim, from its passage
        assert "is excluded from our quality management system: QM-01" in answer.message
        assert answer.ranked_files[0] == "QM-01 Quality Manual.md"
    assert app.ask("How do we meet clause 8.4?").decided_by != EXCLUDED
    rows = {r.clause_id: r for r in app.coverage()}
    assert rows["8.3"].excluded_by.startswith("QM-01 Quality Manual.md: We have decided")
    assert not rows["8.3"].is_gap and not rows["8.3.4"].is_gap
    assert not rows["7.1.5"].excluded_by


SOFTWARE_MANUAL = (
    "# QM-02 Quality Manual\n\n## 1. Scope\n\n### Non-Applicable Requirements\n\n"
    "#### ISO 13485:2016\n\nThese sections of ISO 13485:2016 are non-applicable, as we only "
    "make software:\n\n| Section | Title | Rationale |\n|---|---|---|\n"
    "| 7.5.5 | Sterile devices | Software is not sterilised |\n"
    "| 7.5.2 | Cleanliness of product | Software carries no contamination |\n"
    "| 6.4.2 | Contamination control | No physical product is made or handled here |\n\n"
    "The decision is reviewed at every management review and whenever the product range "
    "changes; a hardware accessory or a physical device would bring these sections back.\n\n"
    "## 2. Production\n\nReleases are built and deployed under SOP-09 (ISO 13485 7.5.1): the "
    "build pipeline, release checklist and deployment record control how software is produced. "
    "Each release is built from a tagged commit by the pipeline, never by hand, and the build "
    "log is kept with the release record. The release manager checks the checklist is complete "
    "before deployment, and the deployment record names the version, the date and who approved "
    "it. A failed deployment is rolled back to the last released version and raised as a "
    "problem report under the problem resolution procedure."
)


def test_a_question_by_another_standards_excluded_clause_is_answered_with_the_exclusion(
    tmp_path,
):
    """ISO 13485 7.5.5 (sterile devices) left out is not ISO 9001 8.5.1 left out: asked by
    its number, the answer is the exclusion and the counterpart still to ask about, not "met
    through 8.5.1"; asked by ISO 9001's number, the production control that meets it."""
    app = indexed_texts(tmp_path, {"QM-02 Quality Manual.md": SOFTWARE_MANUAL})
    answer = app.ask("Which procedure covers ISO 13485 clause 7.5.5?")
    assert answer.no_evidence and answer.decided_by == EXCLUDED
    assert answer.message.startswith(
        "ISO 13485:2016 7.5.5 (sterile products) is declared not applicable"
    )
    assert "counterpart (8.5.1) may still be met" in answer.message
    assert not any("is met through" in b for b in answer.bridges)
    assert any(
        q.text == "Section: 7.5.5; Title: Sterile devices; Rationale: Software is not sterilised"
        and q.text in q.passage
        for q in answer.excluded
    )
    assert not answer.cited_anyway  # no other document cites 7.5.5
    for question in ("Which procedure covers ISO 13485 7.5.1?", "How do we meet clause 8.5.1?"):
        assert app.ask(question).decided_by != EXCLUDED


DESIGN_SOP = (
    "# SOP-07 Design Review\n\n## 1. Purpose\n\nDesign reviews are held at the end of each "
    "stage (ISO 9001 clause 8.3.4): the project lead invites sales and production, and the "
    "minutes record the actions agreed and who closes them."
)


def test_a_document_citing_an_excluded_clause_is_pointed_out_beside_the_exclusion(tmp_path):
    """The manual leaves out design and development while a procedure cites its review
    clause: an auditor asks which is right, so the answer and the coverage say so, quoted."""
    app = indexed_texts(
        tmp_path, {"QM-01 Quality Manual.md": MANUAL, "SOP-07 Design Review.md": DESIGN_SOP}
    )
    answer = app.ask("How do we meet clause 8.3?")
    assert answer.decided_by == EXCLUDED and answer.excluded
    assert "Yet SOP-07 Design Review cites ISO 9001 8.3 all the same" in answer.message
    (quote,) = answer.cited_anyway
    assert quote.citation.file == "SOP-07 Design Review.md" and quote.text in quote.passage
    assert "clause 8.3.4" in quote.text
    rows = {r.clause_id: r for r in app.coverage()}
    assert rows["8.3"].excluded_by.endswith("(yet cited all the same by SOP-07 Design Review.md)")


def test_many_documents_citing_an_excluded_clause_are_named_first_few_and_counted(tmp_path):
    """Seven procedures cite the excluded design clause: the answer quotes the first five (each
    verbatim from its passage), counts the other two, and the coverage names the same five."""
    sops = {
        f"SOP-{n:02d} Design Step {n}.md": DESIGN_SOP.replace("SOP-07", f"SOP-{n:02d}").replace(
            "Design Review", f"Design Step {n}"
        )
        for n in range(1, 8)
    }
    app = indexed_texts(tmp_path, {"QM-01 Quality Manual.md": MANUAL, **sops})
    answer = app.ask("How do we meet clause 8.3?")
    assert answer.decided_by == EXCLUDED
    files = list(dict.fromkeys(q.citation.file for q in answer.cited_anyway))
    assert len(files) == 5 and set(files) < set(sops)
    assert all(q.text in q.passage for q in answer.cited_anyway)
    assert "and 2 more documents cite ISO 9001 8.3 all the same (the first 5 quoted below)" in (
        answer.message
    )
    row = {r.clause_id: r for r in app.coverage()}["8.3"]
    assert row.excluded_by.endswith(
        f"(yet cited all the same by {', '.join(files)} and 2 more documents)"
    )


@pytest.mark.fast
def test_first_documents_keeps_every_citation_of_the_documents_it_names():
    cited = [
        CitedAnyway("9001", "8.3", f"{f}#{i}", f, f"cites 8.3 ({i})")
        for f, i in [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("d", 1)]
    ]
    kept, more = first_documents(cited, limit=2)
    assert [(c.file, c.chunk_id) for c in kept] == [("a", "a#1"), ("b", "b#1"), ("a", "a#2")]
    assert more == 2
    assert first_documents(cited, limit=9) == (cited, 0)


def test_the_ask_page_shows_the_exclusion_quoted_with_its_citation(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    app = indexed_texts(
        tmp_path, {"QM-01 Quality Manual.md": MANUAL, "SOP-07 Design Review.md": DESIGN_SOP}
    )
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(app.settings.data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.chat_input[0].set_value("How do we meet clause 8.3?").run()
    assert not at.exception and not at.warning  # not a "possible gap"
    assert "is excluded from our quality management system" in at.info[0].value
    assert any(b.key == "excluded-0-0" and "QM\\-01 Quality Manual" in b.label for b in at.button)
    assert not any("How we meet it" in m.value for m in at.markdown)
    # the procedure that cites the excluded clause all the same, quoted with its citation
    assert any(m.value == "**Cited all the same**" for m in at.markdown)
    assert any(b.key == "cited-anyway-0-0" and "SOP\\-07" in b.label for b in at.button)
