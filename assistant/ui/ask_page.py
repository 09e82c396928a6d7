"""The Ask page: a conversation whose answers show the clause card and cited passages. The
browser session keeps one ``Conversation``; what is shown is drawn from its turns, so the page
and what the engine remembers never disagree."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from assistant.core.errors import AssistantError
from assistant.core.models import Citation, Evidence
from assistant.core.text import unescaped
from assistant.factory import Assistant
from assistant.search.clause_resolver import ClauseResolver
from assistant.ui.app import examples, page
from assistant.ui.render import plain, show_passage, show_quote
from assistant.usecases.composer import Answer, document_label
from assistant.usecases.conversation import Conversation, ConversationTurn
from assistant.usecases.own_labels import OwnLabels

_CONVERSATION = "ask_conversation"  # session state: this browser session's Conversation
_ERROR = "ask_error"  # (question, message) of the last question that could not be answered
_ALONE = "ask_alone"  # set by "Ask it on its own": the turn to ask again without carry-over
_PENDING = "ask_pending"  # this browser session's Pending questions


@dataclass(eq=False)  # compared by identity: the same words may be asked twice
class _Question:
    text: str


@dataclass
class Pending:
    """Questions sent and not yet answered, oldest first, and the lock their answering holds.

    A question sent while the page is still at work starts a new script run at once, in
    another thread, and the older run stops at its next Streamlit call, which may come before
    its question was answered (seen in logs of the page before: the question was read and never
    answered) or after (then both runs worked on one conversation at the same time). So a
    question is kept here from the moment the chat input returns it until its answer is in the
    conversation, and answers are worked out one at a time, each by whichever run gets to it
    first."""

    questions: list[_Question] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.dialog("The passage in context", width="large")
def _passage(citation: Citation, quote: str, passage: str) -> None:
    where = [citation.doc_no or citation.file, unescaped(citation.heading)]
    if citation.page is not None:
        where.append(f"page {citation.page}")
    st.caption(plain(" | ".join(w for w in where if w)))
    st.markdown(f"**Quoted:** {plain(quote)}")
    st.divider()
    show_passage(passage, quote)  # the quote in bold: in its sentence, or its table row


@st.fragment
def _citation(citation: Citation, quote: str, passage: str, key: str) -> None:
    """The citation as a button that opens the passage it quotes, in context (a dialog, so
    passages are only sent to the browser when asked for: the chat stays quick). A fragment:
    a click reruns this button alone and opens its dialog; drawing the whole conversation again
    took 2.8 s a click."""
    if st.button(plain(citation.label()), key=key, type="tertiary"):
        _passage(citation, quote, passage)


def _show_answer(answer: Answer, n: int) -> None:
    for note in answer.bridges:
        st.info(plain(note + "."))
    for clause in answer.clauses:
        with st.expander(plain(f"ISO 9001 clause {clause.id} - {clause.heading}"), expanded=True):
            st.markdown("**What ISO 9001 asks**")
            st.markdown(plain(clause.requires))
            if clause.synonyms:
                st.caption(plain("Also called: " + ", ".join(clause.synonyms)))
    if answer.excluded:  # a clause the documents leave out, and where they say so
        st.info(plain(answer.message))
        # the words that leave it out, then any that cite it all the same
        shown = (
            ("excluded", "", answer.excluded),
            ("cited-anyway", "Cited all the same", answer.cited_anyway),
        )
        for kind, heading, quotes in shown:
            if heading and quotes:
                st.markdown(f"**{heading}**")
            for i, q in enumerate(quotes):
                show_quote(q.text)
                _citation(q.citation, q.text, q.passage, key=f"{kind}-{n}-{i}")
        return
    if answer.no_evidence:
        st.warning(plain(answer.message))  # it names documents by their titles: text, not Markdown
        # Not covered may only mean not indexed yet: where to add the document that covers it.
        add = "Add a document that covers it (Documents page)"
        st.page_link(page("documents"), label=add)  # no icon: see the navigation in app.py
        return
    if answer.prose:
        st.markdown("**In short**")
        st.markdown(plain(answer.prose))
        st.caption("Written by the language model; every sentence is checked against its source.")
    if answer.llm_notice:
        st.info(plain(f"{answer.llm_notice}; showing the offline answer."))
    if answer.caution:
        st.warning(plain(answer.caution))
    if answer.label_lead:  # the organisation's own label put this document first
        st.info(plain(answer.label_lead))
    if answer.mode == "clause":
        st.markdown("**How we meet it**")
        for p in answer.procedures:
            rev = f" (rev {p.revision})" if p.revision else ""
            st.markdown(f"**{plain(p.heading + rev)}**")
            for i, q in enumerate(p.quotes):
                show_quote(q.text)
                _citation(q.citation, q.text, q.passage, key=f"cite-{n}-{p.file}-{i}")
            if p.records:
                st.caption(plain("Records and forms: " + ", ".join(p.records)))
            if p.roles:
                st.caption(plain("Roles: " + ", ".join(p.roles)))
        return
    # A plain question: the short answer first (the sentences that answer it, each cited),
    # then the passages they come from; the rest is folded away.
    if lead := answer.lead:
        st.markdown(f"**{answer.lead_heading}**")
        for i, q in enumerate(lead):
            show_quote(q.text)
            _citation(q.citation, q.text, q.passage, key=f"lead-{n}-{i}")
    first, more = answer.sources()
    st.markdown("**Sources**")
    for i, e in enumerate(first, 1):
        _source(i, e)
    if more:
        with st.expander(f"More sources ({len(more)})"):
            for i, e in enumerate(more, len(first) + 1):
                _source(i, e)


def _source(i: int, e: Evidence) -> None:
    st.markdown(f"**\\[{i}\\]** {plain(e.citation.label())}")
    show_passage(e.chunk.text)


def _ask_alone(n: int) -> None:
    st.session_state[_ALONE] = n  # answered before the history is drawn (render)


def _show_turn(
    n: int, turn: ConversationTurn, last: bool, get_app: Callable[[], Assistant]
) -> None:
    """One turn: the question, then the reply (``_show_reply``)."""
    with st.chat_message("user"):
        st.markdown(plain(turn.question))
    with st.chat_message("assistant"):
        _show_reply(n, turn, last, get_app)


NOT_SAYING = "(not saying which)"


@st.fragment
def _verdict(
    get_app: Callable[[], Assistant],
    question: str,
    documents: dict[str, str],
    key: str,
    clause: str = "",
) -> None:
    """Whether our documents answer this question, as the person asking knows (usecases/
    own_labels.py): asked again in these words it gets that verdict, and questions like it are
    judged with it; the document said to answer it leads questions close to it. For a
    question on one clause (``clause``), the verdict is the organisation's word on that
    clause: later questions on it, in any words, and the coverage read it. ``documents``: the
    sources shown, label -> file. A fragment: a click redraws these buttons alone."""
    labels = get_app().own_labels
    label = labels.of(question)
    if label is None:
        st.caption(
            f"Do our documents meet clause {clause}? Your answer is kept for the clause: later "
            "questions on it get it, the document you name leads them, and the coverage shows it."
            if clause
            else "Do our documents answer this? Your answer is kept for this question, and "
            "questions like it are judged with it; the document you name leads them."
        )
        which = f"{key}-document"
        st.selectbox("The document that answers it", [NOT_SAYING, *documents], key=which)
        # The label is kept by the click's callback, before the fragment is drawn again.
        yes, no = st.columns(2)
        yes.button(
            "Yes, our documents answer it",
            key=f"{key}-yes",
            on_click=_mark_answered,
            args=(labels, question, documents, which),
        )
        no.button(
            "No, they do not answer it",
            key=f"{key}-no",
            on_click=labels.add,
            args=(question, False, "Ask page"),
        )
        return
    named = f", by {', '.join(label.documents)}" if label.documents else ""
    reach = (
        f"questions on clause {clause} get this verdict, and the coverage shows it"
        if clause
        else "asked again in these words, it gets this verdict"
    )
    st.caption(
        plain(
            f"You marked this question {label.verdict()}{named} ({label.origin or 'a label'}, "
            f"{label.day()}): {reach}."
        )
    )
    st.button("Take the mark back", key=f"{key}-undo", on_click=labels.remove, args=([label.id],))


def _mark_answered(labels: OwnLabels, question: str, documents: dict[str, str], which: str) -> None:
    """ "Yes, our documents answer it", with the document chosen in the box, if any."""
    chosen = documents.get(st.session_state.get(which, NOT_SAYING))
    labels.add(question, True, "Ask page", documents=[chosen] if chosen else [])


def _shown_documents(answer: Answer) -> dict[str, str]:
    """The documents of the sources shown, best first: their label -> file."""
    out: dict[str, str] = {}
    for e in answer.evidence:
        c = e.chunk
        out.setdefault(document_label(c.doc_no, c.title, c.file), c.file)
    return out


def _show_reply(
    n: int, turn: ConversationTurn, last: bool, get_app: Callable[[], Assistant]
) -> None:
    """How the question was taken (when it continues the earlier one) and the answer. Only the
    last turn can be asked again on its own: later turns build on it."""
    if note := turn.reading.note():
        st.caption(plain(note))
        if last:
            st.button("Ask it on its own", key=f"alone-{n}", on_click=_ask_alone, args=(n,))
    if turn.forms:
        st.caption(plain("Forms named there: " + ", ".join(turn.forms)))
    if turn.clauses and not turn.answer.clauses:
        st.caption(plain("Clause: " + ", ".join(turn.clauses)))
    _show_answer(turn.answer, n)
    # Only a plain question asked on its own is judged by "not covered" as these words alone;
    # a question on one clause takes a verdict for that clause (usecases/ask.py, _own_label).
    if turn.reading.carried:
        return
    one_clause = ClauseResolver.one_clause(turn.answer.clauses)
    if turn.answer.mode == "plain" or (turn.answer.mode == "clause" and one_clause):
        documents = _shown_documents(turn.answer)
        _verdict(get_app, turn.question, documents, key=f"verdict-{n}", clause=one_clause)


def _conversation() -> Conversation | None:
    conversation: Conversation | None = st.session_state.get(_CONVERSATION)
    return conversation


def _answer_now(
    get_app: Callable[[], Assistant],
    question: _Question,
    pending: Pending,
    on_page: set[int],
    replacing: ConversationTurn | None = None,
) -> bool:
    """Echo the question at once, show work in progress in the assistant's bubble, then the
    answer in its place, from the conversation the browser session keeps. ``replacing``: the
    carried turn this question is asked again on its own in place of (it is not in
    ``pending``). False when another run answered it meanwhile: the page needs drawing again.
    ``on_page``: the turns this run has drawn (by identity), the answer's added.

    The answer is drawn where the working state was rather than by running the page again:
    that second run drew the whole conversation once more for every answer, most of the
    server's work per answer with several people asking at once (bench/web_load.py)."""
    st.session_state.pop(_ERROR, None)
    with st.chat_message("user"):
        st.markdown(plain(question.text))
    with st.chat_message("assistant"):
        with st.spinner("Looking through our procedures..."):
            error: str | None = None
            turn: ConversationTurn | None = None
            n = 0
            try:
                app = get_app()
                conversation = _conversation()
                if conversation is None:
                    conversation = st.session_state[_CONVERSATION] = app.conversation()
            except AssistantError as exc:
                pending.questions.clear()  # nothing can be answered
                error = str(exc)
            else:
                # No Streamlit call under the lock: a run stopped by a newer question stops at
                # one, so what is answered has left the list and what has not is still in it.
                with pending.lock:
                    queued = replacing is None
                    if queued and not (pending.questions and pending.questions[0] is question):
                        return False  # answered meanwhile by the run this one was stopped for
                    try:
                        turn = app.chat(conversation, question.text, standalone=not queued)
                        if replacing is not None:
                            conversation.drop(replacing)
                        n = len(conversation.turns) - 1
                    except AssistantError as exc:
                        error = str(exc)
                    finally:
                        if queued:
                            pending.questions.pop(0)
        if error is not None:
            st.session_state[_ERROR] = (question.text, error)
            st.error(plain(error))
        elif turn is not None:
            _show_reply(n, turn, not pending.questions, get_app)
            on_page.add(id(turn))
    return True


def render(get_app: Callable[[], Assistant]) -> None:
    """``get_app`` waits for the assistant to load: the title and chat input show before
    that, and a question asked meanwhile is answered as soon as it is ready. The examples come
    from the indexed documents, so they show once it is loaded."""
    # The list first: reading session state is itself a point where a newer question stops
    # this run, so nothing but the chat input stands between the question and the list.
    pending: Pending = st.session_state.setdefault(_PENDING, Pending())
    question = st.chat_input("Ask, e.g. 'how do we meet clause 8.7?'")  # pinned to the foot
    if question:
        pending.questions.append(_Question(question))  # no Streamlit call: see Pending
    st.title("Ask about ISO 9001 and our procedures")
    conversation = _conversation()
    turns = list(conversation.turns) if conversation is not None else []
    error: tuple[str, str] | None = st.session_state.get(_ERROR)
    alone = st.session_state.pop(_ALONE, None)
    redo = turns[-1] if turns and alone == len(turns) - 1 and turns[-1].reading.carried else None
    if (turns or error or pending.questions) and st.button(
        "New conversation", key="new-conversation"
    ):
        if conversation is not None:
            conversation.reset()
        st.session_state.pop(_ERROR, None)
        pending.questions.clear()
        st.rerun()
    offered_clicked = False
    if not turns and not error and not pending.questions:
        app = get_app()
        with st.spinner("Finding example questions in our documents..."):
            offered = examples(app)  # worked out once per index version
        if offered:  # none when no sentence of the documents makes a question they answer
            st.write("Try one of these:")
            for col, example in zip(st.columns(len(offered)), offered, strict=True):
                if col.button(plain(example), key=f"example-{example}"):  # the documents' words
                    pending.questions.append(_Question(example))
                    offered_clicked = True
    shown = turns[:-1] if redo is not None else turns  # the turn being asked again is redrawn
    for n, turn in enumerate(shown):
        # The turn ending the history is not the last when questions wait below it: they are
        # drawn in place, with no second run to take its "Ask it on its own" away.
        _show_turn(n, turn, n == len(turns) - 1 and not pending.questions, get_app)
    if error is not None and redo is None:
        with st.chat_message("user"):
            st.markdown(plain(error[0]))
        with st.chat_message("assistant"):
            st.error(plain(error[1]))
    drawn = True  # each answer drawn where it was worked out (else the page is drawn again)
    on_page = {id(turn) for turn in shown}
    if redo is not None:
        drawn = _answer_now(get_app, _Question(redo.question), pending, on_page, replacing=redo)
    while pending.questions:  # oldest first; each leaves the list once answered
        drawn = _answer_now(get_app, pending.questions[0], pending, on_page) and drawn
    # A turn another run answered after this one read the conversation and before it read the
    # questions waiting is in neither: this page lacks it (seen in a fresh clone's walk-through:
    # 5 of 6 turns shown, for good).
    conversation = _conversation()
    missing = conversation is not None and any(id(t) not in on_page for t in conversation.turns)
    if not drawn or offered_clicked or missing:
        st.rerun()  # the example buttons, or a turn another run answered, are on the page
