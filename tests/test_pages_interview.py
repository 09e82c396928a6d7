"""The interview page: an answer to a follow-up shows what it changed, not the last card again."""

from __future__ import annotations

import json
import random
import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from assistant.usecases.interview import service
from assistant.usecases.interview.session import VAGUE_ADVICE
from tests.conftest import ROOT

PAGES = "assistant/ui/pages"


@pytest.fixture
def data_dir(sample, tmp_path):
    """A copy of the sample index that the test may write history to."""
    data = tmp_path / "index"
    shutil.copytree(sample.settings.data_dir, data)
    return data


def test_a_vague_follow_up_answer_is_coached_instead_of_repeating_the_card(monkeypatch, data_dir):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
    # The page draws questions at random; a fixed draw makes the flow the same every run.
    fixed = random.Random
    monkeypatch.setattr(service.random, "Random", lambda seed=None: fixed(3))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page(f"{PAGES}/interview.py").run()
    at.sidebar.text_input[0].input("tester").run()
    at.multiselect[0].select("7.1.5")
    next(b for b in at.button if b.label == "Start the interview").click().run()
    at.chat_input[0].set_value("We check them.").run()
    assert not at.exception
    cards = [m.value for m in at.markdown if re.search(r"Score \d+/100", m.value)]
    assert len(cards) == 1
    assert any("(follow-up)" in c.value for c in at.caption)  # the auditor probes further
    at.chat_input[0].set_value("I follow the procedure.").run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    # Still one full card: the follow-up answer shows its progress and coaching instead.
    assert len([t for t in texts if re.search(r"Score \d+/100", t)]) == 1
    # What changed ("Score 0 -> 0/100."), then the coaching, then what is still missing.
    assert any(re.match(r"Score \d+ \\-\\> \d+/100", t) for t in texts), texts
    assert any(VAGUE_ADVICE.split(":")[0] in t for t in texts)


def test_progress_charts_use_a_fixed_scale_titles_and_a_due_marker(monkeypatch, data_dir):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page(f"{PAGES}/interview.py").run()
    at.sidebar.text_input[0].input("tester").run()
    at.multiselect[0].select("8.7")
    next(b for b in at.button if b.label == "Start the interview").click().run()
    at.chat_input[0].set_value("We red-tag it and raise an NCR on F-11-1.").run()
    found = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    charts = [json.loads(c.proto.spec) for c in found]
    assert len(charts) == 2
    scores, readiness = charts
    assert scores["encoding"]["y"]["scale"]["domain"] == [0, 100]
    assert "%" in scores["encoding"]["x"]["axis"]["format"]  # dates, not ".438"
    assert readiness["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert readiness["encoding"]["color"]["field"] == "due"
    assert readiness["encoding"]["y"]["field"] == "clause"  # "8.7 Control of ...", read across
