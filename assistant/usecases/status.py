"""What is indexed, what failed and why, and whether the index agrees with its manifest."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.index.store import IndexStore


@dataclass
class DocumentStatus:
    file: str
    path: str
    title: str
    doc_no: str
    revision: str
    chunks: int
    status: str
    ingested_at: float


@dataclass
class IndexStatus:
    data_dir: str
    documents: int
    chunks: int
    last_ingest: float | None
    consistent: bool
    problems: list[str]
    failed: list[dict[str, str]]
    skipped: list[dict[str, str]]
    # {file, warning}: indexed, but a person should look (not UTF-8, lines addressing an AI...)
    warnings: list[dict[str, str]] = field(default_factory=list)
    document_list: list[DocumentStatus] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def index_status(store: IndexStore) -> IndexStatus:
    manifest = store.manifest
    files = manifest.files().values()
    check = store.check()
    last = manifest.get("last_ingest")
    skipped = json.loads(manifest.get("last_skipped") or "[]")
    superseded = store.superseded()  # listed as such: indexed, never searched
    return IndexStatus(
        data_dir=str(store.data_dir),
        documents=sum(1 for f in files if f.chunk_ids),
        chunks=manifest.chunk_count(),
        last_ingest=float(last) if last else None,
        consistent=check.consistent,
        problems=check.problems,
        failed=[{"file": f.file, "reason": f.reason} for f in files if f.status != "ok"],
        skipped=[{"file": f, "reason": r} for f, r in skipped],
        warnings=[{"file": f.file, "warning": w} for f in files for w in f.warnings],
        document_list=[
            DocumentStatus(
                f.file,
                f.path,
                f.title,
                f.doc_no,
                f.revision,
                len(f.chunk_ids),
                superseded[f.path].reason if f.path in superseded else f.status,
                f.ingested_at,
            )
            for f in files
        ],
    )
