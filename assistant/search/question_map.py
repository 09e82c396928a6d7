"""A fitted map on a question's vector, towards the passages that answer such questions.

MiniLM reads "what do we do when a gauge fails its check?" and "control of monitoring and
measuring equipment" as far apart; a quality system's passages are written in the second kind
of words, staff ask in the first. The map is a 384 x 384 matrix kept near the identity, fitted
on the answered questions of every organisation's fitting sets (each question's expected
documents against all others, by the best cosine of their passages), and applied to a
question's vector before the dense search: ``normalise(M @ q)``. Passages and clause cards are
searched as the model reads them.

Fitted with ``scripts/fit_question_map.py`` (which also measures it with each organisation left
out: docs/retrieval.md, "A fitted map on the question's vector"). The file keeps ``M - I`` as
float16 (the difference is small, so its precision is kept) and the model it was fitted for: a
map fitted for another model is not applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.model_files import load_for_model, save_for_model

MAP_FILE = Path(__file__).with_name("question_map.npz")
# The same recipe fitted with each evaluated organisation left out (``--write-folds``): what
# ``assistant eval retrieval --as-new ORG`` searches with, so an organisation's figures "as
# new" are read through a map that never saw its questions. A map that has seen an
# organisation's earlier questions ranks even its new ones better (stop 40: docs/retrieval.md,
# "What the map learns"); a new user's organisation is never among them.
FOLDS_FILE = Path(__file__).with_name("question_map_folds.npz")


@dataclass(frozen=True)
class QuestionMap:
    matrix: np.ndarray  # (dim, dim), float32
    model_id: str

    def apply(self, vector: np.ndarray) -> np.ndarray:
        """The moved vector, unit length as every vector the search compares."""
        moved = self.matrix @ vector
        norm = float(np.linalg.norm(moved))
        return (moved / norm).astype(np.float32) if norm else vector

    def save(self, path: Path = MAP_FILE) -> None:
        save_for_model(path, self.model_id, delta=_to_delta(self.matrix))

    @classmethod
    def load(cls, model_id: str, path: Path = MAP_FILE) -> QuestionMap | None:
        """The shipped map, or None when there is none or it was fitted for another model."""
        arrays = load_for_model(path, model_id)
        if arrays is None:
            return None
        return cls(_from_delta(arrays["delta"]), model_id)

    @classmethod
    def load_fold(
        cls, model_id: str, organisation: str, path: Path = FOLDS_FILE
    ) -> QuestionMap | None:
        """The map fitted without this organisation's questions, or None when none was kept
        for it (or for this model)."""
        arrays = load_for_model(path, model_id)
        if arrays is None or organisation not in arrays:
            return None
        return cls(_from_delta(arrays[organisation]), model_id)


def save_folds(matrices: dict[str, np.ndarray], model_id: str, path: Path = FOLDS_FILE) -> None:
    """Each organisation's fold map (fitted without it), kept as ``M - I`` in float16 like the
    shipped map."""
    save_for_model(path, model_id, **{org: _to_delta(m) for org, m in matrices.items()})


def _to_delta(matrix: np.ndarray) -> np.ndarray:
    return (matrix - np.eye(len(matrix), dtype=np.float32)).astype(np.float16)


def _from_delta(delta: np.ndarray) -> np.ndarray:
    return np.eye(len(delta), dtype=np.float32) + delta.astype(np.float32)
