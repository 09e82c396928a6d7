"""A glossary entry's own gate, on a real QMS: gstt-csc's leaver questions whose own words half
find the answer (a best cosine between the setting's gate, 0.35, and the staff-leaving entry's
fitted 0.55) are searched in offboarding's words too, and its HR administration SOP leads
(docs/retrieval.md, "The 'staff leaving' entry's own gate")."""

from __future__ import annotations

from pathlib import Path

from assistant.search.glossary import load_glossary
from assistant.usecases.composer import Answer
from tests.conftest import make_assistant

HR_SOP = "CSC-PR-015-Human-Resources-Administration.md"
# the staff-leaving entry's own words, as the answer's "Also searched for" note quotes them
OFFBOARDING = next(e.terms for e in load_glossary().entries if e.concept == "staff leaving")
# worded afresh for this test (not in any evaluation set)
LEAVERS = (
    "A developer leaves the team next month. What do we need to sort in GitHub and in our "
    "quality system?",
    "Our data scientist's last day is the 30th. Who takes away her repository access and what "
    "else must we do?",
)


def _searched_offboarding(answer: Answer) -> bool:
    return any(OFFBOARDING in note for note in answer.bridges)


def test_a_leaver_question_over_the_setting_gate_still_searches_offboarding_words(
    gstt, models_dir: Path, tmp_path: Path
):
    app, report = gstt
    assert not report.failed
    for question in LEAVERS:
        answer = app.ask(question)
        assert _searched_offboarding(answer), question
        assert answer.ranked_files[0] == HR_SOP, (question, answer.ranked_files[:3])

    # the same index with every shipped entry at the setting's gate: the words are not searched
    # and another procedure leads, so the entry's own gate is what the answer above rests on
    no_own_gates = tmp_path / "gates.toml"
    no_own_gates.write_text("[gates]\n", encoding="utf-8")
    at_setting = make_assistant(Path(app.settings.data_dir), models_dir=models_dir)
    at_setting.ask_service.glossary = load_glossary(None, no_own_gates)
    for question in LEAVERS:
        answer = at_setting.ask(question)
        assert not _searched_offboarding(answer), question
        assert answer.ranked_files[0] != HR_SOP, question
