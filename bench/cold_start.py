"""Cold start, as a person meets it: how long until a first answer, in one run beside a
reference (the import of sentence-transformers alone, which the query path used to pay).

    .venv/bin/python bench/cold_start.py --data-dir DIR [--runs 5] [--json FILE]

DIR is an index already ingested (the ingest also exports the fast ONNX copy of the model).
Medians of ``--runs`` fresh processes each of:
- reference: ``python -c "import sentence_transformers"``;
- ``assistant ask "How do we meet clause 8.7?"`` (cold process);
- ``assistant status`` (cold process);
- the web app (``streamlit run app.py``, as ``make run`` starts it): from starting the
  server process to the Ask page's chat input being visible in chromium, and to the answer of a
  question typed at once being on screen. The browser is started before the server, so its own
  start-up is not counted;
- the floor: the same for a three-line Streamlit page with only a chat input.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
    return time.perf_counter() - started


def open_page(browser, script: Path, cwd: Path, env: dict[str, str], ask: str = "") -> list[float]:
    """Start ``streamlit run script`` and time, from starting the server process: the chat
    input visible, then (with ``ask``) the answer to a question typed at once on screen."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    page = browser.new_page()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:  # the page is requested as soon as the server accepts connections
            try:
                page.goto(f"http://127.0.0.1:{port}", timeout=2000)
                break
            except Exception:
                time.sleep(0.05)
        box = page.get_by_placeholder("Ask")
        box.wait_for(timeout=120_000)
        times = [time.perf_counter() - started]
        if ask:
            box.fill(ask)
            page.keyboard.press("Enter")
            page.get_by_text("How we meet it").wait_for(timeout=120_000)
            times.append(time.perf_counter() - started)
        return times
    finally:
        page.close()
        server.terminate()
        server.wait(timeout=20)


def floor_once(browser, env: dict[str, str]) -> float:
    """The floor Streamlit itself sets: a three-line page with a chat input and nothing else."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "floor.py"
        app.write_text('import streamlit as st\nst.title("x")\nst.chat_input("Ask")\n')
        return open_page(browser, app, Path(tmp), env)[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args()
    env = {**os.environ, "ASSISTANT_DATA_DIR": args.data_dir}
    cli = [sys.executable, "-m", "assistant.cli"]
    names = ("reference", "ask", "status", "web_ready", "web_first_answer", "web_floor_ready")
    rows: dict[str, list[float]] = {k: [] for k in names}
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for n in range(args.runs):
            rows["reference"].append(
                timed([sys.executable, "-c", "import sentence_transformers"], env)
            )
            rows["ask"].append(timed([*cli, "ask", "How do we meet clause 8.7?"], env))
            rows["status"].append(timed([*cli, "status"], env))
            ready, answered = open_page(
                browser, ROOT / "app.py", ROOT, env, ask="How do we meet clause 8.7?"
            )
            rows["web_ready"].append(ready)
            rows["web_first_answer"].append(answered)
            rows["web_floor_ready"].append(floor_once(browser, env))
            print(f"run {n + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in rows.items()))
        browser.close()
    median = {k: round(statistics.median(v), 2) for k, v in rows.items()}
    result = {
        "runs": args.runs,
        "median_s": median,
        "ask_vs_reference": round(median["ask"] / median["reference"], 3),
        "all_s": {k: [round(x, 2) for x in v] for k, v in rows.items()},
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
