"""The clause-citation map (``retrieval.CitationMap``) kept beside the index, so that a new
process does not rebuild it from every passage.

Building it reads every passage and table row for citations, document numbers and exclusions:
0.04-0.17 s on our organisations' indexes, but 15-17 s at 20,000 passages
(`bench/ask_latency.py`'s ``first_clause_ms``), paid by the first clause question of every
`assistant ask` process and of every web-app start. It depends only on the indexed passages and
on the code and data that read them, so it is kept in the data directory as JSON under two
keys: the index's last ingest (the key the map is already rebuilt on) and a digest of the
package's code and data (``code_key``: any change to how citations are read makes a new one).
A file under other keys, damaged or unreadable is ignored and rebuilt over; one that cannot be
written (a read-only data directory) is not written. Written beside and renamed: never half a
file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from assistant.search.exclusions import CitedAnyway, Exclusion

log = logging.getLogger(__name__)

FILE = "citations.json"
_SUFFIXES = {".py", ".yaml", ".toml"}


@dataclass
class Citations:
    """What ``CitationMap`` builds from the passages (its ``excluded`` is derived from
    ``declared`` by the catalogue, so it is not kept)."""

    by_chunk: dict[str, set[str]]
    by_file: dict[str, set[str]]
    mapped: dict[str, set[str]]
    tabled: dict[str, set[str]]
    points_to: dict[str, str]
    declared: list[Exclusion]
    cited_anyway: list[CitedAnyway]


@cache
def code_key() -> str:
    """A digest of the package's code and data files and of the clause catalogue (shipped as
    its own package from corpus/clauses): one per installed version, read once per process."""
    digest = hashlib.sha256()
    for package in ("assistant", "assistant.catalogue"):
        for name, content in _files(resources.files(package), ""):
            digest.update(f"{package}/{name}".encode())
            digest.update(content)
    return digest.hexdigest()[:20]


def _files(folder: Traversable, prefix: str) -> Iterator[tuple[str, bytes]]:
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.is_dir():
            if item.name != "__pycache__":
                yield from _files(item, f"{prefix}{item.name}/")
        elif Path(item.name).suffix in _SUFFIXES:
            yield prefix + item.name, item.read_bytes()


def _sets(data: dict[str, list[str]]) -> dict[str, set[str]]:
    return {k: set(v) for k, v in data.items()}


def load(data_dir: Path, index_key: str) -> Citations | None:
    """The kept map when it was built from this index by this code, else None."""
    try:
        data = json.loads((data_dir / FILE).read_text(encoding="utf-8"))
        if data.get("index") != index_key or data.get("code") != code_key():
            return None
        return Citations(
            _sets(data["by_chunk"]),
            _sets(data["by_file"]),
            _sets(data["mapped"]),
            _sets(data["tabled"]),
            dict(data["points_to"]),
            [Exclusion(**e) for e in data["declared"]],
            [CitedAnyway(**e) for e in data["cited_anyway"]],
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing, damaged or of another layout: built again


def save(data_dir: Path, index_key: str, citations: Citations) -> None:
    """Keep the map for the next process (best effort: nothing is lost without it)."""

    def lists(data: dict[str, set[str]]) -> dict[str, list[str]]:
        return {k: sorted(v) for k, v in data.items()}

    data = {
        "index": index_key,
        "code": code_key(),
        "by_chunk": lists(citations.by_chunk),
        "by_file": lists(citations.by_file),
        "mapped": lists(citations.mapped),
        "tabled": lists(citations.tabled),
        "points_to": citations.points_to,
        "declared": [asdict(e) for e in citations.declared],
        "cited_anyway": [asdict(e) for e in citations.cited_anyway],
    }
    target = data_dir / FILE
    partial = target.with_name(f"{FILE}.{os.getpid()}.part")
    try:
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:  # a read-only data directory: built again by each process
        log.debug("clause-citation map not kept in %s: %s", data_dir, exc)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
