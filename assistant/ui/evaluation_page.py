"""Evaluation: run the fixed question set (retrieval, beside its baselines) and the grader
calibration from the page. The files default to the project's own sets; upload others."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from assistant.evaluation.baselines import baselines_for
from assistant.evaluation.grader import evaluate_grader, load_answers
from assistant.evaluation.retrieval import evaluate_retrieval, load_questions
from assistant.factory import Assistant
from assistant.ui.progress import StreamlitProgress

QUESTIONS = Path("evals/questions.jsonl")
ANSWERS = Path("evals/grader/sample-first.jsonl")
METRICS = ("n", "hit_at_1", "hit_at_3", "hit_at_5", "mrr")


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


def render(app: Assistant) -> None:
    st.title("Evaluation")
    st.subheader("Retrieval on a fixed question set")
    questions = _source("Question set (JSONL)", QUESTIONS, "eval_q")
    if questions and st.button("Run the question set", type="primary"):
        baselines = baselines_for(app.store, app.embedder, app.settings.max_file_bytes)
        result = evaluate_retrieval(
            app.ask, load_questions(questions), baselines, progress=StreamlitProgress()
        )
        rows = [{"system": "assistant", **{k: result[k] for k in METRICS}}]
        rows += [{"system": f"  {kind}", **{k: m[k] for k in METRICS}}
                 for kind, m in result["by_kind"].items()]  # fmt: skip
        rows += [{"system": f"baseline {name}", **{k: m[k] for k in METRICS}}
                 for name, m in result.get("baselines", {}).items()]  # fmt: skip
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        if "no_answer_accuracy" in result:
            st.metric("No-answer accuracy", f"{result['no_answer_accuracy']:.3f}")
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
