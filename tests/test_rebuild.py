"""`assistant ingest --rebuild` builds the new index beside the old one and switches when it is
complete: questions asked meanwhile are answered from the old index, and a rebuild that dies
leaves the old index answering. Each command runs in its own process, as people run them."""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from assistant.usecases.composer import Answer
from tests.conftest import CORPUS, make_assistant, run_cli

CLAUSE_87 = "How do we meet clause 8.7?"  # nonconforming output: QP-11, only in the old index
CALIBRATION = "How often are measuring instruments calibrated?"  # QP-05, only in the new one
# Cited by file name: passages mention other procedures by number.
QP11, QP05 = "QP-11-nonconforming-product.md", "QP-05-calibration-of-measuring-equipment.pdf"


class Rebuild:
    """`assistant ingest --rebuild` in a subprocess on a terminal (so its progress bars are
    written), with its output collected as it comes."""

    def __init__(self, docs: Path, data: Path) -> None:
        master, replica = pty.openpty()
        # A terminal 0 columns wide gets empty progress bars: give it a size.
        fcntl.ioctl(replica, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "ingest", "--rebuild", str(docs)],
            stdin=subprocess.DEVNULL, stdout=replica, stderr=replica,
            env={**os.environ, "ASSISTANT_DATA_DIR": str(data)},
        )  # fmt: skip
        os.close(replica)
        self.output = bytearray()
        self._reader = threading.Thread(target=self._collect, args=(master,), daemon=True)
        self._reader.start()

    def _collect(self, fd: int) -> None:
        try:
            while chunk := os.read(fd, 4096):
                self.output += chunk
        except OSError:  # EIO: the process closed the terminal
            pass
        finally:
            os.close(fd)

    def wait_until_embedding(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while b"embedding chunks" not in self.output:
            assert self.proc.poll() is None, f"rebuild ended early: {self.output.decode()}"
            assert time.monotonic() < deadline, f"no embedding stage: {self.output.decode()}"
            time.sleep(0.05)

    def finish(self) -> str:
        assert self.proc.wait(timeout=300) == 0, self.output.decode()
        self._reader.join(timeout=10)
        return self.output.decode()


@pytest.fixture
def indexed(small_corpus: Path, tmp_path: Path, model) -> tuple[Path, Path]:
    """The small corpus indexed (the old index), and a different folder to rebuild from."""
    data = tmp_path / "data"
    assert not make_assistant(data).ingest([small_corpus]).failed
    new_docs = tmp_path / "new-docs"
    new_docs.mkdir()
    for name in (QP05, "QP-13-internal-audit.html"):
        shutil.copy(CORPUS / name, new_docs / name)
    return data, new_docs


def _ask(question: str, data: Path) -> str:
    asked = run_cli("ask", question, "--data-dir", str(data))
    assert asked.returncode == 0 and "Traceback" not in asked.stderr, asked.stderr
    return asked.stdout


def _cited(answer: Answer) -> str:
    return " ".join(e.citation.label() for e in answer.evidence)


def _status(data: Path) -> str:
    status = run_cli("status", "--data-dir", str(data))
    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr
    return status.stdout


def test_questions_are_answered_from_the_old_index_until_the_rebuild_switches(indexed):
    data, new_docs = indexed
    web_app = make_assistant(data)  # a long-lived reader with the old files open
    assert QP11 in _cited(web_app.ask(CLAUSE_87))

    rebuild = Rebuild(new_docs, data)
    try:
        rebuild.wait_until_embedding()
        rebuild.proc.send_signal(signal.SIGSTOP)  # hold it mid-rebuild while we ask
        assert QP11 in _ask(CLAUSE_87, data)
        assert QP05 not in _ask(CALIBRATION, data)
        status = _status(data)
        assert "documents: 3" in status and "consistent with manifest: yes" in status, status
    finally:
        rebuild.proc.send_signal(signal.SIGCONT)
    assert "2 added" in rebuild.finish()

    assert QP05 in _ask(CALIBRATION, data)
    assert QP11 not in _ask(CLAUSE_87, data)
    status = _status(data)
    assert "documents: 2" in status and "consistent with manifest: yes" in status, status
    assert not list(data.glob(".rebuild-*")), "the staging folder was left behind"
    # The reader that had the old index open follows the switch on its next question.
    assert QP05 in _cited(web_app.ask(CALIBRATION))
    assert web_app.status().consistent and web_app.status().documents == 2


def test_a_rebuild_killed_midway_leaves_the_old_index_answering(indexed, small_corpus):
    data, new_docs = indexed
    rebuild = Rebuild(new_docs, data)
    rebuild.wait_until_embedding()
    rebuild.proc.kill()
    rebuild.proc.wait(timeout=60)
    assert list(data.glob(".rebuild-*")), "killed before the rebuild had started"

    assert QP11 in _ask(CLAUSE_87, data)
    status = _status(data)
    assert "documents: 3" in status and "consistent with manifest: yes" in status, status

    again = run_cli("ingest", str(small_corpus), "--data-dir", str(data))
    assert again.returncode == 0, again.stderr
    assert "3 unchanged" in again.stdout and "0 chunks embedded" in again.stdout, again.stdout
    assert not list(data.glob(".rebuild-*")), "the next run did not clean up the leftovers"
