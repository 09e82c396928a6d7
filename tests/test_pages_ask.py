"""The Ask page: examples drawn from the indexed documents, a "not covered" answer that says
which standard a topic belongs to and where to add a document, and a citation click that reruns
only the citation (a fragment), not the whole conversation."""

from __future__ import annotations

import functools

import pytest
from streamlit.runtime.scriptrunner import RerunData
from streamlit.testing.v1 import AppTest, local_script_runner

from assistant.ui import app as app_module
from assistant.ui import ask_page
from assistant.ui.render import plain
from tests.conftest import ROOT

PAGES = "assistant/ui/pages"


@pytest.fixture(autouse=True, scope="module")
def _warm_ups_done():
    """The app's warm-up thread works out the coverage after the examples; a test process that
    ends meanwhile aborts in the model's thread pool (exit 134) though every test passed."""
    yield
    for warm in list(app_module._WARM.values()):
        warm.coverage_done.wait(600)


def _app(monkeypatch, sample) -> AppTest:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(sample.settings.data_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)


def test_example_buttons_are_the_documents_examples_and_are_answered(monkeypatch, sample):
    at = _app(monkeypatch, sample).run()
    assert not at.exception
    expected = sample.examples()
    labels = [b.label for b in at.button if b.key and b.key.startswith("example-")]
    assert labels == [plain(q) for q in expected]  # as text: they are the documents' words
    next(b for b in at.button if b.key == f"example-{expected[1]}").click().run()
    assert not at.exception
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert not at.warning  # answered, not "not covered"


def test_another_standards_topic_says_so_and_points_to_the_documents_page(monkeypatch, sample):
    at = _app(monkeypatch, sample).run()
    at.chat_input[0].set_value("How do we keep our environmental aspects register up to date?")
    at.run()
    assert not at.exception
    warning = at.warning[0].value
    assert "ISO 14001" in warning and "Closest documents" in warning
    assert "QP\\-02 Risk, Opportunity and Change Planning" in warning or "QM\\-001" in warning
    link = at.get("page_link")[0]
    assert link.proto.page == "documents" and "Documents page" in link.value


def _buttons_by_fragment(monkeypatch) -> dict[str, str]:
    """Widget id -> the fragment it was drawn in, read from the messages sent to the browser
    (the browser sends that fragment's id back when the widget is clicked)."""
    fragment_of: dict[str, str] = {}
    parse = local_script_runner.parse_tree_from_messages

    def recording(messages):
        for m in messages:
            if m.HasField("delta") and m.delta.WhichOneof("type") == "new_element":
                element = m.delta.new_element
                if element.WhichOneof("type") == "button":
                    fragment_of[element.button.id] = m.delta.fragment_id
        return parse(messages)

    monkeypatch.setattr(local_script_runner, "parse_tree_from_messages", recording)
    return fragment_of


def test_a_citation_click_reruns_the_citation_not_the_conversation(monkeypatch, sample):
    at = _app(monkeypatch, sample).run()
    at.chat_input[0].set_value("How do we meet clause 8.7?").run()
    at.chat_input[0].set_value("And who keeps the quarantine log?").run()
    assert not at.exception and len(at.chat_message) == 4
    drawn: list[int] = []  # the turns drawn, by number
    show_turn = ask_page._show_turn

    def counting(n, *args, **kwargs):
        drawn.append(n)
        show_turn(n, *args, **kwargs)

    monkeypatch.setattr(ask_page, "_show_turn", counting)
    fragment_of = _buttons_by_fragment(monkeypatch)
    at.run()  # a whole run (what every click cost before): every turn is drawn again
    assert drawn == [0, 1]
    cite = next(b for b in at.button if "QP\\-11" in b.label)
    fragment = fragment_of[cite.id]
    assert fragment  # the citation is drawn in a fragment of its own
    assert fragment_of[next(b.id for b in at.button if b.key == "new-conversation")] == ""
    # A click in a fragment: the browser asks for a rerun of that fragment alone. AppTest asks
    # for a whole run, so its request is made the browser's.
    drawn.clear()
    browser_like = functools.partial(RerunData, fragment_id_queue=[fragment])
    monkeypatch.setattr(local_script_runner, "RerunData", browser_like)
    cite.click().run()
    assert not at.exception
    assert drawn == []  # no turn of the conversation was drawn again...
    # ...yet the dialog opened with the whole passage the quote is from, in context.
    assert any(len(m.value) > 200 for m in at.markdown)
    assert any(m.value.startswith("**Quoted:**") for m in at.markdown)
