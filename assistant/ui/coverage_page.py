"""Coverage: a clause x procedure heatmap and the list of gaps, with a CSV download."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from assistant.factory import Assistant
from assistant.ui.app import coverage
from assistant.ui.render import plain
from assistant.usecases.coverage import STRENGTHS, ClauseCoverage, csv_text

# One colour per strength, "none" included: a grey darker than the page, so a cell without
# support reads as "checked, nothing found" and not as a hole in the chart.
COLOURS = {"none": "#c8c8c8", "weak": "#f4b183", "moderate": "#6fa8dc", "strong": "#2e7d32"}
ROW_PX = 22  # every clause label fits at this height: Vega drops labels that would overlap


def cells(rows: list[ClauseCoverage], documents: dict[str, str]) -> pd.DataFrame:
    """Every clause x document cell (``documents``: file -> label), "none" where the document
    does not support the clause, so the grid is complete."""
    out = []
    for r in rows:
        found = {s.file: s for s in r.supports}
        for file, label in documents.items():
            s = found.get(file)
            out.append(
                {
                    "clause": f"{r.clause_id} {r.title}",
                    "document": label,
                    "strength": s.strength if s else "none",
                    "why": s.reason if s else "no support found",
                }
            )
    return pd.DataFrame(out)


def _labels(app: Assistant) -> dict[str, str]:
    """Indexed file -> "doc no title", the file name where two documents would share one."""
    docs = sorted((d for d in app.status().document_list if d.chunks), key=lambda d: d.doc_no)
    labels = {d.file: " ".join(p for p in (d.doc_no, d.title) if p) or d.file for d in docs}
    seen = list(labels.values())
    return {f: label if seen.count(label) == 1 else f for f, label in labels.items()}


def render(app: Assistant) -> None:
    st.title("Clause coverage")
    st.caption(
        "How strongly each indexed procedure supports each ISO 9001 clause: an explicit "
        "citation of the clause plus a semantic match of the clause summary with the "
        "procedure's best passage."
    )
    with st.spinner("Checking our procedures against every clause..."):
        rows = coverage(app)
    documents = _labels(app)
    if not any(r.supports for r in rows) or not documents:
        st.warning("No procedure supports any clause yet.")
    else:
        grid = cells(rows, documents)
        clause_order = [f"{r.clause_id} {r.title}" for r in rows]
        chart = (
            alt.Chart(grid)
            .mark_rect(stroke="white", strokeWidth=1)
            .encode(
                x=alt.X(
                    "document:N",
                    sort=list(documents.values()),
                    title="Procedure",
                    axis=alt.Axis(orient="top", labelAngle=-45, labelLimit=420, labelOverlap=False),
                ),
                y=alt.Y(
                    "clause:N",
                    sort=clause_order,
                    title="Clause",
                    axis=alt.Axis(labelLimit=360, labelOverlap=False),
                ),
                color=alt.Color(
                    "strength:N",
                    title="Support",
                    scale=alt.Scale(domain=list(STRENGTHS), range=[COLOURS[s] for s in STRENGTHS]),
                    legend=alt.Legend(orient="top", direction="horizontal"),
                ),
                tooltip=["clause", "document", "strength", "why"],
            )
            .properties(height=ROW_PX * len(clause_order))
        )
        st.altair_chart(chart, width="stretch")
    gaps = [r for r in rows if r.is_gap]
    st.subheader(f"Gaps: {len(gaps)} clause(s) without moderate or strong support")
    if not gaps:
        st.success("Every clause has at least one procedure with moderate or strong support.")
    for r in gaps:
        closest = ", ".join(s.doc_no or s.file for s in r.supports[:3]) or "none"
        st.markdown(f"- **{plain(r.clause_id)}** {plain(r.title)}: closest {plain(closest)}")
    st.download_button("Download coverage (CSV)", csv_text(rows), "coverage.csv", "text/csv")
