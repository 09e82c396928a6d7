"""Documents: what is indexed and what failed; upload new or revised procedures and remove
documents. Saving, naming and indexing rules live in assistant.usecases.library and the ingestor."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from assistant.documents.formats import SUPPORTED, format_labels
from assistant.factory import Assistant
from assistant.ui.progress import StreamlitProgress
from assistant.ui.render import plain


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "never"


def render(app: Assistant) -> None:
    st.title("Documents")
    if flash := st.session_state.pop("doc_flash", None):
        st.success(plain(flash))
    status = app.status()
    a, b, c = st.columns(3)
    a.metric("Documents", status.documents)
    b.metric("Passages", status.chunks)
    c.metric("Last indexed", _when(status.last_ingest))
    if not status.consistent:
        st.warning("The index disagrees with its manifest: " + "; ".join(status.problems))
    st.dataframe(
        pd.DataFrame(
            [{"document": d.doc_no, "file": d.file, "revision": d.revision, "title": d.title,
              "passages": d.chunks, "status": d.status, "indexed": _when(d.ingested_at)}
             for d in status.document_list]
        ),
        hide_index=True,
    )  # fmt: skip
    for f in status.failed:
        st.error(plain(f"{f['file']}: {f['reason']}"))
    for w in status.warnings:
        st.warning(plain(f"{w['file']}: {w['warning']}"))

    st.subheader("Add or revise procedures")
    limit = app.settings.max_file_mb
    files = st.file_uploader(
        f"{format_labels()}, up to {limit:g} MB each. A file with the same "
        "name as an uploaded one replaces it (a new revision).",
        type=sorted(s.lstrip(".") for s in SUPPORTED),
        accept_multiple_files=True,
        key="doc_upload",
    )
    if files and st.button("Add and index", type="primary"):
        progress = StreamlitProgress()
        report, refused = app.add_documents([(f.name, f.getvalue()) for f in files], progress)
        for _name, reason in refused:
            st.error(plain(reason))
        for name, reason in report.failed:
            st.error(plain(f"{name}: {reason}"))
        done = report.added + report.updated
        if done:
            st.success(plain(f"Indexed: {', '.join(done)} ({report.chunks_embedded} passages)"))
        elif not refused and not report.failed:
            st.info("Nothing changed: these files were already indexed.")

    st.subheader("Remove a document")
    docs = {d.path: d for d in status.document_list}
    if docs:
        path = st.selectbox(
            "Document", list(docs), format_func=lambda p: f"{docs[p].doc_no} {docs[p].file}"
        )
        sure = st.checkbox("Yes, take it out of the index")
        if st.button("Remove", disabled=not sure):
            report = app.remove_document(path)
            st.session_state.doc_flash = f"Removed: {', '.join(report.removed)}"
            st.rerun()
