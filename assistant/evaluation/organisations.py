"""The organisations the product is evaluated on (``evals/organisations.toml``): for each, its
documents and the evaluation sets written from them, and an index of its documents to evaluate
against. Figures are reported per organisation, because a figure only counts if it holds on
documents nobody tuned on."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.errors import UsageError
from assistant.core.progress import Progress

_SETS = ("grader", "grader_heldout", "retrieval", "retrieval_heldout", "retrieval_untouched")

if TYPE_CHECKING:  # built lazily below: the factory imports the model libraries
    from assistant.factory import Assistant


@dataclass(frozen=True)
class Organisation:
    key: str
    name: str
    documents: Path
    sets: dict[str, tuple[Path, ...]]

    def files(self, kind: str, heldout: bool = False) -> tuple[Path, ...]:
        return self.sets[f"{kind}_heldout" if heldout else kind]

    def fitting_files(self, kind: str = "retrieval") -> tuple[Path, ...]:
        """Every set fits and choices may read: the tuning sets and the held-out ones (never
        ``<kind>_untouched``, which only confirms)."""
        return self.files(kind) + self.files(kind, heldout=True)


def load_organisations(path: Path, only: list[str] | None = None) -> list[Organisation]:
    """Read the organisations file; paths in it are relative to the folder above ``evals/``."""
    if not path.is_file():
        raise UsageError(f"no such organisations file: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    root = path.resolve().parent.parent
    orgs = []
    for key, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("documents"), str):
            raise UsageError(f"{path}: [{key}] needs a 'documents' folder")
        sets = {}
        for name in _SETS:
            files = entry.get(name, [])
            if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                raise UsageError(f"{path}: [{key}] {name} must be a list of file names")
            sets[name] = tuple(root / f for f in files)
        orgs.append(Organisation(key, str(entry.get("name", key)), root / entry["documents"], sets))
    if only:
        unknown = sorted(set(only) - {o.key for o in orgs})
        if unknown:
            raise UsageError(f"unknown organisation(s): {', '.join(unknown)}")
        orgs = [o for o in orgs if o.key in only]
    return orgs


def indexed(
    orgs: list[Organisation], work_dir: Path, progress: Progress
) -> Iterator[tuple[Organisation, Assistant]]:
    """(organisation, assistant) with each organisation's documents indexed under
    ``work_dir/<key>`` (incremental: an unchanged folder is re-checked in well under a second).
    An organisation whose documents are not on this machine is skipped with a message."""
    from assistant.core.settings import load_settings
    from assistant.factory import build

    for org in orgs:
        if not org.documents.is_dir():
            print(f"skipped {org.key}: no documents at {org.documents}")
            continue
        app = build(load_settings(data_dir=work_dir / org.key))
        app.ingest([org.documents], progress=progress)
        yield org, app
