"""The manifest: which files are indexed, their content hash, chunks, status. SQLite, so a file's
row and its chunks change in one transaction; the vector store is reconciled against it."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from assistant.core.errors import IndexUnavailableError
from assistant.core.models import Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', warnings TEXT NOT NULL DEFAULT '[]',
    title TEXT NOT NULL DEFAULT '', doc_no TEXT NOT NULL DEFAULT '',
    revision TEXT NOT NULL DEFAULT '',
    chunk_ids TEXT NOT NULL DEFAULT '[]', ingested_at REAL NOT NULL,
    doc_status TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, ordinal INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);
"""

# Inside Manifest, the name `set` is its key-value setter, so annotations use this alias.
IdSet = set[str]


@dataclass
class FileRecord:
    path: str
    file: str
    sha256: str
    size: int
    status: str  # "ok" | "failed"
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    doc_no: str = ""
    revision: str = ""
    chunk_ids: list[str] = field(default_factory=list)
    ingested_at: float = 0.0
    # the document's own word that it is no longer in force ("Obsolete"; loaders), else ""
    doc_status: str = ""


class Manifest:
    def __init__(self, path: Path) -> None:
        try:
            self._open(path)
        except (sqlite3.DatabaseError, OSError) as exc:
            # A folder we may not enter, or a file of that name that is not SQLite: one line
            # the user can act on, not sqlite3's traceback.
            if isinstance(exc, OSError) or "unable to open" in str(exc):
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                hint = f"check that you may read and write {path.parent}"
            else:
                reason, hint = str(exc), "move it away and ingest again to make a new index"
            raise IndexUnavailableError(
                f"the index {path} cannot be read ({reason}); {hint}"
            ) from None

    def _open(self, path: Path) -> None:
        # A published, read-only index (a read-only mount or folder) is opened read-only and
        # can be queried; writing it is refused by the ingest's lock with a clear message.
        self.read_only = path.is_file() and not os.access(path.parent, os.W_OK)
        if self.read_only:
            # Read-only WAL access needs the -shm file beside it; a checkpointed copy without
            # one is opened as immutable instead.
            for flags in ("mode=ro", "mode=ro&immutable=1"):
                self._db = sqlite3.connect(
                    f"file:{quote(str(path))}?{flags}",
                    uri=True,
                    check_same_thread=False,
                    isolation_level=None,
                )
                try:
                    self._db.execute("SELECT COUNT(*) FROM meta").fetchone()
                    break
                except sqlite3.OperationalError:
                    self._db.close()
            else:
                raise IndexUnavailableError(f"the index {path} cannot be opened read-only")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        if not self._has_doc_status():
            # An index from before stop 54: the column is added empty, and the next ingest,
            # which rebuilds it for the new parser, fills it.
            self._db.execute("ALTER TABLE files ADD COLUMN doc_status TEXT NOT NULL DEFAULT ''")

    def _has_doc_status(self) -> bool:
        return any(r[1] == "doc_status" for r in self._db.execute("PRAGMA table_info(files)"))

    @functools.cached_property
    def _doc_status_column(self) -> bool:
        return self._has_doc_status()

    def close(self) -> None:
        self._db.close()

    def replace_with(self, other: Manifest) -> None:
        """Take ``other``'s whole content in one step (SQLite's backup API). The file stays the
        same file: a reader that has it open sees the old content or the new, never a mix, and
        no reader is left holding a renamed database (which SQLite cannot survive)."""
        other._db.backup(self._db)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- meta ---------------------------------------------------------------------------------
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def dirty(self) -> bool:
        """True from the first index write of an ingest until its last one completed."""
        return self.get("dirty", "0") == "1"

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self.set("dirty", "1" if value else "0")

    # -- files --------------------------------------------------------------------------------
    def files(self) -> dict[str, FileRecord]:
        # a read-only index from before stop 54 has no doc_status column: read as none
        status = "doc_status" if self._doc_status_column else "''"
        rows = self._db.execute(
            "SELECT path, file, sha256, size, status, reason, warnings, title, doc_no, revision,"
            f" chunk_ids, ingested_at, {status} FROM files ORDER BY file"
        ).fetchall()
        return {
            r[0]: FileRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                json.loads(r[6]),
                r[7],
                r[8],
                r[9],
                json.loads(r[10]),
                r[11],
                r[12],
            )
            for r in rows
        }

    def put_file(self, db: sqlite3.Connection, rec: FileRecord) -> None:
        db.execute(
            "INSERT OR REPLACE INTO files (path, file, sha256, size, status, reason, warnings,"
            " title, doc_no, revision, chunk_ids, ingested_at, doc_status)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rec.path,
                rec.file,
                rec.sha256,
                rec.size,
                rec.status,
                rec.reason,
                json.dumps(rec.warnings),
                rec.title,
                rec.doc_no,
                rec.revision,
                json.dumps(rec.chunk_ids),
                rec.ingested_at or time.time(),
                rec.doc_status,
            ),
        )

    def delete_file(self, db: sqlite3.Connection, path: str) -> None:
        db.execute("DELETE FROM chunks WHERE path=?", (path,))
        db.execute("DELETE FROM files WHERE path=?", (path,))

    # -- chunks -------------------------------------------------------------------------------
    def put_chunks(self, db: sqlite3.Connection, path: str, chunks: Iterable[Chunk]) -> None:
        db.execute("DELETE FROM chunks WHERE path=?", (path,))
        db.executemany(
            "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?)",
            [(c.id, path, c.ordinal, json.dumps(c.to_dict())) for c in chunks],
        )

    def chunk_ids(self) -> IdSet:
        return {r[0] for r in self._db.execute("SELECT id FROM chunks")}

    def chunk_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def all_chunks(self) -> list[Chunk]:
        rows = self._db.execute("SELECT data FROM chunks ORDER BY path, ordinal")
        return [Chunk(**json.loads(r[0])) for r in rows]

    def chunks_of(self, path: str) -> list[Chunk]:
        """One document's chunks in reading order."""
        rows = self._db.execute("SELECT data FROM chunks WHERE path = ? ORDER BY ordinal", (path,))
        return [Chunk(**json.loads(r[0])) for r in rows]

    def chunks_by_id(self, ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for r in self._db.execute(f"SELECT data FROM chunks WHERE id IN ({marks})", part):
                c = Chunk(**json.loads(r[0]))
                out[c.id] = c
        return out

    def paths_of_chunks(self, ids: Iterable[str]) -> IdSet:
        ids = list(ids)
        out: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            out.update(
                r[0]
                for r in self._db.execute(f"SELECT path FROM chunks WHERE id IN ({marks})", part)
            )
        return out

    def clear(self) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM chunks")
            db.execute("DELETE FROM files")
            db.execute("DELETE FROM meta")
