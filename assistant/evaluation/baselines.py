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


def _ranked_files(files: list[str]) -> list[str]:
    return list(dict.fromkeys(files))


def dense_fixed(app) -> Callable[[str], list[str]]:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.index.langchain_embeddings import LocalEmbeddings

    docs = []
    for rec in app.store.manifest.files().values():
        if not rec.chunk_ids or not Path(rec.path).exists():
            continue
        loaded = loaders.load(Path(rec.path), app.settings.max_file_bytes)
        text = "\n\n".join(s.text for s in loaded.sections)
        docs.append(Document(page_content=text, metadata={"file": rec.file}))
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(docs)
    client = chromadb.EphemeralClient(chromadb.config.Settings(anonymized_telemetry=False))
    store = Chroma.from_documents(
        chunks, LocalEmbeddings(app.embedder), client=client, collection_name="baseline_dense_fixed"
    )

    def search(question: str) -> list[str]:
        hits = store.similarity_search(question, k=50)
        return _ranked_files([h.metadata["file"] for h in hits])

    return search


def bm25_only(app) -> Callable[[str], list[str]]:
    lexical = app.store.lexical
    manifest = app.store.manifest

    def search(question: str) -> list[str]:
        ids = [cid for cid, _ in lexical.query(question, 50)]
        chunks = manifest.chunks_by_id(ids)
        return _ranked_files([chunks[i].file for i in ids if i in chunks])

    return search
