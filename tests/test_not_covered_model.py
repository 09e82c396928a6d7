"""The fitted "not covered" decision for plain questions (usecases/not_covered.py): its signals,
the shipped model being the one its refit command gives, and what users see on the sample."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.core.models import Chunk, Evidence
from assistant.index.onnx_model import group_word_pieces
from assistant.ui.render import plain
from assistant.usecases.ask import CAUTION
from assistant.usecases.not_covered import (
    ELSEWHERE,
    MODEL_FILE,
    NotCoveredModel,
    Precedents,
    SignalReader,
    Signals,
    precedent_score,
    precedent_signal,
)
from tests.conftest import ROOT, load_script
from tests.fakes import HashingEmbedder


def _script():
    return load_script("fit_not_covered")


# Not in the sample's procedures, though its maintenance passages come close: answered, in the
# caution band. (Until stop 36 this was how many parts a cutting insert may machine; with the
# sample's own labelled questions among the precedents, that is now not covered.)
# Not in the sample's procedures, but its competence and HR passages come close: the model
# stops short of "not covered" (0.43 at stop 38, 0.44 at stop 39; the staff fridge, used here
# until stop 37, is refused since the refit with confirm51 and confirm52).
HOME_WORKING = (
    "Am I allowed to work from home a couple of days a week if my manager is happy with it?"
)
LEAVE = "Who do I ask about booking a week's leave in August?"
# In the sample's maintenance procedure (QP-15: stop the machine, report the fault), in words far
# from it: the three signals alone called it not covered (0.69).
GRINDING_SPINDLE = (
    "The spindle on the lathe started making a grinding noise in the middle of a run. I've "
    "stopped it - what now?"
)


def _passage(text: str) -> Evidence:
    chunk = Chunk(
        "c1", "QP-04.md", "QP-04.md", "Training", "QP-04", "1", "5.2 Leavers", None, 0, text
    )
    return Evidence(chunk, 1.0)


# Not in the fast tier: the refit and its choice of penalty over every fold take 15 s and grow
# with each set that joins the fitting sets (half the tier's 30 s at stop 54); `make test` runs it.
def test_the_shipped_model_is_what_its_refit_command_gives():
    """The weights in not_covered.json come from the recorded signals by the fitting code in
    the repository, not by hand; and they were kept because, fitted on the other organisations,
    they were right on at least as many questions as the cosine line on every organisation."""
    fit = _script()
    # the recorded signals, with the questions' vectors shipped for the precedent signal
    questions = fit.Questions.cached()
    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert shipped["questions"] == len(questions.rows)
    # no other penalty does better on the folds without doing worse on an organisation, and
    # the model is fitted with it
    c = shipped["c"]
    assert fit.choose_c(questions, c) == c
    weights, intercept = fit.fit(questions, c)
    assert shipped["features"] == list(fit.FEATURES)
    assert (
        np.allclose(weights, shipped["weights"], atol=1e-3)
        and abs(intercept - shipped["intercept"]) < 1e-3
    )
    organisations = {r["organisation"] for r in questions.rows}
    assert organisations == {f["organisation"] for f in shipped["folds"]}
    assert shipped["folds"] == fit.folds(questions, c)
    assert all(f["right"] >= f["right_line"] for f in shipped["folds"])
    # the caution band's edge is the one its rule picks from the same folds
    assert shipped["caution"] == fit.caution_table(questions, c)
    assert shipped["caution_from"] == fit.caution_from(shipped["caution"])
    assert NotCoveredModel.load().caution_from == shipped["caution_from"]


@pytest.mark.fast
def test_the_caution_edge_is_where_it_does_most_good():
    """Each not-answered question a caution marks counts three times, each right answer it
    doubts once against; no caution where it does no good."""
    fit = _script()

    def row(edge: float, cautioned: int, not_answered: int) -> dict:
        return {"from": edge, "cautioned": cautioned, "not_answered": not_answered}

    # 0.3: 3 x 10 - 20 = 10; 0.35: 3 x 8 - 8 = 16; 0.4: 3 x 4 - 2 = 10
    assert fit.caution_from([row(0.3, 30, 10), row(0.35, 16, 8), row(0.4, 6, 4)]) == 0.35
    # equal good: the higher edge, fewer cautions on right answers
    assert fit.caution_from([row(0.3, 10, 4), row(0.35, 6, 3)]) == 0.35  # 6 and 6
    # mostly right answers doubted at every edge: no caution
    assert fit.caution_from([row(0.3, 40, 5), row(0.4, 20, 2)]) == 1.0


@pytest.mark.fast
def test_the_caution_band_doubts_answers_short_of_not_covered():
    model = NotCoveredModel(("similarity",), (1.0,), 0.0, caution_from=0.35)
    assert [model.doubtful(p) for p in (0.1, 0.35, 0.49, 0.5, 0.9)] == [
        False, True, True, False, False
    ]  # fmt: skip
    # a model without an edge never doubts
    assert not NotCoveredModel(("similarity",), (1.0,), 0.0).doubtful(0.49)


@pytest.mark.fast
def test_the_model_leans_the_way_its_signals_mean():
    model = NotCoveredModel.load()
    close = Signals(similarity=0.6, word_recall=0.8, elsewhere=0.2, precedent=-0.05)
    assert not model.not_covered(close)
    # the question's own words missing from what was found, a matter for another system, and
    # most like questions other organisations' documents did not answer
    assert model.not_covered(
        Signals(similarity=0.4, word_recall=0.45, elsewhere=0.5, precedent=0.1)
    )
    moves = (("similarity", 0.3), ("word_recall", 0.5), ("elsewhere", 0.6), ("precedent", 0.1))
    for signal, value in moves:
        moved = Signals(**{**close.as_dict(), signal: value})
        assert model.probability(moved) > model.probability(close), signal


@pytest.mark.fast
def test_precedent_weighs_the_closest_questions_of_each_kind():
    """The mean of the three best cosines to questions not answered, less that to answered."""
    similarities = np.array([0.9, 0.8, 0.7, 0.1, 0.6, 0.5, 0.4, 0.3])
    not_answered = np.array([True, True, True, True, False, False, False, False])
    assert precedent_score(similarities, not_answered) == pytest.approx(0.8 - 0.5)
    assert precedent_score(similarities, ~not_answered) == pytest.approx(0.5 - 0.8)
    # too few of a kind to weigh: neither way
    assert precedent_score(similarities[:5], not_answered[:5]) == 0.0


@pytest.mark.fast
def test_precedent_says_less_where_the_corpus_speaks_of_the_question():
    # weighed by the share of the question's words the lead passages leave unmatched
    assert precedent_signal(0.2, word_recall=0.9) == pytest.approx(0.02)
    assert precedent_signal(0.2, word_recall=0.4) == pytest.approx(0.12)
    # on a topic the corpus speaks of, other organisations' refusals do not count; their
    # answers still do
    assert precedent_signal(0.2, 0.4, topic_named=True) == 0.0
    assert precedent_signal(-0.2, 0.4, topic_named=True) == pytest.approx(-0.12)


@pytest.mark.fast
def test_precedents_are_kept_small_and_only_for_their_model(tmp_path: Path):
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.arange(40) % 2 == 0
    kept = Precedents(
        vectors, labels, np.array(["a"] * 40), np.array([f"s#{i}" for i in range(40)]), "m1"
    )
    path = tmp_path / "precedents.npz"
    kept.save(path)
    back = Precedents.load("m1", path)
    assert back is not None and list(back.keys) == list(kept.keys)
    assert np.array_equal(back.not_answered, labels)
    assert back.matters is not None and set(back.matters) == {""}  # none on a named standard
    # int8 rows: every question reads within a hair of its full-precision self
    assert np.all(np.sum(back.vectors * vectors, axis=1) > 0.999)
    question = vectors[0]
    assert back.read(question) == pytest.approx(kept.read(question), abs=0.01)
    # examples read by another model are not compared with this one's vectors
    assert Precedents.load("m2", path) is None
    assert Precedents.load("m1", tmp_path / "none.npz") is None
    assert not list(tmp_path.glob("*.partial*"))  # nothing half-written left behind


@pytest.mark.fast
def test_a_standard_the_documents_name_is_no_evidence_of_a_matter_outside_them():
    """An integrated system's documents name ISO 14001: for its questions the environmental
    matters are not "elsewhere", and the question's matter is kept as that standard's."""
    named: set[str] = set()
    reader = SignalReader(HashingEmbedder(), mentions=lambda word: word in named)
    text = next(text for standard, text in ELSEWHERE if standard == "14001")
    vector = reader.embedder.encode([text])[0]
    assert reader.elsewhere(vector, reader.declared()) == (pytest.approx(1.0), "")
    named.add("14001")
    assert reader.declared() == {"14001"}
    cosine, matter = reader.elsewhere(vector, reader.declared())
    assert cosine < 0.9 and matter == "14001"
    # a reader without the lexical index declares nothing
    assert SignalReader(HashingEmbedder()).declared() == frozenset()


@pytest.mark.fast
def test_precedents_on_a_standard_the_documents_do_not_name_are_not_read():
    """What an integrated system answered about spills says nothing of a quality system that
    never names ISO 14001; its answers on quality matters still count."""
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(8, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    question = vectors[0]
    # the three closest are answered environmental questions of an integrated system
    close = np.argsort(vectors @ question)[::-1]
    not_answered = np.ones(8, dtype=bool)
    not_answered[close[:3]] = False
    matters = np.array([""] * 8, dtype=object)
    matters[close[:3]] = "14001"
    kept = Precedents(
        vectors,
        not_answered,
        np.array(["ims"] * 8),
        np.arange(8).astype(str),
        "m",
        matters.astype(str),
    )
    assert kept.read(question, frozenset({"14001"})) < 0  # most like answered ones
    assert kept.read(question) == 0.0  # those left out: too few answered to weigh
    # the same answers on quality matters (no standard's) count for every corpus
    quality = replace(kept, matters=np.full(8, ""))
    assert quality.read(question) == kept.read(question, frozenset({"14001"}))


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
    engine = Embedder(fast_dir=models_dir)
    # the fast copy is made here if no earlier test made it: without it the test would compare
    # torch with torch; and made in this process, it must leave torch reading as before
    assert engine.ensure_fast() and engine.fast is not None
    fast, torch = engine.word_vectors(texts), Embedder().word_vectors(texts)
    assert all(
        float(u @ v) > 0.9999
        for a, b in zip(torch, Embedder().word_vectors(texts), strict=True)
        for (_, u), (_, v) in zip(a, b, strict=True)
    )  # torch reads the same words the same way twice (no dropout left on by the export)
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


def test_the_companys_accounts_are_not_a_quality_matter(sample):
    """Audits and records fill the sample's procedures, so "which firm audits the accounts" came
    close to its internal-audit procedure (probability 0.38) until the company's money matters
    joined the matters a quality system does not deal with (stop 28: 0.74)."""
    answer = sample.ask("Who prepares the company's year-end accounts, and which firm audits them?")
    assert answer.no_evidence and answer.decided_by == "not covered"
    assert answer.signals["elsewhere"] > 0.6


def test_a_question_in_everyday_words_the_procedures_answer_is_answered(sample):
    answer = sample.ask("A gauge failed its final test - who decides whether it gets reworked?")
    assert not answer.no_evidence and answer.signals["probability"] < 0.5
    assert answer.lead


def test_a_scenario_like_those_other_organisations_answer_is_answered(sample, monkeypatch):
    """Asked as a new organisation's question would be (the sample's own labelled questions
    left out of the precedents): questions like it (a machine stopped, an instrument dropped)
    were answered by other organisations' documents, so the answer is given, from the
    maintenance procedure. Everyday matters lean the other way."""
    reader, _ = sample.ask_service.not_covered
    monkeypatch.setattr(reader, "precedents", reader.precedents.without("sample"))
    answer = sample.ask(GRINDING_SPINDLE)
    assert not answer.no_evidence and answer.signals["precedent"] < 0
    assert answer.ranked_files[0].startswith("QP-15")
    for question in ("Can I bring my dog to work on Fridays?", LEAVE):
        refused = sample.ask(question)
        assert refused.no_evidence and refused.signals["precedent"] > 0, question


def test_an_organisation_without_precedents_is_named(sample):
    from assistant.core.errors import UsageError

    reader, _ = sample.ask_service.not_covered
    with pytest.raises(UsageError, match="no precedents of organisation 'acme'"):
        reader.leave_out("acme")


@pytest.fixture
def doubting(sample, monkeypatch: pytest.MonkeyPatch):
    """The sample with a caution edge just below HOME_WORKING's probability: the shipped edge
    is fitted (scripts/fit_not_covered.py; 0.45 since stop 36, off at stop 35), and a test
    pinned to it would fail with every refit rather than when the caution breaks."""
    reader, model = sample.ask_service.not_covered
    probability = sample.ask(HOME_WORKING).signals["probability"]
    assert probability < 0.5  # answered: the closest passages come close
    edge = replace(model, caution_from=probability - 0.01)
    monkeypatch.setattr(sample.ask_service, "not_covered", (reader, edge))
    return sample


def test_an_answer_the_model_doubts_is_shown_with_a_caution(doubting):
    """Working from home is not in the sample's procedures, but passages on people come
    close: the model stops short of "not covered", so in the caution band the closest passages
    are shown under a caution rather than as the answer without one."""
    answer = doubting.ask(HOME_WORKING)
    assert not answer.no_evidence and answer.caution
    assert answer.to_dict()["caution"] == answer.caution
    # a clearly answered question carries none, nor does one that is not covered
    assert not doubting.ask("Who approves a concession for a nonconforming gauge?").caution
    refused = doubting.ask("Where can staff charge an electric car when they park on site?")
    assert refused.no_evidence and not refused.caution


def test_ask_prints_the_caution_above_the_passages(doubting, capsys) -> None:
    from assistant.cli import print_answer

    print_answer(doubting.ask(HOME_WORKING))
    out = capsys.readouterr().out
    assert out.index("Caution: The documents may not answer this directly") < out.index("[1] ")
    # the passages it leads with are not called the answer
    assert "Closest passages in our procedures:" in out
    assert "Answer from our procedures" not in out


@pytest.mark.fast
def test_the_evaluation_counts_cautions_on_both_sides():
    from assistant.evaluation.retrieval import summarise

    def row(expected: list[str], no_evidence: bool, caution: bool) -> dict:
        rank = 1 if expected and not no_evidence else None
        return {
            "kind": "interview",
            "expected_sources": expected,
            "rank": rank,
            "no_evidence": no_evidence,
            "caution": caution,
        }

    rows = [
        row([], True, False),  # refused: right
        row([], False, True),  # answered with a caution
        row([], False, False),  # answered as if fine: the harm
        row(["QP-11.md"], False, True),  # a right answer doubted
        row(["QP-11.md"], False, False),
    ]
    result = summarise(rows, [])
    assert result["no_answer_accuracy"] == 0.6
    assert result["not_covered_or_caution"] == round(2 / 3, 4)
    assert result["caution_rate_answerable"] == 0.5


def test_the_ask_page_shows_the_caution_with_the_passages(monkeypatch, sample):
    from streamlit.testing.v1 import AppTest

    # The page builds its own assistant, with the shipped model, whose caution edge is fitted
    # (off at stop 35, 0.45 at stop 36); a follow-up refused only because its topic diluted it
    # is the other way to a caution (tests/test_conversation.py), and is shown the same way.
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(sample.settings.data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.chat_input[0].set_value("How do we meet clause 8.7?").run()
    at.chat_input[0].set_value("How many people have to be on an 8D team?").run()
    assert not at.exception
    bubble = at.chat_message[-1]
    assert [w.value for w in bubble.warning] == [plain(CAUTION)]
    said = [m.value for m in bubble.markdown]
    assert "**Sources**" in said  # the passages are still shown
    assert "**Closest passages in our procedures**" in said
    assert "**Answer from our procedures**" not in said


# An integrated system's environmental procedure answers this; the sample's procedures do not.
SIGNIFICANT_ASPECTS = "How do we work out which of our environmental aspects are significant?"
KESTREL = ROOT / "evals" / "orgs" / "kestrel" / "documents"


def test_an_integrated_systems_own_environmental_matters_are_answered(
    tmp_path: Path, sample, models_dir: Path
):
    """Kestrel's manual names ISO 14001 and ISO 45001: for its questions the environment is
    not a matter outside its system, and precedents on it count only for corpora that name
    the standard. Asked as a new organisation's would be (its own labelled questions left out
    of the precedents), its aspects procedure answers; the sample, which never names ISO
    14001, still says not covered."""
    from tests.conftest import make_assistant

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (
        "KWR-IMS-01 Integrated Management System Manual.md",
        "KWR-IMS-08 Environmental Aspects and Impacts and Compliance Obligations.md",
        "KWR-IMS-10 Spill, Fire and Emergency Response.md",
    ):
        (docs / name).write_text((KESTREL / name).read_text(encoding="utf-8"))
    ims = make_assistant(tmp_path / "idx", models_dir=models_dir)
    assert not ims.ingest([docs]).failed
    ims.as_new_organisation("kestrel")
    answer = ims.ask(SIGNIFICANT_ASPECTS)
    assert not answer.no_evidence, answer.signals
    assert answer.ranked_files[0].startswith("KWR-IMS-08")
    assert answer.signals["matter"] == "14001"
    refused = sample.ask(SIGNIFICANT_ASPECTS)
    assert refused.no_evidence and refused.signals.get("matter", "") == ""
