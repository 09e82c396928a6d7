"""The fitted "not covered" decision for plain questions (usecases/not_covered.py): its signals,
the shipped model being the one its refit command gives, and what users see on the sample."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from assistant.core.models import Chunk, Evidence
from assistant.index.onnx_model import group_word_pieces
from assistant.usecases.not_covered import MODEL_FILE, NotCoveredModel, SignalReader, Signals
from tests.conftest import ROOT
from tests.fakes import HashingEmbedder


def _script():
    spec = importlib.util.spec_from_file_location(
        "fit_not_covered", ROOT / "scripts" / "fit_not_covered.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _passage(text: str) -> Evidence:
    chunk = Chunk(
        "c1", "QP-04.md", "QP-04.md", "Training", "QP-04", "1", "5.2 Leavers", None, 0, text
    )
    return Evidence(chunk, 1.0)


@pytest.mark.fast
def test_the_shipped_model_is_what_its_refit_command_gives():
    """The weights in not_covered.json come from the recorded signals by the fitting code in
    the repository, not by hand; and they were kept because, fitted on the other organisations,
    they were right on at least as many questions as the cosine line on every organisation."""
    fit = _script()
    rows = [json.loads(x) for x in fit.SIGNALS.read_text(encoding="utf-8").splitlines() if x]
    weights, intercept = fit.fit(rows)
    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert shipped["features"] == list(fit.FEATURES)
    assert (
        np.allclose(weights, shipped["weights"], atol=1e-3)
        and abs(intercept - shipped["intercept"]) < 1e-3
    )
    assert {r["organisation"] for r in rows} == {f["organisation"] for f in shipped["folds"]}
    assert shipped["folds"] == fit.folds(rows)
    assert all(f["right"] >= f["right_line"] for f in shipped["folds"])


@pytest.mark.fast
def test_the_model_leans_the_way_its_signals_mean():
    model = NotCoveredModel.load()
    close = Signals(similarity=0.6, word_recall=0.8, elsewhere=0.2)
    assert not model.not_covered(close)
    # the question's own words missing from what was found, a matter for another system
    assert model.not_covered(Signals(similarity=0.4, word_recall=0.45, elsewhere=0.5))
    for signal, value in (("similarity", 0.3), ("word_recall", 0.5), ("elsewhere", 0.6)):
        moved = Signals(**{**close.as_dict(), signal: value})
        assert model.probability(moved) > model.probability(close), signal


@pytest.mark.fast
def test_word_recall_looks_for_the_questions_own_subject_words():
    reader = SignalReader(HashingEmbedder())
    passages = [_passage("Access rights of leavers are removed by IT on their last day.")]
    # "who", "are", "of" carry no subject: only the other words are looked for
    assert reader.word_recall("When are the access rights of leavers removed?", passages) == 1.0
    partly = reader.word_recall("When are the canteen passes of leavers removed?", passages)
    assert 0.0 < partly < 1.0
    assert reader.word_recall("Who removes the access rights?", []) == 0.0
    assert reader.word_recall("Who is it?", passages) == 1.0  # nothing of its own to find


@pytest.mark.fast
def test_word_pieces_are_read_as_whole_words():
    hidden = np.eye(5, dtype=np.float32)
    words = group_word_pieces(
        [None, 0, 0, 1, None], ["[CLS]", "log", "##ins", "revoked", "[SEP]"], hidden
    )
    assert [w for w, _ in words] == ["logins", "revoked"]
    assert np.allclose(words[0][1], np.array([0, 1, 1, 0, 0]) / np.sqrt(2))


def test_the_fast_engine_reads_words_as_torch_does(models_dir: Path):
    from assistant.index.embedder import Embedder

    texts = ["Who cuts off a leaver's logins?", "Access rights are removed on the last day."]
    fast, torch = Embedder(fast_dir=models_dir).word_vectors(texts), Embedder().word_vectors(texts)
    for a, b in zip(fast, torch, strict=True):
        assert [w for w, _ in a] == [w for w, _ in b]
        assert min(float(u @ v) for (_, u), (_, v) in zip(a, b, strict=True)) > 0.9999


def test_a_matter_the_procedures_never_deal_with_is_not_covered(sample):
    """Parking shares "site" and "staff" with the sample's procedures, but none speaks of it."""
    answer = sample.ask("Where can staff charge an electric car when they park on site?")
    assert answer.no_evidence and answer.decided_by == "not covered"
    assert answer.signals["probability"] >= 0.5 and answer.closest
    shown = answer.to_dict()  # what `ask --json` gives other tools
    assert shown["decided_by"] == "not covered" and shown["signals"] == answer.signals


def test_a_question_in_everyday_words_the_procedures_answer_is_answered(sample):
    answer = sample.ask("A gauge failed its final test - who decides whether it gets reworked?")
    assert not answer.no_evidence and answer.signals["probability"] < 0.5
    assert answer.lead
