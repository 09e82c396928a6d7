"""Clause cards and the coverage heatmap: procedures named by number and title with a strength
said in words, coverage ready from the warm-up, and a heatmap whose every row and column is
labelled and whose "none" cells are coloured."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from assistant.usecases.coverage import Support
from tests.conftest import ROOT

PAGES = "assistant/ui/pages"
REASONS = ("cited and a close match", "a very close match", "cited", "a close match")


def _app(monkeypatch, data_dir) -> AppTest:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)


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
    at = _app(monkeypatch, sample.settings.data_dir).run()
    at.switch_page(f"{PAGES}/clauses.py").run()
    top = at.selectbox(key="clause_top")
    top.select_index(next(i for i, o in enumerate(top.options) if o.startswith("8 "))).run()
    clause = next(c for c in sample.catalogue if c.id == "8.7")
    at.radio(key="clause_in_8").set_value(clause).run()
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
    from assistant.core.settings import load_settings
    from assistant.ui.app import preload

    data = tmp_path / "index"  # a new data directory: a warm-up of its own
    shutil.copytree(sample.settings.data_dir, data)
    calls: list[str] = []
    real = factory.coverage

    def counted(*args, **kwargs):
        calls.append("coverage")
        return real(*args, **kwargs)

    monkeypatch.setattr(factory, "coverage", counted)
    at = _app(monkeypatch, data).run()  # the first visit, on the Ask page, starts the warm-up
    warm = preload(load_settings())
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
