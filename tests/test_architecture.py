"""The layer order is enforced, not only drawn: import-linter keeps each tier to the tiers below.

Fast (no model): import-linter reads the import statements, it does not run the code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast  # no model: make test-fast

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "assistant", tmp_path / "assistant", symlinks=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_layer_order() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    # The grader (use-case tier) reaching up into the web pages: the kind of shortcut the
    # contract exists to stop.
    grader = root / "assistant/usecases/interview/grader.py"
    grader.write_text(grader.read_text() + "\nfrom assistant.ui import render  # noqa\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "assistant.usecases.interview.grader -> assistant.ui.render" in result.stdout


def test_a_lower_tier_importing_a_use_case_breaks_the_contract(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    text = root / "assistant/core/text.py"
    text.write_text(text.read_text() + "\nfrom assistant.usecases import ask  # noqa\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "assistant.core.text -> assistant.usecases.ask" in result.stdout
