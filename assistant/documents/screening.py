"""Lines in a document that talk to an AI rather than to staff ("ignore previous
instructions", "you are now ..."): a procedure has no reason to contain them. They are kept as
document text (never silently changed), reported as a warning on the document so a quality
lead sees them, and never passed to a language model (``assistant/llm.py``)."""

from __future__ import annotations

import re

# "act as" alone is everyday procedure English ("a deputy acts as Quality Manager", "before they
# act as Independent Checkers": a false warning on a fictional lab's training SOP at stop 55), so
# it counts only when what is to be acted is an AI or a changed one, or "you" are told to.
INSTRUCTION = re.compile(
    r"^.*\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|rules?|prompts?)\b.*$"
    r"|^.*\b(?:you are now|system prompt|as an ai|language model)\b.*$"
    r"|^.*\b(?:act|behave|respond)\s+as\s+(?:an?\s+|the\s+)?(?:ai|chatbot|llm|gpt"
    r"|language model|different|unrestricted|unfiltered|jailbroken|dan)\b.*$"
    r"|^.*\byou\s+(?:must|should|will|shall|now|can)\s+act\s+as\b.*$",
    re.IGNORECASE | re.MULTILINE,
)


def lines_addressing_an_ai(text: str) -> list[str]:
    return [m.group(0).strip() for m in INSTRUCTION.finditer(text)]


def warning_for(text: str) -> str | None:
    """One warning for a document's text, quoting the first such line, or None."""
    lines = lines_addressing_an_ai(text)
    if not lines:
        return None
    first = lines[0] if len(lines[0]) <= 80 else lines[0][:77] + "..."
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return (
        f'{len(lines)} line(s) address an AI rather than staff, e.g. "{first}"{more}: '
        "check the document; such lines are never passed to a language model"
    )
