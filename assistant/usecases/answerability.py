"""How like the questions the documents answer a question and the passage it leads with are: a
linear score over the question's vector and its agreement with the lead passage's, fitted on the
labelled questions of every organisation; one signal of the "not covered" model
(usecases/not_covered.py, ``answerability``).

The model's other signals read the question against this corpus (cosine, words in context) and
against other organisations' labelled questions one neighbour at a time (``precedent``). This
one reads both vectors whole: ``q * p`` (each dimension of the question's vector times the same
dimension of the lead passage's: where they agree) and ``q`` (what the question is about).
Fitted on the plain questions of the fitting sets with logistic regression, its decision value
(log-odds of "not covered") is what the model reads. Measured with nested cross-organisation
folds before it was built (each organisation's questions scored by a "not covered" model fitted
on the others, whose own answerability values came from fits without their organisation and
without the one left out): right on 4903 of 5269 plain questions against 4851, and on more on
each of the seven organisations; refit on 5446, 5080 against 5034 (docs/retrieval.md,
"Answerability").

Kept in ``answerability.npz`` with the embedding model it was fitted for (vectors of another
model mean nothing to it), and one fit per organisation without it, so that ``eval retrieval
--as-new`` reads an organisation as a new one (``without``). Refit with
``scripts/fit_not_covered.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.core.errors import UsageError
from assistant.core.model_files import load_for_model, save_for_model

ANSWERABILITY_FILE = Path(__file__).with_name("answerability.npz")


def pair_features(question: np.ndarray, passage: np.ndarray) -> np.ndarray:
    """What the score reads of a question's vector and its lead passage's: their product,
    dimension by dimension, then the question's own (rows: one pair each, or a single pair)."""
    return np.concatenate([question * passage, question], axis=-1)


@dataclass(frozen=True)
class Answerability:
    weights: np.ndarray  # (2 * dim,) over ``pair_features``
    intercept: float
    model_id: str
    # organisation -> (weights, intercept) fitted without its questions
    folds: dict[str, tuple[np.ndarray, float]] = field(default_factory=dict)

    def score(self, question: np.ndarray, passage: np.ndarray) -> float:
        """Log-odds of "not covered" for the question and the passage it leads with."""
        return float(pair_features(question, passage) @ self.weights + self.intercept)

    def without(self, organisation: str) -> Answerability:
        """The fit without this organisation's questions: its questions read as a new one's."""
        if organisation not in self.folds:
            known = ", ".join(sorted(self.folds))
            raise UsageError(f"no answerability fit without {organisation!r} (only {known})")
        weights, intercept = self.folds[organisation]
        return Answerability(weights, intercept, self.model_id, self.folds)

    def save(self, path: Path = ANSWERABILITY_FILE) -> None:
        orgs = sorted(self.folds)
        save_for_model(
            path,
            self.model_id,
            weights=self.weights.astype(np.float32),
            intercept=np.array(self.intercept),
            organisations=np.array(orgs, dtype=str),
            fold_weights=np.array([self.folds[o][0] for o in orgs], dtype=np.float32).reshape(
                len(orgs), len(self.weights)
            ),
            fold_intercepts=np.array([self.folds[o][1] for o in orgs], dtype=np.float64),
        )

    @classmethod
    def load(cls, model_id: str, path: Path = ANSWERABILITY_FILE) -> Answerability | None:
        """The shipped fit, or None when there is none for this embedding model."""
        arrays = load_for_model(path, model_id)
        if arrays is None:
            return None
        weights, intercepts = arrays["fold_weights"], arrays["fold_intercepts"]
        folds = {
            str(o): (weights[i].astype(np.float64), float(intercepts[i]))
            for i, o in enumerate(arrays["organisations"])
        }
        return cls(
            arrays["weights"].astype(np.float64), float(arrays["intercept"]), model_id, folds
        )
