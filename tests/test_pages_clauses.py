"""Clause cards and the coverage heatmap: procedures named by number and title with a strength
said in words and the passages that support the clause, coverage ready from the warm-up, and a
heatmap whose every row and column is labelled, whose "none" cells are coloured, and whose
cells show their passages when clicked."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from assistant.ui.coverage_page import SELECTION
from assistant.ui.render import plain, readable
from assistant.usecases.coverage import Support, cell
from tests.conftest import ROOT

PAGES = "assistant/ui/pages"
REASONS = ("cited and a close match", "a very close match", "cited", "a close match")


def _app(monkeypatch, data_dir) -> AppTest:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)


def _clause_card(monkeypatch, sample, clause_id: str) -> AppTest:
    """The Clauses page showing ``clause_id``'s card, picked as a person picks it."""
    at = _app(monkeypatch, sample.settings.data_dir).run()
    at.switch_page(f"{PAGES}/clauses.py").run()
    top = at.selectbox(key="clause_top")
    head = clause_id.split(".")[0]
    top.select_index(next(i for i, o in enumerate(top.options) if o.startswith(head + " "))).run()
    clause = next(c for c in sample.catalogue if c.id == clause_id)
    at.radio(key=f"clause_in_{head}").set_value(clause).run()
    return at


@pytest.mark.fast
@pytest.mark.parametrize(
    "strength,cited,reason",
    [("strong", True, "cited and a close match"), ("strong", False, "a very close match"),
     ("moderate", True, "cited"), ("moderate", False, "a close match"),
     ("weak", False, "a loose match")],
)  # fmt: skip
def test_support_reason_says_in_words_why_it_has_its_strength(strength, cited, reason):
    assert Support("f.md", "QP-1", strength, 0.5, cited).reason == reason


def test_clause_card_names_procedures_by_number_and_title_with_a_reason(monkeypatch, sample):
    at = _clause_card(monkeypatch, sample, "8.7")
    assert not at.exception
    lines = [m.value for m in at.markdown if m.value.startswith("- ") and ":red" not in m.value]
    qp11 = next(v for v in lines if "QP\\-11 Control of Nonconforming Product" in v)
    assert any(f"({r})" in qp11 for r in REASONS), qp11
    page = "\n".join(m.value for m in at.markdown)
    assert "similarity" not in page and "nonconforming\\-product\\.md" not in page


def test_warm_up_computes_the_coverage_so_the_clause_page_does_not_wait(
    monkeypatch, sample, tmp_path
):
    from assistant import factory
    from assistant.ui.app import preload, web_settings

    data = tmp_path / "index"  # a new data directory: a warm-up of its own
    shutil.copytree(sample.settings.data_dir, data)
    calls: list[str] = []
    real = factory.coverage

    def counted(*args, **kwargs):
        calls.append("coverage")
        return real(*args, **kwargs)

    monkeypatch.setattr(factory, "coverage", counted)
    monkeypatch.setenv("ASSISTANT_WARM_COVERAGE", "true")  # off for other tests (conftest)
    at = _app(monkeypatch, data).run()  # the first visit, on the Ask page, starts the warm-up
    warm = preload(web_settings())
    assert warm.coverage_done.wait(300)
    assert calls == ["coverage"]  # computed in the background, before anyone asked
    at.switch_page(f"{PAGES}/clauses.py").run()
    assert not at.exception
    assert "**Our supporting procedures**" in [m.value for m in at.markdown]
    assert calls == ["coverage"]  # the page used it rather than computing it again


def test_heatmap_labels_every_clause_and_document_and_colours_none(monkeypatch, sample):
    at = _app(monkeypatch, sample.settings.data_dir).run()
    at.switch_page(f"{PAGES}/coverage.py").run()
    assert not at.exception
    chart = (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))[0].proto
    spec = json.loads(chart.spec)
    cells = convert_arrow_bytes_to_pandas_df(chart.datasets[0].data.data)
    enc = spec["encoding"]
    # Every clause row carries its id and title, and none is dropped for overlapping.
    expected = [f"{c.id} {c.title}" for c in sample.catalogue]
    assert enc["y"]["sort"] == expected and set(cells["clause"]) == set(expected)
    assert enc["y"]["axis"]["labelOverlap"] is False
    assert spec["height"] >= 20 * len(expected)
    # Document titles, at the top, every one of them.
    assert enc["x"]["axis"]["orient"] == "top" and enc["x"]["axis"]["labelOverlap"] is False
    assert "QP-11 Control of Nonconforming Product" in set(cells["document"])
    # The grid is complete: a document that does not support a clause is a "none" cell, in a
    # colour of its own (not the white page), and "none" is in the legend.
    docs = {d.file for d in sample.status().document_list}
    assert len(cells) == len(expected) * len(docs)
    assert "none" in set(cells["strength"])
    scale = enc["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"], strict=True))
    assert set(colours) == {"none", "weak", "moderate", "strong"}
    assert len(set(colours.values())) == 4
    assert colours["none"].lower() not in {"#fff", "#ffffff", "white", "#f2f2f2", "transparent"}
    assert "legend" not in enc["color"] or enc["color"]["legend"] is not None


def test_clause_card_shows_the_passages_that_support_the_clause(monkeypatch, sample):
    at = _clause_card(monkeypatch, sample, "7.1.5")
    assert not at.exception
    qp05 = cell(sample.coverage(), "7.1.5", "QP-05-calibration-of-measuring-equipment.pdf")
    assert qp05 is not None and qp05.passages
    # Each supporting procedure has its own fold with its passages, cited, as plain text.
    (fold,) = [e for e in at.expander if "QP\\-05 " in e.label]
    assert "7\\.1\\.5" in fold.label
    shown, cited = [m.value for m in fold.markdown], [c.value for c in fold.caption]
    for p in qp05.passages:
        assert plain(readable(p.text)) in shown
        assert any(plain(p.citation.label()) in c for c in cited)
    # The typical questions use the organisation's name for its instruments (QP-05's).
    page = "\n".join(m.value for m in at.markdown)
    assert "How do you know the working gauge you are using is OK to use today?" in page
    assert "the instrument" not in page
    # Every supporting procedure listed on the card has such a fold.
    listed = next(c for c in sample.coverage() if c.clause_id == "7.1.5").supports
    assert len([e for e in at.expander if e.label.startswith("Passages of")]) == len(listed)


def _click_cell(at: AppTest, clause_id: str, file: str) -> AppTest:
    """Send what the browser sends when a heatmap cell is clicked: the chart's selection state,
    beside every other widget's. AppTest has no chart interaction, so the widget state is built
    here and the run made with it (``_tree``/``_run``: AppTest's own, not public API)."""
    chart = (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))[0].proto
    assert chart.id and SELECTION in chart.selection_mode
    states = at._tree.get_widget_states()
    point = {"clause_id": clause_id, "file": file}
    value = json.dumps({"selection": {SELECTION: [point]}})
    states.widgets.append(WidgetState(id=chart.id, string_value=value))
    return at._run(states)


def test_a_click_on_a_heatmap_cell_shows_that_cells_passages(monkeypatch, sample):
    at = _app(monkeypatch, sample.settings.data_dir).run()
    at.switch_page(f"{PAGES}/coverage.py").run()
    assert not at.exception
    assert any("Click a cell" in c.value for c in at.caption)  # nothing chosen yet
    chart = (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))[0].proto
    cells = convert_arrow_bytes_to_pandas_df(chart.datasets[0].data.data)
    assert {"clause_id", "file"} <= set(cells.columns)  # what a click selects the cell by
    file = "QP-11-nonconforming-product.md"
    _click_cell(at, "8.7", file)
    assert not at.exception
    expected = cell(sample.coverage(), "8.7", file)
    assert expected is not None and expected.support is not None and expected.passages
    assert any(
        s.value.startswith("8\\.7 Control of nonconforming outputs") and "QP\\-11" in s.value
        for s in at.subheader
    )
    shown, cited = [m.value for m in at.markdown], [c.value for c in at.caption]
    for p in expected.passages:
        assert plain(readable(p.text)) in shown
        assert any(plain(p.citation.label()) in c for c in cited)
    # A procedure that does not support the clause: said so, and no passage of another cell.
    _click_cell(at, "8.7", "QP-05-calibration-of-measuring-equipment.pdf")
    assert not at.exception
    assert any("not among the procedures that support clause 8\\.7" in i.value for i in at.info)
    shown = [m.value for m in at.markdown]
    assert not any(plain(readable(p.text)) in shown for p in expected.passages)
