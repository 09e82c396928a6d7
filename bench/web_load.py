"""The web app under load: several people asking at once, with and without an upload.

    .venv/bin/python bench/web_load.py --data-dir DIR [--sessions 6] [--questions 3]
        [--rounds 3] [--json bench/results/web_load.json]

Starts `streamlit run app.py` on a copy of DIR (an index already ingested; the copy takes the
uploads, DIR is left as it was) and opens N browser sessions (Debian chromium via Playwright, one
browser context each, so one Streamlit session each). After one unmeasured warm-up question per
session, R pairs of rounds run:

* control (ask_only): the N sessions each ask M questions on the Ask page, all at the same time;
* upload (with_upload): the same questions in the same sessions, while one more session adds a
  new document on the Documents page (the askers start just after its "Add and index" is
  pressed); the first pair's upload is the first after the server started.

Each answer is timed inside the page, from pressing Enter to the answer's first text in the DOM.
Reported per scenario: p50, p95 and max answer latency; how long each upload took; and the
upload's effect: the p50, p95 and max latency of the answers that overlapped an upload less the
same figures of the control rounds. Why not each answer less the control median (the measure
until 2026-12-01): under 6 sessions on 2 cores answers spread by 0.5-2.5 s with no upload at
all, so that measure charged the upload with the spread; it is still reported, for the control
answers too, so the two can be compared.
Targets (from the issue): p95 <= 2.5 s with 6 sessions; the upload's effect at p95 and on the
slowest answer <= 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import answer_timing  # bench/, next to this script
import web_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
QUESTIONS = [
    "Who approves a new supplier?",
    "How do we meet clause 8.7?",
    "How long are calibration records kept?",
    "What happens when a customer complains?",
    "How do we meet clause 9.2?",
    "Who can release product to the customer?",
    "How are training records kept?",
]
P95_TARGET_S, DELAY_TARGET_S = 2.5, 1.0
ARM = answer_timing.ARM


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _summary(latencies: list[float]) -> dict[str, Any]:
    return {
        "answers": len(latencies),
        "p50_s": round(_percentile(latencies, 0.5), 3),
        "p95_s": round(_percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
    }


class AskSession:
    """One person on the Ask page: one browser context, so one Streamlit session."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.asked = 0

    async def ask(self, question: str) -> dict[str, float]:
        self.asked += 1
        await self.page.get_by_placeholder("Ask").fill(question)
        await self.page.evaluate(ARM, self.asked)
        await self.page.keyboard.press("Enter")
        return await asyncio.wait_for(self.page.evaluate("() => window.__done"), timeout=300)


async def _open(browser: Any, url: str) -> Any:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url)
    return page


async def _asks(sessions: list[AskSession], per_session: int, offset: int) -> list[dict]:
    async def one(n: int, session: AskSession) -> list[dict]:
        out = []
        for i in range(per_session):
            question = QUESTIONS[(offset + n + i) % len(QUESTIONS)]
            out.append({"session": n, "question": question, **await session.ask(question)})
        return out

    runs = await asyncio.gather(*(one(n, s) for n, s in enumerate(sessions)))
    return [answer for run in runs for answer in run]


async def _upload(page: Any, document: Path, pressed: asyncio.Event) -> dict[str, float]:
    """Add one new document on the Documents page; the window from pressing the button to
    the "Indexed: <its name>" message."""
    await page.get_by_role("link", name="Documents").click()
    await page.get_by_text("Add or revise procedures").first.wait_for(timeout=120_000)
    button = page.get_by_role("button", name="Add and index")
    for attempt in range(3):
        # Right after the previous upload the page may still be redrawing a fresh uploader; a
        # file given to the one it replaces is dropped: give it again.
        await page.locator('input[type="file"]').set_input_files(str(document))
        try:
            await button.wait_for(timeout=20_000)
            break
        except Exception:
            if attempt == 2:
                raise
    started = time.time()
    await button.click()
    pressed.set()
    await page.get_by_text(f"Indexed: {document.name}").first.wait_for(timeout=600_000)
    return {"started": started, "ended": time.time()}


def _new_document(folder: Path, n: int) -> Path:
    """A procedure the index has not seen (same text, new first line: a new content hash)."""
    source = ROOT / "corpus" / "procedures" / "QP-12-corrective-action-and-improvement.md"
    document = folder / f"QP-{20 + n}-load-test-corrective-action.md"
    document.write_text(f"Load test copy {n} made {time.time():.0f}.\n\n" + source.read_text())
    return document


async def _rounds(
    url: str, n_sessions: int, per_session: int, rounds: int, scratch: Path
) -> tuple[list[dict], list[dict], list[dict]]:
    """``rounds`` pairs of (control, upload) rounds, the pair asking the same questions in the
    same sessions: answers of the control rounds, of the upload rounds, and the uploads."""
    from playwright.async_api import async_playwright

    control: list[dict] = []
    with_upload: list[dict] = []
    uploads: list[dict] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages = [await _open(browser, url) for _ in range(n_sessions)]
        for page in pages:  # the model loads behind the first page's spinner
            await page.get_by_placeholder("Ask").wait_for(timeout=300_000)
        sessions = [AskSession(page) for page in pages]
        await asyncio.gather(*(s.ask("How do we meet clause 7.1.5?") for s in sessions))
        uploader = await _open(browser, url)
        await uploader.get_by_placeholder("Ask").wait_for(timeout=300_000)

        for r in range(rounds):
            offset = r * per_session
            control += [{**a, "round": r} for a in await _asks(sessions, per_session, offset)]
            pressed = asyncio.Event()
            document = _new_document(scratch, r)
            upload_task = asyncio.create_task(_upload(uploader, document, pressed))
            await asyncio.wait_for(pressed.wait(), timeout=300)
            await asyncio.sleep(0.5)  # the server has taken the upload and is indexing it
            answers = await _asks(sessions, per_session, offset)
            upload = await upload_task
            uploads.append({**upload, "round": r})
            with_upload += [{**a, "round": r} for a in answers]
        await browser.close()
    return control, with_upload, uploads


def measure(control: list[dict], with_upload: list[dict], uploads: list[dict]) -> dict[str, Any]:
    """The upload's effect: quantiles of the answers that overlapped an upload less the same
    quantiles of the control rounds. Also the older per-answer measure (an answer's latency less
    the control median), applied to the control answers as well: with no upload at all it
    shows how much of that measure is the ordinary spread of answers under load."""
    ended = {u["round"]: u for u in uploads}
    overlapping = [
        a
        for a in with_upload
        if a["started"] < ended[a["round"]]["ended"] and a["ended"] > ended[a["round"]]["started"]
    ]
    c = [a["seconds"] for a in control]
    o = [a["seconds"] for a in overlapping] or [0.0]
    median = _percentile(c, 0.5)
    effect = {
        f"{name}_s": round(_percentile(o, q) - _percentile(c, q), 3)
        for name, q in (("p50", 0.5), ("p95", 0.95), ("max", 1.0))
    }
    return {
        "answers_overlapping_an_upload": len(overlapping),
        "upload_effect": effect,
        "per_answer_vs_control_median": {
            "with_upload_slowest_s": round(max(o) - median, 3),
            "control_slowest_s": round(max(c) - median, 3),
        },
    }


async def run(
    url: str, n_sessions: int, per_session: int, rounds: int, scratch: Path
) -> dict[str, Any]:
    control, with_upload, uploads = await _rounds(url, n_sessions, per_session, rounds, scratch)
    a_only = _summary([a["seconds"] for a in control])
    w_upload = _summary([a["seconds"] for a in with_upload])
    effect = measure(control, with_upload, uploads)
    return {
        "sessions": n_sessions,
        "questions_per_session": per_session,
        "rounds": rounds,
        "ask_only": a_only,
        "with_upload": {
            **w_upload,
            "uploads_s": [round(u["ended"] - u["started"], 2) for u in uploads],
            **effect,
        },
        "targets": {
            "p95_s": P95_TARGET_S,
            "p95_met": max(a_only["p95_s"], w_upload["p95_s"]) <= P95_TARGET_S,
            # "no answer delayed by an upload > 1 s": at p95 and on the slowest answer
            "upload_effect_s": DELAY_TARGET_S,
            "upload_effect_met": max(effect["upload_effect"][k] for k in ("p95_s", "max_s"))
            <= DELAY_TARGET_S,
        },
        "answers": {
            "ask_only": [round(a["seconds"], 3) for a in control],
            "with_upload": [round(a["seconds"], 3) for a in with_upload],
        },
        "cpus": os.cpu_count(),
        # Other work on the machine moves these figures; recorded so runs can be compared.
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True, help="an ingested index (copied, not changed)")
    ap.add_argument("--sessions", type=int, default=6)
    ap.add_argument("--questions", type=int, default=3, help="questions per session")
    ap.add_argument("--rounds", type=int, default=3, help="pairs of control and upload rounds")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "web_load.json"))
    args = ap.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="web-load-"))
    try:
        with web_server.serving(Path(args.data_dir), scratch) as url:
            result = asyncio.run(run(url, args.sessions, args.questions, args.rounds, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result["command"] = (
        f"bench/web_load.py --data-dir DIR --sessions {args.sessions} --questions {args.questions} "
        f"--rounds {args.rounds}"
    )
    print(json.dumps(result, indent=2))
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
