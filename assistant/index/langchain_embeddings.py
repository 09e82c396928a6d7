"""LangChain ``Embeddings`` over our local model, for LangChain components (baselines, LLMs)."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from assistant.index.embedder import Embedder


class LocalEmbeddings(Embeddings):
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.encode_query(text).tolist()
