"""The web page, driven in-process with Streamlit's AppTest."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def _app(monkeypatch, sample) -> AppTest:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(sample.settings.data_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def test_chat_question_shows_clause_card_and_citations(monkeypatch, sample):
    at = _app(monkeypatch, sample).run()
    assert not at.exception
    at.chat_input[0].set_value("How do we meet clause 7.1.5?").run()
    assert not at.exception
    text = "\n".join(m.value for m in [*at.markdown, *at.caption])
    assert "What ISO 9001 asks" in text and "How we meet it" in text
    assert "QP\\-05\\-calibration\\-of\\-measuring\\-equipment\\.pdf" in text
    assert "p\\. " in text  # the page of the PDF citation


def test_question_the_procedures_do_not_cover_says_so(monkeypatch, sample):
    at = _app(monkeypatch, sample).run()
    at.chat_input[0].set_value(
        "How do I report a workplace injury, and where is the accident book?"
    ).run()
    assert not at.exception
    assert "do not appear to cover" in at.warning[0].value


def test_example_question_button_answers(monkeypatch, sample):
    at = _app(monkeypatch, sample).run()
    at.button[0].click().run()
    assert not at.exception
    assert len(at.chat_message) == 2


def test_document_text_is_never_rendered_as_html(monkeypatch, sample):
    at = _app(monkeypatch, sample).run()
    at.chat_input[0].set_value("<img src=x onerror=alert(1)> clause 8.7").run()
    user_text = at.chat_message[0].markdown[0].value
    # Every markup character reaches Markdown escaped, so it shows as typed.
    assert re.search(r"(?<!\\)[<>()]", user_text) is None
    assert "\\<img" in user_text
