"""A published, read-only index (a read-only folder or mount) can be queried; changing it is a
one-line refusal. Run as an unprivileged user, since root ignores folder permissions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import CORPUS

SETPRIV = shutil.which("setpriv")


def _others_can_reach(path: Path) -> bool:
    """Every folder above ``path`` can be entered by another user: the unprivileged user runs
    this checkout's interpreter and package (a clone inside a 0700 temporary folder cannot)."""
    return all(p.stat().st_mode & 0o001 for p in path.resolve().parents)


pytestmark = [
    pytest.mark.skipif(
        os.geteuid() != 0 or SETPRIV is None, reason="needs root and setpriv to drop privileges"
    ),
    pytest.mark.skipif(
        not _others_can_reach(Path(__file__)),
        reason="this checkout sits in a folder other users cannot enter (e.g. a 0700 temporary "
        "folder); the read-only test runs the CLI as an unprivileged user",
    ),
]


def _as_nobody(*args: str, data: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_DATA_DIR=str(data), HOME=str(data.parent), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
         sys.executable, "-m", "assistant.cli", *args],
        capture_output=True, text=True, env=env, timeout=300, cwd=data.parent,
    )  # fmt: skip


@pytest.fixture
def published(sample, models_dir):
    """A copy of the sample index, with its model copy, that only root could change."""
    top = Path(tempfile.mkdtemp(dir="/tmp"))
    data = top / "index"
    shutil.copytree(sample.settings.data_dir, data)
    shutil.copytree(models_dir, data / "models", dirs_exist_ok=True)
    for path in [top, *top.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    yield data
    for path in [top, *top.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(top)


def test_a_read_only_index_answers_and_refuses_changes(published):
    asked = _as_nobody("ask", "How do we meet clause 8.7?", data=published)
    assert asked.returncode == 0, asked.stderr
    assert "QP-11" in asked.stdout and "Traceback" not in asked.stderr
    status = _as_nobody("status", data=published)
    assert status.returncode == 0, status.stderr
    assert "documents: 17" in status.stdout
    ingest = _as_nobody("ingest", str(CORPUS), data=published)
    assert ingest.returncode in (1, 2) and "Traceback" not in ingest.stderr
    assert ingest.stderr.startswith("error:") and "read-only" in ingest.stderr


def test_labels_written_before_they_named_documents_still_count_when_read_only(published):
    """A published copy whose labels file predates the documents column cannot gain it: its
    verdicts are read all the same, and nothing is written."""
    import sqlite3

    path = published / "labels.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE labels (id INTEGER PRIMARY KEY, question TEXT NOT NULL, normalised TEXT "
        "NOT NULL UNIQUE, answered INTEGER NOT NULL, origin TEXT NOT NULL DEFAULT '', "
        "created REAL NOT NULL)"
    )
    question = "Who approves a concession?"
    db.execute(
        "INSERT INTO labels VALUES (1, ?, ?, 0, 'Ask page', 0)", (question, question[:-1].lower())
    )
    db.commit()
    db.close()
    path.chmod(0o444)
    before = path.read_bytes()
    asked = _as_nobody("ask", question, data=published)
    assert asked.returncode == 0 and "Traceback" not in asked.stderr, asked.stderr
    assert "Marked as not answered by our documents (Ask page" in asked.stdout
    listed = _as_nobody("labels", data=published)
    assert listed.returncode == 0 and question in listed.stdout
    assert path.read_bytes() == before
