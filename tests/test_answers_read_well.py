"""How answers read: a plain question's reply leads with the sentence that answers it, "how we
meet it" quotes what people do before record tables, roles are named in full, and document
furniture (PDF running footers, Markdown quote markers) stays out of passages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from assistant.cli import print_answer
from assistant.core.models import Chunk, Evidence
from assistant.core.text import sentences
from assistant.documents.chunking import ChunkingParams, chunk_document
from assistant.documents.loaders import load
from assistant.documents.pdf import parse_pdf
from assistant.search.clauses import default_catalogue
from assistant.search.retrieval import DocumentHit
from assistant.ui.render import highlighted, plain, readable
from assistant.usecases.composer import Answer, lead_quotes, procedure_answers, with_its_list
from tests.conftest import ROOT

GAUGES = "How often are working gauges checked?"
QP05 = "QP-05-calibration-of-measuring-equipment.pdf"
FERNHILL = ROOT / "evals" / "orgs" / "fernhill" / "documents"


def _app(monkeypatch, sample) -> AppTest:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(sample.settings.data_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)


def _evidence(text: str, heading: str, rank: int, file: str = "QP-99-widgets.md") -> Evidence:
    chunk = Chunk(f"{file}-{rank}", file, file, "Widgets", "QP-99", "1", heading, None, rank, text)
    return Evidence(chunk, 1.0 / (rank + 1))


# --- 1. A plain question leads with the answer ------------------------------------------------


def test_plain_question_leads_with_the_sentence_that_answers_it(sample, capsys):
    answer = sample.ask(GAUGES)
    assert answer.mode == "plain" and not answer.no_evidence
    assert 1 <= len(answer.lead) <= 2
    first = answer.lead[0]
    assert "monthly" in first.text and first.citation.file == QP05
    indexed = {c.text for c in sample.store.manifest.all_chunks()}
    for q in answer.lead:  # verbatim in the very passage it cites, and that passage is indexed
        assert q.text in q.passage and q.passage in indexed
    assert answer.to_dict()["lead"][0]["text"] == first.text
    # The sources under it start with the passage it quotes; the rest are "more sources".
    shown, more = answer.sources()
    assert 1 <= len(shown) <= 2 and first.passage == shown[0].chunk.text
    assert len(shown) + len(more) == len(answer.evidence)
    # The CLI prints the short answer before the passages.
    print_answer(answer)
    out = capsys.readouterr().out
    assert out.startswith("Answer from our procedures:")
    assert out.index("monthly") < out.index("[1] ")


def test_ask_page_shows_the_short_answer_then_sources_with_the_rest_folded(monkeypatch, sample):
    at = _app(monkeypatch, sample).run()
    at.chat_input[0].set_value(GAUGES).run()
    assert not at.exception
    bubble = at.chat_message[-1]
    said = [m.value for m in bubble.markdown]
    lead = sample.ask(GAUGES).lead[0]
    assert said.index("**Answer from our procedures**") < said.index(f"> {plain(lead.text)}")
    assert said.index(f"> {plain(lead.text)}") < said.index("**Sources**")
    folded = [e for e in bubble.expander if e.label.startswith("More sources")]
    assert len(folded) == 1 and folded[0].markdown  # the other passages, folded away
    # Only one or two passages are shown outside the fold.
    outside = [v for v in said if v.startswith("**\\[")]
    inside = [m.value for m in folded[0].markdown if m.value.startswith("**\\[")]
    assert 1 <= len(outside) - len(inside) <= 2
    # The short answer's citation opens its passage with the quoted sentence in bold.
    cite = next(b for b in bubble.button if b.label.startswith(plain(QP05)))
    cite.click().run()
    assert not at.exception
    assert any(f"**{plain(lead.text)}**" in m.value and len(m.value) > 300 for m in at.markdown)


def test_ask_page_shows_the_passage_a_short_answer_quotes_beyond_the_answers_own(
    monkeypatch, sample
):
    """The short answer reads more of the leading document than the answer's own passages (stop
    38): the passage it quotes from is shown under it, outside the fold, as any quote's is."""
    question = (
        "Our quality head, who normally signs finished product out for shipping, is off site "
        "this week - who else is allowed to let finished gauges leave?"
    )
    answer = sample.ask(question)
    quoted = answer.lead[0]
    assert "Metrology Lead" in quoted.text
    assert quoted.passage not in {e.chunk.text for e in answer.evidence}
    at = _app(monkeypatch, sample).run()
    at.chat_input[0].set_value(question).run()
    assert not at.exception
    bubble = at.chat_message[-1]
    folded = [m.value for e in bubble.expander for m in e.markdown]
    label = plain(quoted.citation.label())
    shown = [m.value for m in bubble.markdown if m.value.startswith("**\\[") and label in m.value]
    assert shown and not any(label in v for v in folded)


# --- 2. "How we meet it": steps and responsibilities before record and reference tables --------


def test_clause_answer_quotes_procedure_steps_not_the_records_table(sample):
    answer = sample.ask("How do we meet clause 8.7?")
    top = answer.procedures[0]
    assert top.file == "QP-11-nonconforming-product.md"
    headings = [q.citation.heading for q in top.quotes]
    assert not any(h.startswith(("6 Records", "7 References")) for h in headings), headings
    assert any(h.startswith("5 Procedure") for h in headings), headings
    for q in top.quotes:
        assert q.text in q.passage


@pytest.mark.fast
def test_steps_rank_above_a_records_table_even_when_it_is_retrieved_first():
    records = _evidence(
        "Form: F-99-1; Record: Rejected widget check record; Kept by: Quality Manager\n"
        "Form: F-99-2; Record: Rejected widget log; Kept by: Stores Supervisor",
        "6 Records and forms",
        0,
    )
    steps = _evidence(
        "5.1.1 The QA Manager checks every rejected widget within one day and records the result.\n"
        "5.1.2 The Stores Supervisor moves each rejected widget to the locked reject cage.",
        "5 Procedure > 5.1 Rejected widgets",
        1,
    )
    doc = DocumentHit("QP-99-widgets.md", 1.0, [records, steps])
    (answer,) = procedure_answers([doc], "How is a rejected widget checked and recorded?", "", 1)
    assert answer.quotes and all(q.citation.heading.startswith("5 ") for q in answer.quotes)
    assert "QA Manager" in answer.roles and "Manager" not in answer.roles


@pytest.mark.fast
def test_fernhill_nonconforming_product_quotes_steps_and_names_roles_in_full():
    params = ChunkingParams(1000, 150, 200)
    catalogue = default_catalogue()
    card = catalogue.get("8.7").keyword_text()

    def hit(name: str) -> DocumentHit:
        doc = load(FERNHILL / name, 10_000_000)
        chunks = chunk_document(doc, "x", params)
        # The records section first, as if retrieval had ranked it top: quotes still come from
        # what people do.
        chunks.sort(key=lambda c: not c.heading.startswith("6 Records"))
        passages = [Evidence(c, 1.0 / (i + 1)) for i, c in enumerate(chunks)]
        return DocumentHit(doc.info.file, 1.0, passages)

    (ncp,) = procedure_answers(
        [hit("FCC-SOP-06_Control_of_Nonconforming_Product.md")], "clause 8.7", card, 1
    )
    assert ncp.quotes
    assert not any(q.citation.heading.startswith("6 Records") for q in ncp.quotes)
    (training,) = procedure_answers(
        [hit("FCC-SOP-02_Training_and_Competence.md")], "who keeps training records", "", 1
    )
    assert "HR & Training Coordinator" in training.roles
    assert "Training Coordinator" not in training.roles


# --- 3. Formatting --------------------------------------------------------------------------


def _three_page_pdf(footer_on_one_line: bool) -> bytes:
    from fpdf import FPDF

    class Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, "Uncontrolled when printed", new_x="LMARGIN", new_y="NEXT")
            if footer_on_one_line:
                self.set_y(-15)
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = Doc()
    pdf.alias_nb_pages()
    for i in range(1, 4):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        body = f"{i} Step {i}\n\nThe fitter torques bolt set {i} to the drawing value."
        pdf.multi_cell(0, 6, body)
    return bytes(pdf.output())


@pytest.mark.fast
@pytest.mark.parametrize("one_line", [False, True], ids=["own-lines", "one-line"])
def test_pdf_running_footer_and_page_numbers_stay_out_of_passages(one_line):
    _, sections = parse_pdf(_three_page_pdf(one_line), "torque")
    text = "\n".join(s.text for s in sections)
    assert "bolt set 1" in text and "bolt set 3" in text
    assert "Uncontrolled" not in text and "Page " not in text, text
    assert [s.page for s in sections] == [1, 2, 3]


@pytest.mark.fast
def test_quote_markers_at_the_start_of_a_line_are_not_shown_but_the_text_is():
    passage = "Policy\n> Every widget leaves here tested.\n> > Nested: and labelled.\nEnd."
    shown = readable(passage)
    assert "Every widget leaves here tested." in shown and "Nested: and labelled." in shown
    assert not any(line.lstrip().startswith(">") for line in shown.splitlines())
    assert "pressure > 10 bar" in readable("pressure > 10 bar")  # a comparison is kept
    # An empty quote line joined onto the line before it leaves a marker at the end.
    assert readable("> you may have to translate this text. >\n> Next.") == (
        "you may have to translate this text.\nNext."
    )
    assert "\\>" not in highlighted(passage, "> Every widget leaves here tested.")


@pytest.mark.fast
def test_html_line_breaks_in_markdown_are_shown_as_separators(capsys):
    """gstt-csc's and openregulatory's Markdown tables put <br> between a cell's items (330
    passages); the index keeps them as written, people read them as " / ". Any other tag, and a
    template's placeholder, is shown as the text it is."""
    passage = "Field: Outcome; Entry: ( ) death<br>( ) serious harm<br />\nSend to <b>the QMO</b>."
    shown = readable(passage)
    assert shown == "Field: Outcome; Entry: ( ) death / ( ) serious harm\nSend to <b>the QMO</b>."
    assert readable("Name: \\<Name\\> or <enter role>") == "Name: \\<Name\\> or <enter role>"
    assert "**" in highlighted(passage, "Field: Outcome; Entry: ( ) death<br>( ) serious harm")
    evidence = _evidence(passage, "4 Reporting", 0)
    answer = Answer("q", "plain", evidence=[evidence], ranked_files=[evidence.chunk.file])
    print_answer(answer)
    out = capsys.readouterr().out
    assert "( ) death / ( ) serious harm" in out and "<br" not in out


@pytest.mark.fast
def test_an_abbreviations_full_stop_does_not_end_a_quote():
    """gstt-csc and openregulatory write "e.g.", "para." and "Art." mid-sentence; cut there, a
    quote read "for software bugs, the Head of Software Development." Each sentence is still a
    verbatim slice of the passage."""
    passage = (
        "The owner is named per case (e.g. for software bugs, the Head of Development). "
        "See ISO 13485, para. 4.1.5 and Art. 87 of the regulation for details. "
        "Forms, lists etc. are kept for ten years. Logs are kept etc. Backups run daily at two.\n"
        "Examples include e.g.\nthis line, which starts a sentence of its own."
    )
    found = sentences(passage)
    assert found == [
        "The owner is named per case (e.g. for software bugs, the Head of Development).",
        "See ISO 13485, para. 4.1.5 and Art. 87 of the regulation for details.",
        "Forms, lists etc. are kept for ten years.",
        "Backups run daily at two.",  # "etc." before a capital ends the sentence before it
        "Examples include e.g.",
        "this line, which starts a sentence of its own.",
    ]
    assert all(s in passage for s in found)


@pytest.mark.fast
def test_a_hard_wrapped_quote_block_reads_as_one_sentence(tmp_path):
    """openregulatory's quality manual wraps its quoted note over three lines; quoted line by
    line, "or clinical evaluation done by a regulatory consultant ...; see" was shown as a
    sentence of its own. A quote block's lines are one paragraph, an empty quote line ends it,
    and its list items keep their lines."""
    doc = tmp_path / "manual.md"
    doc.write_text(
        "# Manual\n\n## Processes\n\n> **Important Note:**\n>\n"
        "> Also mention if a process is outsourced (typical examples: internal auditing\n"
        "> or clinical evaluation done by a consultant; see\n> the standard for more).\n\n"
        "> - choose suppliers who share our standards;\n> - measure what we promise.\n",
        encoding="utf-8",
    )
    lines = load(doc, 10**6).sections[-1].text.splitlines()
    assert (
        "> Also mention if a process is outsourced (typical examples: internal auditing or "
        "clinical evaluation done by a consultant; see the standard for more)." in lines
    )
    assert "> Important Note:" in lines  # not run into the note below the empty line
    assert "> - choose suppliers who share our standards;" in lines
    assert "> - measure what we promise." in lines


@pytest.mark.fast
def test_passage_in_context_bolds_the_quote_and_escapes_everything_else():
    passage = "Intro <b>not html</b> [link](http://x).\nThe QA Manager signs it (F-1).\nEnd."
    quote = "The QA Manager signs it (F-1)."
    shown = highlighted(passage, quote)
    assert f"**{plain(quote)}**" in shown
    assert plain("Intro <b>not html</b> [link](http://x).") in shown  # escaped, never HTML
    assert "<b>" not in shown.replace("\\<b\\>", "")
    assert highlighted(passage, "not in it") == plain(passage)
    # a bare address is not turned into a link that shows the escapes inside it
    assert "https://" not in plain("See [template licence](https://example.org/template-licence).")


LEAD_IN = (
    "6 Duties\nThe Quality Manager is responsible for:\n\n- approving new suppliers;\n"
    "- signing off every concession.\nRecords are kept on F-08-1 for five years."
)


@pytest.mark.fast
def test_a_lead_in_is_quoted_with_the_list_under_it():
    """ "The Quality Manager is responsible for:" says nothing alone: it is quoted with its list
    items, one verbatim slice of the passage that stops where the list does."""
    quoted = with_its_list("The Quality Manager is responsible for:", LEAD_IN)
    assert quoted == (
        "The Quality Manager is responsible for:\n\n- approving new suppliers;\n"
        "- signing off every concession."
    )
    assert quoted in LEAD_IN
    # no list under it in this passage (a table, or the next passage): the lead-in alone
    assert with_its_list("Keep these:", "Keep these:\n| Form | Kept |") == "Keep these:"
    assert with_its_list("Keep these:", "Keep these:") == "Keep these:"
    assert with_its_list("Records are kept.", LEAD_IN) == "Records are kept."
    # a long list is cut after the item that reaches the limit, never before the first
    long = "Duties:\n" + "\n".join(f"- duty number {i} " + "x" * 80 for i in range(10))
    cut = with_its_list("Duties:", long)
    assert cut.count("\n- ") >= 1 and len(cut) <= 300 and cut in long
    # the short answer quotes it so, once: its list items are not quoted again beside it
    lead = lead_quotes("What is the Quality Manager responsible for?", [_evidence(LEAD_IN, "6", 0)])
    assert lead[0].text == quoted
    assert all(q.text not in quoted for q in lead[1:])
    # shown in context with the whole slice in bold
    assert f"**{plain(quoted)}**" in highlighted(LEAD_IN, quoted)


@pytest.mark.fast
def test_answer_lead_is_empty_for_a_clause_answer_and_for_no_evidence():
    e = _evidence("5.1.1 The QA Manager checks every rejected widget within one day.", "5", 0)
    assert Answer("Who checks a rejected widget?", "plain", evidence=[e]).lead
    assert not Answer("Who checks a rejected widget?", "clause", evidence=[e]).lead
    assert not Answer("Who checks a rejected widget?", "plain", evidence=[e], no_evidence=True).lead


@pytest.mark.fast
def test_the_short_answer_quotes_the_leading_document():
    """The ranking, not the count of shared words, says which document answers: a manual that
    restates the question's words loses the short answer to the procedure ranked above it. When
    none of the leading document's sentences shares a word with the question, the others'
    are read, as before."""
    procedure = _evidence("5.2 Stores staff count the stock every Friday.", "5", 0, "QP-07.md")
    manual = _evidence(
        "6.1 Stock taking of widgets is planned in the widget stock procedure.", "6", 1, "QM.md"
    )
    question = "How often is the widget stock counted?"
    ranked = Answer(question, "plain", evidence=[procedure, manual], ranked_files=["QP-07.md"])
    assert [q.citation.file for q in ranked.lead] == ["QP-07.md"]
    # the manual's sentence shares more of the question's words: on all passages it would win
    assert lead_quotes(question, [procedure, manual])[0].citation.file == "QM.md"
    silent = _evidence("5.2 Records are filed by the stores team.", "5", 0, "QP-07.md")
    fallback = Answer(question, "plain", evidence=[silent, manual], ranked_files=["QP-07.md"])
    assert [q.citation.file for q in fallback.lead] == ["QM.md"]


def test_the_short_answer_quotes_the_procedure_the_answer_leads_with(sample):
    """Real model and index: the records procedure leads the answer to a question about
    correcting a paper record, and the short answer quotes its correction rule (how to
    correct, or, since the fitted scorer of stop 38, that white-out and overwriting are not
    allowed: the direct answer to "can I just white it out?"), not the calibration
    procedure's sentence about wrong readings (which shares more of the words)."""
    answer = sample.ask(
        "I filled in a paper check sheet and wrote the wrong figure in one box. "
        "Can I just white it out or write the right number over the top?"
    )
    assert answer.leading_file == "QP-01-document-and-record-control.md"
    assert answer.lead[0].citation.file == answer.leading_file
    rule = answer.lead[0].text
    assert "single line" in rule or "Correction fluid and overwriting are not permitted" in rule


# --- A follow-up's short answer stays on the subject it continues ------------------------------


@pytest.mark.fast
def test_a_follow_ups_short_answer_is_chosen_with_the_subject_it_continues():
    """ "They" matched "as they arise" in a training passage, which then led the answer to
    "and how often are they re-evaluated?" about suppliers."""
    training = _evidence(
        "5.5.2 Training needs found during the year are added to the plan as they arise.",
        "5 Procedure > 5.5 Training needs",
        0,
        "QP-04-training.md",
    )
    suppliers = _evidence(
        "The Purchasing Manager reviews every supplier on the approved list once a year.",
        "5 Procedure > 5.4 Supplier monitoring",
        1,
        "QP-08-purchasing.md",
    )
    question = "and how often are they re-evaluated?"
    alone = Answer(question, "plain", evidence=[training, suppliers])
    followed = Answer(
        question, "plain", evidence=[training, suppliers], context="Who approves a new supplier?"
    )
    assert [q.citation.file for q in followed.lead] == ["QP-08-purchasing.md"]
    assert "QP-04-training.md" not in [q.citation.file for q in alone.lead]


def test_a_follow_up_on_the_sample_quotes_the_procedure_it_continues(sample):
    talk = sample.conversation()
    sample.chat(talk, "Who approves a new supplier?")
    turn = sample.chat(talk, "and how often are they re-evaluated?")
    assert turn.reading.carried
    assert turn.answer.lead[0].citation.file == "QP-08-purchasing-and-supplier-control.docx"


@pytest.mark.fast
def test_the_quality_policy_is_the_short_answer_only_to_a_question_about_a_policy():
    # A policy's commitments share a word with every question ("gauges", "customers") and answer
    # none: the sample's policy led 12 of its plain answers, never the right one.
    policy = _evidence(
        "Our customers use our gauges to keep pressure systems safe. We fix the cause when we "
        "get something wrong with a gauge.",
        "QM-001 > 5 Quality policy (ISO 9001 clause 5.2)",
        0,
        "QM-001-quality-manual.md",
    )
    step = _evidence(
        "5.5.2 A gauge that is dropped is quarantined and recalibrated before use.", "5", 1
    )
    dropped = lead_quotes("I dropped a pressure gauge. Can I keep using it?", [policy, step])
    assert dropped[0].citation.file == "QP-99-widgets.md"
    assert all("customers" not in q.text for q in dropped)
    # asked about the policy itself, or when nothing else shares a word, it is quoted
    asked = lead_quotes("What do our quality policies say about customers?", [policy, step])
    assert asked[0].citation.file == "QM-001-quality-manual.md"
    alone = lead_quotes("Who keeps pressure systems safe?", [policy, step])
    assert alone and alone[0].citation.file == "QM-001-quality-manual.md"


@pytest.mark.fast
def test_a_question_naming_a_section_is_answered_from_that_sections_opening():
    # "What is our quality policy?": the policy's sentences need not repeat its heading's words,
    # while another procedure's "awareness of the quality policy" repeats both.
    awareness = _evidence(
        "5.6.1 Staff awareness of the quality policy is built through induction and toolbox talks.",
        "5 Procedure > 5.6 Awareness",
        0,
        "QP-04-training.md",
    )
    policy_end = _evidence(
        "We review this statement every year at the management review.",
        "QM-001 > 5 Quality policy (ISO 9001 clause 5.2)",
        3,
        "QM-001-quality-manual.md",
    )
    policy = _evidence(
        "> Calderbrook Quality Policy\n>\n> Our customers use our gauges to keep pressure "
        "systems safe. A reading they cannot trust is worse than no reading at all.",
        "QM-001 > 5 Quality policy (ISO 9001 clause 5.2)",
        2,
        "QM-001-quality-manual.md",
    )
    lead = lead_quotes("What is our quality policy?", [awareness, policy_end, policy])
    assert [q.text for q in lead] == [
        "Our customers use our gauges to keep pressure systems safe.",
        "A reading they cannot trust is worse than no reading at all.",
    ]
    assert all(q.citation.file == "QM-001-quality-manual.md" and q.text in q.passage for q in lead)
    # a question with more in it than the heading is scored as before
    more = lead_quotes("How is staff awareness of the quality policy built?", [awareness, policy])
    assert more[0].citation.file == "QP-04-training.md"


@pytest.mark.fast
def test_a_contraction_is_not_a_word_a_quote_is_chosen_for():
    """ "I've spotted a typo ..." once led with a licence notice: "I've" and "you've" shared
    "ve", a rare word in procedures, so it outweighed every other sentence."""
    notice = "Please don't remove this notice even if you've modified contents of this template."
    fix = "Typos and other errors in an SOP are fixed by raising a document change request."
    passages = [_evidence(f"{notice}\n\n{fix}", "Changes", 0)]
    quotes = lead_quotes("I've spotted a typo in one of our SOPs, how do I get it fixed?", passages)
    assert [q.text for q in quotes] == [fix]


def test_a_table_row_is_quoted_for_its_cells_not_for_the_headers_every_row_repeats():
    """A register's rows all carry the same column headers. "When is each supplier next due
    for review?" matches only the header "Next review", so every row matched alike and the
    first was quoted as the answer, as if it were the only supplier. A row is quoted for what
    its cells say ("the glass supplier"); a one-row table (a step's "Responsible: QMO") still
    answers by its header."""
    register = (
        "Each supplier gets a review date a year after approval.\n\n"
        "Supplier: Brightline Castings; Supplies: brass sockets; Next review: 2027-03-14\n"
        "Supplier: Harrow Glass; Supplies: dial windows; Next review: 2026-11-02"
    )
    passages = [_evidence(register, "Approved suppliers", 0, "F-08-2.xlsx")]
    glass = lead_quotes("When is Harrow Glass next due for review?", passages)
    assert glass[0].text.startswith("Supplier: Harrow Glass")
    every = lead_quotes("When is each supplier next due for review?", passages)
    assert [q.text for q in every] == ["Each supplier gets a review date a year after approval."]
    step = "Validate the new tool before use.\n\nResponsible: QMO; Output: validation report"
    one_row = lead_quotes("Who is responsible?", [_evidence(step, "1.2 Validate", 0)])
    assert [q.text for q in one_row] == ["Responsible: QMO; Output: validation report"]


INDUCTION = """# QP-04 Training and competence

## 5.2 Induction
5.2.1 Every new starter, agency staff too, goes through the induction with checklist F-04-3.
5.2.2 Until the induction is complete, a new starter works on product only beside a supervisor.
5.2.3 The induction is to be finished within the first 5 working days, the checklist signed.
"""


def test_the_short_answer_is_the_sentence_closest_in_meaning_not_the_most_shared_words(tmp_path):
    """Asked how many days an induction may take, the sentence that says so leads the short
    answer, though two others share more of the question's words (new starter, induction):
    by shared words alone one of them led (scripts/answer_sentences_eval.py measures this)."""
    from dataclasses import replace

    from tests.conftest import indexed_texts

    calibration = "# QP-05 Calibration\n\n## 5 Checks\nEach gauge is calibrated yearly.\n"
    files = {"QP-04-training.md": INDUCTION, "QP-05-calibration.md": calibration}
    app = indexed_texts(tmp_path, files)
    question = "Someone new joins next week: how many days do they get to complete the induction?"
    answer = app.ask(question)
    assert answer.lead[0].text.startswith("5.2.3 The induction is to be finished within")
    assert all(q.text in INDUCTION for q in answer.lead)  # verbatim, as every quote
    by_words = replace(answer, closeness=None).lead  # an Answer made without the ask use case
    assert not by_words[0].text.startswith("5.2.3")


def test_a_plain_questions_procedure_quotes_lead_with_the_closest_sentence_when_first_read(
    tmp_path, monkeypatch
):
    """The procedures' quotes of a plain question (``assistant ask --json``) put the sentence
    closest in meaning first, as the short answer does; they are worked out when first read,
    so ``ask`` embeds no sentence for them (the Ask page shows them only for clause questions).
    A clause question's stay chosen by shared words and the clause card's."""
    from tests.conftest import indexed_texts

    calibration = "# QP-05 Calibration\n\n## 5 Checks\nEach gauge is calibrated yearly.\n"
    files = {"QP-04-training.md": INDUCTION, "QP-05-calibration.md": calibration}
    app = indexed_texts(tmp_path, files)
    question = "Someone new joins next week: how many days do they get to complete the induction?"
    embedder = app.ask_service.retriever.embedder
    embedded: list[str] = []
    encode = embedder.encode
    monkeypatch.setattr(
        embedder,
        "encode",
        lambda texts, *a, **k: (embedded.extend(texts), encode(texts, *a, **k))[1],
    )
    answer = app.ask(question)
    mine = sentences(INDUCTION)
    assert not any(s in mine for s in embedded)  # the question is, no sentence yet
    training = next(p for p in answer.procedures if p.file == "QP-04-training.md")
    assert training.quotes[0].text.startswith("5.2.3 The induction is to be finished within")
    assert any(s in mine for s in embedded)
    assert all(q.text in q.passage and q.text in INDUCTION for q in training.quotes)
    # By shared words alone "Until the induction is complete, a new starter ..." came first.
    assert not training.quoted_by_words[0].text.startswith("5.2.3")
    assert (
        answer.to_dict()["procedures"][0]["quotes"][0]["text"]
        == answer.procedures[0].quotes[0].text
    )
