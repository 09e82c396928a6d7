"""The README's tables of untouched sets are what the recorded runs say. Each pooled table
follows the `scripts/confirm_report.py --sets $(seq A B) [--as-new | --with-labels]` command
that prints it, and its rows are that command's `--markdown` rows, figure for figure; the
set-by-set table and brightwater's rows are each set's recorded run. A figure edited by hand,
or a table left behind when the sets it names change, fails here."""

from __future__ import annotations

import re
import sys

import pytest

from tests.conftest import ROOT, load_script

pytestmark = pytest.mark.fast

COMMAND = re.compile(
    r"scripts/confirm_report\.py\s+--sets\s+\$\(seq\s+(\d+)\s+(\d+)\)(\s+--as-new|\s+--with-labels)?"
)
SUFFIX = {None: "", "--as-new": "-as-new", "--with-labels": "-as-new-labels"}


@pytest.fixture(scope="module")
def report():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        yield load_script("confirm_report")
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def cells(line: str) -> list[str]:
    """A markdown table row's cells."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def tables_after_commands() -> list[tuple[int, int, str, list[list[str]]]]:
    """(first set, last set, suffix, rows) for each command the README names, with the first
    pooled table (seven columns, hit@3 second) that follows it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for match in COMMAND.finditer(text):
        lines = text[match.end() :].split("\n")
        start = next(
            i
            for i, line in enumerate(lines)
            if line.startswith("| organisation") and "| hit@3 |" in line
        )
        rows = []
        for line in lines[start + 2 :]:
            if not line.startswith("|"):
                break
            rows.append(cells(line))
        flag = match.group(3).strip() if match.group(3) else None
        found.append((int(match.group(1)), int(match.group(2)), SUFFIX[flag], rows))
    return found


def test_the_readme_names_its_pooled_and_last_ten_tables() -> None:
    readings = {(a == 3, suffix) for a, _, suffix, _ in tables_after_commands()}
    # all sets pooled, and the last ten as is, as new and with labels
    assert {(True, ""), (False, ""), (False, "-as-new"), (False, "-as-new-labels")} <= readings


def test_each_table_is_what_its_command_prints(report) -> None:
    for first, last, suffix, rows in tables_after_commands():
        expected = report.table_rows(list(range(first, last + 1)), suffix)
        assert len(rows) == len(expected), (first, last, suffix)
        for row in rows:
            org = row[0].split()[0]  # "brightwater (confirm35-103: ...)" names its span
            assert row[1:] == expected[org][1:], (first, last, suffix, org)


def test_the_set_by_set_table_is_each_sets_recorded_run(report) -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").split("\n")
    header = next(
        i for i, line in enumerate(lines) if line.startswith("| organisation | confirm3 ")
    )
    sets = [int(re.match(r"confirm(\d+)", column).group(1)) for column in cells(lines[header])[1:]]
    rows = [cells(line) for line in lines[header + 2 :] if line.startswith("|")][:4]
    assert sets == list(range(3, sets[-1] + 1)) and len(rows) == 4
    for row in rows:
        for n, cell in zip(sets, row[1:], strict=True):
            (run,) = report.recorded_runs(n, row[0])
            figures = f"{run['hit_at_3']:.3f} / {run['mrr']:.3f} / {run['no_answer_accuracy']:.3f}"
            assert cell == figures, (row[0], n)


def test_brightwaters_rows_are_its_recorded_runs(report) -> None:
    # | confirmN | hit@3 | MRR | no-answer | dense recipe MRR | BM25 MRR | what was run |; the two
    # halves of confirm35 are rows of their own ("confirm35, first 20") and not read here
    row = re.compile(r"^\| confirm(\d+) \|((?: [\d.]+ \|){5})", re.M)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    read = 0
    for match in row.finditer(text):
        (run,) = report.recorded_runs(int(match.group(1)), "brightwater")
        baselines = run["baselines"]
        figures = [run["hit_at_3"], run["mrr"], run["no_answer_accuracy"]]
        figures += [baselines["dense_fixed"]["mrr"], baselines["bm25"]["mrr"]]
        assert cells(match.group(2)) == [f"{f:.3f}" for f in figures], match.group(1)
        read += 1
    assert read >= 60  # confirm36 to the latest set


def test_the_misses_listed_are_what_the_figures_count(report) -> None:
    # `--misses` is what the README's prose about a table names: as many rank misses as hit@3
    # leaves and as many wrong decisions as no-answer accuracy leaves
    sets = list(range(94, 104))
    for suffix in ("", "-as-new"):
        listed = report.misses(sets, suffix)
        for org, cells in report.table_rows(sets, suffix).items():
            answered = int(cells[6].split(" of ")[1])
            decided = answered + sum(int(n) for n in cells[5].split(" / "))
            mine = [line for line in listed if line.startswith(f"{org} ")]
            ranked = sum(": ranked " in line for line in mine)
            wrong = sum(", called not covered:" in line or ", shown " in line for line in mine)
            assert ranked == round(answered * (1 - float(cells[1])))
            assert wrong == round(decided * (1 - float(cells[4])))
