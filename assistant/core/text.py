"""The project's shared text vocabulary: sentences, content words, and the patterns for
forms, roles and boilerplate sections.

Used by the answer composer, the interview grader, its fact reader and the question bank; kept
in the lowest tier so none of them imports another's internals. Changing a pattern changes
retrieval quotes and grading alike: re-run ``assistant eval retrieval`` and ``eval grader``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=\s)|$)", re.MULTILINE)
# hand-set, not measured (commit 38e1224): a slice this long or shorter is a fragment
# ("Approved.", "Signed: QA Manager"), not a sentence. Each use has its own, longer floor:
# quotes (composer.MIN_QUOTE_CHARS), key points (GraderParams.min_point_chars), question-bank
# sentences (question_bank.MIN_QUESTION_SENTENCE_CHARS).
FRAGMENT_CHARS = 20
FORM = re.compile(r"\b(?:[A-Z]{1,3}-)?(?:F|FM|FRM|QF|REC)-[A-Z0-9]{1,4}(?:-\d{1,3})?\b")
ROLE = re.compile(
    r"\b(?:(?!The\b|A\b|An\b|Our\b|Each\b|Every\b)[A-Z][a-z]+[ -]){0,3}"
    r"(?:Manager|Director|Lead|Supervisor|Engineer|Inspector|Technician|Auditors?|Officer|Coordinator|Controller|Board|Representative)\b"
)
# A word: letters and digits, hyphenated parts kept together ("out-of-tolerance", "f-05-2").
WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STOP = frozenset(
    (
        "a an and are as at be by can do does for from has have how i if in is it its me of on or "
        "our shall should so that the their them then there these this to us we what when where "
        "which who why will with you your clause iso standard meet meets sub section requirement "
        "requirements procedure procedures document documents show tell "
    ).split()
)
# What WORD leaves of a contraction ("I've" -> "i", "ve"; "don't" -> "don", "t"): no subject of
# its own, yet rare in procedures, so it weighed heavily: "I've spotted a typo ..." quoted
# openregulatory's licence notice ("... even if you've modified ...") as its short answer
# (stop 22). The not-covered model's subject words (FUNCTION_WORDS) keep them: left out there
# too, its folds moved gstt-csc 318 -> 316 and openregulatory 307 -> 308 (docs/retrieval.md).
CONTRACTION_PARTS = frozenset(
    (
        "ve ll re don doesn didn isn aren wasn weren wouldn couldn shouldn haven hasn hadn "
        "mustn needn shan ain"
    ).split()
)
_STOP = _STOP | CONTRACTION_PARTS

# Words that carry no subject of their own ("who do I tell if ...", "am I supposed to ..."):
# function words, pronouns, question words and the verbs of asking. A question's other words
# are what it is about (``usecases/not_covered.py`` looks for them in the passages).
FUNCTION_WORDS = frozenset(
    (
        "a about above after again against all also am an and any anyone anything are around as "
        "at be because been before being below between both but by can cannot could did do does "
        "doing done down during each either else ever every everyone for from further get gets "
        "getting got had has have having he her here hers herself him himself his how i if in "
        "into is it its itself just let like may me might mine more most must my myself need "
        "needs no nor not now of off on once one only or other others ought our ours ourselves "
        "out over own please really same shall she should so some someone something such "
        "supposed than that the their theirs them themselves then there these they this those "
        "through to too under until up upon us very was we were what whatever when whenever "
        "where whether which while who whoever whom whose why will with within without would "
        "yes yet you your yours yourself yourselves ok okay able allowed want wants wanted "
        "happen happens happened make makes sure tell thing things actually anyway still"
    ).split()
)

# Words that point back to something said before ("how often are *they* re-evaluated?"): the
# conversation reads them as a follow-up cue, and a quote is not chosen for sharing them.
POINTING_BACK = (
    "it its it's they them their theirs that this those these there he she him her one ones "
    "such afterwards then"
).split()


# A heading's own number, if any ("4.3 ", "2. "): what heading patterns skip before the words
# they look for.
HEADING_NUMBER = r"(?:\d+(?:\.\d+)*\.?\s+)?"


# A heading that names no subject ("1. Introduction", "Summary", "Revision history"): not a
# document's title (documents/metadata.py), nor the topic of an interview's follow-up.
GENERIC_HEADING = re.compile(
    HEADING_NUMBER + r"(?:summary|general(?: information)?|purpose|scope|introduction|"
    r"description|overview|contents|table of contents|document (?:information|control|history)|"
    r"revision history|change history|version history)",
    re.IGNORECASE,
)


# Sections that say what a document is (purpose, scope, definitions...), not what people do:
# never a key point, and quoted only when a document has nothing else to show.
TEMPLATE_SECTION = re.compile(
    r"^\s*" + HEADING_NUMBER + r"(?:purpose|scope|definitions?|terms and definitions|"
    r"abbreviations|references?|related documents|revision history|document history|"
    r"change history|amendment history|approvals?|distribution)\b",
    re.IGNORECASE,
)


# A template's instructions to whoever fills it in ("> Describe the typical use environment.",
# "In this section, provide general information about ..."): text about writing the document,
# not about what the organisation does, so never quoted as an answer. Read from real template
# QMSs (openregulatory: 58 of 2,791 sentences; gstt-csc: 2 of 2,438; none of the sample's or
# fernhill's 2,474): an instruction verb opening a sentence in a quote block (after "Also",
# "Note:" ...), or one that speaks to "your company", or "in this section ...". A bulleted line
# in a quote block is a list (a quality policy's "- choose suppliers who ..."), not an
# instruction.
_INSTRUCTION = re.compile(
    # a lead-in before the verb ("Also mention if ...", "NOTE: enter here ...")
    r"^(?:(?:also|please|note|hint|tip|important)\s*:?\s+)?"
    r"(?:describe|provide|list|state|insert|enter|add|specify|explain|fill in|include|outline|"
    r"summari[sz]e|replace|delete|remove|choose|select|define|mention|write|attach|consider|"
    r"adapt|make sure|think about|feel free) (?=[a-z(<\"'])",
    re.IGNORECASE,
)
_THIS_SECTION = re.compile(
    r"^(?:in|for) this (?:section|chapter|document|template|table)\b", re.IGNORECASE
)
_YOUR_COMPANY = re.compile(r"\byour (?:company|organi[sz]ation|QMS)\b", re.IGNORECASE)
# In a quote block, a sentence that speaks to whoever adopts the template ("This template is
# best implemented in a spreadsheet", "you could specify a longer interval"): openregulatory 32
# and gstt-csc 3 such sentences more (stop 13), all instructions; the sample and fernhill have
# none in a quote block.
_TO_THE_AUTHOR = re.compile(r"\b(?:this|the) template\b|\byou\b|\byour\b", re.IGNORECASE)
# In a quote block, a sentence that says what a document or section should hold ("In addition,
# the policy should include a commitment to ...", openregulatory's quality manual): the
# template telling its author what to write, in the third person. The organisation's own text
# says what it does ("we review this policy yearly"), not what its policy should contain.
_SHOULD_HOLD = re.compile(
    r"\b(?:should|must|needs? to|ought to)\s+(?:also\s+)?"
    r"(?:include|contain|describe|list|state|cover|mention|outline|explain|specify)\b",
    re.IGNORECASE,
)
_LINE_START = re.compile(r"^(?:[\s>*_\-\d.]|<(?:i|em)>)*")
# A sentence set in italics, as templates set their instructions apart: "*Rate these aspects
# with yes or no.*", "<i> Enter the details of the internal audit ... </i>" (gstt-csc's
# internal audit report form). An instruction verb opening it is the template's, as in a quote
# block.
_ITALIC = re.compile(r"^\s*(?:<(?:i|em)>|[*_](?=\S))")
_QUOTED_BULLET = re.compile(r"^[\s>]*[-*+]\s")


# The quality policy's own section ("5 Quality policy (ISO 9001 clause 5.2)", "Quality Policy",
# "2. Quality Policy & Objectives"): commitments in the organisation's words ("fix the cause when
# we get something wrong") that share a word with every question and say what the organisation
# means to do, never how. Measured (docs/retrieval.md): the sample's policy was the short answer
# to 12 of its 97 answered plain fitting questions at stop 14, never the right one; at stop 31 a
# policy passage led 30 plain fitting questions over five organisations and answered none.
POLICY_SECTION = re.compile(
    r"^\s*" + HEADING_NUMBER + r"(?:the\s+)?quality\s+policy(?:\s+statement)?"
    r"(?:\s*(?:&|and)\s+objectives)?\s*(?:\([^)]*\))?\s*$",
    re.IGNORECASE,
)
# A question about the policy, its commitments, aims or objectives: the policy may answer it.
_ABOUT_POLICY = re.compile(
    r"\bpolic(?:y|ies)\b|\bcommit|\bobjectives?\b|\btargets?\b|\bgoals?\b|\baims?\b"
    r"|\bmission\b|\bvision\b|\bvalues\b|\bprinciples?\b|\bpledge",
    re.IGNORECASE,
)


def is_policy_section(heading: str) -> bool:
    """Whether a passage is the quality policy, by its own section's heading (the last of its
    heading path: a manual titled "Quality Manual, Policy and Objectives" is not the policy)."""
    return bool(POLICY_SECTION.match(heading.rsplit(" > ", 1)[-1]))  # core.models.HEADING_SEP


def asks_about_policy(question: str) -> bool:
    """Whether a question asks about the policy, its commitments, aims or objectives."""
    return bool(_ABOUT_POLICY.search(question))


def is_template_guidance(sentence: str, passage: str | None = None) -> bool:
    """A template's instruction to its author, not the organisation's practice. With the
    ``passage`` it was read from: also a sentence of a quote-block line that holds an
    instruction ("> List all your SOPs here. This list is highly company-specific ...") or
    of a bulleted quote line under one (``_guidance_lines``)."""
    if _instruction(sentence):
        return True
    if passage is None or ">" not in passage:  # no quote block: nothing more to read
        return False
    head = sentence[:40]
    quoted = (g for line, g in _guidance_lines(passage) if head in line and _quoted(line))
    return next(quoted, False)


def _instruction(sentence: str) -> bool:
    body = _LINE_START.sub("", sentence)
    if _THIS_SECTION.match(body):
        return True
    quoted = sentence.lstrip().startswith(">") and not _QUOTED_BULLET.match(sentence)
    if quoted and (_TO_THE_AUTHOR.search(body) or _SHOULD_HOLD.search(body)):
        return True
    if not _INSTRUCTION.match(body):
        return False
    return quoted or bool(_ITALIC.match(sentence)) or bool(_YOUR_COMPANY.search(body))


_QUOTE_MARKS = re.compile(r"^[\s>]*")


def without_template_guidance(text: str) -> str:
    """``text`` without the quote-block lines that instruct the template's author
    (``_guidance_lines``). For the text that is searched, never for what is shown or quoted:
    the passage itself stays verbatim."""
    return "\n".join(line for line, guidance in _guidance_lines(text) if not guidance)


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


@lru_cache(maxsize=1024)  # the composer asks once per sentence of the same passage
def _guidance_lines(passage: str) -> tuple[tuple[str, bool], ...]:
    """The passage's lines, each with whether it is a template's instruction to its author: a
    quote-block line (">" opening it; the parser joins a paragraph's wrapped lines) one of
    whose sentences, read as quoted, is an instruction ("> NOTE: depending on your current
    processes in place, feel free to add provisions for:"), and the bulleted quote lines under
    it, which list what the author might add, not what the organisation does. A quote line
    with no instruction (a quality policy set apart, its commitments as bullets) is not."""
    lines = passage.splitlines()
    if ">" not in passage:  # no quote block (most passages)
        return tuple((line, False) for line in lines)
    out: list[tuple[str, bool]] = []
    under = False  # under an instruction, until the quote block's next prose line or its end
    for line in lines:
        quoted = _quoted(line)
        prose = _QUOTE_MARKS.sub("", line)
        if not quoted:
            under = False
        elif prose and not _QUOTED_BULLET.match(line):
            under = any(_instruction("> " + s) for s in sentences(prose))
        out.append((line, quoted and under))
    return tuple(out)


_LIST_MARKER = re.compile(r"^\s*[*+-]\s+")


def without_list_marker(sentence: str) -> str:
    """A sentence quoted on its own, without the marker it had in its list ("* If the complaint
    ..." -> "If the complaint ..."): what is left is still verbatim in its source."""
    return _LIST_MARKER.sub("", sentence)


# A Markdown backslash escape: a backslash before ASCII punctuation (\<Software Title\>).
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


# Markdown's HTML line breaks between a table cell's items ("( ) death<br>( ) serious harm"; 330
# gstt-csc and openregulatory passages). Indexed as written (the index must not change with how
# it is shown: taken out of the index, they moved the not-covered folds of gstt-csc and
# openregulatory, 6 fewer right), shown as " / ". Any other tag is shown as the text it is,
# escaped, never rendered.
_EDGE_BREAKS = re.compile(r"^(?:[ \t]*<br\s*/?>)+[ \t]*|[ \t]*(?:<br\s*/?>[ \t]*)+$", re.I | re.M)
_HTML_BREAKS = re.compile(r"(?:[ \t]*<br\s*/?>[ \t]*)+", re.IGNORECASE)


def as_shown(text: str) -> str:
    """Document text as people read it: HTML line breaks between items shown as " / "."""
    return _HTML_BREAKS.sub(" / ", _EDGE_BREAKS.sub("", text))


def unescaped(text: str) -> str:
    """A title or heading as people read it: Markdown's backslash escapes dropped. Used where a
    document is named, never on quoted text (quotes stay verbatim; the index keeps the text as
    written, so what is searched does not change)."""
    return _MD_ESCAPE.sub(r"\1", text)


def terms(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


# A full stop that ends an abbreviation, not a sentence ("e.g. for software bugs", "ISO 13485,
# para. 4.1.5", "Art. 87 MDR"): split there, a quote read "for software bugs, the Head of
# Software Development." (gstt-csc 65 and openregulatory 179 sentences ended so, stop 13).
# "etc." ends a sentence too, so it joins only a continuation in lower case; "No." and the
# other abbreviations of a numbered thing only a number ("Answer: No. The QMO decides.").
_ABBREVIATION = re.compile(r"(?:^|[\s(\[/])(?:e\.g|i\.e|cf|vs|incl|approx)\.$", re.IGNORECASE)
_NUMBERED = re.compile(r"(?:^|[\s(\[/])(?:para|paras|art|sec|fig|ref|no|nos|ch)\.$", re.IGNORECASE)
_ETC = re.compile(r"\betc\.$", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    """Sentences and table rows of a passage, each a verbatim slice of it."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        start, end = m.span()
        if (
            spans
            and text[spans[-1][1] : start].strip() == ""
            and "\n" not in text[spans[-1][1] : start]
        ):
            before = text[spans[-1][0] : spans[-1][1]].rstrip()
            after = text[start:end].lstrip()
            if (
                _ABBREVIATION.search(before)
                or (_NUMBERED.search(before) and after[:1].isdigit())
                or (_ETC.search(before) and after[:1].islower())
            ):
                spans[-1] = (spans[-1][0], end)
                continue
        spans.append((start, end))
    return [text[a:b].strip() for a, b in spans if len(text[a:b].strip()) > FRAGMENT_CHARS]
