"""Shared fixtures: the real model loaded once per session, the sample corpus indexed once,
and every test's data directory pointed at a temp folder."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from assistant.core.settings import load_settings
from assistant.factory import Assistant, build

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "procedures"
DATA = Path(__file__).parent / "data"
REALQMS = ROOT.parent / "shared" / "realqms" / "gstt-csc"
CHROMIUM = Path("/usr/bin/chromium")
_NO_BROWSER = "no /usr/bin/chromium: browser tests skipped (as root: apt-get install chromium)"


def pytest_report_header() -> str | None:
    return None if CHROMIUM.exists() else _NO_BROWSER


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A machine without Debian's chromium skips the browser tests instead of failing them;
    `make test` installs chromium first when it can (scripts/ensure_browser.sh)."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=_NO_BROWSER)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_tier_loads_no_model(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """A test marked ``fast`` fails if anything loads the real model: the tier stays fast."""
    if request.node.get_closest_marker("fast"):

        def refuse() -> None:
            raise AssertionError("a fast test loaded the real model; mark it otherwise")

        monkeypatch.setattr("assistant.index.embedder.load_model", refuse)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ONNX copy of the model for the whole session (each index would export its own)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True, scope="session")
def _warm_ups_finish() -> Iterator[None]:
    """A page test leaves the web app's warm-up thread working out examples and clause cards
    after it passes. If pytest exits while that thread is inside the ONNX runtime, the C++
    runtime aborts the process (exit 134, "terminate called without an active exception")
    although every test passed: a page test run alone or last did. Wait for it instead."""
    yield
    for thread in threading.enumerate():
        if thread.name == "warm-up":
            thread.join(timeout=120)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models_dir: Path) -> None:
    """No test reads a developer's assistant.toml or writes to ./.assistant."""
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "no-such-config.toml"))
    monkeypatch.setenv("ASSISTANT_MODELS_DIR", str(models_dir))
    # Every page test on a fresh copy of an index starts a warm-up of its own; its coverage
    # (10 s of CPU) would run behind the test and slow the next ones. The warm-up test and
    # the pages that show coverage turn it on, or compute it when first shown.
    monkeypatch.setenv("ASSISTANT_WARM_COVERAGE", "false")
    kept = (
        "ASSISTANT_DATA_DIR",
        "ASSISTANT_CONFIG",
        "ASSISTANT_MODELS_DIR",
        "ASSISTANT_WARM_COVERAGE",
    )
    for key in list(os.environ):
        if key.startswith("ASSISTANT_") and key not in kept:
            monkeypatch.delenv(key)


def make_assistant(data_dir: Path, **overrides) -> Assistant:
    return build(load_settings(data_dir=data_dir, **overrides))


def indexed_texts(tmp_path: Path, documents: dict[str, str]) -> Assistant:
    """An assistant over a small corpus written here (file name -> text), indexed."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in documents.items():
        (docs / name).write_text(text)
    app = make_assistant(tmp_path / "idx")
    assert not app.ingest([docs]).failed
    return app


def add_document(app: Assistant, path: Path, text: str) -> Path:
    """Write a document and index it into ``app``'s existing index (the question asked before
    and after it shows what the document changes)."""
    path.write_text(text, encoding="utf-8")
    assert not app.ingest([path]).failed
    return path


@pytest.fixture(scope="session")
def model():
    """The real MiniLM model, loaded once for the whole session (shared by every Embedder)."""
    from assistant.index.embedder import load_model

    return load_model()


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory, model, models_dir: Path) -> Assistant:
    """The sample organisation's procedures, ingested once, read-only for tests."""
    data_dir = tmp_path_factory.mktemp("sample-index")
    app = make_assistant(data_dir, models_dir=models_dir)
    report = app.ingest([CORPUS])
    assert not report.failed, report.failed
    return app


@pytest.fixture(scope="session")
def gstt(tmp_path_factory: pytest.TempPathFactory, model, models_dir: Path):
    """The real third-party QMS ../shared/realqms/gstt-csc, ingested once: (assistant, the
    ingest report). Read-only for tests."""
    if not REALQMS.is_dir():
        pytest.skip("../shared/realqms not present")
    app = make_assistant(tmp_path_factory.mktemp("gstt-index"), models_dir=models_dir)
    return app, app.ingest([REALQMS])


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Three sample procedures copied to a folder the test may change."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (
        "QP-11-nonconforming-product.md",
        "QP-13-internal-audit.html",
        "QP-10-final-inspection-and-release.txt",
    ):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def load_script(name: str) -> ModuleType:
    """A script of scripts/ as a module, for tests of the rules it fits by."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed CLI in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
