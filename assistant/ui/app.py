"""Entry point for ``streamlit run app.py``: builds the assistant once per server process and
routes to the pages. Pages only present; every decision is made in the package."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import streamlit as st

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings, load_settings
from assistant.factory import Assistant, build
from assistant.usecases.coverage import ClauseCoverage

PAGES = Path(__file__).parent / "pages"
log = logging.getLogger(__name__)


class _WarmUp:
    """One Assistant per distinct configuration, shared by every browser session, loaded in a
    background thread so the page (navigation, chat input) appears at once."""

    def __init__(self, settings: Settings) -> None:
        self.app = build(settings)
        self.error: Exception | None = None
        self.done = threading.Event()
        # Set when the clause coverage is computed (or could not be): it takes ~10 s, so it is
        # done here, after the model, rather than on the first visit to Clauses or Coverage.
        self.coverage_done = threading.Event()
        threading.Thread(target=self._run, name="warm-up", daemon=True).start()

    def _run(self) -> None:
        try:
            self.app.warm_up()
        except Exception as exc:  # shown on the page that needs the assistant
            log.exception("warm-up failed")
            self.error = exc
        finally:
            self.done.set()  # pages need only the model: they do not wait for the coverage
        try:
            if self.error is None and self.app.store.manifest.chunk_count():
                self.app.coverage()  # cached by the Assistant per index version
        except Exception:  # the page computes it again and shows the error there
            log.exception("coverage warm-up failed")
        finally:
            self.coverage_done.set()


_WARM: dict[str, _WarmUp] = {}
_WARM_LOCK = threading.Lock()


def preload(settings: Settings) -> _WarmUp:
    """Start loading the model and index for these settings (once per process, at the first
    visit; starting it with the server measured slower: it competes with Streamlit's own start,
    bench/cold_start.py)."""
    key = settings.model_dump_json()
    with _WARM_LOCK:
        if key not in _WARM:
            _WARM[key] = _WarmUp(settings)
        return _WARM[key]


def current() -> Assistant:
    """The assistant, once loaded; a page that needs it waits behind a spinner."""
    warm = preload(load_settings())
    if not warm.done.is_set():
        with st.spinner("Loading the model and the index..."):
            warm.done.wait()
    if warm.error is not None:
        raise warm.error
    return warm.app


def coverage(app: Assistant) -> list[ClauseCoverage]:
    """The clause coverage, waiting for the warm-up's computation when it is under way rather
    than starting a second one beside it (two at once on a small machine take twice as long)."""
    with _WARM_LOCK:
        warm = next((w for w in _WARM.values() if w.app is app), None)
    if warm is not None:
        warm.coverage_done.wait()
    return app.coverage()


def page(name: str) -> str:
    """A page script's path, for st.switch_page."""
    return str(PAGES / f"{name}.py")


def main() -> None:
    st.set_page_config(page_title="ISO 9001 audit coach", layout="wide")
    try:
        preload(load_settings())
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
        nav.run()
    except AssistantError as exc:
        st.error(str(exc))
    except Exception as exc:  # a message for the user, the traceback for the server log
        log.exception("page failed")
        st.error(f"Something went wrong ({type(exc).__name__}): {exc}")
