"""Compose an answer from evidence: the clause card when the question names a clause, then the
passages with citations. Offline; no language model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.clauses import Catalogue, Clause
from assistant.models import Evidence


@dataclass
class Answer:
    question: str
    clauses: list[Clause] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "clauses": [c.to_dict() for c in self.clauses],
            "evidence": [
                {
                    "file": e.chunk.file,
                    "doc_no": e.chunk.doc_no,
                    "title": e.chunk.title,
                    "revision": e.chunk.revision,
                    "heading": e.chunk.heading,
                    "page": e.chunk.page,
                    "citation": e.citation.label(),
                    "score": round(e.score, 5),
                    "text": e.chunk.text,
                }
                for e in self.evidence
            ],
        }


def compose(question: str, evidence: list[Evidence], catalogue: Catalogue) -> Answer:
    clauses = [catalogue.get(cid) for cid in catalogue.mentioned(question)]
    return Answer(question, clauses, evidence)
