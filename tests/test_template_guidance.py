"""A template's instructions to whoever fills it in ("> Describe the typical use environment.")
are text about writing the document, not about what the organisation does: never quoted as an
answer, while the organisation's own quoted text (a quality policy in a quote block) is."""

from __future__ import annotations

import pytest

from assistant.core.text import is_template_guidance, without_template_guidance
from tests.conftest import indexed_texts


@pytest.mark.fast
def test_instructions_to_the_author_are_told_from_the_organisations_own_words():
    guidance = [
        "> Describe the typical use environment.",
        "> In this section, provide general information about how you intend to set up "
        "your company's feedback process.",
        "List all software which you use in your company.",
        "For this section, keep it short.",
        # a lead-in before the verb (openregulatory's quality manual and supplier checklist)
        "> Also mention if one of these processes is outsourced to a third party.",
        "> NOTE: enter here a description of the goods and services we buy from this supplier.",
        # speaking to whoever adopts the template, in a quote block
        "> This template is best implemented in a spreadsheet.",
        "> Note: For class I devices, you could specify a longer update interval.",
        # what the document should hold, in the third person (openregulatory's quality policy)
        "> In addition, the policy should include a commitment to meet legal requirements.",
        # set in italics, as templates set instructions apart (gstt-csc's audit report form)
        "<i> Enter the details of the internal audit and recommendations if appropriate.",
        "*Provide a clear reason for the chosen criticality*",
    ]
    practice = [
        "*Note:* the Quality Manager signs every concession.",  # italics, but no instruction
        "<i>e.g. Previous findings, CAPAs, QMS changes",
        # a quality policy quoted in a block, its commitments as a list
        "> - choose suppliers who share our standards and work with them to get better;",
        "> Document: FCC-SOP-10 · Revision: 3 · Owner: Customer Service Manager",
        "Describe the nonconformity on the NCR form F-11-1.",  # a step, to staff
        "Record the reading on the calibration record.",
        "Add your Quality Representatives as CODEOWNERS in the repository.",
        # "you" outside a quote block is how procedures speak to staff
        "If you find a damaged gauge, you quarantine it and raise an NCR.",
        "> Also, the Quality Manager signs every concession.",  # "also", but no instruction
        # "should include" outside a quote block is a procedure's own rule
        "The NCR should include the batch number and the quantity affected.",
    ]
    assert all(is_template_guidance(s) for s in guidance)
    assert not any(is_template_guidance(s) for s in practice)


@pytest.mark.fast
def test_a_sentence_of_an_instruction_block_is_part_of_the_instruction():
    """openregulatory's manual: "> List all your SOPs here. This list is highly
    company-specific ..." - its second sentence alone reads like a statement, and was quoted."""
    passage = (
        "## 4. Processes\n"
        "> List all your SOPs here. This list is highly company-specific and may be incomplete.\n"
        "> Every process below has one owner, named in its SOP.\n"
        "The QMO keeps this list current."
    )
    note = "This list is highly company-specific and may be incomplete."
    assert not is_template_guidance(note)  # alone, nothing tells
    assert is_template_guidance(note, passage)
    # a quote line of its own, and text outside the block, stay the organisation's words
    assert not is_template_guidance(
        "> Every process below has one owner, named in its SOP.", passage
    )
    assert not is_template_guidance("The QMO keeps this list current.", passage)


@pytest.mark.fast
def test_the_list_under_an_instruction_is_part_of_the_instruction():
    """openregulatory's HR SOP: "> NOTE: As your organization grows, the following updates to
    this process can be considered:" and its bullets were quoted for clause 8.1 as if practice."""
    passage = (
        "## Summary\n"
        "> NOTE: As your organization grows, the following updates to this process can be "
        "considered:\n"
        ">\n"
        "> * *Job descriptions* are formulated as part of a general template and respective "
        "records instead of sections in the quality manual.\n"
        "Employee qualification is reviewed before an employee assumes a new role."
    )
    bullet = "> * *Job descriptions* are formulated as part of a general template"
    assert not is_template_guidance(bullet)  # alone, a bullet is a list
    assert is_template_guidance(bullet, passage)
    own = "Employee qualification is reviewed before an employee assumes a new role."
    assert not is_template_guidance(own, passage)


@pytest.mark.fast
def test_the_searched_text_leaves_out_an_instruction_and_the_list_under_it():
    """openregulatory's HR SOP: "> NOTE: ... feel free to add provisions for:" and its bullets
    ("are you using software tools like BambooHR ...?") led questions about a new online tool;
    the organisation's own quoted words stay, in the same block and outside it."""
    passage = (
        "## Recruitment\n"
        "The CEO signs every employment contract.\n"
        "> NOTE: depending on your current processes in place, feel free to add provisions for:\n"
        ">\n"
        "> * The recruitment of employees (for example: are you using software tools like\n"
        ">   BambooHR for the application process? How do you document hiring decisions?)\n"
        "> * Onboarding checklists for HR staff\n"
        "> Every new hire meets the QMO in the first week.\n"
        "> - choose suppliers who share our standards;\n"
        "HR files are kept for ten years."
    )
    searched = without_template_guidance(passage)
    assert "feel free" not in searched
    assert "BambooHR" not in searched and "Onboarding checklists" not in searched
    for own in (
        "The CEO signs every employment contract.",
        "> Every new hire meets the QMO in the first week.",
        "> - choose suppliers who share our standards;",
        "HR files are kept for ten years.",
    ):
        assert own in searched
    # a quality policy set apart in a quote block is the organisation's, and searched whole
    policy = "> **Our Quality Policy**\n>\n> We build every gauge to read true.\n> - listen to us;"
    assert without_template_guidance(policy) == policy


def test_a_templates_instructions_are_never_quoted(tmp_path, model):
    sop = (
        "# SOP Feedback Management\n\n"
        "## 1. Customer complaints\n\n"
        "> In this section, provide general information about how your company handles "
        "customer complaints and feedback about the app.\n\n"
        "> Describe who answers customer complaints about the app and how fast.\n\n"
        "The Operations team answers every customer complaint about the app within two "
        "working days and logs it in the feedback register.\n"
    )
    app = indexed_texts(tmp_path, {"sop-feedback.md": sop})
    for question in (
        "What do we do when a customer complains about the app?",
        "Who answers customer complaints about the app?",
    ):
        answer = app.ask(question)
        assert not answer.no_evidence
        quoted = [q.text for q in answer.lead] + [
            q.text for p in answer.procedures for q in p.quotes
        ]
        assert quoted and not any(is_template_guidance(q) for q in quoted)
        assert any("two working days" in q for q in quoted)


def test_a_question_is_not_led_by_a_templates_instruction(tmp_path, model):
    """openregulatory's recurring miss: "a new online tool" was led by the HR SOP, whose only
    words on software tools are the template's note to its author; the procedure that says
    what is done before a new tool is used leads once that note is not searched."""
    hr = (
        "# SOP Human Resources Administration\n\n"
        "## Recruitment and onboarding\n\n"
        "The hiring manager interviews every candidate and the CEO signs the contract.\n\n"
        "> NOTE: depending on your current processes in place, feel free to add provisions "
        "for:\n>\n"
        "> * The recruitment of employees (for example: are you using online software tools "
        "like BambooHR or Personio for the application process? Which new tool stores the "
        "candidates' data?)\n"
        "> * Onboarding checklists for new employees using a new online tool\n"
    )
    validation = (
        "# SOP Computerized System Validation\n\n"
        "## Validating systems before use\n\n"
        "Before a computerized system is used for quality records, the QMO assesses its "
        "risk, writes its intended use and tests it; it is added to the system list when "
        "it passes.\n"
    )
    app = indexed_texts(tmp_path, {"sop-hr.md": hr, "sop-validation.md": validation})
    answer = app.ask("I want to start using a new online tool for our candidates. Anything to do?")
    assert answer.procedures and answer.procedures[0].file == "sop-validation.md"
