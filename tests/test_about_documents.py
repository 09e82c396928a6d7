"""A folder's notes about itself (README, changelog) are searchable but do not lead an answer
over the procedures they describe (search/roles.py, about_weight)."""

from __future__ import annotations

from tests.conftest import indexed_texts, make_assistant

README = """# Our quality system repository

This repository holds the workshop's quality management system. How new suppliers are approved
and evaluated is in the purchasing procedure; how documents are approved is in document control.
To adopt the folder, copy it and edit the documents.
"""
PURCHASING = """# QP-08 Purchasing

## 1 Taking on a vendor
The buyer sends a prospective vendor the questionnaire and scores the replies. The Quality
Manager accepts a vendor scoring 70 or more and adds it to the approved list.
"""
DOCUMENTS = """# QP-01 Document control

## 1 Issuing a document
The Quality Manager approves each new document and its revisions before they are issued.
"""


def test_a_readme_does_not_lead_the_answer_over_the_procedure_it_describes(tmp_path):
    """A README names every topic of the folder; asked how a supplier gets approved, the
    purchasing procedure leads and the README comes after it (with about_weight 1 it leads)."""
    files = {"README.md": README, "QP-08-purchasing.md": PURCHASING, "QP-01-docs.md": DOCUMENTS}
    app = indexed_texts(tmp_path, files)
    question = "How are new suppliers approved and evaluated?"
    ranked = app.ask(question).ranked_files
    assert ranked.index("QP-08-purchasing.md") < ranked.index("README.md")
    unweighted = make_assistant(tmp_path / "idx", about_weight=1.0).ask(question).ranked_files
    assert unweighted[0] == "README.md"
    # still searched and cited: asked about the folder itself, the README answers
    about = app.ask("How do I adopt this repository: copy the folder and edit it?")
    assert about.ranked_files[0] == "README.md" and not about.no_evidence
