"""The catalogue's typical questions in the organisation's own words: "the instrument" becomes
what the procedure that best meets clause 7.1.5 calls it, and stays neutral when nothing fits."""

from __future__ import annotations

import pytest

from assistant.core.models import Chunk
from assistant.usecases.coverage import ClauseCoverage, Support
from assistant.usecases.own_words import localise, own_words

COLD_CHAIN = (
    "Each handheld probe is checked against the reference thermometer every week. A handheld "
    "probe that reads more than 0.5 C out is withdrawn. The reference thermometer is sent for "
    "calibration yearly; a spare probe is kept in the office. Probe readings are logged."
)
# An instrument maker: its products are gauges; it measures them with master and working gauges.
PRODUCT_MAKER = "We make CG gauges and DPC calibrators. CG gauges are tested on the bench."


def _chunk(file: str, text: str) -> Chunk:
    return Chunk(f"{file}#1", file, file, "T", "SOP-1", "1", "5 Steps", None, 1, text)


def _row(file: str | None) -> ClauseCoverage:
    row = ClauseCoverage("7.1.5", "Monitoring and measuring resources")
    if file:
        row.supports.append(Support(file, "SOP-1", "strong", 0.7, True))
    return row


@pytest.mark.fast
def test_the_instrument_takes_the_name_the_calibration_procedure_uses():
    chunks = [_chunk("sop-03.md", COLD_CHAIN), _chunk("sales.md", PRODUCT_MAKER * 5)]
    words = own_words(lambda clause_id: _row("sop-03.md"), chunks)
    # "reference" thermometers check the probes; the probe is what people use, named twice
    assert words == {"instrument": "handheld probe"}
    assert (
        localise("How do you know the instrument you are using is OK to use today?", words)
        == "How do you know the handheld probe you are using is OK to use today?"
    )
    assert localise("What happened the last time an instrument failed calibration?", words) == (
        "What happened the last time a handheld probe failed calibration?"
    )


@pytest.mark.fast
def test_words_come_only_from_the_procedure_that_meets_the_clause():
    """Product names fill every other document of an instrument maker; they are not its
    measuring equipment, so a library whose calibration procedure names none stays neutral."""
    chunks = [
        _chunk("cal.md", "Equipment is calibrated yearly."),
        _chunk("sales.md", PRODUCT_MAKER * 5),
    ]
    assert own_words(lambda clause_id: _row("cal.md"), chunks) == {}
    assert own_words(lambda clause_id: _row(None), chunks) == {}  # no procedure meets 7.1.5
    question = "Show me the calibration label on this instrument."
    assert localise(question, {}) == question


def test_sample_and_another_organisation_get_their_own_words(sample, gstt):
    """The gauge maker's calibration procedure (QP-05) uses working gauges; the clinical
    software service's procedures name no instruments, so its questions stay neutral."""
    assert sample.own_words() == {"instrument": "working gauge"}
    assert gstt[0].own_words() == {}
    asked = [q.text for q in sample.interviews.bank() if q.source == "catalogue"]
    assert "How do you know the working gauge you are using is OK to use today?" in asked
    assert not any("the instrument" in t for t in asked)
