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
        # Set when the Ask page's example questions are worked out (a second or so: each is
        # asked first), before the coverage, which the Ask page does not wait for.
        self.examples_done = threading.Event()
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
            if self.error is None:
                self.app.examples()  # cached by the Assistant per index version
        except Exception:  # the Ask page works them out again and shows the error there
            log.exception("examples warm-up failed")
        finally:
            self.examples_done.set()
        try:
            if self.error is None:
                # Every clause card's vector: the first plain question whose passages cite no
                # clause compares them all to infer its clause (1.6 s once, bench/web_latency.py).
                self.app.conversation().warm_up()
        except Exception:
            log.exception("clause-card warm-up failed")
        try:
            if (
                self.error is None
                and self.app.settings.warm_coverage
                and self.app.store.manifest.chunk_count()
            ):
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


def web_settings() -> Settings:
    """The settings, as the web app uses them: uploads embedded by the ONNX copy of the model,
    so indexing one never imports torch into the process every session is served from
    (bench/web_load.py: that import delayed the answers of every session by up to 2 s)."""
    return load_settings().model_copy(update={"fast_passages": True})


def current() -> Assistant:
    """The assistant, once loaded; a page that needs it waits behind a spinner."""
    warm = preload(web_settings())
    if not warm.done.is_set():
        with st.spinner("Loading the model and the index..."):
            warm.done.wait()
    if warm.error is not None:
        raise warm.error
    return warm.app


def _warm_up_of(app: Assistant) -> _WarmUp | None:
    with _WARM_LOCK:
        return next((w for w in _WARM.values() if w.app is app), None)


def coverage(app: Assistant) -> list[ClauseCoverage]:
    """The clause coverage, waiting for the warm-up's computation when it is under way rather
    than starting a second one beside it (two at once on a small machine take twice as long)."""
    if (warm := _warm_up_of(app)) is not None:
        warm.coverage_done.wait()
    return app.coverage()


def examples(app: Assistant) -> list[str]:
    """The Ask page's example questions, drawn from the indexed documents; waits for the
    warm-up's when it is working them out, as ``coverage`` does."""
    if (warm := _warm_up_of(app)) is not None:
        warm.examples_done.wait()
    return app.examples()


def page(name: str) -> str:
    """A page script's path, for st.switch_page."""
    return str(PAGES / f"{name}.py")


def main() -> None:
    st.set_page_config(page_title="ISO 9001 audit coach", layout="wide")
    try:
        preload(web_settings())
    except Exception as exc:  # bad settings, unreadable data directory...
        log.exception("start-up failed")
        st.error(f"The assistant could not start ({type(exc).__name__}): {exc}")
        st.stop()
    # No page icons: Material icons are fetched from a font server (nothing may leave the
    # machine) and emoji show as empty boxes where no emoji font is installed (a bare server).
    nav = st.navigation(
        [
            st.Page(page("ask"), title="Ask", default=True),
            st.Page(page("clauses"), title="Clauses"),
            st.Page(page("interview"), title="Interview practice"),
            st.Page(page("coverage"), title="Coverage"),
            st.Page(page("documents"), title="Documents"),
            st.Page(page("evaluation"), title="Evaluation"),
        ]
    )
    try:
        nav.run()
    except AssistantError as exc:
        st.error(str(exc))
    except Exception as exc:  # a message for the user, the traceback for the server log
        log.exception("page failed")
        st.error(f"Something went wrong ({type(exc).__name__}): {exc}")
