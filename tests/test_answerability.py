"""The answerability signal of the "not covered" model (usecases/answerability.py): its score, the
file it is kept in, the fit without an organisation for reading it as a new one, how the answer
reads it, and the shipped fit being what its refit command gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.core.errors import UsageError
from assistant.core.models import Chunk, Evidence
from assistant.index.embedder import MODEL_ID
from assistant.usecases.answerability import Answerability, pair_features
from assistant.usecases.not_covered import SignalReader
from tests.conftest import load_script
from tests.fakes import HashingEmbedder


def _fit(dim: int = 8, seed: int = 1) -> Answerability:
    rng = np.random.default_rng(seed)
    folds = {
        "acme": (rng.normal(size=2 * dim), -0.5),
        "brightwater": (rng.normal(size=2 * dim), 0.2),
    }
    return Answerability(rng.normal(size=2 * dim), 0.3, "m1", folds)


@pytest.mark.fast
def test_the_score_reads_the_question_and_its_agreement_with_the_lead_passage():
    fit = _fit()
    q, p = np.arange(8, dtype=float) / 10, np.ones(8) / 3
    assert np.allclose(pair_features(q, p), np.concatenate([q * p, q]))
    assert fit.score(q, p) == pytest.approx(float(np.concatenate([q * p, q]) @ fit.weights) + 0.3)
    # the same question led by a passage that agrees with it on other dimensions scores apart
    assert fit.score(q, p) != pytest.approx(fit.score(q, -p))


@pytest.mark.fast
def test_an_organisation_is_read_as_new_with_the_fit_made_without_it():
    fit = _fit()
    q, p = np.ones(8) / 8, np.ones(8) / 8
    new = fit.without("acme")
    assert np.array_equal(new.weights, fit.folds["acme"][0]) and new.intercept == -0.5
    assert new.score(q, p) != pytest.approx(fit.score(q, p))
    with pytest.raises(UsageError, match="no answerability fit without 'nowhere'"):
        fit.without("nowhere")


@pytest.mark.fast
def test_the_fit_is_kept_whole_and_only_for_its_embedding_model(tmp_path: Path):
    fit, path = _fit(), tmp_path / "answerability.npz"
    fit.save(path)
    back = Answerability.load("m1", path)
    assert back is not None and sorted(back.folds) == ["acme", "brightwater"]
    q, p = np.linspace(-1, 1, 8), np.linspace(1, -1, 8)
    assert back.score(q, p) == pytest.approx(fit.score(q, p), abs=1e-5)
    assert back.without("brightwater").score(q, p) == pytest.approx(
        fit.without("brightwater").score(q, p), abs=1e-5
    )
    assert Answerability.load("m2", path) is None  # another model's vectors mean nothing here
    assert Answerability.load("m1", tmp_path / "none.npz") is None
    assert not list(tmp_path.glob("*.partial*"))


@pytest.mark.fast
def test_the_answer_reads_it_from_the_lead_passages_stored_vector():
    embedder = HashingEmbedder()
    chunk = Chunk("c1", "QP-15.md", "QP-15.md", "Maintenance", "QP-15", "1", "4", None, 0, "x")
    passage = Evidence(chunk, 1.0)
    dim = len(embedder.encode_query("a spindle grinds"))
    stored_vector = embedder.encode(["Stop the machine and report the fault."])[0]
    fit = _fit(dim)
    reader = SignalReader(embedder, answerability=fit, stored=lambda ids: {"c1": stored_vector})
    question = "The spindle grinds, what now?"
    signals = reader.read(question, 0.5, [passage])
    assert signals.lead == "c1"
    assert signals.answerability == pytest.approx(
        fit.score(embedder.encode_query(question), stored_vector)
    )
    # nothing to read it from: no passage, no stored vector, or no fit
    assert reader.read(question, 0.0, []).answerability == 0.0
    missing = SignalReader(embedder, answerability=fit, stored=lambda ids: {})
    assert missing.read(question, 0.5, [passage]).answerability == 0.0
    assert SignalReader(embedder).read(question, 0.5, [passage]).answerability == 0.0


def test_the_shipped_fit_is_what_its_refit_command_gives():
    """answerability.npz, and the values the folds read (kept beside the recorded signals),
    come from the recorded vectors by the fitting code in the repository."""
    fit = load_script("fit_not_covered")
    questions = fit.Questions.cached()
    shipped = Answerability.load(MODEL_ID)
    assert shipped is not None
    refit = questions.answerability()
    assert np.allclose(refit.weights, shipped.weights, atol=1e-4)
    assert refit.intercept == pytest.approx(shipped.intercept, abs=1e-4)
    assert sorted(shipped.folds) == sorted(set(questions.organisations))
    for org, (weights, intercept) in refit.folds.items():
        assert np.allclose(weights, shipped.folds[org][0], atol=1e-4), org
        assert intercept == pytest.approx(shipped.folds[org][1], abs=1e-4)
    # the nested values of one fold, recomputed, are the recorded ones
    recomputed = fit.Questions(questions.rows, questions.vectors, questions.leads)
    assert np.allclose(
        recomputed.answerability_column("openregulatory"),
        questions.answerability_column("openregulatory"),
        atol=1e-6,
    )
