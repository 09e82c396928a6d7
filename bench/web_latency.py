"""Web app latency as a person sees it, in a real browser (Debian chromium via Playwright).

    .venv/bin/python bench/web_latency.py --data-dir DIR [--json OUT]

Starts `streamlit run app.py` cold on DIR (an index already ingested), opens the Ask page,
and times: the first answer after a cold server start (model load included; the target is
under 10 s), then each of several later answers (target under 0.5 s), and the first graded
interview answer. Times run from pressing Enter to the answer being visible.
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
import urllib.request
from pathlib import Path

import answer_timing  # bench/, next to this script

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
LATER = [
    "Who approves a new supplier?",
    "How do we meet clause 8.7?",
    "How long are calibration records kept?",
    "What happens when a customer complains?",
    "How do we meet clause 9.2?",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--json")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
         "true", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "ASSISTANT_DATA_DIR": args.data_dir},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        server_up = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            page.goto(url)
            box = page.get_by_placeholder("Ask")
            box.wait_for(timeout=120_000)
            page_ready = time.perf_counter() - started

            def ask(question: str, n: int) -> float:
                """Seconds measured inside the page, from just before Enter to the n-th answer
                on screen (bench/answer_timing.py)."""
                box.fill(question)
                page.evaluate(answer_timing.ARM, n)
                page.keyboard.press("Enter")
                return page.evaluate("() => window.__done")["seconds"]

            first = ask("How do we meet clause 7.1.5?", 1)
            later = [ask(q, i) for i, q in enumerate(LATER, 2)]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    result = {
        "server_up_s": round(server_up, 2),
        "page_ready_s": round(page_ready, 2),
        "first_answer_after_page_s": round(first, 2),
        "first_answer_from_cold_start_s": round(page_ready + first, 2),
        "later_answers_s": [round(x, 3) for x in later],
        "later_answer_median_s": round(statistics.median(later), 3),
        "later_answer_max_s": round(max(later), 3),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
