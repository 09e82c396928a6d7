"""Questions sent faster than they are answered: is every one answered, once, in order?

    .venv/bin/python bench/quick_questions.py --data-dir DIR [--bursts 15] [--gaps 0.1 0.3]
        [--json bench/results/quick_questions.json]

Starts `streamlit run app.py` on a copy of DIR and opens one browser session (Debian chromium
via Playwright). Each burst starts a new conversation, asks one question and, without waiting
for its answer, sends two more, GAP seconds apart; then waits until the page is quiet and counts
the questions shown. A burst is whole when the three questions show once each, in the order
sent, each with an answer. Reported per gap: whole bursts of all bursts.

A question sent while the page is still at work starts a new script run and stops the older one
at its next Streamlit call (assistant/ui/ask_page.py, Pending). Two sends within a few
milliseconds of each other are merged by Streamlit itself before the app sees them (the newer
chat input value wins), so gaps here start at 0.1 s, faster than anyone types.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import web_server  # bench/, next to this script

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# Each burst asks three it has not asked before (answers of a question asked before come
# quicker, which narrows the window a newer question has to stop the older one).
POOL = [
    "How often are the master gauges checked?",
    "Who approves a concession?",
    "What happens to a customer complaint?",
    "Who may change a released procedure?",
    "How are new suppliers approved?",
    "What is recorded when a gauge fails its check?",
    "Who decides what training an operator needs?",
    "How long are inspection records kept?",
    "What triggers a corrective action?",
    "Who takes part in the management review?",
    "How are internal auditors chosen?",
    "What do we do with returned product?",
]


def _burst(page: Any, gap: float, burst: list[str]) -> bool:
    page.get_by_role("button", name="New conversation").click()
    bubbles = page.get_by_test_id("stChatMessage")
    deadline = time.time() + 30
    while bubbles.count() and time.time() < deadline:
        time.sleep(0.1)
    for question in burst:
        page.get_by_placeholder("Ask").fill(question)
        page.keyboard.press("Enter")
        time.sleep(gap)
    deadline = time.time() + 60
    while time.time() < deadline:  # quiet: no working state, the last bubble an answer
        quiet = page.get_by_text("Looking through our procedures").count() == 0
        if quiet and bubbles.count() >= 2 and bubbles.count() % 2 == 0:
            time.sleep(1.5)  # and still so a moment later
            if page.get_by_text("Looking through our procedures").count() == 0:
                break
        time.sleep(0.2)
    texts = [bubbles.nth(i).inner_text() for i in range(bubbles.count())]
    asked = [t for i, t in enumerate(texts) if i % 2 == 0]
    return len(texts) == 2 * len(burst) and all(q in t for q, t in zip(burst, asked, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--bursts", type=int, default=15)
    parser.add_argument("--gaps", type=float, nargs="+", default=[0.1, 0.3])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        web_server.serving(args.data_dir, Path(tmp)) as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url)
        page.get_by_placeholder("Ask").fill("How do we meet clause 7.1.5?")
        page.keyboard.press("Enter")  # unmeasured: waits for the model to load
        page.get_by_text("How we meet it").wait_for(timeout=180_000)
        n = 0
        for gap in args.gaps:
            whole = 0
            for _ in range(args.bursts):
                burst = [POOL[(n + i) % len(POOL)] for i in range(3)]
                n += 3
                whole += _burst(page, gap, burst)
            results[f"gap_{gap}s"] = {"bursts": args.bursts, "whole": whole}
            print(f"gap {gap} s: {whole}/{args.bursts} bursts whole", flush=True)
        browser.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
