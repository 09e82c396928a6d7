"""Questions built from an organisation's procedures read as an auditor would ask them."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.core.models import Chunk
from assistant.usecases.interview.question_bank import procedure_questions

pytestmark = pytest.mark.fast  # no model: vectors are made up, only their shapes matter

REGISTER_ROW = (
    "Id: CSC-PR-006; Title: Feedback Management; Process owner: Quality Representative; "
    "Review <br>Date: 05/24; KPI (metric): Timeframes for initial response to feedback; "
    "Threshold: within 10 working days."
)
STEP = "The Quality Manager reviews every open corrective action weekly and records it on F-18."
SCHEDULE_ROW = "Check: every month by the Metrology Lead; Record: F-05-2 calibration record."


def _chunk(n: int, text: str) -> Chunk:
    return Chunk(
        f"c{n}", f"doc{n}.md", f"doc{n}.md", "T", f"QP-0{n}", "1", "5 Steps", None, n, text
    )


def _questions(*texts: str) -> list[str]:
    chunks = [_chunk(n, t) for n, t in enumerate(texts)]
    vectors = {c.id: np.ones(4) for c in chunks}
    roles = {"quality manager", "metrology lead", "quality representative"}
    bank = procedure_questions(chunks, vectors, ["10.2"], np.ones((1, 4)), roles)
    return [q.text for q in bank]


def test_a_register_row_is_not_turned_into_a_question_but_a_step_or_schedule_row_is() -> None:
    built = _questions(REGISTER_ROW, STEP, SCHEDULE_ROW)
    assert not any("CSC-PR-006" in q or "<br>" in q for q in built), built
    assert any("reviews every open corrective action weekly" in q for q in built)
    assert any("every month by the Metrology Lead" in q for q in built)
