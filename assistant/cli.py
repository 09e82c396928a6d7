"""Command line: ``assistant ingest|status|ask|chat|coverage|eval|interview|history|labels|
clause``. Errors are one line, never a traceback.

Exit status: 0 success, 1 when any file failed or a command could not be done, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import textwrap
import time
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from assistant.core.errors import AssistantError, UsageError
from assistant.core.text import as_shown
from assistant.search.clauses import ROLES

if TYPE_CHECKING:  # imported lazily where used: the CLI starts fast
    from assistant.core.settings import Settings
    from assistant.factory import Assistant
    from assistant.search.clauses import Clause
    from assistant.usecases.composer import Answer
    from assistant.usecases.interview.grader import Grade
    from assistant.usecases.own_labels import Label


def _settings(args: argparse.Namespace) -> Settings:
    from assistant.core.settings import load_settings

    return load_settings(data_dir=getattr(args, "data_dir", None))


def _assistant(args: argparse.Namespace) -> Assistant:
    from assistant.factory import build

    return build(_settings(args))


def _output_file(path: str) -> Path:
    """A file to write: its folder must exist (we do not create folders a typo named)."""
    out = Path(path)
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {out}: no folder {out.parent}")
    if out.is_dir():
        raise UsageError(f"cannot write {out}: it is a folder")
    return out


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "never"


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant.core.progress import TerminalProgress

    app = _assistant(args)
    report = app.ingest(
        [Path(p) for p in args.paths], rebuild=args.rebuild, progress=TerminalProgress()
    )
    for line in report.repaired:
        print(f"repaired: {line}")
    for old, new in report.renamed:
        print(f"renamed:  {old} -> {new}")
    for name, reason in report.failed:
        print(f"FAILED:   {name}: {reason}")
    for name, warning in report.warnings:
        print(f"warning:  {name}: {warning}")
    for name, reason in report.skipped:
        print(f"skipped:  {name}: {reason}")
    for name, reason in report.set_aside:
        print(f"set aside: {name}: {reason} (listed, not searched)")
    print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.renamed)} renamed, "
        f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, "
        f"{len(report.failed)} failed, {len(report.skipped)} skipped; "
        f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s"
    )
    return 1 if report.failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    status = _assistant(args).status()
    if args.json:
        print(json.dumps(status.to_dict(), indent=2))
        return 0
    print(f"data directory: {status.data_dir}")
    print(
        f"documents: {status.documents}   chunks: {status.chunks}   "
        f"last ingest: {_when(status.last_ingest)}"
    )
    print(f"index consistent with manifest: {'yes' if status.consistent else 'NO'}")
    for p in status.problems:
        print(f"  - {p}")
    for d in status.document_list:
        label = " ".join(x for x in (d.doc_no, f"rev {d.revision}" if d.revision else "") if x)
        print(f"  {d.file:<52} {label:<14} {d.chunks:>4} chunks  {d.status}")
    for f in status.failed:
        print(f"FAILED: {f['file']}: {f['reason']}")
    for f in status.skipped:
        print(f"skipped: {f['file']}: {f['reason']}")
    for w in status.warnings:
        print(f"warning: {w['file']}: {w['warning']}")
    return 0


def _wrap(text: str, indent: str = "    ") -> str:
    return "\n".join(
        textwrap.fill(line, 100, initial_indent=indent, subsequent_indent=indent)
        for line in text.splitlines()
        if line.strip()
    )


def print_clause(clause: Clause) -> None:
    print(f"ISO 9001:2015 clause {clause.id} - {clause.heading}")
    print("  What it asks:")
    print(_wrap(clause.requires))
    if clause.maintained:
        print("  Documents to maintain: " + "; ".join(clause.maintained))
    if clause.retained:
        print("  Records to retain: " + "; ".join(clause.retained))
    if clause.documented_note:
        print("  Documented information: " + clause.documented_note)
    print("  Evidence an auditor samples:")
    for e in clause.evidence:
        print(f"    - {e}")
    print("  Typical interview questions:")
    for q in clause.questions:
        print(f"    - [{q.role}] {q.text}")
    print("  Also called: " + ", ".join(clause.synonyms))


def cmd_clause(args: argparse.Namespace) -> int:
    from assistant.search.clauses import default_catalogue

    catalogue = default_catalogue()
    clause = catalogue.get(args.id.strip().lstrip("§").strip())
    if args.json:
        print(json.dumps(clause.to_dict(), indent=2))
        return 0
    print_clause(clause)
    children = catalogue.children(clause.id)
    if children:
        print("  Sub-clauses: " + ", ".join(f"{c.id} {c.title}" for c in children))
    return 0


def print_answer(answer: Answer) -> None:
    for note in answer.bridges:
        print(f"{note}.")
    for clause in answer.clauses:
        print(f"What ISO 9001 asks - clause {clause.id} {clause.heading}")
        print(_wrap(clause.requires))
        print()
    if answer.no_evidence:
        print(answer.message)
        # the words that leave the clause out, then any that cite it all the same
        for heading, quotes in (
            ("", answer.excluded),
            ("Cited all the same:", answer.cited_anyway),
        ):
            if heading and quotes:
                print(heading)
            for q in quotes:
                print(_wrap(f'"{as_shown(q.text)}"', "  "))
                print(f"  [{q.citation.label()}]")
        return
    if answer.prose:
        print("In short (language model, every sentence checked against its citation):")
        print(_wrap(answer.prose))
        print()
    if answer.llm_notice:
        print(f"note: {answer.llm_notice}; the answer below is the offline one.")
    if answer.caution:
        print(f"Caution: {answer.caution}")
        print()
    if answer.label_lead:
        print(answer.label_lead)
        print()
    if answer.mode == "clause":
        print("How we meet it:")
        for p in answer.procedures:
            rev = f" (rev {p.revision})" if p.revision else ""
            print(f"  {p.heading}{rev} - {p.file}")
            for q in p.quotes:
                print(_wrap(f'"{as_shown(q.text)}"', "      "))
                print(f"      [{q.citation.label()}]")
            if p.records:
                print("    Records/forms: " + ", ".join(p.records))
            if p.roles:
                print("    Roles: " + ", ".join(p.roles))
        return
    if lead := answer.lead:  # the short answer first, then the passages it comes from
        print(f"{answer.lead_heading}:")
        for q in lead:
            print(_wrap(f'"{as_shown(q.text)}"', "  "))
            print(f"  [{q.citation.label()}]")
        print()
    first, more = answer.sources()  # the passages quoted first, each with its context
    for i, e in enumerate([*first, *more], 1):
        print(f"[{i}] {e.citation.label()}  (score {e.score:.4f})")
        print(_wrap(as_shown(e.chunk.text)))
        print()


def cmd_ask(args: argparse.Namespace) -> int:
    if not args.question.strip():
        raise UsageError("the question is empty: ask something, e.g. 'how do we meet clause 8.7?'")
    if args.k is not None and args.k < 1:
        raise UsageError(f"--k must be 1 or more (got {args.k})")
    app = _assistant(args)
    answer = app.ask(args.question, k=args.k)
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2))
    else:
        print_answer(answer)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive conversation: follow-ups keep the topic; /new starts over, /quit ends."""
    import importlib.util

    if importlib.util.find_spec("readline"):  # line editing and history for input()
        import readline  # noqa: F401
    app = _assistant(args)
    app.require_index()
    conversation = app.conversation()
    print("Ask about your procedures or an ISO 9001 clause. Follow-ups keep the topic; "
          "/alone QUESTION asks one on its own, /new starts over, /quit ends.")  # fmt: skip
    while True:
        try:
            line = input("\nYou: ").strip()
        except EOFError:
            print()
            return 0
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            return 0
        if line == "/new":
            conversation.reset()
            print("(new conversation)")
            continue
        standalone = line.startswith("/alone ")
        question = line.removeprefix("/alone ").strip() if standalone else line
        turn = app.chat(conversation, question, standalone=standalone)
        if note := turn.reading.note():
            print(f"({note}. Not what you meant? /alone {question})")
        if turn.forms:
            print("Forms named there: " + ", ".join(turn.forms))
        print_answer(turn.answer)
        if turn.clauses and not turn.answer.clauses:
            print(f"(clause {', '.join(turn.clauses)})")


def cmd_eval_chat(args: argparse.Namespace) -> int:
    from assistant.core.progress import TerminalProgress
    from assistant.evaluation.chat import evaluate_chat, load_conversations

    json_out = _output_file(args.json) if args.json else None
    if args.organisations:
        from assistant.evaluation.organisations import indexed, load_organisations

        orgs = load_organisations(Path(args.organisations), args.only)
        results = {}
        for org, app in indexed(orgs, Path(args.work_dir), TerminalProgress()):
            convs = load_conversations(Path(args.conversations), org.key)
            if convs and args.as_new:
                app.as_new_organisation(org.key)
            if convs:
                results[org.key] = evaluate_chat(
                    app.conversation, convs, not args.no_baselines, TerminalProgress()
                )
        if not results:
            raise UsageError("no conversation in the file names one of these organisations")
        for key, result in results.items():
            _print_chat(key, result)
        out: dict = {"organisations": results}
    else:
        if args.as_new:
            raise UsageError(
                "--as-new needs --organisations (it names whose questions to leave out)"
            )
        # The file is checked before anything is loaded: a bad line is the first thing to fix.
        convs = load_conversations(Path(args.conversations), args.organisation)
        if not convs:
            raise UsageError(f"no conversations in {args.conversations}")
        app = _assistant(args)
        app.require_index()
        out = evaluate_chat(app.conversation, convs, not args.no_baselines, TerminalProgress())
        _print_chat("conversation", out)
    if json_out:
        json_out.write_text(json.dumps(out, indent=2) + "\n")
        print(f"written: {json_out}")
    return 0


def _print_chat(name: str, result: dict) -> None:
    def line(label: str, m: dict) -> None:
        ca = "n/a" if m.get("clause_accuracy") is None else f"{m['clause_accuracy']:.3f}"
        ra = "n/a" if m.get("reading_accuracy") is None else f"{m['reading_accuracy']:.3f}"
        print(
            f"{label:<22} hit@3 {m['hit_at_3']:.3f}  MRR {m['mrr']:.3f}  follow-ups: hit@3 "
            f"{m['followup_hit_at_3']:.3f} MRR {m['followup_mrr']:.3f}  no-answer acc "
            f"{m['no_answer_accuracy']:.3f}  clause acc {ca}  reading acc {ra}  "
            f"p95 {m.get('latency_ms_p95', 0)} ms"
        )

    print(f"{name}: {result['n_conversations']} conversations, {result['n_turns']} turns")
    line("  conversation", result)
    for b, m in result.get("baselines", {}).items():
        line(f"  baseline {b}", m)


def cmd_coverage(args: argparse.Namespace) -> int:
    from assistant.core.progress import TerminalProgress
    from assistant.usecases.coverage import write_csv

    csv_file = _output_file(args.csv) if args.csv else None
    rows = _assistant(args).coverage(progress=TerminalProgress())
    if csv_file:
        write_csv(rows, csv_file)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "clause": r.clause_id,
                        "title": r.title,
                        "strength": r.strength,
                        "gap": r.is_gap,
                        "excluded_by": r.excluded_by,
                        "our_label": r.own.note() if r.own else "",
                        "supports": [vars(s) for s in r.supports],
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    for r in rows:
        docs = ", ".join(
            f"{s.doc_no or s.file} ({s.strength}{', cited' if s.cited else ''}"
            f"{', names it' if s.named else ''}{', our label' if s.confirmed else ''})"
            for s in r.supports
        )
        print(f"{r.clause_id:<8} {r.strength:<9} {r.title[:48]:<48} {docs or '-'}")
    gaps = [r for r in rows if r.is_gap]
    print(f"\n{len(gaps)} clause(s) with no or weak support, or marked not met:")
    for r in gaps:
        print(f"  {r.clause_id} {r.title}" + (f": {r.own.note()}" if r.own else ""))
    marked = [r for r in rows if r.own is not None and r.own.answered]
    if marked:
        print(f"\n{len(marked)} clause(s) our own labels say we meet:")
        for r in marked:
            print(f"  {r.clause_id} {r.title}: {r.own.note() if r.own else ''}")
    excluded = [r for r in rows if r.excluded_by]
    if excluded:
        print(f"\n{len(excluded)} clause(s) the documents declare excluded:")
        for r in excluded:
            print(f"  {r.clause_id} {r.title}: {r.excluded_by}")
    if args.csv:
        print(f"written: {args.csv}")
    return 0


def _print_metrics(name: str, m: dict) -> None:
    lat = (
        f"  p50 {m['latency_ms_p50']:.0f} ms  p95 {m['latency_ms_p95']:.0f} ms"
        if "latency_ms_p50" in m
        else ""
    )
    na = f"  no-answer acc {m['no_answer_accuracy']:.3f}" if "no_answer_accuracy" in m else ""
    if m.get("not_covered_or_caution") is not None:
        na += (
            f"  not covered or cautioned {m['not_covered_or_caution']:.3f}"
            f"  answerable cautioned {m['caution_rate_answerable']:.3f}"
        )
    print(
        f"{name:<18} n={m['n']:<3} hit@1 {m['hit_at_1']:.3f}  hit@3 {m['hit_at_3']:.3f}  "
        f"hit@5 {m['hit_at_5']:.3f}  MRR {m['mrr']:.3f}{na}{lat}"
    )


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.core.progress import TerminalProgress
    from assistant.evaluation.baselines import baselines_for
    from assistant.evaluation.retrieval import evaluate_retrieval, load_questions

    questions = load_questions(Path(args.questions))
    json_out = _output_file(args.json) if args.json else None
    app = _assistant(args)
    app.require_index()
    if args.as_new:
        app.as_new_organisation(args.as_new)
    # A label answers its own question: the set's own questions are read without theirs.
    if labelled := app.own_labels.ignore(q.question for q in questions):
        print(f"{labelled} question(s) of the set are labelled here: not read for them")
    baselines = None
    if not args.no_baselines:
        baselines = baselines_for(app.store, app.embedder, app.settings.max_file_bytes)
    result = evaluate_retrieval(app.ask, questions, baselines, progress=TerminalProgress())
    _print_metrics("assistant", result)
    for kind, m in result["by_kind"].items():
        _print_metrics(f"  {kind}", m)
    for name, m in result.get("baselines", {}).items():
        _print_metrics(f"baseline {name}", m)
    if json_out:
        json_out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written: {json_out}")
    return 0


def _print_agreement(name: str, m: dict) -> None:
    pw = "n/a" if m["pairwise"] is None else f"{m['pairwise']:.3f}"
    good_poor = m["confusion"]["good"]["poor"]
    print(
        f"{name:<16} n={m['n']:<4} accuracy {m['accuracy']:.3f}  spearman {m['spearman']:.3f}  "
        f"pairwise {pw} ({m['pairs']} pairs)  good scored poor: {good_poor}"
    )


def cmd_eval_grader(args: argparse.Namespace) -> int:
    from assistant.core.progress import TerminalProgress
    from assistant.evaluation.grader import evaluate_grader, load_answers

    if bool(args.answers) == bool(args.organisations):
        raise UsageError("give either --answers FILE or --organisations FILE")
    json_out = _output_file(args.json) if args.json else None
    if args.organisations:
        result = _eval_grader_organisations(args)
    else:
        answers = load_answers(Path(args.answers))
        app = _assistant(args)
        app.require_index()
        result = evaluate_grader(answers, app.grader.grade, progress=TerminalProgress())
    _print_agreement("grader", result)
    for org, m in result.get("folds", {}).items():
        t = m.get("thresholds")
        fitted = f"  (thresholds {t['good']}/{t['partial']} fitted on the others)" if t else ""
        _print_agreement(f"  {org}", m)
        if fitted:
            print(f"  {'':<16}{fitted}")
    print("confusion (rows: label, columns: grader)   poor partial good")
    for label, row in result["confusion"].items():
        print(f"  {label:<8} {row['poor']:>30} {row['partial']:>7} {row['good']:>4}")
    for r in result["answers"]:
        if r["label"] != r["predicted"]:
            print(
                f"  disagree {r['id']}: label {r['label']}, grader {r['predicted']} ({r['score']})"
            )
    if json_out:
        json_out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written: {json_out}")
    return 0


def _eval_grader_organisations(args: argparse.Namespace) -> dict:
    """Every organisation's labelled answers graded against an index of its own documents;
    the label thresholds measured by cross-organisation folds (or, for held-out sets, as
    shipped); with --refit, fitted on all organisations and written to the package."""
    from assistant.core.progress import TerminalProgress
    from assistant.evaluation.grader import (
        agreement,
        cross_organisation,
        evaluate_grader,
        fit_thresholds,
        load_answers,
    )
    from assistant.evaluation.organisations import indexed, load_organisations
    from assistant.usecases.interview import grader as grading

    if args.refit and args.heldout:
        raise UsageError("--refit fits on the tuning sets; it cannot be used with --heldout")
    orgs = load_organisations(Path(args.organisations), args.only)
    rows_by_org: dict[str, list[dict]] = {}
    for org, app in indexed(orgs, Path(args.work_dir), TerminalProgress()):
        answers = [a for f in org.files("grader", args.heldout) for a in load_answers(f)]
        if not answers:
            continue
        print(f"{org.key}: {len(answers)} answers")
        result = evaluate_grader(answers, app.grader.grade, progress=TerminalProgress())
        rows_by_org[org.key] = [{**r, "organisation": org.key} for r in result["answers"]]
    if not rows_by_org:
        raise UsageError("no organisation's documents and answers were found")
    lowest = grading.GraderParams.contradiction_cap + 1
    if args.heldout:  # as shipped: nothing here was used to fit anything
        folds = {o: agreement(rs) for o, rs in rows_by_org.items()}
        pooled = [r for rs in rows_by_org.values() for r in rs]
        return {**agreement(pooled), "folds": folds, "answers": pooled}
    result = cross_organisation(rows_by_org, lowest)
    if args.refit:
        good, partial = fit_thresholds([r for rs in rows_by_org.values() for r in rs], lowest)
        fitted = {
            "good": good,
            "partial": partial,
            "fitted_on": sorted(rows_by_org),
            "command": "assistant eval grader --organisations evals/organisations.toml --refit",
        }
        target = Path(args.fitted_out or Path(grading.__file__).with_name(grading.FITTED_FILE))
        target.write_text(json.dumps(fitted, indent=2) + "\n")
        print(f"refitted: good >= {good}, partial >= {partial}; written: {target}")
    return result


def _print_grade(grade: Grade, indent: str = "  ") -> None:
    print(f"{indent}score {grade.score}/100: {grade.label}")
    for p in grade.covered:
        print(textwrap.fill(f"covered: {p.point.text}", 100, initial_indent=indent,
                            subsequent_indent=indent + "  "))  # fmt: skip
    for line in grade.feedback():
        print(textwrap.fill(line, 100, initial_indent=indent, subsequent_indent=indent + "  "))


def cmd_interview(args: argparse.Namespace) -> int:
    from assistant.usecases.interview.session import Mode

    app = _assistant(args)
    app.require_index()
    mode = Mode(args.mode)
    session_id, session = app.interviews.start(
        args.user, mode, args.role, args.clause, args.set, args.count, args.seed
    )
    print(f"{mode.value} interview for {args.user}: {len(session.results)} questions. "
          "Type your answer and press Enter; 'skip' moves on, 'quit' stops (answers so far "
          "are saved).")  # fmt: skip
    while not session.finished:
        prompt = session.current
        assert prompt is not None  # an unfinished session has a current prompt
        head = f"[{prompt.number}/{prompt.total}] clause {', '.join(prompt.question.clauses)}"
        print(f"\n{head}" + (" (follow-up)" if prompt.kind == "follow-up" else ""))
        print(textwrap.fill(f"Auditor: {prompt.text}", 100, subsequent_indent="  "))
        try:
            text = input("You: ").strip()
        except EOFError:
            break
        if text.lower() in ("quit", "exit"):
            break
        if text.lower() == "skip" or not text:
            session.skip()
            continue
        feedback = session.answer(text)
        if feedback.progress is not None:  # a follow-up: what changed, not the card again
            for line in feedback.progress.lines():
                print(_wrap(line, "  "))
        elif feedback.grade is not None:
            _print_grade(feedback.grade)
    app.interviews.finish(session_id, session)
    summary = session.summary()
    print(
        f"\nSession summary: average {summary.score:.0f}/100 over {len(summary.answered)} "
        f"answered question(s); {len(summary.skipped)} skipped (not scored)"
    )
    for c in summary.clauses:
        print(f"  clause {c.clause:<8} {c.score:5.0f}  ({c.questions} question(s))")
    if summary.strengths:
        print(f"strengths: {', '.join(summary.strengths)}")
    if summary.gaps:
        print(f"gaps: {', '.join(summary.gaps)}")
    if mode == Mode.EXAM:
        for r in summary.results:
            if r.grade:
                print(textwrap.fill(f"Q: {r.question.text}", 100, subsequent_indent="  "))
                _print_grade(r.grade)
    if summary.reread:
        print("re-read:")
        for ref in summary.reread[:10]:
            print(f"  {ref}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    app = _assistant(args)
    history = app.history
    if args.export:
        out = _output_file(args.export)
        if out.suffix.lower() == ".csv":
            n = history.export_csv(args.user, out)
        elif out.suffix.lower() in (".md", ".markdown"):
            n = history.export_markdown(args.user, out)
        else:
            raise UsageError("--export needs a .csv or .md file name")
        print(f"written: {out} ({n} rows)")
        return 0
    users = [args.user] if args.user else history.users()
    if not users:
        print("no practice history yet; run: assistant interview --user NAME")
    for u in users:
        results = history.results(u)
        print(f"{u}: {len(history.sessions(u))} session(s), {len(results)} question(s) answered")
        for r in history.readiness(u):
            due = "  due" if r.due else ""
            print(f"  clause {r.clause:<8} readiness {r.score:5.0f}  ({r.answers} answers){due}")
    return 0


def cmd_labels(args: argparse.Namespace) -> int:
    """The organisation's own verdicts on questions (usecases/own_labels.py)."""
    app = _assistant(args)
    labels = app.own_labels
    if args.action == "add":
        if args.documents and not args.answered:
            raise UsageError("--document names a document that answers it: only with --answered")
        if unknown := _not_indexed(app, args.documents or ()):
            # a misspelt name would never lead anything, silently
            raise UsageError(
                f"not an indexed document: {', '.join(unknown)} (give the file name, as "
                "`assistant status` lists it); nothing labelled"
            )
        label = labels.add(
            args.question, args.answered, "command line", documents=args.documents or ()
        )
        print(f"label {label.id}: {label.question!r} {label.verdict()}{_naming(label)}")
        if clause := _speaks_for(app).get(label.id):
            print(
                f"it is our word on clause {clause}: later questions on that clause, in any "
                "words, and the coverage read it"
            )
    elif args.action == "import":
        from assistant.evaluation.retrieval import load_questions, read_jsonl

        for file in args.files:
            questions = load_questions(Path(file))  # a bad line: one message, nothing written
            # A set of bare questions says nothing of whether they are answered: not all "not".
            for n, row in read_jsonl(Path(file), "a question"):
                if "expected_sources" not in row:
                    raise UsageError(
                        f"{file}:{n}: no 'expected_sources' (the documents that answer it; [] "
                        "for a question they do not answer): nothing imported from this file"
                    )
            n = labels.add_many(
                ((q.question, bool(q.expected_sources), q.expected_sources) for q in questions),
                Path(file).name,
            )
            answered = sum(bool(q.expected_sources) for q in questions)
            # each answered question names its documents: those lead questions close to it
            print(
                f"{file}: {n} questions labelled ({answered} answered, {n - answered} not); "
                "the documents an answered one names lead questions close to it"
            )
            if unknown := _not_indexed(app, [d for q in questions for d in q.expected_sources]):
                print(
                    f"{file}: not indexed here, so leading nothing until they are: "
                    f"{', '.join(unknown)} (the verdicts count all the same)"
                )
    elif args.action == "remove":
        removed = labels.remove(args.ids)
        print(f"removed {removed} label(s)" + ("" if removed == len(args.ids) else "; no others"))
        return 0 if removed == len(args.ids) else 1
    else:
        shown = labels.all()
        speaks_for = _speaks_for(app)
        if args.json:
            rows = [vars(label) | {"clause": speaks_for.get(label.id, "")} for label in shown]
            print(json.dumps(rows, indent=2))
            return 0
        if not shown:
            print(
                "no labels yet: mark answers on the Ask page, or run "
                "assistant labels add QUESTION --answered|--not-answered"
            )
        for label in shown:
            verdict = "answered" if label.answered else "NOT answered"
            clause = f"  [our word on clause {c}]" if (c := speaks_for.get(label.id)) else ""
            print(
                f"{label.id:>5}  {label.day()}  {verdict:<12}  {label.question}{_naming(label)}"
                f"{clause}"
            )
    return 0


def _speaks_for(app: Assistant) -> dict[int, str]:
    """Label id -> the clause it is the organisation's word on (the newest label on a
    question about that clause alone; usecases/own_labels.py ``on_clauses``)."""
    on = app.own_labels.on_clauses(app.ask_service.clause_asked)
    return {label.id: clause for clause, label in on.items()}


def _not_indexed(app: Assistant, names: Iterable[str]) -> list[str]:
    """The document names, compared by file name, that no indexed document has; none when
    nothing is indexed yet (labels may come before the documents)."""
    indexed = {PurePath(path).name for path in app.store.manifest.files()}
    return [n for n in dict.fromkeys(names) if indexed and PurePath(n).name not in indexed]


def _naming(label: Label) -> str:
    """The documents a label names as answering it, as listed after the question."""
    return f"  -> {', '.join(label.documents)}" if label.documents else ""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant", description="ISO 9001 audit coach")
    sub = p.add_subparsers(dest="command", required=True)

    def organisations(sp: argparse.ArgumentParser, what: str) -> None:
        """--organisations TOML, --only and --work-dir: an evaluation over several organisations."""
        sp.add_argument(
            "--organisations", help=f"TOML of organisations (evals/organisations.toml): {what}"
        )
        sp.add_argument("--only", nargs="+", help="with --organisations: only these organisations")
        sp.add_argument(
            "--work-dir",
            default=".assistant/eval",
            help="with --organisations: where each organisation's index is kept",
        )

    def data_dir(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--data-dir",
            type=Path,
            help="index location (default ./.assistant, or ASSISTANT_DATA_DIR)",
        )

    from assistant.documents.formats import FORMATS  # the readers themselves load lazily

    sp = sub.add_parser("ingest", help="index documents (incremental)")
    sp.add_argument("paths", nargs="+", help=f"files or folders ({' '.join(FORMATS)})")
    sp.add_argument(
        "--rebuild",
        action="store_true",
        help="start over: a new index is built beside the old one, which keeps answering "
        "until the new one replaces it",
    )
    data_dir(sp)
    sp.set_defaults(func=cmd_ingest)

    sp = sub.add_parser("status", help="what is indexed, failures, consistency")
    sp.add_argument("--json", action="store_true")
    data_dir(sp)
    sp.set_defaults(func=cmd_status)

    sp = sub.add_parser("ask", help="find the procedures and passages that answer a question")
    sp.add_argument("question")
    sp.add_argument("--k", type=int, default=None, help="number of passages")
    sp.add_argument("--json", action="store_true")
    data_dir(sp)
    sp.set_defaults(func=cmd_ask)

    sp = sub.add_parser("chat", help="a conversation: follow-up questions keep the topic")
    data_dir(sp)
    sp.set_defaults(func=cmd_chat)

    sp = sub.add_parser("coverage", help="clause-by-clause support and gaps")
    sp.add_argument("--csv", help="also write the table to this CSV file")
    sp.add_argument("--json", action="store_true")
    data_dir(sp)
    sp.set_defaults(func=cmd_coverage)

    sp = sub.add_parser("eval", help="evaluate against a fixed question set")
    ev = sp.add_subparsers(dest="what", required=True)
    sp = ev.add_parser("retrieval", help="document hit rate and MRR beside two baselines")
    sp.add_argument("--questions", required=True, help="JSONL question set")
    sp.add_argument("--json", help="write the full results here")
    sp.add_argument("--no-baselines", action="store_true", help="skip the baselines")
    sp.add_argument(
        "--as-new",
        metavar="ORGANISATION",
        help="one of evals/organisations.toml's keys: its labelled questions are left out of "
        "the not-covered model's precedents and questions are moved by the question map fitted "
        "without them, as a new organisation's would not be there",
    )
    data_dir(sp)
    sp.set_defaults(func=cmd_eval)
    sp = ev.add_parser("grader", help="grader agreement with labelled staff answers")
    sp.add_argument("--answers", help="JSONL labelled answers (graded against --data-dir)")
    organisations(sp, "each one's answers graded against its own documents, reported per "
                  "organisation as a held-out fold")  # fmt: skip
    sp.add_argument("--heldout", action="store_true", help="grade the held-out sets instead")
    sp.add_argument("--refit", action="store_true", help="refit the label thresholds on them")
    sp.add_argument("--fitted-out", help="with --refit: write here instead of the package")
    sp.add_argument("--json", help="write the full results here")
    data_dir(sp)
    sp.set_defaults(func=cmd_eval_grader)
    sp = ev.add_parser("chat", help="follow-up turns scored, beside stateless and concatenated")
    sp.add_argument("--conversations", required=True, help="JSONL, one conversation a line")
    sp.add_argument("--organisation", help="only the conversations of this organisation")
    organisations(sp, "each one indexed apart and asked its own conversations (by their "
                  "'organisation' key)")  # fmt: skip
    sp.add_argument("--no-baselines", action="store_true", help="skip the baselines")
    sp.add_argument(
        "--as-new",
        action="store_true",
        help="with --organisations: each one answered without its own labelled questions among "
        "the not-covered model's precedents and with the question map fitted without them, as "
        "a new organisation's would be",
    )
    sp.add_argument("--json", help="write the full results here")
    data_dir(sp)
    sp.set_defaults(func=cmd_eval_chat)

    sp = sub.add_parser("interview", help="rehearse a Stage 2 audit interview")
    sp.add_argument("--user", required=True, help="your name (keeps your history)")
    sp.add_argument("--role", choices=ROLES)
    sp.add_argument("--clause", nargs="+", help="clause ids, e.g. 7.1.5 8.7")
    sp.add_argument("--mode", choices=["practice", "exam", "quick"], default="practice")
    sp.add_argument("--set", help="question set for exam mode (default stage2-core)")
    sp.add_argument("--count", type=int, default=8, help="questions in practice mode")
    sp.add_argument("--seed", type=int, help="fix the question order")
    data_dir(sp)
    sp.set_defaults(func=cmd_interview)

    sp = sub.add_parser("history", help="practice history, readiness per clause, export")
    sp.add_argument("--user")
    sp.add_argument("--export", help="write a .csv or .md report")
    data_dir(sp)
    sp.set_defaults(func=cmd_history)

    sp = sub.add_parser(
        "labels",
        help="our own verdicts on questions (answered by our documents or not): listed, "
        "added, imported, removed; they correct 'not covered'",
    )
    lb = sp.add_subparsers(dest="action")
    sp.add_argument("--json", action="store_true", help="list as JSON")
    data_dir(sp)
    sp.set_defaults(func=cmd_labels, action="list")
    add = lb.add_parser("add", help="label one question")
    add.add_argument("question")
    verdict = add.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--answered", dest="answered", action="store_true")
    verdict.add_argument("--not-answered", dest="answered", action="store_false")
    add.add_argument(
        "--document",
        dest="documents",
        action="append",
        help="a document that answers it (file name; repeat for more, the best first): "
        "questions close to it are then led by that document",
    )
    data_dir(add)
    imp = lb.add_parser(
        "import",
        help="label every question of JSONL question sets (no expected_sources: not answered)",
    )
    imp.add_argument("files", nargs="+")
    data_dir(imp)
    rm = lb.add_parser("remove", help="take labels back by their numbers (assistant labels)")
    rm.add_argument("ids", nargs="+", type=int)
    data_dir(rm)
    lb.add_parser("list", help="every label (the default)").add_argument(
        "--json", action="store_true"
    )

    sp = sub.add_parser("clause", help="print an ISO 9001 clause card, e.g. 8.7")
    sp.add_argument("id")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_clause)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = args.func(args)
        # Written here, not at the interpreter's exit: stdout into a pipe is block-buffered, so
        # `assistant status | head -1` would otherwise meet the closed pipe after main returned
        # ("Exception ignored ... BrokenPipeError", exit 120) instead of in the handler below.
        sys.stdout.flush()
        return code
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `assistant status | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (sqlite3.DatabaseError, OSError) as exc:
        # A data directory we may not read, or a damaged database in it (history, an index
        # file): the services name the index's own files; this catches what they do not.
        where = getattr(args, "data_dir", None) or "the data directory"
        if isinstance(exc, OSError):
            what = f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)
            print(f"error: cannot use {what}", file=sys.stderr)
        else:
            print(
                f"error: a database in {where} cannot be used ({exc}); check its permissions, "
                "or move the damaged file away",
                file=sys.stderr,
            )
        return 1
    except Exception as exc:  # pydantic validation etc.: still one line
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            msg = str(first.get("msg", "")).removeprefix("Value error, ")
            where = ".".join(map(str, first.get("loc", ())))
            print(f"error: invalid setting: {msg} ({where})", file=sys.stderr)
            return UsageError.exit_code
        raise


if __name__ == "__main__":
    sys.exit(main())
