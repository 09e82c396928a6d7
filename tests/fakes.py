"""Fakes for the fast tier: an embedder that needs no model.

``HashingEmbedder`` turns a text into a bag of hashed content words (384 dimensions, like
MiniLM, L2-normalised), so texts sharing words are close and the index, BM25, the manifest
and every use case run for real, in milliseconds. Its similarities are not MiniLM's: fast
tests assert what does not depend on the model (files, citations, verbatim quotes, order of
writes, messages); thresholds and quality are measured by the real-model tier and `eval`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence

import numpy as np

from assistant.index.embedder import DIMENSIONS, Embedder

_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder(Embedder):
    model_id = "hashed words (tests/fakes.py)"  # nothing fitted on MiniLM applies

    def __init__(self) -> None:
        super().__init__(batch_size=32, fast_dir=None)

    @property
    def model(self):  # the real model must never load in the fast tier
        raise AssertionError("the fast tier must not load the real model")

    def ensure_fast(self) -> bool:
        return False

    def encode(
        self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None
    ) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = zlib.crc32(word.encode())  # stable across processes, unlike hash()
                out[i, h % DIMENSIONS] += 1.0 if h & 1 << 31 else -1.0
            norm = float(np.linalg.norm(out[i]))
            out[i] = out[i] / norm if norm else out[i]
        if on_batch and len(texts):
            on_batch(len(texts))
        return out

    encode_passages = encode

    def word_vectors(
        self, texts: Sequence[str], max_tokens: int | None = None
    ) -> list[list[tuple[str, np.ndarray]]]:
        """Each word as its own hashed vector: the same word matches, any other does not."""
        words = [_WORD.findall(t.lower())[:max_tokens] for t in texts]
        return [[(w, self.encode([w])[0]) for w in ws] for ws in words]
