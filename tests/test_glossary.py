"""The glossary bridges staff's everyday words to a quality system's words: what it matches, what
it searches, and how a bad glossary file is reported."""

from __future__ import annotations

import tomllib

import pytest

from assistant.core.settings import Settings
from assistant.search.glossary import (
    DEFAULT_GATES,
    DEFAULT_GLOSSARY,
    Glossary,
    GlossaryEntry,
    GlossaryError,
    load_glossary,
)

pytestmark = pytest.mark.fast

IDEAS = GlossaryEntry("improvement ideas", "improvement suggestion scheme", ("an idea", "suggest"))
SIGN_OFF = GlossaryEntry("competence sign-off", "competence assessment", ("sign off",))


def test_a_phrase_matches_in_its_usual_word_forms_and_whole_words_only():
    glossary = Glossary([IDEAS, SIGN_OFF])
    assert glossary.matches("Who signed off my brazing?") == [SIGN_OFF]
    assert glossary.matches("I've got AN IDEA for the line") == [IDEAS]
    assert glossary.matches("Can I suggest a change?") == [IDEAS]
    assert glossary.matches("Who signs them off?") == []  # the words must be together
    assert glossary.matches("Is there an ideal temperature?") == []  # not inside another word


def test_a_hyphen_is_as_good_as_a_space_or_nothing():
    """Staff write "sign-off" and "Tipp-Ex"; the glossary says "sign off" and "tippex"."""
    fixing = GlossaryEntry("correcting records", "corrections", ("tippex", "cross out"))
    glossary = Glossary([SIGN_OFF, fixing])
    assert glossary.matches("Is there a sign-off sheet for new starters?") == [SIGN_OFF]
    assert glossary.matches("Can I just Tipp-Ex the wrong temperature?") == [fixing]
    assert glossary.matches("Should I cross-out the reading?") == [fixing]
    assert glossary.matches("Who holds the re-signed copy?") == []  # still whole words only


def test_entries_come_in_the_order_the_question_names_them():
    glossary = Glossary([IDEAS, SIGN_OFF])
    assert glossary.matches("Once I'm signed off, can I suggest things?") == [SIGN_OFF, IDEAS]


def test_with_a_gap_a_two_word_phrase_takes_a_word_of_substance_between_its_two():
    """ "a free online diagram tool" is an "online tool"; "send it back" is not a kind of "send
    back" (a pronoun between), and longer phrases stay whole."""
    tool = GlossaryEntry("software validation", "software validation", ("online tool",))
    returns = GlossaryEntry("returns", "returns", ("send back",))
    idea = GlossaryEntry("ideas", "improvement suggestion", ("put an idea forward",))
    glossary = Glossary([tool, returns, idea])
    question = "Can I use a free online diagram tool?"
    assert glossary.matches(question) == []  # no gap unless asked for
    assert glossary.matches(question, gap=1) == [tool]
    assert glossary.matches("a new online-whiteboard tool", gap=1) == [tool]
    assert glossary.matches("an online diagram drawing tool", gap=1) == []  # two words between
    assert glossary.matches("an online diagram drawing tool", gap=2) == [tool]
    assert glossary.matches("Do I send it back?", gap=1) == []
    assert glossary.matches("Do I send them back?", gap=2) == []
    assert glossary.matches("Do I send the pallet back?", gap=2) == []
    assert glossary.matches("Send back the pallet", gap=1) == [returns]
    assert glossary.matches("How do I put my idea forward?", gap=1) == []


def test_the_shipped_glossary_loads_and_no_phrase_points_two_ways():
    glossary = load_glossary()
    assert len(glossary) >= 50
    phrases = [p.lower() for e in glossary.entries for p in e.phrases]
    assert len(phrases) == len(set(phrases))


def test_a_new_online_tool_is_a_matter_of_software_validation():
    """Staff ask to "start using a new online tool"; the procedure that answers says software
    validation (openregulatory's SOP, asked about this way in 20 of the confirm sets)."""
    glossary = load_glossary()
    for question in (
        "Can we just sign up for a new online tool to track our test runs?",
        "Our team wants a cloud tool for CAPAs: what has to happen first?",
        "Is there anything to do before we rely on a new web app?",
        # stop 67: an online board or tracker (a word between, as the product matches), a test
        # management tool
        "Our team wants to start using a new online task board for our reviews.",
        "I'd like to start using a new online ticket tracker to manage our CAPAs.",
        "The devs want a test-management tool to hold our test records.",
    ):
        found = glossary.matches(question, gap=Settings().glossary_gap)
        assert [e.concept for e in found] == ["software and tool validation"], question


# Entries added from what the confirm sets kept missing, read as a new organisation: the
# everyday words that name the practice, and near misses that must not. Staff leaving (stop 59):
# gstt-csc's HR procedure says off boarding and termination of employment, missed first place by
# 18 questions; the month's last day is no one leaving. Out of spec (stop 60): gstt-csc's
# non-conforming product SOP, 2nd to 17th for 25 fitting questions behind incident reporting;
# where a spec is kept is no nonconformity (stop 64 added an app's wrong, odd or off results).
# Out of the door (stop 60): the sample's final inspection and release, 2nd behind nonconforming
# product for four; a door locked is no release. Labelling (stop 64): gstt-csc's labelling SOP,
# below first (to 21st, or not found) for 21 of its 34 fitting questions on what users must be
# told about an app, now first for 7 more; a translation agency's lateness is a supplier's
# matter, so the regulatory term "instructions for use" is no phrase of it. Lapsed skills (stop
# 64): the sample's training procedure, 2nd to 12th for 15 questions on a job not done for over a
# year; a stock count is no lapse. Supplier approval (stop 64): outside firms and companies never
# used before, on four organisations.
ENTRIES_FROM_MISSES = [
    (
        "staff leaving",
        (
            "Someone on the team is leaving at the end of the month: what do we do in GitHub?",
            "A colleague's last day is Friday: who removes their access?",
            "One of our developers leaves next month and owns two SOPs.",
        ),
        (
            "Who checks the stock count on the last day of the month?",
            "The lorry is leaving the depot late: who do I tell?",
        ),
    ),
    (
        "nonconforming product",
        (
            "A bug makes our live app give results outside its spec: do we pull it?",
            "The outputs are out of spec since radiology changed scanners.",
            "We found out-of-spec readings on a batch that has already shipped.",
            "Is a result out of specification a nonconformity?",
            "Since the scanner upgrade our deployed app has been producing wrong results.",
            "The vendor pushed an update and the app is giving odd outputs: who do I tell?",
            "Two of the Bourdon tubes in my kit have dents in them.",
            "Three of the sockets are undersize against the drawing.",
            # stop 67: not, or no longer, meeting its spec or specification
            "How do we decide whether a deployed tool that doesn't meet its spec stays in use?",
            "Where do we deal with an app that turns out not to meet its specification?",
            "What happens when something we built stops meeting its spec in clinical use?",
            "Since the update it gives measurements outside its specification.",
            "I've just noticed hairline cracks on two of the tubes in my kit.",
            "A couple of the tubes in the tray have visible cracks.",
        ),
        (
            "Where do we keep the product spec for each customer?",
            # meeting the spec is what verification shows, not a nonconformity
            "How do we check that the new design meets its specification before release?",
            "Where do we keep the results of the last internal audit?",
            "Who do I talk to if my payslip looks wrong?",
            "Who writes the specification for a new app?",
        ),
    ),
    (
        "final inspection and product release",
        (
            "Who has the authority to say a finished batch can go out of the door?",
            "The quality manager is away: who else is allowed to release the consignment?",
            "Who has authority to release gauges to the customer?",
        ),
        ("Who locks the door of the goods-in bay at night?",),
    ),
    (
        "lapsed skills and refresher training",
        (
            "I haven't done any brazing for over a year: can I pick it back up on my own?",
            "It's been over a year since I last did the oxygen cleaning.",
            "Am I still signed off for the test pump if I've been on other jobs?",
        ),
        ("Who signs off the stock count each month?",),
    ),
    (
        "supplier approval",
        (
            "I'd like to hire an outside company we've never used before.",
            "How do we vet the outside firms that do plating for us?",
        ),
        ("Which outside door do deliveries come in by?",),
    ),
    (
        "labelling and information for users",
        (
            "Before an app goes live, what goes in its README so users know what it's for?",
            "What do we have to tell users about a new tool before they rely on it?",
            "Which warnings have to be written down for the people who use it?",
        ),
        (
            "The agency translating our instructions for use delivered late: what do I do?",
            "Who tells the users when the server is down?",
        ),
    ),
    (
        "software problem reports",
        (
            "I spotted a bug in the live version of the app: where do I log it?",
            "There is a bug in the released build that shows the wrong units.",
            "Customers have hit a bug in the version they are running.",
        ),
        (
            "I found a bug while writing the new feature: do I need a ticket?",
            "Which version of the form do I fill in?",
        ),
    ),
    (
        "customer complaints",
        (
            "A customer has just phoned to say the gauge we sent reads high. What do I do?",
            "An OEM buyer rang me to grumble that the certificates were missing.",
            "The lab manager called, pretty annoyed, about last week's report.",
        ),
        ("Our supplier has just phoned to say the steel will be late.",),
    ),
    (
        "traceability",
        ("How would we work out which release each customer site is running?",),
        ("When is the next release planned?",),
    ),
    (
        "marketing material and product claims",
        (
            "Who checks the claims in my slide deck before the customer visit?",
            "Does a flyer for the open day need anyone's sign-off?",
            "The new poster for the waiting room makes claims about the device: who approves it?",
        ),
        (
            "Who clears the ice off the car park slope in winter?",
            # where material is shown, not the material: feedback is heard there too
            "At a trade fair a doctor told me one of her patients had a problem with the app.",
        ),
    ),
    (
        "third-party software components",
        (
            "Do I have to record every open-source library the build pulls in?",
            "A Python package we rely on has a new version: do I re-check it?",
        ),
        ("Who looks after the books in the office library?",),
    ),
    # stop 67: what staff hear, think of or look at, not what the procedure calls it
    (
        "breakdowns and repairs",
        (
            "The lathe has just started making a horrible noise from the spindle.",
            "The scrubber is leaking and making a grinding noise: what do I do with it?",
        ),
        ("The neighbours complain about noise from the yard at night.",),
    ),
    (
        "improvement suggestions",
        (
            "I've thought of a way to make my job on the line quicker.",
            "How do I put the idea forward, and who looks at it?",
        ),
        ("I thought the audit went well.",),
    ),
    (
        "data analysis and trends",
        ("Who looks at our figures and trends to decide whether things are working?",),
        ("Where are last year's sales figures kept?",),
    ),
]


@pytest.mark.parametrize(
    ("concept", "named", "not_named"), ENTRIES_FROM_MISSES, ids=[e[0] for e in ENTRIES_FROM_MISSES]
)
def test_everyday_words_name_the_practice_and_near_misses_do_not(concept, named, not_named):
    glossary, gap = load_glossary(), Settings().glossary_gap  # as the product matches them
    for question in named:
        assert concept in [e.concept for e in glossary.matches(question, gap=gap)], question
    for question in not_named:
        assert concept not in [e.concept for e in glossary.matches(question, gap=gap)], question


def test_an_organisations_own_entries_are_added_to_the_shipped_ones(tmp_path):
    own = tmp_path / "ours.toml"
    own.write_text(
        '[[entry]]\nconcept = "gauge lab"\nterms = "metrology laboratory"\n'
        'phrases = ["the gauge lab"]\n',
        encoding="utf-8",
    )
    glossary = load_glossary(own)
    assert len(glossary) == len(load_glossary()) + 1
    assert glossary.matches("Who runs the gauge lab?")[-1].terms == "metrology laboratory"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[entry]]\nterms = 'x y'\n", "needs 'phrases'"),
        ("[[entry]]\nphrases = ['a b']\n", "needs 'terms'"),
        ("[[entry]]\nterms = 'x'\nphrases = ['']\n", "non-empty"),
        ("[[entry]\nterms = \n", "cannot be read"),
        ("[[entry]]\nterms = 'x'\nphrases = ['a']\nbelow = 2\n", "'below' must be a number"),
        ("[[entry]]\nterms = 'x'\nphrases = ['a']\nbelow = 'always'\n", "from 0 (never)"),
    ],
)
def test_a_bad_glossary_file_says_which_file_and_what_is_wrong(tmp_path, text, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_glossary(bad)
    assert message in str(caught.value) and str(bad) in str(caught.value)


def test_the_shipped_glossary_is_packaged_with_the_code():
    assert DEFAULT_GLOSSARY.name == "glossary.toml" and DEFAULT_GLOSSARY.is_file()
    assert DEFAULT_GATES.is_file()
    packaged = tomllib.loads((DEFAULT_GLOSSARY.parents[2] / "pyproject.toml").read_text())
    data = packaged["tool"]["setuptools"]["package-data"]["assistant.search"]
    assert {DEFAULT_GLOSSARY.name, DEFAULT_GATES.name} <= set(data)


def test_an_entry_keeps_its_own_gate_and_the_fitted_gates_go_to_the_shipped_entries(tmp_path):
    own = tmp_path / "ours.toml"
    own.write_text(
        '[[entry]]\nconcept = "gauge lab"\nterms = "metrology laboratory"\n'
        'phrases = ["the gauge lab"]\nbelow = 1\n',
        encoding="utf-8",
    )
    gates = tmp_path / "gates.toml"
    gates.write_text(
        '[gates]\n"record retention and disposal" = 0.55\n"gauge lab" = 0\n', encoding="utf-8"
    )
    glossary = load_glossary(own, gates)
    by_concept = {e.concept: e for e in glossary.entries}
    assert by_concept["record retention and disposal"].below == 0.55
    assert by_concept["gauge lab"].below == 1.0  # the organisation's own word stands
    assert all(
        e.below is None
        for c, e in by_concept.items()
        if c not in {"record retention and disposal", "gauge lab"}
    )
    gates.write_text('[gates]\n"gauge lab" = 1.5\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match="glossary gates"):
        load_glossary(None, gates)


def test_every_fitted_gate_names_a_shipped_entry():
    # a gate left behind for a renamed or removed entry would silently do nothing
    concepts = {e.concept for e in load_glossary().entries}
    shipped = DEFAULT_GATES.read_text(encoding="utf-8") if DEFAULT_GATES.is_file() else ""
    assert set(tomllib.loads(shipped).get("gates", {})) <= concepts
