"""The ISO 9001 clause catalogue: complete, valid, and printable from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.core.errors import CatalogueError
from assistant.search.clauses import ROLES, load_catalogue
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.fast  # no model: make test-fast

REQUIRED = """
4 4.1 4.2 4.3 4.4 4.4.1 4.4.2 5 5.1 5.1.1 5.1.2 5.2 5.2.1 5.2.2 5.3 6 6.1 6.1.1 6.1.2 6.2 6.2.1
6.2.2 6.3 7 7.1 7.1.1 7.1.2 7.1.3 7.1.4 7.1.5 7.1.5.1 7.1.5.2 7.1.6 7.2 7.3 7.4 7.5 7.5.1 7.5.2
7.5.3 7.5.3.1 7.5.3.2 8 8.1 8.2 8.2.1 8.2.2 8.2.3 8.2.3.1 8.2.3.2 8.2.4 8.3 8.3.1 8.3.2 8.3.3
8.3.4 8.3.5 8.3.6 8.4 8.4.1 8.4.2 8.4.3 8.5 8.5.1 8.5.2 8.5.3 8.5.4 8.5.5 8.5.6 8.6 8.7 8.7.1
8.7.2 9 9.1 9.1.1 9.1.2 9.1.3 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3 10 10.1 10.2 10.2.1 10.2.2
10.3
""".split()


def test_catalogue_has_every_clause_auditors_cite():
    catalogue = load_catalogue()
    assert [c.id for c in catalogue] == REQUIRED


def test_every_card_is_complete():
    for clause in load_catalogue():
        assert clause.requires and clause.evidence and clause.synonyms, clause.id
        assert clause.maintained or clause.retained or clause.documented_note, clause.id
        assert len(clause.questions) >= 3, clause.id
        assert {q.role for q in clause.questions} <= set(ROLES), clause.id


def test_cards_carry_the_words_people_use():
    catalogue = load_catalogue()
    words = {cid: " ".join(catalogue.get(cid).synonyms).lower() for cid in ("8.7", "10.2")}
    assert "ncr" in words["8.7"]
    assert "capa" in words["10.2"]
    assert "calibration" in " ".join(catalogue.get("7.1.5.2").synonyms).lower()


def _write(folder: Path, entries: list[dict]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "clause-x.yaml").write_text(yaml.safe_dump(entries))
    return folder


def _entry(cid: str, parent: str | None, **changes) -> dict:
    entry = {
        "id": cid,
        "title": "A title",
        "parent": parent,
        "requires": "Do the thing.",
        "documented_information": {"maintained": ["A procedure"], "retained": []},
        "evidence": ["A record"],
        "questions": [{"role": "operator", "text": f"Question {i}?"} for i in range(3)],
        "synonyms": ["thing"],
    }
    entry.update(changes)
    return entry


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_entry("8", None), _entry("8", None)], "defined twice"),
        ([_entry("8.7", "8")], "parent 8 does not exist"),
        ([_entry("8", None, requires="  ")], "'requires' is missing or empty"),
        ([_entry("8", None, synonyms=[])], "'synonyms' is empty"),
        ([_entry("8", None, questions=[{"role": "cleaner", "text": "Q?"}] * 3)], "role"),
        ([_entry("8", None, questions=[{"role": "operator", "text": "Q?"}])], "at least 3"),
        ([_entry("8.7", "8.6")], "expected '8'"),
    ],
)
def test_invalid_catalogue_is_refused_with_the_reason(tmp_path, entries, message):
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(_write(tmp_path / "cat", entries))


def test_clause_command_prints_the_card():
    result = run_cli("clause", "8.7")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "8.7" in out and "Control of nonconforming outputs" in out
    assert "Typical interview questions" in out and "[" in out
    assert "Sub-clauses: 8.7.1" in out


def test_a_descriptive_label_is_not_shown_as_the_standards_title():
    """8.7.1 has a number but no heading in the standard: its title is ours, and says so."""
    out = run_cli("clause", "8.7.1").stdout
    assert "(our label; no heading in the standard)" in out
    assert "no heading in the standard" not in run_cli("clause", "8.7").stdout


def test_unknown_clause_is_a_clean_error():
    result = run_cli("clause", "11.2")
    assert result.returncode == 1
    assert result.stderr.startswith("error: no clause '11.2'")
    assert "Traceback" not in result.stderr


def test_catalogue_is_found_outside_the_repository(tmp_path):
    """Installed as package data: works from any working directory."""
    import subprocess
    import sys

    code = "from assistant.search.clauses import load_catalogue; print(len(load_catalogue()))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert int(out.stdout) == len(REQUIRED)
    assert (ROOT / "corpus" / "clauses").is_dir()
