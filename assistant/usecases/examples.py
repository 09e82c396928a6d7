"""Example questions for the Ask page, drawn from the documents that are indexed.

Fixed examples ("what do we do with a gauge that fails final test?") read oddly for a software
house or a cold store, and may not be answerable from its documents. So the examples are built
from what is indexed:

- one clause question, for a clause a procedure supports strongly: it cites the clause and its
  text is a close match (the coverage's "strong"), from a short list of clauses nearly every
  organisation runs a procedure for;
- up to two plain questions made from a procedure's own sentences, asked as a person would ask
  them: "The Quality Manager approves every ECN." becomes "Who approves every ECN?", "If a
  reference standard is found out of tolerance, ..." becomes "What do we do if a reference
  standard is found out of tolerance?", "The Warehouse Manager reviews rejections monthly"
  becomes "How often does the Warehouse Manager review rejections?"; a procedure's title
  ("How do we handle change management?") when no sentence fits.

Each example is asked before it is offered, and kept only when it is answered from the document
it was made from (a clause question: when that procedure is among those that meet it), so an
example never leads to "not covered". Everything is ordered by fixed rules: the same index gives
the same examples.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from assistant.core.models import Chunk
from assistant.core.text import TEMPLATE_SECTION, sentences, terms
from assistant.search.clauses import Catalogue
from assistant.usecases.composer import ROLE_NAME, Answer
from assistant.usecases.coverage import ClauseCoverage

# Shown when nothing is indexed (asking then says how to index): neutral questions any quality
# management system answers. Never added to the documents' own: they might not be answered.
GENERIC_EXAMPLES = (
    "How do we meet clause 9.2 on internal audit?",
    "Who approves a new supplier?",
    "What do we do when a customer complains?",
)
# hand-set, not measured: examples shown, at most (one row of buttons)
EXAMPLES = 3
# The clauses a clause example may be about: ones nearly every organisation runs a procedure
# for, in the order they are tried. Clauses where an organisation's own way of working shows
# (its measuring equipment, what it does with a bad product) come before those every system
# words alike (management review). Each is checked on its own, in this order, until one fits (a
# second or so, not the whole coverage's ten or more); a clause's coverage row is the same
# whether worked out alone or with the whole catalogue, so either way picks the same clause.
CLAUSE_SHORTLIST = (
    "7.1.5", "8.7", "9.2", "10.2", "8.4", "7.2", "7.5", "9.3", "8.6", "8.5.2", "9.1.2", "7.1.3",
)  # fmt: skip
# hand-set, not measured: a clause title longer than this is left out of the question
MAX_TITLE_CHARS = 40
# hand-set, not measured: candidates asked per example before giving up on that kind
TRIES = 4
# hand-set, not measured: words in the object of "Who approves ...?", at most
MAX_OBJECT_WORDS = 7
# hand-set, not measured: a condition ("if ...") of fewer content words says too little alone
MIN_CONDITION_TERMS = 3
# hand-set, not measured: words in a condition, at most (a longer one is not a quick example)
MAX_CONDITION_WORDS = 14
# hand-set, not measured: added to a "who" question about a decision (who approves, signs...)
DECISION_BONUS = 1.0

# A numbered step or a list bullet in front of a sentence.
_LEAD_IN = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?\s+|[-*•]\s+|\(?[a-z0-9]\)\s+)")
# "The Quality Manager (also) approves every ECN ...": a role, then what it does.
_WHO = re.compile(
    r"^(?:The\s+)?(?P<role>" + ROLE_NAME.pattern + r")\s+(?:then\s+|also\s+)?"
    r"(?P<verb>[a-z]{3,}s)\s+(?P<rest>.+)$"
)
# "If ..., " / "When ..., " / "Where ..., ": what happens in a case.
_CASE = re.compile(r"^(?P<word>If|When|Where)\s+(?P<cond>[^,;:()\[\]]+?),\s+\S")
# How often something is done.
_FREQUENCY = re.compile(
    r"\b(?:daily|weekly|monthly|quarterly|annually|yearly|"
    r"(?:every|each)\s+(?:\d+\s+|two\s+|three\s+|six\s+|twelve\s+)?"
    r"(?:shift|day|week|month|quarter|year)s?|once\s+a\s+(?:day|week|month|year))\b",
    re.IGNORECASE,
)
# Where the object of a step ends: punctuation, or a word that starts another part of it.
_OBJECT_END = re.compile(
    r"[,;:(\[]|\s(?:and|or|before|after|within|when|if|using|by|at|on|in|for|to|from|with|"
    r"against|until|once|so|then|unless|where|that|which|who|as|via|per)\s|" + _FREQUENCY.pattern,
    re.IGNORECASE,
)
# Verbs that are not something a person does in a step ("is", "has" ...).
_NOT_ACTIONS = frozenset("is has was does needs wants seems means remains".split())
_DECISIONS = frozenset(
    "approves authorises authorizes signs releases decides grades classifies appoints accepts "
    "rejects".split()
)
_PRONOUNS = frozenset(
    "it its this that these those they them he she him her you we any all".split()
)
# Words that point back to an earlier sentence: a question with one needs that sentence.
_REFERS_BACK = frozenset("it its this these those they them he she him her you".split())
# A condition must say what happens, starting with who or what: "if not acknowledged", "when
# defining the requirements", "if found necessary" need the sentence around them.
_NOT_SUBJECTS = frozenset("not so there such found necessary needed applicable possible".split())
# Markup a document's sentence may carry ("an *indirect impact*"): such a question would show
# its marks on the button, so it is left out.
_MARKUP = re.compile(r"[*_`#<>\[\]{}|\\~]")
# Words an object cannot end on: "Who identifies every measurement made?" needs the rest.
_DANGLING = re.compile(r"(?:ing|ed|made|done|given|taken|found|seen|kept)$")


@dataclass(frozen=True)
class Candidate:
    """An example question and the document it was made from."""

    question: str
    file: str
    kind: str  # "clause" | "who" | "how often" | "case" | "topic"
    score: float


def clause_question(clause_id: str, title: str) -> str:
    if len(title) <= MAX_TITLE_CHARS and " - " not in title:
        return f"How do we meet clause {clause_id} on {_lower_first(title)}?"
    return f"How do we meet clause {clause_id}?"


def clause_candidates(
    row_of: Callable[[str], ClauseCoverage], catalogue: Catalogue
) -> Iterator[Candidate]:
    """The shortlisted clauses in order, each worked out only when the one before did not do
    (``row_of``: a clause's coverage row): first those a procedure cites and matches closely,
    then, when none is, any strongly supported one, the closest first."""
    later: list[Candidate] = []
    for cid in CLAUSE_SHORTLIST:
        if cid not in catalogue:
            continue
        row = row_of(cid)
        strong = [s for s in row.supports if s.strength == "strong"]
        if not strong:
            continue
        question = clause_question(cid, catalogue.get(cid).title)
        if cited := next((s for s in strong if s.cited), None):
            yield Candidate(question, cited.file, "clause", cited.similarity)
        else:
            best = max(strong, key=lambda s: s.similarity)
            later.append(Candidate(question, best.file, "clause", best.similarity))
    yield from sorted(later, key=lambda c: -c.score)  # stable: on a tie, shortlist order


def _lower_first(text: str) -> str:
    """'Monitoring and measuring resources' -> 'monitoring ...'; 'ECN review' stays."""
    first = text.split(" ", 1)[0]
    if first.isupper() or any(ch.isupper() for ch in first[1:]):
        return text
    return text[:1].lower() + text[1:]


def _base_verb(verb: str) -> str:
    """'approves' -> 'approve', 'carries' -> 'carry', 'reaches' -> 'reach'."""
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z)es$", verb):
        return verb[:-2]
    return verb[:-1]


def _object(rest: str) -> str | None:
    """What a step acts on, up to where another part of the sentence starts; None when it is
    too long, names a form number or starts with a pronoun (it needs the sentence around it)."""
    cut = _OBJECT_END.search(rest)
    phrase = (rest[: cut.start()] if cut else rest).strip().rstrip(".")
    words = phrase.split()
    if not words or len(words) > MAX_OBJECT_WORDS or words[0].lower() in _PRONOUNS:
        return None
    if re.search(r"\d", phrase) or not terms(phrase) or _DANGLING.search(words[-1]):
        return None
    return phrase


def _steps(chunks: Iterable[Chunk]) -> Iterable[tuple[Chunk, str]]:
    for c in chunks:
        if TEMPLATE_SECTION.match(c.heading.split(" > ", 1)[0]):
            continue  # purpose, scope, definitions: what a document is, not what people do
        for s in sentences(c.text):
            yield c, _LEAD_IN.sub("", s).strip()


def _who(step: str) -> list[tuple[str, str, float]]:
    """'The Quality Manager reviews the alarm log weekly.' -> 'Who reviews the alarm log?' and
    'How often does the Quality Manager review the alarm log?': (question, kind, bonus)."""
    m = _WHO.match(step)
    if m is None or m.group("verb") in _NOT_ACTIONS:
        return []
    verb, rest = m.group("verb"), m.group("rest")
    if (what := _object(rest)) is None:
        return []
    out = [(f"Who {verb} {what}?", "who", DECISION_BONUS if verb in _DECISIONS else 0.0)]
    if _FREQUENCY.search(rest):
        role = m.group("role")
        out.append((f"How often does the {role} {_base_verb(verb)} {what}?", "how often", 0.0))
    return out


def _case(step: str) -> str | None:
    """'If a reference standard is found out of tolerance, ...' -> 'What do we do if a
    reference standard is found out of tolerance?'; None when the case needs its sentence."""
    m = _CASE.match(step)
    if m is None:
        return None
    cond = m.group("cond").strip()
    words = [w.lower() for w in cond.split()]
    if words[0] in _NOT_SUBJECTS or words[0].endswith(("ing", "ed")):
        return None
    if _REFERS_BACK & set(words):  # "if the vehicle cannot take it back": take what back?
        return None
    if len(words) > MAX_CONDITION_WORDS or len(terms(cond)) < MIN_CONDITION_TERMS:
        return None
    lead = "What do we do if" if m.group("word") == "If" else "What happens when"
    return f"{lead} {cond}?"


def step_candidates(
    chunks: Iterable[Chunk], is_procedure: Callable[[str], bool]
) -> list[Candidate]:
    """Questions made from the procedures' own sentences, the most specific first (rarer words
    name what the organisation does: "Bourdon tube", "haulier", "pull request")."""
    chunks = sorted((c for c in chunks if is_procedure(c.file)), key=lambda c: (c.file, c.ordinal))
    found: list[tuple[str, str, str, float]] = []  # question, file, kind, bonus
    for c, step in _steps(chunks):
        found += [(q, c.file, kind, bonus) for q, kind, bonus in _who(step)]
        if case := _case(step):
            found.append((case, c.file, "case", 0.0))
    # How specific a question is: its rarest words, weighed across every indexed passage.
    passages = [terms(c.text) for c in chunks]
    df: dict[str, int] = {}
    for bag in passages:
        for w in bag:
            df[w] = df.get(w, 0) + 1
    n = max(len(passages), 1)

    def specific(question: str) -> float:
        weights = sorted((math.log(1 + n / df.get(w, 1)) for w in terms(question)), reverse=True)
        return sum(weights[:3])

    out, seen = [], set()
    for question, file, kind, bonus in found:
        if question.lower() in seen or _MARKUP.search(question):
            continue
        seen.add(question.lower())
        out.append(Candidate(question, file, kind, specific(question) + bonus))
    out.sort(key=lambda c: -c.score)  # stable: on a tie, reading order
    return out


def topic_candidates(titles: dict[str, str]) -> list[Candidate]:
    """'How do we handle change management?' from each procedure's title (file -> title)."""
    out = []
    for file, title in sorted(titles.items()):
        title = re.sub(r"^\s*[A-Z]{1,6}[ .-]?[A-Z]{0,4}[ .-]?\d[\d.-]*\s*[-:]?\s*", "", title)
        title = re.sub(r"\s+(?:procedure|process|policy|sop)$", "", title, flags=re.I).strip()
        if title and len(title.split()) <= MAX_OBJECT_WORDS and terms(title):
            out.append(Candidate(f"How do we handle {_lower_first(title)}?", file, "topic", 0.0))
    return out


def answered_from(answer: Answer, file: str) -> bool:
    """The question is answered, and from this document: its short answer quotes it (or, for a
    clause question, it is the procedure that meets the clause)."""
    if answer.no_evidence:
        return False
    if answer.mode == "clause":
        return any(p.file == file for p in answer.procedures)
    quoted = {q.citation.file for q in answer.lead} or {e.chunk.file for e in answer.evidence[:1]}
    return file in quoted


def choose(
    clauses: Iterable[Candidate],
    steps: list[Candidate],
    topics: list[Candidate],
    ask: Callable[[str], Answer],
) -> list[str]:
    """One clause question, then plain questions of different kinds from different documents
    (a "who" or "how often" one, a "what if" one, then any), each asked first and kept only when
    its own document answers it; procedure titles when the sentences give too few."""
    chosen: list[Candidate] = []
    asked: set[str] = set()  # each candidate is asked once, whichever pass comes to it

    def take(pool: Iterable[Candidate]) -> bool:
        used = {c.file for c in chosen}
        tries = 0
        for c in pool:
            if c.file in used or c.question in asked:
                continue
            if tries == TRIES:
                break
            tries += 1
            asked.add(c.question)
            if answered_from(ask(c.question), c.file):
                chosen.append(c)
                return True
        return False

    take(clauses)
    for kinds in (("who", "how often"), ("case",), ("who", "how often", "case")):
        if len(chosen) < EXAMPLES:
            take(c for c in steps if c.kind in kinds)
    while len(chosen) < EXAMPLES and take(topics):
        pass
    return [c.question for c in chosen]


def example_questions(
    catalogue: Catalogue,
    row_of: Callable[[str], ClauseCoverage],
    chunks: list[Chunk],
    is_procedure: Callable[[str], bool],
    ask: Callable[[str], Answer],
) -> list[str]:
    """Up to ``EXAMPLES`` questions the indexed documents answer (fewer when they give fewer:
    a generic example might not be answered by them); the generic ones when nothing is
    indexed. ``row_of``: a clause's coverage row; ``ask``: the offline answer to a question."""
    if not chunks:
        return list(GENERIC_EXAMPLES)
    titles = {c.file: c.title for c in chunks if is_procedure(c.file)}
    questions = choose(
        clause_candidates(row_of, catalogue),
        step_candidates(chunks, is_procedure),
        topic_candidates(titles),
        ask,
    )
    return questions
