"""Start the web app with the model and index already loading: ``python -m
assistant.ui.serve [streamlit options]`` is ``streamlit run app.py [options]`` plus a warm-up
begun at server start, before any browser connects (``make run`` uses it). Streamlit runs the
page scripts in this same process, so they find the assistant this started loading."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"


def main(argv: list[str] | None = None) -> None:
    from assistant.settings import load_settings
    from assistant.ui.app import preload

    try:
        preload(load_settings())
    except Exception as exc:  # bad settings: the page shows the message too
        print(f"warning: the assistant could not start loading: {exc}", file=sys.stderr)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
