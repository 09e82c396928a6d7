"""Documents: what is indexed and what failed; upload new or revised procedures and remove
documents. Saving, naming and indexing rules live in assistant.usecases.library and the ingestor."""

from __future__ import annotations

import math
import time

import pandas as pd
import streamlit as st

from assistant.core.text import unescaped
from assistant.documents.formats import SUPPORTED, format_labels
from assistant.factory import Assistant
from assistant.ui.progress import StreamlitProgress
from assistant.ui.render import plain

ROW_PX = 35  # Streamlit's row height in st.dataframe
MAX_ROWS = 30  # rows shown before the table scrolls


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "never"


def _table_height(rows: int) -> int:
    """Pixels for the header and every row (Streamlit draws 35 px rows), up to MAX_ROWS rows:
    a long library scrolls inside the table instead of pushing the upload form far down."""
    return ROW_PX * (min(rows, MAX_ROWS) + 1) + 3


def _flash(kind: str, text: str) -> None:
    """A message for the next run: the page reruns after indexing, so that the counts and the
    table include the new documents, and a message shown before the rerun would be lost."""
    st.session_state.setdefault("doc_flash", []).append((kind, text))


def render(app: Assistant) -> None:
    st.title("Documents")
    for kind, text in st.session_state.pop("doc_flash", []):
        {"success": st.success, "error": st.error, "info": st.info}[kind](plain(text))
    status = app.status()
    a, b, c = st.columns(3)
    a.metric("Documents", status.documents)
    b.metric("Passages", status.chunks)
    c.metric("Last indexed", _when(status.last_ingest))
    if not status.consistent:
        st.warning("The index disagrees with its manifest: " + "; ".join(status.problems))
    if status.document_list:
        st.dataframe(
            pd.DataFrame(
                [{"Document": d.doc_no, "Title": unescaped(d.title),
                  "Revision": unescaped(d.revision), "Passages": d.chunks, "Status": d.status,
                  "Indexed": _when(d.ingested_at),
                  "File": d.file}
                 for d in status.document_list]
            ),
            hide_index=True,
            width="stretch",
            height=_table_height(len(status.document_list)),
            # The file name is the longest column: given the room, so that it is not cut off.
            column_config={"File": st.column_config.TextColumn(width="large")},
        )  # fmt: skip
    for f in status.failed:
        st.error(plain(f"{f['file']}: {f['reason']}"))
    for w in status.warnings:
        st.warning(plain(f"{w['file']}: {w['warning']}"))

    st.subheader("Add or revise procedures")
    limit = app.settings.max_file_mb
    # A new key after each indexing run empties the uploader: the files are in the table now.
    run = st.session_state.setdefault("doc_upload_run", 0)
    files = st.file_uploader(
        f"{format_labels()}, up to {limit:g} MB each. A file with the same "
        "name as an uploaded one replaces it (a new revision).",
        type=sorted(s.lstrip(".") for s in SUPPORTED),
        accept_multiple_files=True,
        key=f"doc_upload_{run}",
        # The browser refuses larger files before sending them, and says so with this limit
        # (Streamlit's own default, 200 MB, contradicted the label); whole megabytes only.
        max_upload_size=max(1, math.ceil(limit)),
    )
    if files and st.button("Add and index", type="primary"):
        progress = StreamlitProgress()
        report, refused = app.add_documents([(f.name, f.getvalue()) for f in files], progress)
        for _name, reason in refused:
            _flash("error", reason)
        for name, reason in report.failed:
            _flash("error", f"{name}: {reason}")
        done = report.added + report.updated
        if done:
            _flash("success", f"Indexed: {', '.join(done)} ({report.chunks_embedded} passages)")
        elif not refused and not report.failed:
            _flash("info", "Nothing changed: these files were already indexed.")
        for name, reason in report.set_aside:
            if name in done:
                _flash("info", f"{name}: {reason}; it is listed but not searched.")
        st.session_state.doc_upload_run = run + 1
        st.rerun()

    st.subheader("Remove a document")
    docs = {d.path: d for d in status.document_list}
    if docs:
        path = st.selectbox(
            "Document", list(docs), format_func=lambda p: f"{docs[p].doc_no} {docs[p].file}"
        )
        sure = st.checkbox("Yes, take it out of the index")
        if st.button("Remove", disabled=not sure):
            report = app.remove_document(path)
            _flash("success", f"Removed: {', '.join(report.removed)}")
            st.rerun()
