"""Lines most documents repeat are left out of the keyword index, and kept in the documents."""

from __future__ import annotations

import pytest

from assistant.core.models import Chunk
from assistant.index.boilerplate import repeated_lines, without

pytestmark = pytest.mark.fast

FOOTER = "Template copyright Example Ltd. Do not remove this notice from the template."
OWNER = "Process owner: <enter the role that owns this process>"


def _chunk(file: str, text: str) -> Chunk:
    return Chunk(
        id=f"{file}-0", file=file, path=file, doc_no="", title=file, revision="",
        heading="", page=None, ordinal=0, text=text,
    )  # fmt: skip


def test_a_line_most_documents_carry_is_boilerplate_and_a_shared_reference_is_not() -> None:
    chunks = [
        _chunk(f"sop-{i}.md", f"{FOOTER}\nStep {i}: the buyer checks supplier number {i} yearly.")
        for i in range(6)
    ]
    # A related-documents line in two of six documents is information, not boilerplate.
    chunks += [_chunk("sop-6.md", f"{FOOTER}\n- QP-04 Training and competence of staff")]
    chunks += [_chunk("sop-7.md", "- QP-04 Training and competence of staff\nOther text here.")]
    lines = repeated_lines(chunks)
    assert lines == {" ".join(FOOTER.split()).lower()}
    kept = without(chunks[0].text, lines)
    assert FOOTER not in kept and "supplier number 0" in kept
    assert FOOTER in chunks[0].text  # the document itself is unchanged


def test_a_small_corpus_has_no_boilerplate() -> None:
    chunks = [_chunk(f"d{i}.md", f"{OWNER}\ntext {i}") for i in range(3)]
    assert repeated_lines(chunks) == set()
