"""Needs of an ISO 9001 clause recognised by a plain question's words, for an organisation whose
documents never speak of them.

"When a senior developer leaves, how do we make sure what they know doesn't walk out the door?"
asks what clause 7.1.6 (organisational knowledge) asks for. In a QMS that never names know-how,
lessons learned or knowledge transfer and never cites the clause, the nearest passage is the HR
procedure's offboarding (access and equipment), and answering from it tells the reader the
matter is dealt with while the coverage page calls the clause "none". The honest answer is the
one a clause question gets: a possible gap on that clause (docs/retrieval.md, "A clause's need
named nowhere", with the measurements that kept it).

The table is data, in our own words: for each clause need, the words that recognise it in a
question and the wider words that would show a document speaks of it. It is kept to needs a
question names in words no other matter uses; a need said in words other clauses share
("training", "records") is left to the search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.search.retrieval import CitationMap
from assistant.usecases.other_standards import CorpusTopics


@dataclass(frozen=True)
class ClauseNeed:
    clause: str  # "7.1.6"
    need: str  # our words for it: "keeping the know-how the organisation depends on"
    asked: re.Pattern[str]  # recognises the need in a question
    # what a document speaking of the need would say: wider than ``asked`` (a document may
    # call it a knowledge base or a handover of what someone knows)
    named: re.Pattern[str]
    search: str  # words for the BM25 query that finds the passages ``named`` is read in


_I = re.IGNORECASE

# Written at stop 68 from the fitting questions of the five organisations (54 of openregulatory's
# not-answered questions answered as a new organisation ask it; docs/retrieval.md).
KNOWLEDGE = ClauseNeed(
    "7.1.6",
    "keeping the know-how the organisation depends on",
    re.compile(
        r"\bknow-?how\b|\borgani[sz]ational knowledge\b|\bknowledge (?:transfer|sharing)\b|"
        r"\blessons?[- ]learn(?:ed|t)\b|"
        # "what she knows", "what's in his head": a person's knowledge, not "who needs to know"
        r"\bwhat (?:they|he|she|people|someone|each of us) knows?\b|"
        r"\b(?:in|inside) (?:their|his|her|people's|someone's) heads?\b",
        _I,
    ),
    # Not "knowledge" alone: a competence procedure's "knowledge of the regulations" or "new
    # knowledge" says nothing of keeping it, nor a README's "handover of AI" of handing on work,
    # nor a clinical "retrospective study" of a team looking back.
    re.compile(
        r"\bknow-?how\b|\borgani[sz]ational knowledge\b|"
        r"\bknowledge (?:transfer|sharing|base|management|capture|retention)\b|"
        r"\b(?:captur|retain|shar|transferr|preserv|keep|pass)\w* (?:on )?(?:the |our |their |his |"
        r"her |this |that |team |specialist |critical )?knowledge\b|"
        r"\blessons?[- ]learn(?:ed|t)\b|\b(?:sprint|project) retrospectives?\b|"
        r"\bretrospective (?:meetings?|sessions?|reviews?)\b|\bsuccession plan\w*|"
        r"\bhand-?over (?:notes?|of (?:work|knowledge|duties|responsibilit\w+))\b",
        _I,
    ),
    "know-how knowledge lessons learned learnt retrospective handover succession",
)
# stop 68: "a hospital has lent us one of their scanners for testing: how do we look after it?"
# (openregulatory's documents never speak of anything of a customer's in our care)
PROPERTY = ClauseNeed(
    "8.5.3",
    "looking after property that belongs to a customer or an outside provider",
    re.compile(
        r"\b(?:lent|lend|lends|lending) us\b|\bon loan (?:to us|from)\b|\bloaned (?:to )?us\b|"
        r"\bcustomers?'?s? (?:own )?property\b|"
        r"\bproperty (?:of|belonging to|owned by) (?:the |our |a )?(?:customers?|clients?)\b|"
        r"\b(?:equipment|kit|devices?) (?:that )?belong(?:s|ing)? to (?:the |a |our )?"
        r"(?:customers?|clients?|hospitals?)\b",
        _I,
    ),
    # wide: a document that speaks of anything lent, loaned, owned by or issued free by a
    # customer or supplier may be where the answer is
    re.compile(
        r"\bcustomers?'? property\b|\bproperty (?:of|belonging to|owned by)\b|"
        r"\bbelong(?:s|ing)? to (?:a |the |our |their )?(?:customers?|clients?|hospitals?|"
        r"patients?|external providers?|suppliers?)\b|"
        r"\b(?:customer|client|supplier)[- ](?:owned|supplied|furnished)\b|\bfree[- ]issue\b|"
        r"\blent\b|\blend(?:s|ing)?\b|\bon loan\b|\bloan(?:s|ed)?\b",
        _I,
    ),
    "customer property belonging lent lend loan loaned owned supplied free issue",
)
NEEDS = (KNOWLEDGE, PROPERTY)

# A question in two parts: a clause joined by "and" and a question word. "How do we keep the
# know-how our processes depend on, and how do we pick up new knowledge when laws change?" asks
# a second thing the documents may answer; it is answered, with the first part's gap said.
_PARTS = re.compile(
    r",?\s+and\s+(?=(?:how|what|where|who|when|which|why|do|does|is|are|can|should)\b)", _I
)


def clause_need(question: str) -> ClauseNeed | None:
    """The clause need a question asks for by its words, or None."""
    return next((n for n in NEEDS if n.asked.search(question)), None)


def other_part(question: str, need: ClauseNeed) -> bool:
    """The sentence that asks for the need joins a second question that does not ask for it
    ("..., and how do we pick up new knowledge when standards change?"). A later sentence
    ("Is there a handover?") elaborates the same matter and is not counted."""
    for sentence in re.split(r"(?<=[?.!])\s+", question):
        if need.asked.search(sentence):
            parts = _PARTS.split(sentence)
            return any(not need.asked.search(p) for p in parts[1:])
    return False


class ClauseGaps:
    """Whether an organisation's documents are silent on a clause need: no document cites the
    clause or is mapped to it (``CitationMap.cited_anywhere``) and no passage among the BM25
    candidates for the need's own search words has a line ``named`` finds (the topic rule's
    read, ``CorpusTopics.named_by``). A form counts: a project closure template with a "lessons
    learned" box is the organisation dealing with the matter."""

    def __init__(self, topics: CorpusTopics, citations: CitationMap) -> None:
        self.topics = topics
        self.citations = citations

    def silent_on(self, need: ClauseNeed) -> bool:
        if self.citations.cited_anywhere(need.clause):
            return False
        return not self.topics.named_by(need.search, need.named, forms=None)
