"""Every bad input on the command line is a one-line error with exit status 1 or 2, never a
traceback: a table of commands and inputs, each run as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main


@pytest.fixture
def bad(tmp_path: Path) -> dict[str, Path]:
    afile = tmp_path / "a-file"
    afile.write_text("not a folder")
    q = tmp_path / "q"
    q.mkdir()
    rows = {
        "number": {"id": "X", "question": 42, "expected_sources": []},
        "null": {"id": "X", "question": None, "expected_sources": []},
        "kind": {"id": "X", "question": "q?", "kind": ["a"], "expected_sources": []},
        "sources": {"id": "X", "question": "q?", "expected_sources": "QP-05.pdf"},
        "clauses": {"id": "X", "question": "q?", "expected_sources": [], "expected_clauses": 8.7},
        "good": {"id": "X", "question": "q?", "expected_sources": ["QP-05.pdf"]},
    }
    for name, row in rows.items():
        (q / f"{name}.jsonl").write_text(json.dumps(row) + "\n")
    # A data directory whose databases are not SQLite files (a damaged copy, a wrong folder).
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "manifest.sqlite").write_text("not a database\n")
    (corrupt / "history.sqlite").write_text("not a database either\n")
    return {
        "file": afile,
        "q": q,
        "missing": tmp_path / "no" / "such" / "folder",
        "corrupt": corrupt,
    }


CASES = [
    ("status --data-dir {file}", 2),
    ("ask 'how do we calibrate?' --data-dir {file}", 2),
    ("ingest {q} --data-dir {file}", 2),
    ("coverage --data-dir {file}", 2),
    ("history --data-dir {file}", 2),
    ("coverage --csv {missing}/c.csv", 2),
    ("history --export {missing}/h.csv", 2),
    ("eval retrieval --questions {q}/number.jsonl", 2),
    ("eval retrieval --questions {q}/null.jsonl", 2),
    ("eval retrieval --questions {q}/kind.jsonl", 2),
    ("eval retrieval --questions {q}/sources.jsonl", 2),
    ("eval retrieval --questions {q}/clauses.jsonl", 2),
    ("ask ''", 2),
    ("ask '   '", 2),
    ("ask 'how do we calibrate?' --k -3", 2),
    ("ask 'how do we calibrate?' --k 0", 2),
    ("eval retrieval --questions {q}/kind.jsonl --json {missing}/r.json", 2),
    ("eval grader --answers {q}/a.jsonl --organisations {q}/o.toml", 2),
    ("eval chat --conversations {q}/good.jsonl --as-new", 2),  # whose questions? needs a file
    ("interview --user ann --data-dir {file}", 2),
    ("ingest {missing}", 2),
    ("status --data-dir {corrupt}", 1),
    ("ask 'how do we calibrate?' --data-dir {corrupt}", 1),
    ("ingest {q} --data-dir {corrupt}", 1),
    ("ingest {q} --rebuild --data-dir {corrupt}", 1),
    ("coverage --data-dir {corrupt}", 1),
    ("interview --user ann --data-dir {corrupt}", 1),
    ("history --data-dir {corrupt}", 1),
    ("eval retrieval --questions {q}/good.jsonl --data-dir {corrupt}", 1),
]


@pytest.mark.parametrize(("command", "code"), CASES)
def test_bad_input_is_one_line_and_an_exit_status(command, code, bad, capsys):
    import shlex

    argv = shlex.split(command.format(**{k: str(v) for k, v in bad.items()}))
    result = _run(argv)
    err = capsys.readouterr().err.strip()
    assert result == code, (result, err)
    assert err.startswith("error:") or "usage:" in err, err
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("error")]) == 1, err


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        return int(exc.code or 0)


def test_messages_say_which_line_and_field(bad, capsys):
    assert _run(["eval", "retrieval", "--questions", str(bad["q"] / "sources.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "sources.jsonl:1: 'expected_sources' must be a list" in err, err
    assert _run(["status", "--data-dir", str(bad["file"])]) == 2
    assert "is a file, not a folder (data_dir)" in capsys.readouterr().err


def test_output_cut_short_by_a_pipe_is_not_a_traceback(sample):
    """`assistant status | head -1`: the reader stops early; no traceback on stderr, and no
    "Exception ignored ... BrokenPipeError" either. Run with stdout block-buffered, as a user's
    shell has it (PYTHONUNBUFFERED, set on some machines, hid that at exit until stop 60)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "status", "--data-dir",
         str(sample.settings.data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait(timeout=120) == 0 and "Traceback" not in err and "Exception" not in err, err


# Root ignores permissions: these run as root without the capabilities that let it (so the
# interpreter under /root stays reachable), which is what an unprivileged user meets.
SETPRIV = shutil.which("setpriv")
LOCKED_CASES = [
    "status",
    "ask 'how do we calibrate?'",
    "ingest {docs}",
    "ingest {docs} --rebuild",
    "coverage",
    "history --user ann",
    "interview --user ann",
    "eval retrieval --questions {docs}/q.jsonl",
]


@pytest.fixture
def locked(tmp_path: Path) -> dict[str, Path]:
    """A data directory with permissions 000 (once an index), and a folder of documents."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# Calibration\n\nGauges are calibrated every year.\n")
    (docs / "q.jsonl").write_text(
        json.dumps({"id": "1", "question": "calibration?", "expected_sources": ["a.md"]}) + "\n"
    )
    data = tmp_path / "locked-data"
    data.mkdir()
    (data / "manifest.sqlite").write_bytes(b"")
    data.chmod(0)
    yield {"docs": docs, "data": data}
    data.chmod(0o755)


@pytest.mark.skipif(
    os.geteuid() != 0 or SETPRIV is None, reason="needs root and setpriv to drop privileges"
)
@pytest.mark.parametrize("command", LOCKED_CASES)
def test_an_unreadable_data_directory_is_one_line(command, locked):
    import shlex

    argv = shlex.split(command.format(**{k: str(v) for k, v in locked.items()}))
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_DATA_DIR"}
    result = subprocess.run(
        [SETPRIV, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all",
         sys.executable, "-m", "assistant.cli", *argv, "--data-dir", str(locked["data"])],
        capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    err = result.stderr.strip()
    assert result.returncode in (1, 2), (result.returncode, err)
    assert "Traceback" not in err and err.startswith("error:"), err
    assert len(err.splitlines()) == 1, err
    assert str(locked["data"]) in err, err  # says which folder to look at
