"""The clause catalogue keeps its promises: own words, honest titles, neutral wording.

Reads the YAML directly (yaml.safe_load), so it checks the files as shipped, independent of
the loader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.fast  # no model: make test-fast

CLAUSES = Path(__file__).parents[1] / "corpus" / "clauses"

# Runs of 3-8 words that track ISO 9001:2015 (or earlier catalogue text that copied it) too
# closely. None of them may come back, in any field of any card.
BANNED_PHRASES = [
    # 7.5.3 / 7.5.3.1
    "improper use or loss of integrity",
    "loss of confidentiality",
    "available and fit for use where and when",
    "adequately protected against loss",
    # 10.3
    "needs or opportunities",
    "needs or opportunities that should be dealt with",
    # 8.6
    "checks are satisfactorily completed",
    "unless a relevant authority",
    # 7.1.5.2
    "traceable to international or national measurement standards",
    "adjustments, damage or deterioration",
    "would invalidate results",
    # 4.1
    "legal, technological, competitive, market, cultural, social and economic",
    "values, culture, knowledge and performance",
    # 6.1.2
    "taking a risk to pursue an opportunity",
    "changing likelihood or consequences",
    "knowingly accepting it",
    "products, markets, customers, partnerships or technologies",
    # 8.3.3
    "complete and unambiguous",
    "adequate for the design purpose",
    "conflicting inputs must be resolved",
    # 7.5.2
    "title, date, author and reference number",
    "language, software version, graphics",
    "suitable and adequate",
    # 10.1
    "including for future needs and expectations",
    "correcting, preventing or reducing unwanted effects",
    # 8.5.3
    "identify, verify, protect and safeguard",
    "tools, equipment, premises, intellectual property and personal data",
    # 8.7.1 / 8.7
    "stop them being used or delivered unintentionally",
    "segregating, containing, returning or suspending",
    "authorised acceptance under concession",
    "segregation and containment, return or suspension",
    # 8.4.2 (and 4.2, which carried the same run)
    "consistently deliver conforming products and services",
    # 4.4.1
    "including measurement and performance indicators",
    # other near-verbatim runs found on re-reading the cards
    "relevant functions, levels and processes",
    "understood and consistently met",
    "nature, use and intended lifetime",
    "communicate the importance of effective quality management",
    "give assurance that the system can achieve",
    "control the unique identification",
]

# Shorter runs, still distinctive enough to flag on their own.
BANNED_TERMS = ["satisfactorily completed", "relevant authority"]

# Paragraphs the standard numbers but gives no heading: their titles are our labels.
UNHEADED = set(
    """
    4.4.1 4.4.2 6.1.1 6.1.2 6.2.1 6.2.2 7.5.3.1 7.5.3.2
    8.2.3.1 8.2.3.2 8.7.1 8.7.2 9.2.1 9.2.2 10.2.1 10.2.2
    """.split()
)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _cards() -> list[dict]:
    cards: list[dict] = []
    for path in sorted(CLAUSES.glob("*.yaml")):
        cards.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return cards


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


CARDS = _cards()
BY_ID = {card["id"]: card for card in CARDS}


def _synonyms(cid: str) -> list[str]:
    return [s.lower() for s in BY_ID[cid]["synonyms"]]


def test_the_catalogue_is_all_there():
    assert len(CARDS) == 91 and len(BY_ID) == 91
    assert set(BY_ID) >= UNHEADED


def test_banned_list_is_well_formed():
    assert len(BANNED_PHRASES) >= 15
    for phrase in BANNED_PHRASES:
        assert phrase == _norm(phrase), phrase
        assert 3 <= len(re.findall(r"[\w'-]+", phrase)) <= 8, phrase


@pytest.mark.parametrize("phrase", BANNED_PHRASES + BANNED_TERMS)
def test_no_text_of_the_standard(phrase):
    hits = [card["id"] for card in CARDS if any(phrase in _norm(s) for s in _strings(card))]
    assert hits == [], f"{phrase!r} found in {hits}"


def test_only_unheaded_paragraphs_are_marked_as_our_labels():
    for card in CARDS:
        value = card.get("official_title", True)
        assert isinstance(value, bool), card["id"]
        assert value is (card["id"] not in UNHEADED), card["id"]


def test_official_titles_that_were_wrong():
    assert BY_ID["5.2"]["title"] == "Policy"
    assert BY_ID["7.5.2"]["title"] == "Creating and updating"
    # people who use the old wording still find the cards
    assert "quality policy" in _synonyms("5.2")
    assert "creating and updating documented information" in _synonyms("7.5.2")


def test_synonyms_moved_as_the_review_asked():
    assert {"preventive action", "preventative action"} <= set(_synonyms("6.1"))
    assert {"ncr", "nonconformance", "nonconformance report"} <= set(_synonyms("10.2"))
    assert "NCR" in BY_ID["10.2"]["synonyms"]  # acronyms match case-sensitively
    assert "waiver" in _synonyms("8.7")
    assert "audit program" in _synonyms("9.2.2")
    assert {"ppm", "planned preventive maintenance"} <= set(_synonyms("7.1.3"))
    assert "mission statement" not in _synonyms("5.2")
    assert "on-time delivery" not in _synonyms("5.1.2")
    assert "conformity check" not in _synonyms("9.2.1")
    assert "risk-based thinking" not in _synonyms("5.1.1")
    assert "risk-based thinking" in _synonyms("6.1")
    assert "change request" not in _synonyms("7.5.2")
    assert "document change request" in _synonyms("7.5.2")


def test_no_card_is_written_for_one_industry():
    """Requirements, evidence and questions read right to a food company or a software house;
    synonyms may keep a trade's own words ("gauge R&R"), since they only help people find a card."""
    for card in CARDS:
        for text in _strings({k: v for k, v in card.items() if k != "synonyms"}):
            assert "gauge" not in text.lower(), (card["id"], text)


def test_documented_information_corrections():
    doc = {cid: BY_ID[cid]["documented_information"] for cid in BY_ID}
    assert not any("out-of-tolerance" in r.lower() for r in doc["7.1.5.2"]["retained"])
    for cid in ("7.5.3", "7.5.3.2"):
        assert doc[cid]["retained"] == [] and doc[cid]["maintained"] == [], cid
    for cid, d in doc.items():
        if not d.get("maintained") and not d.get("retained"):
            assert (d.get("note") or "").strip(), f"{cid}: nothing mandated needs a note"
    roll_up = " ".join(doc["8"]["retained"])
    assert "(8.1)" in roll_up and "(8.3.2)" in roll_up


def test_requirement_corrections():
    requires = {cid: _norm(card["requires"]) for cid, card in BY_ID.items()}
    assert "control of the organisation's quality management system" in requires["8.4.2"]
    assert "within the scope" not in requires["8.4.2"]
    assert "trends" in requires["9.3.2"]
    assert "not fit for" in requires["7.1.5.2"] and "damaged" in requires["7.1.5.2"]
    for cid in ("6.1.2", "7.1.1", "8.3.2", "9.2.2"):
        assert " should " not in f" {requires[cid]} ", cid
    audit_texts = _norm(
        " ".join(BY_ID["9.2"]["evidence"] + [q["text"] for q in BY_ID["9.2"]["questions"]])
    )
    assert "objectiv" in audit_texts and "impartial" in audit_texts
