"""Coverage: a clause x procedure heatmap and the list of gaps, with a CSV download."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from assistant.factory import Assistant
from assistant.ui.render import plain
from assistant.usecases.coverage import STRENGTHS, csv_text, matrix


def render(app: Assistant) -> None:
    st.title("Clause coverage")
    st.caption(
        "How strongly each indexed procedure supports each ISO 9001 clause: an explicit "
        "citation of the clause plus a semantic match of the clause summary with the "
        "procedure's best passage."
    )
    with st.spinner("Checking our procedures against every clause..."):
        rows = app.coverage()
    cells = pd.DataFrame(matrix(rows))
    if cells.empty:
        st.warning("No procedure supports any clause yet.")
    else:
        order = [r.clause_id for r in rows]
        chart = (
            alt.Chart(cells)
            .mark_rect()
            .encode(
                x=alt.X("document:N", title="Procedure"),
                y=alt.Y("clause:N", sort=order, title="Clause"),
                color=alt.Color(
                    "strength:N",
                    scale=alt.Scale(
                        domain=list(STRENGTHS),
                        range=["#f2f2f2", "#f4c7a1", "#9fc5e8", "#2e7d32"],
                    ),
                ),
                tooltip=["clause", "document", "strength", "similarity"],
            )
            .properties(height=max(300, 14 * len(order)))
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
