"""The glossary on the sample corpus, with the real model: a question in everyday words finds the
procedure that says it in a quality system's words, and says what else it searched."""

from __future__ import annotations

from tests.conftest import make_assistant

IDEA = (
    "I've had an idea that would save time on the line. How do I put it forward, and will "
    "anyone actually get back to me?"
)


def test_an_idea_put_forward_finds_the_improvement_suggestion_scheme(sample):
    answer = sample.ask(IDEA)
    assert answer.ranked_files[0] == "QP-12-corrective-action-and-improvement.md"
    assert any("improvement suggestion" in note for note in answer.bridges)
    # Without the glossary, on the question's own vector, the story's words lead elsewhere:
    # the glossary finds it. The question map (stop 35) finds this one by itself too.
    data_dir = sample.settings.data_dir
    neither = make_assistant(data_dir, glossary_weight=0.0, question_map=False).ask(IDEA)
    assert neither.ranked_files[0] != "QP-12-corrective-action-and-improvement.md"
    assert not neither.bridges
    glossary_only = make_assistant(data_dir, question_map=False).ask(IDEA)
    assert glossary_only.ranked_files[0] == "QP-12-corrective-action-and-improvement.md"
    map_only = make_assistant(data_dir, glossary_weight=0.0).ask(IDEA)
    assert map_only.ranked_files[0] == "QP-12-corrective-action-and-improvement.md"


def test_a_question_its_own_words_find_searches_nothing_more(sample):
    # "suggestion" is a glossary phrase, but the question already finds the scheme's passage
    answer = sample.ask("How is an improvement suggestion card reviewed by the panel?")
    assert answer.ranked_files[0] == "QP-12-corrective-action-and-improvement.md"
    assert answer.bridges == []


def test_an_entry_with_its_own_gate_is_searched_by_it_not_by_the_setting(sample, tmp_path):
    # The setting's gate at 0 searches no glossary words; an organisation's own entry that says
    # "always" (below = 1) is searched all the same, and named above the answer.
    own = tmp_path / "ours.toml"
    own.write_text(
        '[[entry]]\nconcept = "ideas scheme"\nterms = "improvement suggestion"\n'
        'phrases = ["an idea"]\nbelow = 1\n',
        encoding="utf-8",
    )
    data_dir = sample.settings.data_dir
    never = make_assistant(data_dir, glossary_below=0.0, question_map=False).ask(IDEA)
    assert never.bridges == []
    always = make_assistant(
        data_dir, glossary_below=0.0, question_map=False, glossary_file=own
    ).ask(IDEA)
    assert always.bridges == [
        'Also searched for "improvement suggestion", the quality system\'s words for what you asked'
    ]
    assert always.ranked_files[0] == "QP-12-corrective-action-and-improvement.md"
