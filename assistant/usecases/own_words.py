"""The organisation's own words in the catalogue's typical questions.

The catalogue is written for any organisation, so its questions say "the instrument". When the
indexed procedure that best meets the clause names its instruments ("handheld probe",
"working gauge"), the question an auditor would really ask uses that name: "How do you know the
working gauge you are using is OK to use today?". Words are only taken from that procedure,
never from the whole library: an instrument maker's product names (its "CG gauges") fill every
other document and are not the instruments it measures with.

When nothing fits (a software house has no thermometers) the neutral wording stays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from assistant.core.models import Chunk
from assistant.usecases.coverage import ClauseCoverage


@dataclass(frozen=True)
class Slot:
    """A neutral word of the catalogue that can take the organisation's own name for it."""

    name: str
    clause: str  # the clause whose best supporting procedure names it
    neutral: re.Pattern[str]  # the catalogue's wording, article in group 1
    heads: re.Pattern[str]  # what the organisation might call it: head noun in group 2


# Measuring instruments by their head noun; the optional word before is the organisation's
# modifier ("handheld probe"). Words that are usually something else in a procedure ("scale"
# of a problem, "balance" of an account, "meter" as a unit) are left out.
_INSTRUMENT_HEADS = (
    r"thermometer|gauge|calliper|caliper|micrometer|multimeter|probe|data logger|logger|"
    r"pipette|torque wrench|hygrometer|manometer|calibrator|oscilloscope|weighing scale|sensor"
)
INSTRUMENT = Slot(
    "instrument",
    "7.1.5",
    re.compile(r"\b(an?|the|this|each) instrument\b", re.IGNORECASE),
    re.compile(rf"\b(?:([A-Za-z][A-Za-z-]+) )?({_INSTRUMENT_HEADS})s?\b", re.IGNORECASE),
)
SLOTS = (INSTRUMENT,)

# A head noun named fewer times than this in the procedure is a passing mention, not the
# organisation's instrument; a modifier needs two uses to be its name for it.
MIN_HEAD_USES = 3
MIN_PHRASE_USES = 2
# Modifiers that do not make a name: function words, and the reference standards used to check
# the instruments ("master gauge", "reference thermometer") rather than the ones people use.
_NOT_A_NAME = frozenset(
    "a an the this that these those each every any all of our its their for and or to in on at "
    "with by no one two new other same your which per full as from is are be reference master "
    "standard standards spare faulty failed damaged".split()
)


def _name_in(text: str, slot: Slot) -> str | None:
    """The organisation's name for the slot in ``text``: its most used head noun, with the
    modifier it most often carries when that is used at least twice."""
    heads: Counter[str] = Counter()
    phrases: Counter[tuple[str, str]] = Counter()
    for m in slot.heads.finditer(text):
        modifier, head = m.group(1), m.group(2).lower()
        heads[head] += 1
        # "-ed" words are states ("calibrated probe"), not names
        if modifier and modifier.lower() not in _NOT_A_NAME and not modifier.endswith("ed"):
            phrases[(head, modifier if modifier.isupper() else modifier.lower())] += 1
    if not heads:
        return None
    head, uses = heads.most_common(1)[0]
    if uses < MIN_HEAD_USES:
        return None
    named = [(n, mod) for (h, mod), n in phrases.most_common() if h == head]
    if named and named[0][0] >= MIN_PHRASE_USES:
        return f"{named[0][1]} {head}"
    return head


def own_words(row_of: Callable[[str], ClauseCoverage], chunks: Iterable[Chunk]) -> dict[str, str]:
    """Slot name -> the organisation's word, for the slots its procedures fill. ``row_of`` gives
    a clause's coverage row; its strongest support is the procedure the words come from."""
    by_file: dict[str, list[str]] = {}
    for chunk in chunks:
        by_file.setdefault(chunk.file, []).append(chunk.text)
    words = {}
    for slot in SLOTS:
        row = row_of(slot.clause)
        if not row.supports:
            continue
        if name := _name_in("\n".join(by_file.get(row.supports[0].file, ())), slot):
            words[slot.name] = name
    return words


def localise(text: str, words: Mapping[str, str]) -> str:
    """``text`` with each neutral word the organisation has its own word for replaced by it."""
    for slot in SLOTS:
        if slot.name in words:
            text = slot.neutral.sub(partial(_named, words[slot.name]), text)
    return text


def _named(name: str, match: re.Match[str]) -> str:
    return f"{_article(match.group(1), name)} {name}"


def _article(article: str, word: str) -> str:
    """Keep the catalogue's article, with "a"/"an" matched to the new word's first sound."""
    if article.lower() in ("a", "an"):
        fitted = "an" if word[:1].lower() in "aeiou" else "a"
        return fitted.capitalize() if article[0].isupper() else fitted
    return article
