"""One settings object: defaults, TOML file, ASSISTANT_* environment, explicit overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.settings import load_settings
from tests.conftest import run_cli

pytestmark = pytest.mark.fast  # no model: make test-fast


def test_defaults(monkeypatch):
    monkeypatch.delenv("ASSISTANT_DATA_DIR")
    s = load_settings()
    assert s.data_dir == Path(".assistant") and s.max_file_mb == 25


def test_toml_then_environment_then_overrides(tmp_path, monkeypatch):
    config = tmp_path / "assistant.toml"
    config.write_text('data_dir = "/from/toml"\nchunk_size = 700\ntop_k = 7\n')
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.delenv("ASSISTANT_DATA_DIR")
    s = load_settings()
    assert (s.data_dir, s.chunk_size, s.top_k) == (Path("/from/toml"), 700, 7)
    monkeypatch.setenv("ASSISTANT_TOP_K", "9")
    assert load_settings().top_k == 9
    assert load_settings(top_k=3, data_dir=None).top_k == 3


def test_an_optional_file_left_empty_in_the_environment_is_unset(monkeypatch, tmp_path):
    # "ASSISTANT_GLOSSARY_FILE=" in a shell or a compose file: no glossary of our own, not the
    # current folder read as one (which the glossary loader would refuse)
    monkeypatch.setenv("ASSISTANT_GLOSSARY_FILE", "")
    monkeypatch.setenv("ASSISTANT_MODELS_DIR", " ")
    s = load_settings()
    assert s.glossary_file is None and s.models_dir is None
    own = tmp_path / "ours.toml"
    monkeypatch.setenv("ASSISTANT_GLOSSARY_FILE", str(own))
    assert load_settings().glossary_file == own


def test_invalid_setting_is_a_one_line_error(tmp_path):
    result = run_cli("status", env={"ASSISTANT_CHUNK_SIZE": "5"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid setting") and "chunk_size" in result.stderr
    assert "Traceback" not in result.stderr


def test_offline_defaults_are_set_by_the_package():
    code = (
        "import os, assistant; "
        "print(os.environ['HF_HUB_OFFLINE'], os.environ['ANONYMIZED_TELEMETRY'])"
    )
    import subprocess
    import sys

    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("HF_HUB_OFFLINE", "ANONYMIZED_TELEMETRY")
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "False"]
