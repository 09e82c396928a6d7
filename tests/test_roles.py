"""Which indexed documents are procedures, and which are forms, lists or clause maps."""

from __future__ import annotations

import pytest

from assistant.search.roles import (
    ABOUT,
    INDEX,
    LIST,
    PROCEDURE,
    RECORD,
    asks_for_record,
    procedure_names,
    role_of,
)

pytestmark = pytest.mark.fast

PROSE = "5.1 The Quality Manager reviews each supplier yearly.\n5.2 Records are kept for 5 years.\n"
FORM = "\n".join(
    ["| Field | Value | Notes |"] + [f"| <enter item {i}> | [ ] | ____ |" for i in range(6)]
)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "title", "text", "role"),
    [
        ("sop-purchasing.md", "SOP Purchasing", PROSE, PROCEDURE),
        # Named as a procedure: a procedure, even when the name mentions records or reporting.
        ("QP-01-document-and-record-control.md", "Document and record control", PROSE, PROCEDURE),
        ("CSC-PR-014-Incident-Reporting.md", "Incident Reporting", PROSE, PROCEDURE),
        # ... and so is the control of documents and records, by name alone.
        ("KWR-IMS-02 Document and Record Control.md", "Document control", PROSE, PROCEDURE),
        ("HCL-P-02 Control of Documents and Records.md", "Records", PROSE, PROCEDURE),
        ("records-control-log.md", "Records control log", FORM, RECORD),
        ("CSC-F-001-Training-Log-Template.md", "Training log", FORM, RECORD),
        ("supplier-checklist.md", "Supplier checklist", PROSE, RECORD),
        ("audit-report.md", "Audit report", PROSE, RECORD),
        ("list-of-qualified-suppliers.md", "Qualified suppliers", PROSE, LIST),
        ("13485-mapping.md", "Mapping", PROSE, INDEX),
        ("CSC-PL-002-Process-Interaction.md", "Process interaction", PROSE, INDEX),
        # Structure decides when the name says nothing: mostly rows with blanks to fill in.
        ("audit-program.md", "Audit programme", FORM, RECORD),
        ("audit-program.md", "Audit programme", PROSE, PROCEDURE),
        # A folder's notes about itself, whatever they say.
        ("README.md", "QMS template", PROSE, ABOUT),
        ("docs/readme.txt", "Read me", PROSE, ABOUT),
        ("CHANGELOG.md", "Changes", PROSE, ABOUT),
        ("LICENSE", "Licence", PROSE, ABOUT),
        ("CONTRIBUTING.md", "Contributing", PROSE, ABOUT),
        # ... but only by those names: a procedure about a readme file is a procedure.
        ("QP-20-readme-files-for-software.md", "Readme files", PROSE, PROCEDURE),
        ("Work-Instruction.md", "Work instructions", PROSE, PROCEDURE),
        # A spreadsheet is a register and a slide deck a record, unless its name says more.
        ("F-08-2-approved-suppliers.xlsx", "Approved suppliers", PROSE, LIST),
        ("equipment.CSV", "Equipment", PROSE, LIST),
        ("training-matrix-template.xlsx", "Training matrix template", PROSE, RECORD),
        ("management-review-march.pptx", "Management review, March", PROSE, RECORD),
        ("SOP-12-purchasing.xlsx", "Purchasing", PROSE, PROCEDURE),
        # A check sheet or scoresheet is a form; so is anything numbered in a form series.
        ("BW-F04-01 Site Quality Inspection Scoresheet.md", "Site inspection", PROSE, RECORD),
        ("machine-check-sheet.md", "Weekly machine checks", PROSE, RECORD),
        ("BW-F09-02 Key holders.md", "Key holders", PROSE, RECORD),
        ("BW-F06-01 Approved Supplier Register.html", "Approved suppliers", PROSE, LIST),
    ],
)
def test_a_document_role_comes_from_its_name_title_and_structure(name, title, text, role) -> None:
    assert role_of(name, title, text) == role


@pytest.mark.parametrize(
    ("name", "title", "names"),
    [
        ("sop-vigilance.md", "SOP Vigilance", ["sop vigilance"]),
        (
            "CSC-PR-011-Management-Review.md",
            "SOP Management Review",
            ["csc-pr-011", "sop management review", "csc pr 011 management review",
             "management review"],
        ),
        # one-word names are everyday words, not references: only the number is kept
        ("QP-08-purchasing.md", "Purchasing", ["qp-08", "qp 08 purchasing"]),
        ("purchasing.md", "Purchasing", []),
    ],
)  # fmt: skip
def test_a_procedure_is_named_by_its_number_title_and_file_name(name, title, names) -> None:
    assert procedure_names(name, title) == names


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Which form do I fill in when a delivery is short?", True),
        ("Where is the training log kept?", True),
        ("A clinic rang: our software gave a wrong result. What do I do?", False),
        # a whole word only: "reformat" and "catalogue" are not asking for a form or log
        ("Can I reformat the catalogue?", False),
    ],
)
def test_a_question_asking_for_the_form_itself_is_recognised(question, asks) -> None:
    assert asks_for_record(question) is asks
