"""The web app in a real browser: `streamlit run app.py` on 127.0.0.1 driven by Playwright in
Debian's chromium. Screenshots of every page are saved to test-artifacts/ (or
$ASSISTANT_TEST_ARTIFACTS)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("ASSISTANT_TEST_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]  # fmt: skip


QP05 = "QP-05-calibration-of-measuring-equipment.pdf"
CONVERSATION = [  # each question, and what its answer must cite
    ("How often are the master gauges in the test bay checked?", QP05),
    ("And if one of them turns out to be out of tolerance?", QP05),
    ("Which ISO 9001 clause is that?", re.compile(r"(ISO 9001 clause|Clause:) 7\.1\.5")),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(sample, tmp_path):
    """A Streamlit server on a copy of the sample index; stopped after the test."""
    data = tmp_path / "index"
    shutil.copytree(sample.settings.data_dir, data)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "ASSISTANT_DATA_DIR": str(data)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_ask_and_interview_in_a_real_browser(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # Nothing leaves the machine: every request the page makes goes to the app itself.
        hosts: set[str] = set()
        page.on("request", lambda r: hosts.add(urllib.parse.urlsplit(r.url).hostname or ""))
        page.goto(server)
        # The first answer waits for the model to load behind a spinner; on a busy machine the
        # page itself can take a while to appear.
        page.get_by_placeholder("Ask").wait_for(timeout=120_000)
        page.get_by_placeholder("Ask").fill("How do we meet clause 7.1.5?")
        page.keyboard.press("Enter")
        page.get_by_text("How we meet it").wait_for(timeout=120_000)
        page.get_by_text("QP-05-calibration-of-measuring-equipment.pdf").first.wait_for()
        page.get_by_text("What ISO 9001 asks").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "ask.png"))

        # A conversation: the follow-up keeps the topic (and says so), "which clause is that?"
        # names the clause of the earlier answers. Each answer is checked in its own bubble.
        page.get_by_role("button", name="New conversation").click()
        bubbles = page.get_by_test_id("stChatMessage")
        expect(bubbles).to_have_count(0, timeout=60_000)
        for n, (question, cited) in enumerate(CONVERSATION):
            page.get_by_placeholder("Ask").fill(question)
            page.keyboard.press("Enter")
            bubbles.nth(2 * n + 1).get_by_text(cited).first.wait_for(timeout=120_000)
        expect(bubbles).to_have_count(2 * len(CONVERSATION))
        note = bubbles.nth(3).get_by_text("Taking this as a follow-up to")
        note.scroll_into_view_if_needed()  # the follow-up note, in the picture
        page.screenshot(path=str(ARTIFACTS / "conversation.png"))

        page.get_by_role("link", name="Interview practice").click()
        page.get_by_label("Your name").fill("browser")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Start the interview").click()
        page.get_by_placeholder("Your answer").fill(
            "The Metrology Lead checks the working gauges every month against the reference "
            "set, at five points, and records the result on F-05-2."
        )
        page.keyboard.press("Enter")
        page.get_by_text("/100").first.wait_for(timeout=120_000)
        page.get_by_text("/100").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "interview.png"))

        for name, ready in (
            ("Clauses", "What ISO 9001 asks"),
            ("Coverage", "Gaps:"),
            ("Documents", "Add or revise procedures"),
            ("Evaluation", "Grader calibration"),
        ):
            page.get_by_role("link", name=name).click()
            page.get_by_text(ready).first.wait_for(timeout=120_000)
            page.wait_for_timeout(1000)  # charts draw after the text
            page.screenshot(path=str(ARTIFACTS / f"{name.lower()}.png"))
        assert "Traceback" not in page.content()
        # .streamlit/config.toml: people see the app, not Streamlit's Deploy button.
        assert page.get_by_role("button", name="Deploy").count() == 0
        browser.close()
    assert hosts <= {"127.0.0.1", ""}, f"the page fetched from other hosts: {sorted(hosts)}"
    assert (ARTIFACTS / "ask.png").stat().st_size > 10_000
