"""Derived index folders (BM25, the vector snapshot) are written beside and swapped in whole."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path


def write_folder(directory: Path, write: Callable[[Path], None]) -> None:
    """``write`` fills a fresh temporary folder, which then replaces ``directory``: a reader
    sees the old folder or the new one, never half of one."""
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    write(tmp)
    swap_in(tmp, directory)


def swap_in(new: Path, target: Path) -> None:
    """``target`` becomes the complete folder ``new`` by renames (the old one moved aside, then
    deleted): a reader sees one folder or the other."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def read_ids(path: Path) -> list[str] | None:
    """The chunk ids a derived folder was built for, or None when it is missing or damaged."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
