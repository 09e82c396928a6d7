"""Baselines for the retrieval evaluation, over the same documents as the system.

- ``dense_fixed``: the standard LangChain + Chroma recipe: each document's text cut into fixed
  1,000-character chunks (200 overlap) by RecursiveCharacterTextSplitter, embedded with the same
  local MiniLM model, an in-memory Chroma collection, nearest chunks first.
- ``bm25``: BM25 alone over the system's own chunks.
Both rank documents by their best chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.documents import loaders
from assistant.index.embedder import Embedder
from assistant.index.store import IndexStore

Search = Callable[[str], list[str]]  # a question -> source files, best first


def baselines_for(
    store: IndexStore, embedder: Embedder, max_file_bytes: int
) -> dict[str, Callable[[], Search]]:
    """The baselines reported beside the system, each built when called."""
    return {
        "dense_fixed": lambda: dense_fixed(store, embedder, max_file_bytes),
        "bm25": lambda: bm25_only(store),
    }


def _ranked_files(files: list[str]) -> list[str]:
    return list(dict.fromkeys(files))


def dense_fixed(store: IndexStore, embedder: Embedder, max_file_bytes: int) -> Search:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.index.langchain_embeddings import LocalEmbeddings

    docs = []
    for rec in store.manifest.files().values():
        if not rec.chunk_ids or not Path(rec.path).exists():
            continue
        loaded = loaders.load(Path(rec.path), max_file_bytes)
        text = "\n\n".join(s.text for s in loaded.sections)
        docs.append(Document(page_content=text, metadata={"file": rec.file}))
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(docs)
    client = chromadb.EphemeralClient(chromadb.config.Settings(anonymized_telemetry=False))
    chroma = Chroma.from_documents(
        chunks, LocalEmbeddings(embedder), client=client, collection_name="baseline_dense_fixed"
    )

    def search(question: str) -> list[str]:
        hits = chroma.similarity_search(question, k=50)
        return _ranked_files([h.metadata["file"] for h in hits])

    return search


def bm25_only(store: IndexStore) -> Search:
    lexical = store.lexical
    manifest = store.manifest

    def search(question: str) -> list[str]:
        ids = [cid for cid, _ in lexical.query(question, 50)]
        chunks = manifest.chunks_by_id(ids)
        return _ranked_files([chunks[i].file for i in ids if i in chunks])

    return search
