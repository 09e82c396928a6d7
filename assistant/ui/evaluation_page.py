"""Evaluation: run the fixed question set (retrieval, beside its baselines) and the grader
calibration from the page. The files default to the project's own sets; upload others."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from assistant.core.errors import UsageError
from assistant.evaluation.baselines import baselines_for
from assistant.evaluation.grader import evaluate_grader, load_answers
from assistant.evaluation.retrieval import (
    EvalQuestion,
    evaluate_retrieval,
    load_questions,
    missing_sources,
)
from assistant.factory import Assistant
from assistant.ui.progress import StreamlitProgress
from assistant.ui.render import plain

QUESTIONS = Path("evals/questions.jsonl")
ANSWERS = Path("evals/grader/sample-first.jsonl")
# The result's keys, with the names people read in the table (hit@k and MRR kept in
# brackets for those who compare with the docs and the command-line output).
METRICS = {
    "n": "Questions scored",
    "hit_at_1": "Right document first (hit@1)",
    "hit_at_3": "In the top 3 (hit@3)",
    "hit_at_5": "In the top 5 (hit@5)",
    "mrr": "Mean reciprocal rank (MRR)",
}


def _source(label: str, default: Path, key: str) -> Path | None:
    """An uploaded JSONL file, else the project's own set if it is here."""
    upload = st.file_uploader(label, type=["jsonl"], key=key)
    if upload is not None:
        tmp = Path(tempfile.mkdtemp()) / "set.jsonl"
        tmp.write_bytes(upload.getvalue())
        return tmp
    if default.is_file():
        st.caption(f"Using {default}")
        return default
    st.caption("Upload a file to run this.")
    return None


def _row(system: str, figures: dict[str, Any]) -> dict[str, Any]:
    return {"System": system, **{label: figures[k] for k, label in METRICS.items()}}


def _questions(path: Path, app: Assistant) -> list[EvalQuestion] | None:
    """The question set, with a warning naming the documents it expects that are not indexed
    (their questions can only score zero); None, with the reason, when it cannot be read."""
    try:
        questions = load_questions(path)
    except UsageError as exc:
        st.error(plain(str(exc)))
        return None
    missing = missing_sources(questions, (d.file for d in app.status().document_list))
    if missing:
        st.warning(
            plain(
                f"{len(missing)} document(s) this question set expects are not indexed, so "
                "questions about them count as misses and the figures will be low or zero: "
                + ", ".join(missing)
                + ". Index them on the Documents page, or use a question set written for "
                "these documents."
            )
        )
    return questions


def render(app: Assistant) -> None:
    st.title("Evaluation")
    st.subheader("Retrieval on a fixed question set")
    questions = _source("Question set (JSONL)", QUESTIONS, "eval_q")
    loaded = _questions(questions, app) if questions else None
    if loaded and st.button("Run the question set", type="primary"):
        baselines = baselines_for(app.store, app.embedder, app.settings.max_file_bytes)
        result = evaluate_retrieval(app.ask, loaded, baselines, progress=StreamlitProgress())
        rows = [_row("assistant", result)]
        rows += [_row(f"  {kind}", m) for kind, m in result["by_kind"].items()]
        rows += [_row(f"baseline {name}", m) for name, m in result.get("baselines", {}).items()]
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        st.caption(
            "Share of questions whose expected document the system ranks first, in its first "
            "3 or 5; the mean reciprocal rank is 1 when it is always first, 0.5 when second."
        )
        if "no_answer_accuracy" in result:
            a, b, c = st.columns(3)
            a.metric("No-answer accuracy", f"{result['no_answer_accuracy']:.3f}")
            if result.get("not_covered_or_caution") is not None:
                shown = f"{result['not_covered_or_caution']:.3f}"
                b.metric("Not answered: refused or cautioned", shown)
            c.metric("Answerable: cautioned", f"{result['caution_rate_answerable']:.3f}")
    st.subheader("Grader calibration on labelled answers")
    answers = _source("Labelled answers (JSONL)", ANSWERS, "eval_a")
    if answers and st.button("Run the grader calibration", type="primary"):
        result = evaluate_grader(
            load_answers(answers), app.grader.grade, progress=StreamlitProgress()
        )
        a, b, c, d = st.columns(4)
        a.metric("Answers", result["n"])
        b.metric("Accuracy", f"{result['accuracy']:.3f}")
        c.metric("Spearman", f"{result['spearman']:.3f}")
        d.metric("Pairwise", "n/a" if result["pairwise"] is None else f"{result['pairwise']:.3f}")
        st.markdown("Confusion (rows: human label, columns: grader)")
        st.dataframe(pd.DataFrame(result["confusion"]).T)
