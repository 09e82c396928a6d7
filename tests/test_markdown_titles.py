"""Titles and headings written with Markdown escapes ("\\<Software Title\\>") are shown as people
read them, while quotes stay verbatim and the indexed text is unchanged."""

from __future__ import annotations

import pytest

from assistant.core.models import Citation
from assistant.core.text import unescaped
from assistant.usecases.composer import document_label
from tests.conftest import indexed_texts


@pytest.mark.fast
def test_markdown_escapes_are_dropped_from_names_only():
    assert unescaped(r"\<Software Title\> - Software Validation Form") == (
        "<Software Title> - Software Validation Form"
    )
    assert unescaped(r"Periodic Safety Update Report \(PSUR\)") == (
        "Periodic Safety Update Report (PSUR)"
    )
    # a backslash before a letter or digit is no escape (a Windows path stays as written)
    assert unescaped(r"C:\records\2024") == r"C:\records\2024"
    assert document_label("", r"Audit Plan \<Date\>", "audit-plan.md") == "Audit Plan <Date>"
    assert (
        document_label("QP-05", r"Calibration \*draft\*", "qp05.md") == "QP-05 Calibration *draft*"
    )
    citation = Citation("psur.md", r"4. Planned Report \(PSUR\)", None)
    assert citation.label() == "psur.md, 4. Planned Report (PSUR)"


def test_a_template_titled_with_escapes_is_named_without_them(tmp_path, model):
    source = (
        "# \\<Software Title\\> - Software Validation Form\n\n"
        "## 1. Validation record\n\n"
        "The Quality Manager signs the validation of each spreadsheet tool before first use "
        "and files the signed form in the validation register.\n"
    )
    app = indexed_texts(tmp_path, {"software-validation-form.md": source})
    answer = app.ask("Who signs the validation of a spreadsheet tool before first use?")
    assert not answer.no_evidence
    procedure = answer.procedures[0]
    assert procedure.heading == "<Software Title> - Software Validation Form"
    # what is searched and quoted is the text as written
    assert answer.evidence[0].chunk.title == r"\<Software Title\> - Software Validation Form"
    assert all(q.text in source for q in procedure.quotes)
