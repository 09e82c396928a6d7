"""Optional LLM, strictly grounded. Off by default (``llm_provider = "none"``): the offline
answers, follow-ups and feedback are complete without it.

When a provider is configured (``ollama`` or any OpenAI-compatible ``openai`` endpoint):
- the model sees only retrieved passages, numbered and fenced as data; a passage cannot close
  its fence (angle brackets are escaped) and the system prompt says instructions inside
  passages are not to be followed;
- every sentence it writes must cite a passage ``[n]``; a sentence with no citation, a citation
  of a passage it was not given, or a quote that is not verbatim in the cited passage is
  dropped and reported, never shown as grounded;
- an error, a timeout (``llm_timeout`` seconds) or an answer with nothing verifiable left falls
  back to the offline text with a notice.
LangChain chat models come from optional extras, imported only when configured.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from assistant.core.models import Citation
from assistant.core.text import WORD
from assistant.documents.screening import INSTRUCTION

_CITE = re.compile(r"\[(\d{1,2})\]")
_QUOTE = re.compile(r"\"([^\"]{8,})\"|\u201c([^\u201d]{8,})\u201d")
# A sentence ends at . ! or ? followed by a space or the end (so "5.2.3" and "F-05-2" stay
# whole), with any citation markers after the stop kept on it.
_SENTENCE = re.compile(r"\S.*?(?:[.!?](?:\s*\[\d{1,2}\])*(?=\s|$)|$)", re.DOTALL)
# Lines that talk to an AI rather than to staff never reach the model (defence in depth beside
# the fence and the system prompt); the documents layer reports them on ingest.
_INSTRUCTION = INSTRUCTION
# Support check of a model's sentence (``_support``); set with the LLM (commit a12b7c8), checked
# only by tests/test_llm.py's examples, never measured on a set.
# hand-set, not measured: words of this many letters or fewer are not checked
SHORT_WORD_CHARS = 3
# hand-set, not measured: a word counts as found when its first this-many letters are (stems)
STEM_CHARS = 5
# hand-set, not measured: below this share of its checked words found, a sentence is dropped
MIN_SUPPORT = 0.4
# hand-set, not measured: model calls running at once
LLM_THREADS = 4
_pool = ThreadPoolExecutor(max_workers=LLM_THREADS, thread_name_prefix="llm")


def prompt(name: str) -> str:
    return resources.files("assistant.prompts").joinpath(f"{name}.txt").read_text("utf-8")


@dataclass(frozen=True)
class Passage:
    text: str
    citation: Citation


@dataclass
class LlmText:
    """What the model wrote, after verification. ``text`` is empty when nothing was usable,
    and ``notice`` then says why (the caller shows the offline text instead)."""

    text: str = ""
    cited: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # sentences removed, with the reason
    notice: str = ""


def strip_instructions(text: str) -> str:
    return _INSTRUCTION.sub("[line removed: it addresses an AI, not staff]", text)


def fence(passages: list[Passage]) -> str:
    """Numbered passages as data: instruction-like lines removed, and escaped so a passage
    cannot end the block or open a new one."""
    out = []
    for n, p in enumerate(passages, 1):
        body = strip_instructions(p.text).replace("<", "&lt;").replace(">", "&gt;")
        source = p.citation.label().replace('"', "'").replace("<", "&lt;")
        out.append(f'<passage n="{n}" source="{source}">\n{body}\n</passage>')
    return "\n".join(out)


def _support(sentence: str, sources: list[Passage]) -> float:
    """Share of the sentence's longer words found in the cited passages (paraphrase allowed,
    invention not)."""
    words = {w for w in WORD.findall(_CITE.sub("", sentence).lower()) if len(w) > SHORT_WORD_CHARS}
    if not words:
        return 1.0
    text = " ".join(strip_instructions(p.text).lower() for p in sources)
    return sum(w[:STEM_CHARS] in text for w in words) / len(words)


def verify(text: str, passages: list[Passage]) -> LlmText:
    """Keep the sentences whose citations and quotes check out against the passages."""
    kept, cited, dropped = [], [], []
    for m in _SENTENCE.finditer(text.strip()):
        sentence = m.group(0).strip()
        if not sentence:
            continue
        numbers = [int(n) for n in _CITE.findall(sentence)]
        if not numbers:
            dropped.append(f"no citation: {sentence}")
            continue
        if any(n < 1 or n > len(passages) for n in numbers):
            dropped.append(f"cites a passage it was not given: {sentence}")
            continue
        sources = [passages[n - 1] for n in numbers]
        quotes = [a or b for a, b in _QUOTE.findall(sentence)]
        if any(not any(q in strip_instructions(p.text) for p in sources) for q in quotes):
            dropped.append(f"quote not found in the cited passage: {sentence}")
            continue
        if _support(sentence, sources) < MIN_SUPPORT:
            dropped.append(f"not supported by the cited passage: {sentence}")
            continue
        kept.append(sentence)
        cited += [p.citation for p in sources if p.citation not in cited]
    return LlmText(" ".join(kept), cited, dropped)


class GroundedLlm:
    def __init__(self, model: Any, timeout: float) -> None:
        self.model = model
        self.timeout = timeout

    def _invoke(self, user: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = [SystemMessage(prompt("system")), HumanMessage(user)]
        future = _pool.submit(self.model.invoke, messages)
        reply = future.result(timeout=self.timeout)
        return reply.content if isinstance(reply.content, str) else str(reply.content)

    def write(self, template: str, passages: list[Passage], **fields: Any) -> LlmText:
        if not passages:
            return LlmText(notice="no passages to ground an LLM answer on")
        try:
            raw = self._invoke(prompt(template).format(passages=fence(passages), **fields))
        except FutureTimeout:
            return LlmText(notice=f"the language model did not answer within {self.timeout:g} s")
        except Exception as exc:  # provider down, bad key, model missing...
            return LlmText(notice=f"the language model failed ({type(exc).__name__}): {exc}")
        if raw.strip().upper().startswith("NOT COVERED"):
            return LlmText(notice="the language model found no answer in the passages")
        result = verify(raw, passages)
        if not result.text:
            result.notice = "nothing the language model wrote could be verified"
        elif result.dropped:
            result.notice = f"{len(result.dropped)} unverifiable sentence(s) removed"
        return result


def with_sources(text: str, passages: list[Passage]) -> str:
    """Replace the model's [n] markers by the citation they stand for."""

    def label(m: re.Match) -> str:
        n = int(m.group(1))
        return f"({passages[n - 1].citation.label()})" if 1 <= n <= len(passages) else ""

    return _CITE.sub(label, text)
