"""Old revisions beside the current ones: does the product still answer from the current one?

    .venv/bin/python scripts/superseded_eval.py --work-dir DIR [--only ORG ...] [--json OUT]

For each organisation of evals/organisations.toml, a copy of its documents is made under
DIR/<key>-messy/documents with, beside each text document (.md, .txt, .html) that carries a
document number and a whole-number revision above 1, an older revision of it: the same text
with the revision one lower in its header and " rev N" in its file name, as a QMS share keeps
them; a text document with no revision at all becomes "NAME v2" beside "NAME v1" (without its
last line), the versions in the file names alone. Word and PDF files are not rewritten. The
copy is indexed under DIR/<key>-messy/index, and every fitting question (never the untouched
sets) is asked three ways, each as a new organisation's (``Assistant.as_new_organisation``: the
organisation's own labelled questions name its files by their names in its own folder):

- ``clean``: the organisation's own index (DIR/<key>, made by ``indexed`` as the other fitting
  scripts make it), as a baseline;
- ``messy, all searched``: the copy with ``set_aside_superseded`` off;
- ``messy, set aside``: the copy as shipped.

Reported per organisation: MRR, hit@3 and no-answer accuracy (an old copy counts as a wrong
document: the labels name the current files), how many answered questions an old copy leads,
and how many have an old copy among their first three documents. docs/retrieval.md ("Old
revisions beside the current one") has the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.core.progress import NoProgress
from assistant.core.settings import load_settings
from assistant.evaluation.organisations import indexed, load_organisations
from assistant.evaluation.retrieval import load_questions, run_system, summarise
from assistant.factory import Assistant, build

ROOT = Path(__file__).resolve().parents[1]
TEXT = {".md", ".txt", ".html", ".htm"}


def older_copy(text: str, revision: int) -> str | None:
    """The text with its header's revision one lower: the first table cell in the first 30
    lines that reads exactly the revision, or a "Revision: N" line; None when neither is
    there."""
    lines = text.splitlines(keepends=True)
    cell = re.compile(rf"(\|\s*(?:\*\*)?){revision}((?:\*\*)?\s*\|)")
    label = re.compile(rf"^(\W*(?:revision|rev\.?|version|issue)\W*\s*){revision}\b", re.I)
    for i, line in enumerate(lines[:30]):
        for pattern in (cell, label):
            if pattern.search(line):
                lines[i] = pattern.sub(lambda m: _lower(m.group(0), revision), line, count=1)
                return "".join(lines)
    return None


def _lower(matched: str, revision: int) -> str:
    head, _, tail = matched.rpartition(str(revision))
    return f"{head}{revision - 1}{tail}"


def _without_last_line(text: str) -> str:
    lines = text.rstrip().splitlines(keepends=True)
    return "".join(lines[:-1])


def make_messy(app: Assistant, documents: Path, target: Path) -> tuple[list[str], dict[str, str]]:
    """Copy ``documents`` to ``target`` with an older revision beside each text document that
    has one; the names of the older copies, and the current files renamed (old -> new name).

    A document whose header carries no revision (gstt-csc's, openregulatory's) is kept as a
    share with versions in the file names keeps it: "sop-capa v2.md" for the current one, and
    "sop-capa v1.md" beside it, the same text without its last line (a copy byte for byte is
    indexed once anyway)."""
    documents = documents.resolve()  # the manifest's paths are resolved ("../shared" is not)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(documents, target)
    copies: list[str] = []
    renamed: dict[str, str] = {}
    for rec in app.store.manifest.files().values():
        path = Path(rec.path)
        if path.suffix.lower() not in TEXT or rec.status != "ok":
            continue
        if not rec.revision:
            here = target / path.relative_to(documents)
            current = here.with_name(f"{path.stem} v2{path.suffix}")
            here.rename(current)
            text = current.read_text(encoding="utf-8")
            old = here.with_name(f"{path.stem} v1{path.suffix}")
            old.write_text(_without_last_line(text), encoding="utf-8")
            renamed[path.name] = current.name
            copies.append(old.name)
            continue
        if not rec.doc_no or not rec.revision.isdigit():
            continue
        revision = int(rec.revision)
        if revision < 2:
            continue
        older = older_copy(path.read_text(encoding="utf-8"), revision)
        if older is None:
            continue
        name = f"{path.stem} rev {revision - 1}{path.suffix}"
        (target / path.relative_to(documents).parent / name).write_text(older, encoding="utf-8")
        copies.append(name)
    return copies, renamed


def figures(app: Assistant, questions: list, old: set[str]) -> dict[str, Any]:
    rows, latencies = run_system(app.ask, questions, NoProgress())
    out = summarise(rows, latencies)
    answered = [r for r in rows if r["expected_sources"]]
    return {
        "mrr": out["mrr"],
        "hit_at_3": out["hit_at_3"],
        "no_answer_accuracy": out["no_answer_accuracy"],
        "old_leads": sum(1 for r in answered if r["ranked"][:1] and r["ranked"][0] in old),
        "old_in_top3": sum(1 for r in answered if old & set(r["ranked"][:3])),
        "answered": len(answered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    orgs = load_organisations(ROOT / "evals" / "organisations.toml", args.only)
    result: dict[str, Any] = {}
    for org, app in indexed(orgs, args.work_dir, NoProgress()):
        questions = [q for path in org.fitting_files() for q in load_questions(path)]
        messy = args.work_dir / f"{org.key}-messy"
        copies, renamed = make_messy(app, org.documents, messy / "documents")
        row: dict[str, Any] = {"older_copies": len(copies), "renamed_current": len(renamed)}
        # as a new organisation's: the organisation's own labelled questions (the precedents
        # that lead to the documents they name) name its files as they are in its own folder
        app.as_new_organisation(org.key)
        row["clean"] = figures(app, questions, set())
        # the labels name the current files by their names in the copy
        questions = [
            replace(q, expected_sources=[renamed.get(f, f) for f in q.expected_sources])
            for q in questions
        ]
        if copies:
            for label, on in (("messy, all searched", False), ("messy, set aside", True)):
                messy_app = build(load_settings(data_dir=messy / "index", set_aside_superseded=on))
                messy_app.ingest([messy / "documents"], progress=NoProgress())
                messy_app.as_new_organisation(org.key)
                set_aside = len(messy_app.store.superseded())
                row[label] = figures(messy_app, questions, set(copies)) | {"set_aside": set_aside}
        result[org.key] = row
        print(f"{org.key}: {len(copies)} older copies, {len(questions)} questions", flush=True)
        for label in ("clean", "messy, all searched", "messy, set aside"):
            if label in row:
                f = row[label]
                print(
                    f"  {label:<20} MRR {f['mrr']:.4f}  hit@3 {f['hit_at_3']:.4f}  no-answer "
                    f"{f['no_answer_accuracy']:.4f}  old copy leads {f['old_leads']} of "
                    f"{f['answered']}, in the first three {f['old_in_top3']}",
                    flush=True,
                )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
