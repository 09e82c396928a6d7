"""Entry point for ``streamlit run app.py``: builds the assistant once per server process."""

from __future__ import annotations

import streamlit as st

from assistant.factory import Assistant, build
from assistant.settings import Settings, load_settings


@st.cache_resource(show_spinner=False)
def get_assistant(settings_json: str) -> Assistant:
    """One Assistant per distinct configuration, shared by every browser session."""
    app = build(Settings.model_validate_json(settings_json))
    app.warm_up()
    return app


def main() -> None:
    st.set_page_config(page_title="ISO 9001 audit coach", layout="wide")
    with st.spinner("Loading the model and the index..."):
        app = get_assistant(load_settings().model_dump_json())
    from assistant.ui import ask_page

    ask_page.render(app)
