"""The short answer's sentence scorer (usecases/lead_choice.py): fitted, shipped, and used."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.core.models import Chunk, Evidence
from assistant.usecases.lead_choice import (
    FEATURES,
    MODEL_PATH,
    Candidate,
    LeadModel,
    features,
    question_kind,
)
from tests.conftest import load_script


@pytest.mark.fast
@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who signs off a concession?", (True, False, False)),
        ("How often is the register reviewed?", (False, True, False)),
        ("By when must the supplier reply?", (False, True, False)),
        ("The label is missing - what do I do with the gauge?", (False, False, True)),
        ("Can I still ship it if the certificate is late?", (False, False, True)),
        ("Where is the quality policy kept?", (False, False, False)),
        # any "do we / can I" question asks what is done or allowed: read as "what if" too
        ("How do we control our documents?", (False, False, True)),
    ],
)
def test_the_kind_of_question_is_read_from_its_words(question: str, kind: tuple):
    assert question_kind(question) == kind


def _candidate(text: str) -> Candidate:
    chunk = Chunk("c1", "QP-01.md", "/q/QP-01.md", "T", "QP-01", "1", "5 Method", None, 0, text)
    return Candidate(text, Evidence(chunk, 1.0), 0, 0, 1.0, True)


@pytest.mark.fast
def test_the_shipped_model_prefers_the_sentence_that_meets_the_kind_of_question():
    """Of two sentences equally close to a "who" question, the one naming a role is chosen;
    of two equally close to a "when" question, the one holding a time."""
    model = LeadModel.load()
    assert model is not None and len(model.weights) == len(FEATURES)
    who = [
        _candidate("Concessions are recorded on the nonconformity report form."),
        _candidate("The Quality Manager approves every concession in writing."),
    ]
    p = model.probabilities(features("Who approves a concession?", who, np.array([0.6, 0.6])))
    assert p[1] > p[0]
    when = [
        _candidate("The supplier register is reviewed by the purchasing team."),
        _candidate("The supplier register is reviewed every six months by purchasing."),
    ]
    p = model.probabilities(
        features("How often is the register reviewed?", when, np.array([0.6, 0.6]))
    )
    assert p[1] > p[0]
    # closeness still counts most: a much closer sentence wins without the cue
    p = model.probabilities(features("Who approves a concession?", who, np.array([0.8, 0.4])))
    assert p[0] > p[1]


@pytest.mark.fast
def test_a_model_file_fitted_on_other_signals_is_not_used(tmp_path: Path):
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = [*data["features"][:-1], "something else"]
    stale = tmp_path / "lead_sentences.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    assert LeadModel.load(stale) is None
    assert LeadModel.load(tmp_path / "missing.json") is None


@pytest.mark.fast
def test_the_fit_chooses_the_most_first_sentences_that_costs_no_organisation():
    fit = load_script("fit_lead_sentences")
    today = {
        "a": {"first": 5, "short": 6, "second": 3},
        "b": {"first": 5, "short": 6, "second": 3},
    }

    def t(a: int, b: int, short: int = 6, second: int = 2) -> dict:
        return {
            "a": {"first": a, "short": short, "second": second},
            "b": {"first": b, "short": short, "second": second},
        }

    results = {
        (2, 0.7, 1.0): t(9, 4),  # the most in all, but b loses one
        (3, 0.7, 1.0): t(6, 6, short=7, second=5),  # more second sentences than today
        (3, 1.0, 1.0): t(6, 6, short=6, second=0),
        (4, 0.85, 1.0): t(6, 6, short=7, second=2),
        (6, 0.85, 1.0): t(5, 6),
    }
    assert fit.chosen(results, today) == (4, 0.85, 1.0)


# Staff questions of the sample organisation whose answering sentence the hand-set scorer did
# not quote first (evals/answer-sentences, fitting labels): the fitted one does, from a
# passage of the leading document the answer's own passages did not hold, or by the question's
# kind (a condition for "what do I do", a role for "who", a frequency for "how often").
ANSWERED = [
    (
        "I'm setting up the clean room for oxygen gauges and the humidity reading is outside "
        "the allowed range. What do I do?",
        "If any reading is outside its limit, oxygen-service assembly stops at once.",
    ),
    (
        "Our quality head, who normally signs finished product out for shipping, is off site "
        "this week - who else is allowed to let finished gauges leave?",
        "the Metrology Lead, who may release product only when the Quality Manager is absent",
    ),
    (
        "How often does the metrology lab check the pressure gauges we use on the assembly "
        "benches?",
        "Working gauges and test-bay master gauges are checked monthly against the reference set",
    ),
]


@pytest.mark.parametrize(("question", "answer"), ANSWERED)
def test_the_short_answer_quotes_the_sentence_that_answers_first(sample, question, answer):
    lead = sample.ask(question).lead
    assert lead and answer in lead[0].text
    assert all(q.text in q.passage for q in lead)  # verbatim, from the passage it cites


@pytest.mark.fast
def test_the_short_answer_reads_past_the_answers_own_passages_and_shows_where_it_quoted():
    """The answering sentence is in the leading document's third passage, which the answer's
    own passages (two a document) do not hold: it is quoted, and shown in its context."""
    from assistant.usecases.composer import Answer

    def passage(n: int, text: str) -> Evidence:
        chunk = Chunk(
            f"qp-{n}", "QP-09.md", "/q/QP-09.md", "Stores", "QP-09", "1", "5 Method", None, n, text
        )
        return Evidence(chunk, 1.0 / (n + 1))

    shown = [
        passage(0, "5.1 Goods received are booked into the stores system by the storeman."),
        passage(1, "5.2 Stores are kept clean and tidy, and stock is rotated first in first out."),
    ]
    beyond = passage(2, "5.3 The Stores Supervisor signs the stock count sheet every Friday.")
    question = "Who signs the stock count sheet?"

    def closeness(texts):  # the answering sentence is the closest in meaning
        return np.array([0.7 if "signs" in t else 0.3 for t in texts])

    answer = Answer(
        question,
        "plain",
        evidence=shown,
        ranked_files=["QP-09.md"],
        closeness=closeness,
        passages_by_file={"QP-09.md": [*shown, beyond]},
        lead_model=LeadModel.load(),
    )
    assert answer.lead[0].text == beyond.chunk.text
    first, more = answer.sources()
    assert beyond in first and beyond not in more
    # without the document's other passages, only what the answer holds can be quoted
    alone = Answer(
        question,
        "plain",
        evidence=shown,
        ranked_files=["QP-09.md"],
        closeness=closeness,
        lead_model=LeadModel.load(),
    )
    assert all(q.passage != beyond.chunk.text for q in alone.lead)


@pytest.mark.fast
def test_the_shipped_weights_are_what_the_fit_gives():
    """The shipped scorer is the fit of its saved candidates (scripts/fit_lead_sentences.py
    --write keeps both): a weight edited by hand, or a fit not shipped, fails here."""
    from assistant.evaluation.logistic import fit_logistic

    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    fit = load_script("fit_lead_sentences")
    with np.load(fit.CANDIDATES) as saved:
        x, y = saved["x"], saved["y"]
    assert x.shape[1] == len(FEATURES) and 0 < y.sum() < len(y)
    weights, intercept = fit_logistic(x, y, shipped["c"])
    assert np.allclose(weights, shipped["weights"], atol=1e-6)
    assert intercept == pytest.approx(shipped["intercept"], abs=1e-6)
