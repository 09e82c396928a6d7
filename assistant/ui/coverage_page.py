"""Coverage: a clause x procedure heatmap and the list of gaps, with a CSV download. A click on
a cell shows, below the chart, the passages of that procedure that support that clause."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from assistant.factory import Assistant
from assistant.ui import passages
from assistant.ui.app import coverage
from assistant.ui.render import plain
from assistant.usecases.composer import document_label
from assistant.usecases.coverage import STRENGTHS, ClauseCoverage, cell, csv_text

# One colour per strength, "none" included: a grey darker than the page, so a cell without
# support reads as "checked, nothing found" and not as a hole in the chart.
COLOURS = {"none": "#c8c8c8", "weak": "#f4b183", "moderate": "#6fa8dc", "strong": "#2e7d32"}
ROW_PX = 22  # every clause label fits at this height: Vega drops labels that would overlap
# The heatmap's point selection (the clicked cell), by the cell's clause id and file: the
# labels shown on the axes are for people and need not be unique or stable.
SELECTION = "cell"
CHART_KEY = "coverage_chart"


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
                    "clause_id": r.clause_id,
                    "file": file,
                }
            )
    return pd.DataFrame(out)


def chosen(event: object) -> tuple[str, str] | None:
    """(clause id, file) of the cell clicked in the heatmap, from ``st.altair_chart``'s event:
    the selection is a list of the clicked points' fields, or an empty dict when none is."""
    selection = getattr(event, "selection", None) or {}
    points = selection.get(SELECTION) if isinstance(selection, dict) else None
    if not isinstance(points, list) or not points or not isinstance(points[-1], dict):
        return None
    clause_id, file = points[-1].get("clause_id"), points[-1].get("file")
    if isinstance(clause_id, str) and isinstance(file, str):
        return clause_id, file
    return None


def _cell_passages(
    rows: list[ClauseCoverage], documents: dict[str, str], clause_id: str, file: str
) -> bool:
    """The clicked cell: how the procedure supports the clause, and the passages that show it;
    False when there is no such cell (a click from before the index changed)."""
    found = cell(rows, clause_id, file)
    if found is None or file not in documents:
        return False
    name = documents[file]
    st.subheader(plain(f"{clause_id} {found.clause.title}: {name}"))
    if found.support is None:
        st.info(plain(f"{name} is not among the procedures that support clause {clause_id}."))
        return True
    st.markdown(f"Support: **{found.support.strength}** ({plain(found.support.reason)})")
    passages.show(found.passages)
    return True


def _labels(app: Assistant) -> dict[str, str]:
    """Indexed file -> "doc no title", the file name where two documents would share one."""
    docs = sorted((d for d in app.status().document_list if d.chunks), key=lambda d: d.doc_no)
    labels = {d.file: document_label(d.doc_no, d.title, d.file) for d in docs}
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
                    # No axis title: Vega set it over the upright labels, and the legend and
                    # caption say what the columns are.
                    title=None,
                    # Upright: a label takes its column's width, not its length. At -45 degrees
                    # the 46 documents of a real QMS wrote over each other; upright they fit
                    # down to about 12 px a column.
                    axis=alt.Axis(orient="top", labelAngle=-90, labelLimit=300, labelOverlap=False),
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
        # One cell at a time (no shift-click sets), outlined; the colours stay as they are, so
        # the map still reads while a cell is open (``empty=False``: no outline before a click).
        pick = alt.selection_point(
            name=SELECTION, fields=["clause_id", "file"], toggle=False, empty=False
        )
        chart = chart.add_params(pick).encode(
            stroke=alt.condition(pick, alt.value("#1a1a1a"), alt.value("white")),
            strokeWidth=alt.condition(pick, alt.value(3), alt.value(1)),
        )
        event = st.altair_chart(
            chart, width="stretch", on_select="rerun", selection_mode=SELECTION, key=CHART_KEY
        )
        picked = chosen(event)
        if not (picked and _cell_passages(rows, documents, *picked)):
            st.caption(
                "Click a cell to see, here below the chart, the passages of that procedure "
                "that support that clause."
            )
    gaps = [r for r in rows if r.is_gap]
    st.subheader(f"Gaps: {len(gaps)} clause(s) without moderate or strong support")
    if not gaps:
        st.success("Every clause has at least one procedure with moderate or strong support.")
    for r in gaps:
        closest = ", ".join(s.doc_no or s.file for s in r.supports[:3]) or "none"
        # a gap the organisation marked itself says so: it is its word, not the words' match
        why = f"{r.own.note()}; " if r.own else ""
        st.markdown(
            f"- **{plain(r.clause_id)}** {plain(r.title)}: {plain(why)}closest {plain(closest)}"
        )
    marked = [r for r in rows if r.own is not None and r.own.answered]
    if marked:
        st.subheader(f"Marked by us: {len(marked)} clause(s) our own labels say we meet")
        for r in marked:
            named = ", ".join(s.doc_no or s.file for s in r.supports if s.confirmed) or "-"
            st.markdown(
                f"- **{plain(r.clause_id)}** {plain(r.title)}: {plain(named)}; "
                f"{plain(r.own.note() if r.own else '')}"
            )
    excluded = [r for r in rows if r.excluded_by]
    if excluded:
        st.subheader(f"Excluded: {len(excluded)} clause(s) our documents declare not applicable")
        for r in excluded:
            st.markdown(f"- **{plain(r.clause_id)}** {plain(r.title)}: {plain(r.excluded_by)}")
    st.download_button("Download coverage (CSV)", csv_text(rows), "coverage.csv", "text/csv")
