"""Documents added from the web page live in one folder under the data directory.

Uploaded names are untrusted: only the base name is kept, reduced to letters, digits, dots,
dashes and underscores, with a supported extension; nothing can be written outside the folder.
A file with the same name replaces the old one (a new revision of the same procedure).
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.core.errors import UsageError
from assistant.documents.formats import SUPPORTED, check_size

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    base = re.split(r"[\\/]", name.strip())[-1]
    stem, dot, suffix = base.rpartition(".")
    stem = _UNSAFE.sub("-", stem).strip(".-_")
    if not dot or not stem:
        raise UsageError(f"{name!r}: the file name needs a name and an extension")
    if f".{suffix.lower()}" not in SUPPORTED:
        allowed = ", ".join(sorted(SUPPORTED))
        raise UsageError(f"{name!r}: unsupported file type '.{suffix}' (allowed: {allowed})")
    return f"{stem[:120]}.{suffix.lower()}"


class Library:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def save(self, name: str, data: bytes) -> Path:
        """Write an uploaded file; refuse empty, oversize and unsupported files."""
        target = self.folder / safe_name(name)
        check_size(len(data), self.max_bytes, name)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_bytes(data)
        tmp.replace(target)  # atomic: an ingest never reads half a file
        return target

    def contains(self, path: Path) -> bool:
        return path.resolve().parent == self.folder.resolve()
