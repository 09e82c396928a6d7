"""A question the procedures do not cover: the answer says so, names the management-system
standard the topic belongs to when it is another one's, and lists the closest documents by
number and title."""

from __future__ import annotations

import dataclasses
import re

import pytest

from assistant.usecases.other_standards import other_standard_topic
from tests.conftest import CORPUS, add_document, make_assistant

ASPECTS = "How do we keep our environmental aspects register up to date?"


@pytest.mark.fast
@pytest.mark.parametrize(
    "question,standard",
    [
        (ASPECTS, "ISO 14001"),
        ("Where do we record a spill kit check?", "ISO 14001"),
        ("How do I report a workplace injury, and where is the accident book?", "ISO 45001"),
        ("Who investigates near misses?", "ISO 45001"),
        ("Who sets the password rules for the ERP?", "ISO/IEC 27001"),
        ("Who reviews user access rights every quarter?", "ISO/IEC 27001"),
        ("Where is our HACCP plan and who reviews the critical control points?", "ISO 22000"),
        ("How do we track our energy consumption?", "ISO 50001"),
        ("Can I keep a bottle of wine a supplier sent me as a gift?", "ISO 37001"),
        # ISO 9001 asks it of internal auditors: not sent elsewhere
        ("How do we keep internal auditors free of a conflict of interest?", None),
        ("Which hospital wards do we deliver to?", None),
        ("Who approves a new supplier?", None),
        ("How do we plan the staff Christmas party?", ""),
        # Access to controlled documents is ISO 9001's own (7.5.3).
        ("Who has access control over the controlled documents?", None),
        ("Where is the PPAP submission for the new housing kept?", "IATF 16949"),
        # named quality methods ISO 9001 leaves to the organisation: no other standard's
        ("Do we keep control charts on the CNC machines?", ""),
        ("Has anyone run a gauge R&R study on the test rig?", ""),
        ("Do we do a process FMEA before a new line starts?", ""),
        ("Do we work out the cost of poor quality each year?", ""),
        # ISO 9001's own words for what such methods do: ordinary questions
        ("What happens when a customer makes a warranty claim?", None),
        ("How do we find the root cause of a complaint?", None),
        ("How do we stop operators making mistakes on the line?", None),
        ("How do we monitor the machining process?", None),
        # words with other meanings: a software team benchmarks its model; a services agreement
        ("How do we benchmark the segmentation model against the reference data?", None),
        ("Does the MSA with the hospital cover weekend support?", None),
        ("Do we benchmark our gauges against our competitors?", ""),
        # stop 30: quality practices ISO 9001 does not ask for by name, and its own needs
        ("Do we compare our delivery figures against other cold-chain companies?", ""),
        ("How do we compare our suppliers' prices with other suppliers?", None),
        ("How often do we run a mock recall?", ""),
        ("How do we recall a faulty batch from customers?", None),
        ("Do we keep retained samples from each batch?", ""),
        ("How often are the weighing scales at goods-in checked?", ""),
        ("How often is the test equipment calibrated?", None),
        ("What happens to an obsolete version of a procedure?", None),
        ("How much notice do customers get when we discontinue a product?", ""),
        # stop 68: leaving a customer's site at a contract's end; not knowledge kept when one is
        # lost, a lost key, or a builder handing a building over
        ("When we lose a contract, who gives the customer's keys and fobs back?", ""),
        ("Is there an exit checklist for pulling out of the site at renewal?", ""),
        ("What do we do at the end of a contract, when the incoming contractor takes over?", ""),
        ("How is know-how kept so it isn't lost when we lose a contract?", None),
        ("A cleaner lost the customer's key on the way home. What now?", None),
        ("How do we hand the building over to the client at completion?", None),
        ("Is there a process for winding down a site when the incoming contractor takes over?", ""),
        # stop 69: a deputy for a role, testing software before relying on it, auditing
        # suppliers at their premises, backing up records; and their look-alikes (a task
        # covered while someone is off, a release sign-off, a paper fallback, a back-up
        # supplier, checks of a subcontractor's work at a customer's site)
        ("If the quality manager is off sick for a month, who stands in for them?", ""),
        ("Who covers the QMO's duties while she's on holiday?", ""),
        ("Is there a named deputy for the compliance manager?", ""),
        ("When the inspection app gets an update, who tests it before we use it?", ""),
        ("Was the new scheduling software validated before go-live?", ""),
        ("Who signs off a new version of our software before it goes to customers?", None),
        ("Before a new version of the gauge goes out, what tests do we run?", None),
        ("Do we audit our key suppliers at their own premises?", ""),
        ("Does anyone visit a supplier's factory before we approve them?", ""),
        ("How do we check our window subcontractor's work on site?", None),
        ("How often is the file server backed up?", ""),
        ("What is our disaster recovery plan for the ERP?", ""),
        ("If the app is down, what is the paper backup for logging inspections?", None),
        ("Do we have a backup supplier for bin liners?", None),
        # stop 69: refrigerant leak checks and working in the cold; not a leaking pack or a
        # cold chain
        ("Who keeps the F-gas log for the chamber plant?", "ISO 14001"),
        ("How often are the refrigerant leak checks done on the reefer units?", "ISO 14001"),
        ("A pallet arrived with leaking packs. What do I do?", None),
        # stop 69: checking open-source licences; a practice run of pulling an app; a sample
        # kept back from a batch; and their look-alikes
        ("Does anyone check the licence of an open-source Python package before we use it?", ""),
        ("Who renews the software licences for the CAD seats?", None),
        ("Have we done a practice run of pulling an app out of clinical use?", ""),
        ("Should we keep a sample gauge back from each batch?", ""),
        ("How many samples do we take from each batch at final inspection?", None),
        # stop 69: personal data leaked or sent to the wrong person; not a customer's records
        (
            "A laptop with patient data was stolen. How soon must we tell the regulator?",
            "ISO/IEC 27001",
        ),
        (
            "I emailed a customer's personal details to the wrong company. Who do I tell?",
            "ISO/IEC 27001",
        ),
        ("We lost a customer's calibration records. What do we do?", None),
        ("How long can pickers stay in the freezer before a warm-up break?", "ISO 45001"),
        ("What cold-weather gear are we issued for the -25 chamber?", "ISO 45001"),
        ("How do we keep chilled product cold on the way to the customer?", None),
        # stop 32: the cost of quality in plain words; printed copies of documents
        ("Do we put a money figure on what our quality failures cost us?", ""),
        ("How much do mistakes and rework cost the business each year?", ""),
        ("What does a late delivery cost the customer?", None),
        ("If I print out one of our SOPs, does the paper copy need marking?", ""),
        ("Are uncontrolled copies allowed on the shop floor?", ""),
        ("Who prints the labels for the finished gauges?", None),
        # the running of the workplace: no standard's, and named before a method
        ("What about holiday pay?", ""),
        ("Do we pay people on an 8D team a bonus?", ""),
        ("How do I book annual leave?", ""),
        ("Where can visitors park? Is there a car park?", ""),
        ("Who covers the calibration checks when the technician is on holiday?", None),
        ("Do we pay the supplier before the goods are inspected?", None),
        ("Can I claim mileage for the drive to the customer?", ""),
        ("Is there a cycle-to-work scheme?", ""),
        ("Do we need a COSHH assessment for the cleaning fluid?", "ISO 45001"),
        ("Who does display screen assessments?", "ISO 45001"),
        ("Are the build servers scanned for security vulnerabilities?", "ISO/IEC 27001"),
        ("Can the old packaging be recycled?", "ISO 14001"),
        # "commission" as work on equipment is a quality word: not pay
        ("Who can commission the new test rig?", None),
        # stop 21: absence, working hours, lifting, entrapment, personal data, WEEE
        ("Who do I ring in sick to before a night shift?", ""),
        ("Can I ask for compressed hours?", ""),
        ("Can I swap my Saturday shift with a colleague?", ""),
        ("Who handles the shift handover?", None),
        ("Who covers the inspection when the inspector is off sick?", None),
        ("What is the safe weight I can lift without help?", "ISO 45001"),
        ("What if someone is shut inside the cold room?", "ISO 45001"),
        ("Who answers a subject access request?", "ISO/IEC 27001"),
        ("Are we registered for WEEE?", "ISO 14001"),
        # stop 22: working alone in other words; alone as a quality word is not it
        ("Is working alone in the test bay after hours allowed?", "ISO 45001"),
        ("Are there rules for working by myself late in the office?", "ISO 45001"),
        ("Can a new starter work alone on the lathe once signed off?", None),
        ("Can a trainee sign the inspection record alone?", None),
        # stop 33: gifts, parking, days off and smoking in plain words, and their look-alikes
        ("A haulier has offered me two tickets to the cup final. Can I go?", "ISO 37001"),
        ("A supplier wants to take the team out for dinner after the demo.", "ISO 37001"),
        ("How many support tickets did we close last month?", None),
        ("Where can I park at Castlebrook when I start my shift?", ""),
        ("Where are staff supposed to park their cars?", ""),
        ("Can we park this nonconformity until the review?", None),
        ("Who signs off work at the Fernhill Park site?", None),
        ("How do I put in a request for a week off in the summer?", ""),
        ("Who covers when the inspector takes two weeks off?", None),
        ("Where am I allowed to smoke or vape on site?", ""),
        ("Do we run smoke tests before a release?", None),
        ("Who checks the smoke detectors in the server room?", None),
        # confirm43: a machine that started smoking is a breakdown, not someone smoking
        ("The rotary floor machine started smoking and cut out. What do I do?", None),
        ("Is smoking allowed anywhere on site?", ""),
        ("A big customer wants to send their own auditors in next month.", ""),
        ("A hospital customer has asked to come in and audit us.", ""),
        ("The customer asked us to audit our supplier of dials.", None),
        ("Do customer complaints get looked at in the internal audit?", None),
        # stop 34: lone working, lifting, personal data and data protection in plain words
        ("How do we keep cleaners safe when they work late on their own?", "ISO 45001"),
        ("How many times must I be watched before I can do it on my own?", None),
        ("Any rules for when I'm the last one left in the building?", "ISO 45001"),
        ("Do we get any training on lifting and carrying safely?", "ISO 45001"),
        ("What's the heaviest box I'm allowed to lift?", "ISO 45001"),
        ("The lift is broken again, who do I call?", None),
        ("She wants a copy of everything we hold about her.", "ISO/IEC 27001"),
        ("Can the customer have a copy of the data we hold on their order?", None),
        ("He asked for a copy of all the data we hold on him.", "ISO/IEC 27001"),
        ("The customer wants a copy of the drawing.", None),
        ("Do I report a lost handheld to the data protection officer?", "ISO/IEC 27001"),
        ("Is GDPR in our list of regulations?", "ISO/IEC 27001"),
        ("How do we protect the data in the test records?", None),
        # stop 39 (confirm54): a past tense, food defence, a person's own pass
        ("How often are our deployed apps penetration tested?", "ISO/IEC 27001"),
        ("Have we got a food defence plan for deliberate tampering?", "ISO 22000"),
        ("Who checks the tamper-evident seals at goods-in?", None),
        ("I've lost my site ID badge and door fob. Where do I get a new one?", ""),
        ("I dropped the keys and fob for a customer's site. Who do I tell?", None),
        ("Do staff pass the competence test before they sign off a job?", None),
        ("Do we have to do a DPIA before using a new patient dataset?", "ISO/IEC 27001"),
        ("Who signs a data protection impact assessment?", "ISO/IEC 27001"),
        ("Who signs the clinical impact assessment?", None),
        ("What if somebody gets shut inside one of the freezer chambers?", "ISO 45001"),
        ("Which product is kept inside one of the freezer chambers?", None),
    ],
)
def test_topics_of_other_standards_are_recognised(question, standard):
    found = other_standard_topic(question)
    assert (found.standard.standard if found else None) == standard


def test_a_long_phrase_gives_only_the_topics_own_words_for_the_heading_check():
    """A plain-words pattern reads "keep operatives safe when they're cleaning ... on their own";
    only "on their own" is the question's words for the topic, so a cleaning procedure's
    heading does not count as naming lone working in other words."""
    found = other_standard_topic(
        "How do we keep operatives safe when they're cleaning an empty office on their own?"
    )
    assert found is not None and found.topic == "lone working"
    assert found.words == "on their own"
    found = other_standard_topic("Can I get a copy of everything we hold about me?")
    assert found is not None and found.words == "everything we hold"
    assert other_standard_topic("Is lone working allowed?").words == "lone working"
    # an alternative without the group gives all it matched ("DPIA"), not None
    assert other_standard_topic("Who signs a data protection impact assessment?").words == (
        "impact"
    )
    assert other_standard_topic("Do we need a DPIA for this?").words == "DPIA"


def _labels(app) -> set[str]:
    docs = app.status().document_list
    return {f"{d.doc_no} {d.title}" if not d.title.startswith(d.doc_no) else d.title for d in docs}


def test_another_standards_topic_is_named_with_the_closest_documents_by_title(sample):
    answer = sample.ask(ASPECTS)
    assert answer.no_evidence and answer.other_standard == "ISO 14001"
    assert "ISO 14001" in answer.message and "not ISO 9001" in answer.message
    assert len(answer.closest) == 3 and set(answer.closest) <= _labels(sample)
    assert all(title in answer.message for title in answer.closest)
    assert not re.search(r"\.(?:md|pdf|docx|txt|html)\b", answer.message)  # no file names


def test_a_named_quality_method_no_document_names_is_not_covered(sample):
    """ISO 9001 never asks for process capability figures by name: a sample procedure on
    machining and inspection comes close in words, but none names the method, so the answer
    says so instead of offering those passages as the answer."""
    answer = sample.ask("Do we work out Cpk figures for the critical dimensions?")
    assert answer.no_evidence and answer.decided_by == "topic named nowhere"
    assert answer.other_standard == "" and "process capability" in answer.message
    assert "does not ask for by name" in answer.message and "not ISO 9001" not in answer.message
    assert answer.closest and all(title in answer.message for title in answer.closest)


def test_the_cost_of_quality_in_plain_words_is_a_named_method_too(sample):
    """No sample procedure counts what quality failures cost: asked in plain words, without
    "cost of quality", the answer still says no document mentions it."""
    answer = sample.ask("Do we put a money figure on what our quality failures cost us each year?")
    assert answer.no_evidence and answer.decided_by == "topic named nowhere"
    assert "the cost of quality" in answer.message


def test_a_method_in_a_question_taken_for_a_clause_question_by_one_word_is_still_refused(sample):
    """The word "requirement" makes this a clause question (7.1.5, by a synonym), but it asks of a
    method no sample document names: the topic rule decides, as for any plain question. A
    question that names the clause is about the clause."""
    answer = sample.ask(
        "Is there any requirement for us to run gauge repeatability and reproducibility "
        "studies on the micrometers?"
    )
    assert answer.mode == "clause"
    assert answer.no_evidence and answer.decided_by == "topic named nowhere"
    assert "gauge R&R" in answer.message
    assert not sample.ask("Which procedure covers clause 7.1.5?").no_evidence


@pytest.mark.parametrize(
    "question",
    [
        "How many people have to be on an 8D team?",  # QP-12 works by the 8D method
        "Who does the SWOT analysis of our internal and external issues?",  # QP-02 names it
        # QP-01 says how a printed copy is marked (stop 32's practice, named there)
        "Am I allowed to print off a work instruction to keep at my bench?",
    ],
)
def test_a_named_quality_method_the_documents_name_is_answered(sample, question):
    answer = sample.ask(question)
    assert not answer.no_evidence and answer.decided_by == ""


def test_a_method_the_documents_name_is_not_given_as_the_reason_for_a_refusal(sample):
    """QP-12 works by the 8D method, so when a question about an 8D team is not covered (a
    bonus), the refusal must not say 8D is a method ISO 9001 leaves to each organisation: it
    is about the bonus, which no document names."""
    answer = sample.ask("Do we pay people on an 8D team a bonus?")
    assert answer.no_evidence and answer.decided_by == "topic named nowhere"
    assert "quality method" not in answer.message and "8D" not in answer.message
    assert "none of them mentions bonuses" in answer.message
    assert answer.closest and all(title in answer.message for title in answer.closest)


def test_a_question_merely_not_covered_names_no_standard(sample):
    answer = sample.ask("How do we plan the staff Christmas party?")
    assert answer.no_evidence and answer.other_standard == ""
    assert not re.search(r"\bISO\b", answer.message)
    assert set(answer.closest) <= _labels(sample) and answer.closest


def test_a_covered_question_is_answered_whatever_its_words(sample):
    """A topic the documents name is decided as any question: a question the procedures answer
    stays answered though it uses a word of the table ("password": document control protects
    the Q-Drive)."""
    question = "Is access to the Q-Drive password protected?"
    assert other_standard_topic(question) is not None
    answer = sample.ask(question)
    assert not answer.no_evidence and answer.other_standard == ""


GIFTS = "What's our policy on gifts from suppliers?"


def test_a_topic_no_document_names_is_not_covered_however_close_its_other_words(sample):
    """No sample document speaks of gifts; its quality policy and purchasing procedure share
    "policy" and "suppliers" with the question (cosine 0.41, over the line) and used to answer."""
    answer = sample.ask(GIFTS)
    assert answer.no_evidence and answer.other_standard == "ISO 37001"
    assert "none of them mentions gifts and hospitality" in answer.message
    assert answer.closest and all(title in answer.message for title in answer.closest)


def test_once_a_document_names_the_topic_it_is_answered_from_it(tmp_path, models_dir):
    """Per index version: the same question, asked of the same assistant, is answered as soon
    as a document on gifts is indexed."""
    app = make_assistant(tmp_path / "index", models_dir=models_dir)
    app.ingest([CORPUS / "QP-08-purchasing-and-supplier-control.docx"])
    assert app.ask(GIFTS).no_evidence
    policy = add_document(
        app,
        tmp_path / "HR-04-gifts-and-hospitality.md",
        "# HR-04 Gifts and hospitality\n\n## Rules\n\nStaff may keep a gift from a supplier "
        "or customer worth up to 25 pounds. Anything more is declared to the Finance Manager, "
        "who records it in the gifts register and decides whether it is returned.\n",
    )
    answer = app.ask(GIFTS)
    assert not answer.no_evidence
    assert answer.ranked_files[0] == policy.name


@pytest.mark.parametrize(
    "question,topic,near,procedure",
    [
        # A contract review procedure comes close in words ("contract", "customer") but never
        # speaks of leaving a site; a procedure with a contract exit section answers it.
        (
            "When we lose a contract, what's the checklist for giving the customer's keys back?",
            "leaving a customer's site when a contract ends",
            None,
            (
                "QP-21-contract-exit.md",
                "# QP-21 Contract exit\n\n## Leaving the site\n\nWhen a contract is not renewed, "
                "the area manager agrees an exit plan with the customer: keys and fobs are signed "
                "back on the key register, our machines and stock are collected, and the site file "
                "is handed to the incoming contractor.\n",
            ),
        ),
        # A data-handling procedure's "Data storage" heading shares "data" with the question's
        # words but says nothing of a breach (a topic with its own document pattern is read by
        # it alone, not by headings); a procedure on reporting breaches answers it.
        (
            "A laptop with customers' personal data was stolen. Who do we tell, and how fast?",
            "reporting a personal data breach",
            (
                "IT-02-data-handling.md",
                "# IT-02 Data handling\n\n## Data storage\n\nOrder and customer data are kept on "
                "the ERP server in the head office; the IT support provider applies updates "
                "monthly and the Operations Manager reviews who can change prices every quarter.\n",
            ),
            (
                "IT-03-personal-data-breaches.md",
                "# IT-03 Personal data breaches\n\n## Reporting\n\nAnyone who finds that personal "
                "data has been lost, stolen or sent to the wrong person tells the Data Protection "
                "Lead at once. A notifiable breach is reported to the Information Commissioner "
                "within 72 hours, and every breach is logged.\n",
            ),
        ),
    ],
    ids=["contract-exit", "data-breach"],
)
def test_a_topic_named_nowhere_is_refused_until_a_procedure_names_it(
    tmp_path, models_dir, question, topic, near, procedure
):
    """Refused, naming the topic, while the indexed documents only come close in words; once a
    procedure that deals with it is indexed, it is answered from that procedure."""
    app = make_assistant(tmp_path / "index", models_dir=models_dir)
    app.ingest([CORPUS / "QP-06-sales-order-and-contract-review.md"])
    if near is not None:
        add_document(app, tmp_path / near[0], near[1])
    answer = app.ask(question)
    assert answer.no_evidence and answer.decided_by == "topic named nowhere"
    assert topic in answer.message
    dealing = add_document(app, tmp_path / procedure[0], procedure[1])
    answer = app.ask(question)
    assert not answer.no_evidence
    assert answer.ranked_files[0] == dealing.name


@pytest.mark.parametrize(
    "question,practice,document",
    [
        (
            "If the quality manager is off sick for a month, who formally stands in for them?",
            "a named deputy who stands in for a role",
            # "When the Quality Manager is absent ...": the manual's words, not the question's
            "QM-001-quality-manual.md",
        ),
        (
            "How often are our electronic quality records backed up, and could we restore them?",
            "backing up electronic records",
            "QP-01-document-and-record-control.md",
        ),
    ],
)
def test_a_practice_kept_in_other_words_is_refused_until_a_document_keeps_it(
    tmp_path, models_dir, question, practice, document
):
    """A sales procedure never speaks of a deputy or of backups: the question is refused, and
    names the practice. Once a document that keeps it in its own words is indexed (the manual's
    "when the Quality Manager is absent", the records procedure's backup check), it is
    answered from that document."""
    app = make_assistant(tmp_path / "index", models_dir=models_dir)
    app.ingest([CORPUS / "QP-06-sales-order-and-contract-review.md"])
    answer = app.ask(question)
    assert answer.no_evidence and answer.decided_by == "topic named nowhere"
    assert practice in answer.message
    app.ingest([CORPUS / document])
    answer = app.ask(question)
    assert not answer.no_evidence
    assert document in answer.ranked_files[:2]


def test_a_form_that_names_the_topic_in_an_example_does_not_count(tmp_path, models_dir):
    """A validation form's example entry ("can log in with their email and password") is not
    the organisation dealing with passwords: the topic rule still refuses the question, and a
    procedure that names them does count."""
    app = make_assistant(tmp_path / "index", models_dir=models_dir)
    app.ingest([CORPUS / "QP-08-purchasing-and-supplier-control.docx"])
    form = tmp_path / "software-validation-form.md"
    form.write_text(
        "# Software validation form\n\n| ID | Requirement | Result | Pass? |\n|---|---|---|---|\n"
        '| U1 | e.g. "A user can log in with their email and password." | <enter result> | [ ] |\n'
        "| U2 | <enter requirement> | <enter result> | [ ] |\n",
        encoding="utf-8",
    )
    app.ingest([form])
    question = "I'm locked out after too many wrong password attempts. Who resets it?"
    answer = app.ask(question)
    assert answer.no_evidence and answer.decided_by == "topic named nowhere"
    # ... and the refusal does not say no document mentions them
    assert "none of them mentions passwords (only a form or template names it)" in answer.message
    add_document(
        app,
        tmp_path / "SOP-IT-01-accounts.md",
        "# SOP IT-01 User accounts\n\n## Resets\n\nA member of staff locked out of their "
        "account asks the office manager, who resets the password after checking who they "
        "are.\n",
    )
    assert app.ask(question).decided_by != "topic named nowhere"


def test_a_topic_the_documents_treat_in_their_own_words_is_still_answered(gstt):
    """GSTT never says "data breach"; its sensitive-data disclosure SOP is the answer, and its
    title shares the question's word "data" (the rule stands back)."""
    app, _ = gstt
    answer = app.ask("How do we handle a data breach?")
    assert not answer.no_evidence
    assert answer.ranked_files[0] == "CSC-PR-024-Sensitive-Data-Disclosure.md"


def test_a_generic_word_in_a_heading_does_not_speak_of_the_topic(gstt):
    """GSTT has no data protection impact assessment; its CAPA procedure's "Risk assessment"
    heading, among the passages the answer leads with, shares only "assessment" with the
    question, which every quality system says: the topic rule still refuses it."""
    app, _ = gstt
    answer = app.ask(
        "Do we have to do a data protection impact assessment before starting a new AI project "
        "on patient data, and who signs it off?"
    )
    assert answer.no_evidence and answer.decided_by == "topic named nowhere"
    assert answer.other_standard == "ISO/IEC 27001"


def test_the_topic_rule_decides_only_below_its_similarity_limit(sample):
    """Above topic_rule_similarity the documents may say it in other words: the ordinary
    decision stands (here the fitted model's, which also finds nothing on gifts: the cosine
    line alone answered it at 0.41)."""
    service = sample.ask_service
    limit = service.params.topic_rule_similarity
    try:
        service.params = dataclasses.replace(service.params, topic_rule_similarity=0.0)
        assert service.ask(GIFTS).decided_by == "not covered"
    finally:
        service.params = dataclasses.replace(service.params, topic_rule_similarity=limit)
    assert service.ask(GIFTS).decided_by == "topic named nowhere"
