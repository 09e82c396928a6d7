"""Chroma adapter. Embeddings are always computed by us and passed in: Chroma's default
embedding function would try to download a model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.errors import IndexUnavailableError, UsageError

COLLECTION = "procedure_chunks"
# Chroma caps one write; stay well below it.
_WRITE_BATCH = 1000


def _metadata(chunk: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata must be scalar and not None."""
    return {k: v for k, v in chunk.items() if k not in ("text", "id") and v is not None}


@dataclass(frozen=True)
class VectorConfig:
    """Where the vectors live: an embedded store in the data directory (one machine, one
    writing process) or a Chroma server (several processes or machines)."""

    kind: str = "embedded"  # "embedded" | "server"
    host: str = "127.0.0.1"
    port: int = 8000
    collection: str = COLLECTION


def _embedded_client(config: VectorConfig, directory: Path) -> Any:
    import chromadb

    directory.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(directory), settings=_chroma_settings())


def _server_client(config: VectorConfig, directory: Path) -> Any:
    import chromadb

    try:
        client = chromadb.HttpClient(
            host=config.host, port=config.port, settings=_chroma_settings()
        )
        client.heartbeat()
    except Exception as exc:  # connection refused, timeout, wrong service
        raise IndexUnavailableError(
            f"cannot reach the Chroma server at {config.host}:{config.port} ({exc}); start "
            f"it with: chroma run --path DIR --host {config.host} --port {config.port}"
        ) from None
    return client


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=True)


# Where vectors can live, by the ``vector_store`` setting: one function and one line per kind.
CLIENTS: dict[str, Callable[[VectorConfig, Path], Any]] = {
    "embedded": _embedded_client,  # a folder in the data directory; one writing process
    "server": _server_client,  # a Chroma server; several processes or machines
}


def _client(config: VectorConfig, directory: Path) -> Any:
    make = CLIENTS.get(config.kind)
    if make is None:
        raise UsageError(
            f"unknown vector store {config.kind!r}: use {', '.join(CLIENTS)} (setting vector_store)"
        )
    return make(config, directory)


class ChromaStore:
    def __init__(self, directory: Path, config: VectorConfig | None = None) -> None:
        self.config = config or VectorConfig()
        self._client = _client(self.config, directory)
        self._name = self.config.collection
        self._collection = self._client.get_or_create_collection(
            self._name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )

    def close(self) -> None:
        """Release the client, so its folder can be moved or deleted (chromadb shares one system
        per folder in a process until it is closed)."""
        close = getattr(self._client, "close", None)  # not every chromadb client has one
        if close is not None:
            close()

    def upsert(self, chunks: Sequence[dict[str, Any]], embeddings: np.ndarray) -> None:
        for start in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[start : start + _WRITE_BATCH]
            self._collection.upsert(
                ids=[c["id"] for c in part],
                embeddings=embeddings[start : start + _WRITE_BATCH],
                documents=[c["text"] for c in part],
                metadatas=[_metadata(c) for c in part],
            )

    def update_metadata(self, chunks: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[start : start + _WRITE_BATCH]
            self._collection.update(
                ids=[c["id"] for c in part], metadatas=[_metadata(c) for c in part]
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), _WRITE_BATCH):
            self._collection.delete(ids=ids[start : start + _WRITE_BATCH])

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self._collection.get(include=[], limit=page, offset=offset)["ids"]
            out.update(got)
            if len(got) < page:
                return out
            offset += page

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id (missing ids are left out)."""
        if not ids:
            return {}
        res = self._collection.get(ids=list(ids), include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32)
            for i, v in zip(res["ids"], res["embeddings"], strict=True)
        }

    def count(self) -> int:
        return self._collection.count()

    def query(self, embedding: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        total = self.count()
        if total == 0:
            return []
        res = self._collection.query(
            query_embeddings=[embedding], n_results=min(n, total), include=["distances"]
        )
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def clear(self) -> None:
        self._client.delete_collection(self._name)
        self._collection = self._client.get_or_create_collection(
            self._name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
