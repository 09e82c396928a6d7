"""The Ask page: a chat whose answers show the clause card and cited passages."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from assistant.core.errors import AssistantError
from assistant.core.models import Citation
from assistant.factory import Assistant
from assistant.ui.render import plain
from assistant.usecases.composer import Answer

EXAMPLES = (
    "How do we meet clause 7.1.5?",
    "What do we do with a gauge that fails final test?",
    "Who approves a new supplier?",
)


@st.dialog("The passage in context", width="large")
def _passage(citation: Citation, quote: str, passage: str) -> None:
    where = [citation.doc_no or citation.file, citation.heading]
    if citation.page is not None:
        where.append(f"page {citation.page}")
    st.caption(plain(" | ".join(w for w in where if w)))
    st.markdown(f"**Quoted:** {plain(quote)}")
    st.divider()
    st.markdown(plain(passage))


def _citation(citation: Citation, quote: str, passage: str, key: str) -> None:
    """The citation as a button that opens the passage it quotes, in context (a dialog, so
    passages are only sent to the browser when asked for: the chat stays quick)."""
    if st.button(plain(citation.label()), key=key, type="tertiary"):
        _passage(citation, quote, passage)


def _show_answer(answer: Answer, n: int) -> None:
    for clause in answer.clauses:
        with st.expander(plain(f"ISO 9001 clause {clause.id} - {clause.heading}"), expanded=True):
            st.markdown("**What ISO 9001 asks**")
            st.markdown(plain(clause.requires))
            if clause.synonyms:
                st.caption(plain("Also called: " + ", ".join(clause.synonyms)))
    if answer.no_evidence:
        st.warning(answer.message)
        return
    if answer.prose:
        st.markdown("**In short**")
        st.markdown(plain(answer.prose))
        st.caption("Written by the language model; every sentence is checked against its source.")
    if answer.llm_notice:
        st.info(plain(f"{answer.llm_notice}; showing the offline answer."))
    if answer.mode == "clause":
        st.markdown("**How we meet it**")
        for p in answer.procedures:
            rev = f" (rev {p.revision})" if p.revision else ""
            st.markdown(f"**{plain(p.heading + rev)}**")
            for i, q in enumerate(p.quotes):
                st.markdown(f"> {plain(q.text)}")
                _citation(q.citation, q.text, q.passage, key=f"cite-{n}-{p.file}-{i}")
            if p.records:
                st.caption(plain("Records and forms: " + ", ".join(p.records)))
            if p.roles:
                st.caption(plain("Roles: " + ", ".join(p.roles)))
        return
    st.markdown("**Passages from our procedures**")
    for i, e in enumerate(answer.evidence, 1):
        st.markdown(f"**\\[{i}\\]** {plain(e.citation.label())}")
        st.markdown(plain(e.chunk.text))


def _show_turn(n: int, role: str, content: object) -> None:
    if role == "user":
        with st.chat_message("user"):
            st.markdown(plain(str(content)))
    elif role == "error":
        with st.chat_message("assistant"):
            st.error(plain(str(content)))
    else:
        with st.chat_message("assistant"):
            _show_answer(content, n)  # type: ignore[arg-type]


def _answer_now(get_app: Callable[[], Assistant], question: str) -> None:
    """Echo the question at once, show work in progress in the assistant's bubble, then the
    answer; both are kept for the rest of the browser session."""
    chat = st.session_state.chat
    chat.append(("user", question))
    _show_turn(len(chat) - 1, "user", question)
    with st.chat_message("assistant"), st.spinner("Looking through our procedures..."):
        try:
            turn: tuple[str, object] = ("assistant", get_app().ask(question))
        except AssistantError as exc:
            turn = ("error", str(exc))
    chat.append(turn)
    st.rerun()  # redraw the history with the new answer in place of the working state


def render(get_app: Callable[[], Assistant]) -> None:
    """``get_app`` waits for the assistant to load: the title, chat input and examples show
    before that, and a question asked meanwhile is answered as soon as it is ready."""
    st.title("Ask about ISO 9001 and our procedures")
    st.session_state.setdefault("chat", [])
    question = st.chat_input("Ask, e.g. 'how do we meet clause 8.7?'")
    if st.session_state.chat and st.button("New conversation", key="new-conversation"):
        st.session_state.chat = []
        st.rerun()
    if not st.session_state.chat and not question:
        st.write("Try one of these:")
        cols = st.columns(len(EXAMPLES))
        for col, example in zip(cols, EXAMPLES, strict=True):
            if col.button(example, key=f"example-{example}"):
                question = example
    for n, (role, content) in enumerate(st.session_state.chat):
        _show_turn(n, role, content)
    if question:
        _answer_now(get_app, question)
