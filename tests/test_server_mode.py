"""Scale-out: the same commands against a real Chroma server (`chroma run`), and a clear
message when the server is down."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.core.errors import IndexUnavailableError

from .conftest import make_assistant, run_cli

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.slow
def test_ingest_ask_status_interview_grade_against_a_chroma_server(
    chroma_server, small_corpus, tmp_path
):
    env = {
        "ASSISTANT_VECTOR_STORE": "server",
        "ASSISTANT_CHROMA_PORT": str(chroma_server),
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
    }
    r = run_cli("ingest", str(small_corpus), env=env)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "data" / "chroma").exists()  # the vectors are on the server
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert status["consistent"] and status["documents"] == 3
    answer = json.loads(run_cli("ask", "How do we meet clause 8.7?", "--json", env=env).stdout)
    assert answer["procedures"][0]["file"] == "QP-11-nonconforming-product.md"
    app = make_assistant(tmp_path / "data", vector_store="server", chroma_port=chroma_server)
    assert app.store.vectors.count() == app.store.manifest.chunk_count()
    g = app.grader.grade(
        "What do you do with a faulty part?", "I red tag it and put it in quarantine.", ["8.7"]
    )
    assert g.rubric.from_procedures and g.points
    # Unchanged documents are not re-embedded: the manifest and the server agree.
    again = run_cli("ingest", str(small_corpus), env=env)
    assert "0 added" in again.stdout and "3 unchanged" in again.stdout


def test_a_server_that_is_down_is_a_clear_message(tmp_path):
    port = _free_port()
    app = make_assistant(tmp_path / "d", vector_store="server", chroma_port=port)
    with pytest.raises(IndexUnavailableError, match=f"cannot reach the Chroma server.*{port}"):
        _ = app.store.vectors
    r = run_cli("status", env={"ASSISTANT_VECTOR_STORE": "server",
                                          "ASSISTANT_CHROMA_PORT": str(port)})  # fmt: skip
    assert r.returncode != 0 and "chroma run" in r.stderr and "Traceback" not in r.stderr


def test_embedded_index_refuses_a_second_writing_process(small_corpus, tmp_path):
    """Another process holding the write lock (an ingest in progress) makes a second ingest
    stop at once with a message, instead of hanging on Chroma or corrupting it."""
    data = tmp_path / "data"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from assistant.index.lock import WriteLock\n"
         "with WriteLock(Path(sys.argv[1]) / 'ingest.lock'):\n"
         "    print('locked', flush=True); time.sleep(60)", str(data)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.time()
        r = run_cli("ingest", str(small_corpus), env={"ASSISTANT_DATA_DIR": str(data)})
        assert r.returncode == 1 and "being written by process" in r.stderr
        assert time.time() - started < 30
    finally:
        holder.kill()
        holder.wait()
