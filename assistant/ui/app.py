"""Entry point for ``streamlit run app.py``: builds the assistant once per server process and
routes to the pages. Pages only present; every decision is made in the package."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from assistant.errors import AssistantError
from assistant.factory import Assistant, build
from assistant.settings import Settings, load_settings

PAGES = Path(__file__).parent / "pages"
log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def get_assistant(settings_json: str) -> Assistant:
    """One Assistant per distinct configuration, shared by every browser session."""
    app = build(Settings.model_validate_json(settings_json))
    app.warm_up()
    return app


def current() -> Assistant:
    return get_assistant(load_settings().model_dump_json())


def page(name: str) -> str:
    """A page script's path, for st.switch_page."""
    return str(PAGES / f"{name}.py")


def main() -> None:
    st.set_page_config(page_title="ISO 9001 audit coach", layout="wide")
    try:
        with st.spinner("Loading the model and the index..."):
            current()
    except Exception as exc:  # bad settings, unreadable data directory...
        log.exception("start-up failed")
        st.error(f"The assistant could not start ({type(exc).__name__}): {exc}")
        st.stop()
    nav = st.navigation(
        [
            st.Page(page("ask"), title="Ask", icon="💬", default=True),
            st.Page(page("clauses"), title="Clauses", icon="📘"),
            st.Page(page("interview"), title="Interview practice", icon="🎤"),
            st.Page(page("coverage"), title="Coverage", icon="🗺️"),
            st.Page(page("documents"), title="Documents", icon="📄"),
            st.Page(page("evaluation"), title="Evaluation", icon="📊"),
        ]
    )
    try:
        from assistant.ui.identity import current_person

        st.session_state.person = current_person(current())
        nav.run()
    except AssistantError as exc:
        st.error(str(exc))
    except Exception as exc:  # a message for the user, the traceback for the server log
        log.exception("page failed")
        st.error(f"Something went wrong ({type(exc).__name__}): {exc}")
