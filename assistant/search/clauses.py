"""The ISO 9001:2015 clause catalogue (our own summaries), loaded and validated.

The YAML files live in ``corpus/clauses`` and are installed as package data
(``assistant.catalogue``), so the catalogue is found wherever the package is installed from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assistant.core.errors import CatalogueError

ROLES = ("top management", "quality lead", "process owner", "operator", "internal auditor")
_ID = re.compile(r"^(10|[4-9])(\.\d{1,2}){0,3}$")


@dataclass(frozen=True)
class Question:
    role: str
    text: str


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    parent: str | None
    requires: str
    maintained: tuple[str, ...]
    retained: tuple[str, ...]
    documented_note: str
    evidence: tuple[str, ...]
    questions: tuple[Question, ...]
    synonyms: tuple[str, ...]
    # False for numbered paragraphs the standard gives no heading (4.4.1, 8.7.1 ...): their title
    # is our descriptive label and must not be presented as the standard's own.
    official_title: bool = True

    @property
    def depth(self) -> int:
        return self.id.count(".")

    @property
    def heading(self) -> str:
        """The title as shown to people, marked when it is our label rather than the standard's."""
        return (
            self.title
            if self.official_title
            else f"{self.title} (our label; no heading in the standard)"
        )

    def embedding_text(self) -> str:
        """What the clause is about, for the embedder: its name, summary and everyday words."""
        return f"{self.title}. {self.requires} {', '.join(self.synonyms)}."

    def keyword_text(self) -> str:
        """For BM25: the name, the everyday words and the evidence auditors sample (concrete
        nouns such as records and forms); the summary's generic verbs would only add noise."""
        return f"{self.title} {' '.join(self.synonyms)} {' '.join(self.evidence)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "parent": self.parent,
            "requires": self.requires,
            "documented_information": {
                "maintained": list(self.maintained),
                "retained": list(self.retained),
                "note": self.documented_note,
            },
            "evidence": list(self.evidence),
            "questions": [{"role": q.role, "text": q.text} for q in self.questions],
            "synonyms": list(self.synonyms),
            "official_title": self.official_title,
        }


def _sort_key(clause_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in clause_id.split("."))


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' is missing or empty")
    return " ".join(value.split())


def _texts(entry: Any, key: str, where: str, allow_empty: bool = False) -> tuple[str, ...]:
    value = entry.get(key) if isinstance(entry, dict) else None
    if value is None and allow_empty:
        return ()
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        raise CatalogueError(f"{where}: '{key}' must be a list of non-empty texts")
    if not value and not allow_empty:
        raise CatalogueError(f"{where}: '{key}' is empty")
    return tuple(" ".join(v.split()) for v in value)


def parse_entry(entry: Any, source: str) -> Clause:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{source}: every entry must be a mapping")
    cid = str(entry.get("id", "")).strip()
    where = f"{source}: clause {cid or '?'}"
    if not _ID.match(cid):
        raise CatalogueError(f"{where}: id must look like '8.7' within clauses 4-10")
    parent = entry.get("parent")
    parent = str(parent).strip() if parent is not None else None
    expected_parent = cid.rsplit(".", 1)[0] if "." in cid else None
    if parent != expected_parent:
        raise CatalogueError(f"{where}: parent is {parent!r}, expected {expected_parent!r}")
    docs = entry.get("documented_information")
    if not isinstance(docs, dict):
        raise CatalogueError(f"{where}: 'documented_information' is missing")
    maintained = _texts(docs, "maintained", where, allow_empty=True)
    retained = _texts(docs, "retained", where, allow_empty=True)
    note = " ".join(str(docs.get("note") or "").split())
    if not (maintained or retained or note):
        raise CatalogueError(
            f"{where}: documented_information lists are empty and no note says why"
        )
    questions = []
    for q in entry.get("questions") or []:
        role = str((q or {}).get("role", "")).strip()
        if role not in ROLES:
            raise CatalogueError(
                f"{where}: question role {role!r} is not one of {', '.join(ROLES)}"
            )
        questions.append(Question(role, _text(q, "text", where)))
    if len(questions) < 3:
        raise CatalogueError(f"{where}: needs at least 3 interview questions, has {len(questions)}")
    return Clause(
        cid,
        _text(entry, "title", where),
        parent,
        _text(entry, "requires", where),
        maintained,
        retained,
        note,
        _texts(entry, "evidence", where),
        tuple(questions),
        _texts(entry, "synonyms", where),
        _official_title(entry, where),
    )


def _official_title(entry: dict, where: str) -> bool:
    value = entry.get("official_title", True)
    if not isinstance(value, bool):
        raise CatalogueError(f"{where}: 'official_title' must be true or false")
    return value


class Catalogue:
    def __init__(self, clauses: list[Clause]) -> None:
        by_id: dict[str, Clause] = {}
        for c in clauses:
            if c.id in by_id:
                raise CatalogueError(f"clause {c.id} is defined twice")
            by_id[c.id] = c
        for c in clauses:
            if c.parent is not None and c.parent not in by_id:
                raise CatalogueError(f"clause {c.id}: parent {c.parent} does not exist")
        self._by_id = dict(sorted(by_id.items(), key=lambda kv: _sort_key(kv[0])))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._by_id

    def __iter__(self):
        return iter(self._by_id.values())

    def get(self, clause_id: str) -> Clause:
        try:
            return self._by_id[clause_id]
        except KeyError:
            raise CatalogueError(f"no clause {clause_id!r} in the ISO 9001 catalogue") from None

    def children(self, clause_id: str) -> list[Clause]:
        return [c for c in self._by_id.values() if c.parent == clause_id]


def yaml_files(directory: Path | None, package: str) -> list[tuple[str, str]]:
    """(name, text) of the YAML files in a directory, or else in the package data shipped with
    the wheel (the clause catalogue, the question sets), sorted by name."""
    if directory is not None:
        files = sorted(directory.glob("*.yaml"))
        return [(f.name, f.read_text(encoding="utf-8")) for f in files]
    root = resources.files(package)
    return sorted(
        (f.name, f.read_text(encoding="utf-8")) for f in root.iterdir() if f.name.endswith(".yaml")
    )


def load_yaml(text: str) -> Any:
    """Safe YAML with libyaml's C parser when PyYAML has it (the catalogue parses in about a
    tenth of the time: it is on the path of every cold question)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)


def load_catalogue(directory: Path | None = None) -> Catalogue:
    files = yaml_files(directory, "assistant.catalogue")
    if not files:
        raise CatalogueError(
            f"no clause catalogue files (*.yaml) found in {directory or 'package'}"
        )
    clauses = []
    for name, text in files:
        try:
            data = load_yaml(text)
        except yaml.YAMLError as exc:
            raise CatalogueError(f"{name}: not valid YAML ({exc})") from None
        if not isinstance(data, list):
            raise CatalogueError(f"{name}: expected a list of clauses")
        clauses += [parse_entry(e, name) for e in data]
    return Catalogue(clauses)


@lru_cache(maxsize=4)
def default_catalogue(directory: Path | None = None) -> Catalogue:
    return load_catalogue(directory)
