"""One writer per data directory: Chroma's embedded store is not safe for two writing processes."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from assistant.core.errors import IndexBusyError, UsageError


class WriteLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> WriteLock:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UsageError(
                f"the index in {self._path.parent} cannot be written ({exc.strerror or exc}); "
                "a read-only index can be queried but not changed"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = self._path.read_text().strip() or "another process"
            raise IndexBusyError(
                f"the index in {self._path.parent} is being written by {holder}; "
                "wait for it to finish (or use a Chroma server for several writers)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}".encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lock_holder(path: Path) -> str | None:
    """Who is writing the index right now ("process N"), or None when nobody is: tells a
    running ingest from one that was interrupted (a dead process holds no lock)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return path.read_text().strip() or "another process"
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
