"""A form that leads a plain question hands the lead to the procedure it names as its own
(search/roles.py ``procedures_named_by``, usecases/ask.py, ``record_lead_reach``)."""

from __future__ import annotations

from tests.conftest import indexed_texts, make_assistant

# Our own words, shaped like a real QMS's incident assessment form: the situation's words, and
# the procedure it belongs to under "related documents".
FORM = """# Incident assessment form

Related documents: SOP Vigilance

| Question | Answer |
|---|---|
| Did the software give a wrong result to a clinic? | <yes / no> |
| Could a patient have been harmed by the wrong result? | <yes / no> |
| Date the clinic reported it | <date> |
| Reported to the authority? | <yes / no> |
"""
VIGILANCE = """# SOP Vigilance

## 1 Reports from users
Support passes every report of a possible serious event to the safety officer the same day.
The safety officer assesses it with the incident assessment form and decides within two days
whether the authority must be told; a serious threat to health is reported within two days.
"""
RELEASE = """# SOP Software Release

## 1 Releasing a version
The product owner and the quality manager sign the release checklist before a version ships.
"""
QUESTION = (
    "A clinic just rang to say our software gave a wrong result and a patient may have been "
    "harmed. What do I do?"
)


def test_a_leading_form_hands_the_lead_to_the_procedure_it_names(tmp_path):
    files = {
        "incident-assessment-form.md": FORM,
        "sop-vigilance.md": VIGILANCE,
        "sop-software-release.md": RELEASE,
    }
    app = indexed_texts(tmp_path, files)
    without = make_assistant(tmp_path / "idx", record_lead_reach=0).ask(QUESTION)
    assert without.ranked_files[0] == "incident-assessment-form.md"  # the form's words lead
    answer = app.ask(QUESTION)
    assert answer.ranked_files[:2] == ["sop-vigilance.md", "incident-assessment-form.md"]
    assert answer.procedures and answer.procedures[0].file == "sop-vigilance.md"
    # asked for the form itself, the form keeps the lead
    asked = app.ask("Which form do we fill in when a clinic reports a wrong result?")
    assert asked.ranked_files[0] == "incident-assessment-form.md"
