"""The untouched sets' picture (scripts/confirm_chart.py) shows what its tables say."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import ROOT, load_script

pytestmark = pytest.mark.fast


@pytest.fixture(scope="module")
def chart():
    sys.path.insert(0, str(ROOT / "scripts"))  # confirm_chart imports confirm_report, as run
    try:
        yield load_script("confirm_chart")
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def test_a_point_is_the_figure_pooled_over_its_set_and_the_nine_before(chart) -> None:
    # the README's "last ten sets" table pools confirm86-95 the same way (confirm_report.py)
    sets = list(range(3, 96))
    points = chart.rolling("sample", "", sets)
    report = load_script("confirm_report")
    questions = [
        q
        for n in range(86, 96)
        for run in report.recorded_runs(n, "sample")
        for q in run["questions"]
    ]
    pooled = chart.summarise(questions, [])
    assert dict(points["mrr"])[95] == pytest.approx(pooled["mrr"])
    assert dict(points["no_answer_accuracy"])[95] == pytest.approx(pooled["no_answer_accuracy"])
    # the first point is the first set with nine recorded before it
    assert points["mrr"][0][0] == 12


def test_the_picture_has_a_line_per_organisation_and_reading_and_the_bar(chart, tmp_path) -> None:
    sets = list(range(3, 96))
    orgs = ["sample", "gstt-csc"]
    series = {(o, s): chart.rolling(o, s, sets) for o in orgs for s, _ in chart.READINGS}
    root = ET.fromstring(chart.svg(series, orgs))
    ns = "{http://www.w3.org/2000/svg}"
    lines = root.findall(f"{ns}polyline")
    assert len(lines) == len(orgs) * len(chart.READINGS) * len(chart.FIGURES)
    assert {line.find(f"{ns}title").text for line in lines} == set(orgs)
    bars = [e for e in root.findall(f"{ns}line") if e.get("stroke-dasharray")]
    assert len(bars) == len(chart.READINGS) * len(chart.FIGURES)
