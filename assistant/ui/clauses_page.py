"""Clauses: the ISO 9001 clauses 4-10 as a tree; each card with our supporting procedures (each
with the passages that support the clause, cited), coverage strength and typical auditor
questions, and a button to practise it."""

from __future__ import annotations

import streamlit as st

from assistant.factory import Assistant
from assistant.ui import passages
from assistant.ui.app import coverage
from assistant.ui.render import plain
from assistant.usecases.composer import document_label
from assistant.usecases.own_words import localise

STRENGTH_NOTE = {
    "strong": ":green[strong]",
    "moderate": ":orange[moderate]",
    "weak": ":red[weak]",
    "none": ":red[none]",
}


def render(app: Assistant) -> None:
    st.title("ISO 9001 clauses and how we meet them")
    catalogue = app.catalogue
    tops = [c for c in catalogue if c.depth == 0]
    left, right = st.columns([1, 2])
    with left:
        top = st.selectbox(
            "Clause", tops, format_func=lambda c: f"{c.id} {c.title}", key="clause_top"
        )
        family = [c for c in catalogue if c.id == top.id or c.id.startswith(top.id + ".")]
        clause = st.radio(
            "Sub-clause",
            family,
            format_func=lambda c: "\u2003" * c.depth + f"{c.id} {c.title}",
            key=f"clause_in_{top.id}",
            label_visibility="collapsed",
        )
    with right:
        st.subheader(plain(f"{clause.id} {clause.heading}"))
        st.markdown("**What ISO 9001 asks**")
        st.markdown(plain(clause.requires))
        if clause.maintained or clause.retained:
            st.markdown("**Documented information**")
            for item in clause.maintained:
                st.markdown(f"- maintain: {plain(item)}")
            for item in clause.retained:
                st.markdown(f"- keep as a record: {plain(item)}")
        with st.spinner("Checking our procedures against every clause..."):
            cov = {c.clause_id: c for c in coverage(app)}
        support = cov.get(clause.id)
        st.markdown("**Our supporting procedures**")
        if support is None or not support.supports:
            st.warning("No indexed procedure supports this clause: a possible gap.")
        else:
            st.markdown(f"Coverage: {STRENGTH_NOTE[support.strength]}")
            if support.own is not None:
                st.caption(plain(f"Our own word: {support.own.note()}."))
            titles = {d.file: d.title for d in app.status().document_list}
            for s in support.supports:
                name = document_label(s.doc_no, titles.get(s.file, ""), s.file)
                st.markdown(
                    f"- {plain(name)}: {STRENGTH_NOTE[s.strength]} ({plain(s.reason)})",
                    help=plain(f"File: {s.file}"),
                )
                # Folded: the card stays a short list, and the passages are one click away.
                with st.expander(plain(f"Passages of {name} that support {clause.id}")):
                    passages.show(support.passages.get(s.file, ()))
        if clause.evidence:
            st.markdown("**What an auditor will want to see**")
            for item in clause.evidence:
                st.markdown(f"- {plain(item)}")
        if clause.questions:
            st.markdown("**Typical auditor questions**")
            words = app.own_words()  # "the instrument" -> what our procedure calls it
            for q in clause.questions:
                st.markdown(f"- *{plain(q.role)}*: {plain(localise(q.text, words))}")
        if st.button(f"Practise clause {clause.id}", type="primary"):
            from assistant.ui.app import page

            st.session_state["iv_preset_clauses"] = [clause.id]
            st.switch_page(page("interview"))
