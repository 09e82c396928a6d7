"""Interview practice: choose name, role, clauses and mode; the auditor asks in chat form; each
answer gets its score, covered and missed points with citations, and follow-ups; a summary at
the end; the person's history with scores over time and readiness per clause.

Each browser session keeps its own interview in ``st.session_state``; every answer is saved to
the history by the package as soon as it is graded.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from assistant.factory import Assistant
from assistant.search.clauses import ROLES
from assistant.ui.identity import current_person
from assistant.ui.render import as_point, plain, readable
from assistant.usecases.access import Person, visible_users
from assistant.usecases.interview.grader import Grade, GraderParams
from assistant.usecases.interview.session import InterviewSession, Mode

LABEL_COLOUR = {"good": "green", "partial": "orange", "poor": "red"}
MODE_HELP = {
    "practice": "Questions for your role and clauses; feedback after every answer.",
    "exam": "A fixed question set; feedback only at the end.",
    "quick": "Five questions on your weakest clauses.",
}


def show_grade(grade: Grade) -> None:
    params = GraderParams  # its label lines (class defaults, fitted: FITTED_FILE)
    colour = LABEL_COLOUR[grade.label]
    st.markdown(f"**Score {grade.score}/100** :{colour}-badge[{grade.label}]")
    # The label follows from the score; say where the lines are, since "92, partial" surprises.
    st.caption(
        f"good from {params.good}, partial from {params.partial}: lines fitted on auditors' "
        "labels of answers from four organisations"
    )
    for c in grade.contradictions:
        st.error(plain(readable(c.explain())))
    if grade.echo:
        st.warning(grade.echo_message)
    if grade.off_topic:
        st.warning("Your answer does not address the question.")
    if not grade.rubric.from_procedures:
        st.info("No indexed procedure covers this; graded against the clause summary.")
    if grade.coaching:
        st.markdown(plain(grade.coaching))
    for p in grade.covered:
        st.markdown(f":green[covered]: {plain(as_point(p.point.text))}")
    for p in grade.missed:
        said = plain(as_point(p.point.text))  # quote and list markers hidden
        st.markdown(f":red[missed]: {grade.says} \u201c{said}\u201d")
        st.caption(plain(p.point.citation.label()))
    missing = [r for r in grade.rubric.records if r not in grade.records_named]
    if missing:
        st.caption(plain("Records an auditor would sample: " + ", ".join(missing)))
    with st.expander(f"Model answer from {grade.model_answer_from}"):
        st.markdown(plain(readable(grade.model_answer)))


def _start_form(app: Assistant, who: Person) -> None:
    # Kept (not popped) until the interview starts: a default that changed between reruns
    # would make Streamlit a new widget and drop the clause chosen on the clause card.
    preset = st.session_state.get("iv_preset_clauses")
    catalogue = app.catalogue
    # The mode decides which fields the form needs, so it sits outside the form (a widget
    # inside a form only takes effect on submit).
    mode = st.radio(
        "Mode", [m.value for m in Mode], horizontal=True,
        captions=[MODE_HELP[m.value] for m in Mode], key="iv_mode",
    )  # fmt: skip
    sets = app.interviews.question_sets
    question_set, count = next(iter(sets)), 5
    with st.form("iv_start"):
        st.caption(f"Practising as {who.name}")
        role = st.selectbox("Your role", ["any role", *ROLES])
        clauses = st.multiselect(
            "Clauses (leave empty for all)",
            [c.id for c in catalogue],
            default=preset or [],
            format_func=lambda cid: f"{cid} {catalogue.get(cid).title}",
        )
        if mode == Mode.EXAM.value:
            question_set = st.selectbox(
                "Question set", list(sets), format_func=lambda s: sets[s].title
            )
        elif mode == Mode.PRACTICE.value:
            count = st.slider("Questions", 1, 20, 5)
        started = st.form_submit_button("Start the interview", type="primary")
    if started:
        st.session_state.pop("iv_preset_clauses", None)
        session_id, session = app.interviews.start(
            who.id, Mode(mode), None if role == "any role" else role, clauses or None,
            question_set, count,
        )  # fmt: skip
        st.session_state.update(
            iv_user=who.id, iv_session=session, iv_session_id=session_id,
            iv_log=[("auditor", session.current)], iv_finished=False,
        )  # fmt: skip
        st.rerun()


def _transcript(log: list) -> None:
    for kind, item in log:
        if kind == "auditor":
            with st.chat_message("assistant"):  # no emoji avatars: boxes without an emoji font
                tag = " (follow-up)" if item.kind == "follow-up" else ""
                st.caption(
                    f"Question {item.number} of {item.total}{tag} | clause "
                    + plain(", ".join(item.question.clauses))
                )
                st.markdown(plain(item.text))
        elif kind == "you":
            with st.chat_message("user"):
                st.markdown(plain(item))
        elif kind == "grade":
            with st.chat_message("assistant"):
                show_grade(item)
        elif kind == "progress":
            with st.chat_message("assistant"):
                for line in item.lines():
                    st.markdown(plain(line))


def _take(session: InterviewSession, log: list, answer: str) -> None:
    """Grade an answer, drawn where it is worked out as on the Ask page: the answer at once,
    the auditor's feedback and next question below it when graded, with no second run of the
    page (that run drew the whole transcript again for every answer)."""
    start = len(log)
    log.append(("you", answer))
    _transcript(log[start:])
    with st.spinner("The auditor is reading your answer..."):
        feedback = session.answer(answer)
    if feedback.progress is not None:  # a follow-up: what changed, not the card again
        log.append(("progress", feedback.progress))
    elif feedback.grade is not None:
        log.append(("grade", feedback.grade))
    if feedback.next is not None:
        log.append(("auditor", feedback.next))
    _transcript(log[start + 1 :])


def _summary(app: Assistant, session: InterviewSession) -> None:
    summary = session.summary()
    answered = len(summary.answered)
    st.subheader(
        f"Summary: {summary.score:.0f}/100 on average over {answered} answered question"
        + ("" if answered == 1 else "s")
    )
    if summary.skipped:
        st.caption(
            plain("Skipped, not scored: " + "; ".join(r.question.text for r in summary.skipped))
        )
    st.dataframe(
        pd.DataFrame(
            [{"clause": c.clause, "score": round(c.score), "questions": c.questions}
             for c in summary.clauses]
        ),
        hide_index=True,
    )  # fmt: skip
    if summary.strengths:
        st.success("Strengths: " + ", ".join(summary.strengths))
    if summary.gaps:
        st.error("Gaps: " + ", ".join(summary.gaps))
    if summary.reread:
        st.markdown("**Re-read these sections of our procedures**")
        for ref in summary.reread:
            st.markdown(f"- {plain(ref)}")
    if session.mode == Mode.EXAM:
        st.markdown("**Your answers**")
        for r in summary.results:
            with st.expander(plain(r.question.text)):
                st.markdown(plain(" / ".join(r.answers) or "(skipped)"))
                if r.grade:
                    show_grade(r.grade)


def _history(app: Assistant, user: str) -> None:
    results = app.history.results(user)
    st.subheader(f"Progress of {user}")
    if not results:
        st.caption("No answers yet.")
        return
    rows = [
        {"when": pd.Timestamp(t.created, unit="s"), "clause": c, "score": t.score}
        for t in results
        for c in t.clauses
    ]
    frame = pd.DataFrame(rows)
    st.markdown("Scores over time, by clause")
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("when:T", title="When", axis=alt.Axis(format="%d %b %H:%M")),
            y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=[0, 100])),
            color="clause:N",
            tooltip=["when:T", "clause:N", "score:Q"],
        )
    )
    st.altair_chart(chart, width="stretch")
    ready = app.history.readiness(user)
    st.markdown("Readiness by clause (mean of the last five scores; due = practise now)")
    titles = {c.id: c.title for c in app.catalogue}
    readiness = pd.DataFrame(
        [
            {
                "clause": f"{r.clause} {titles.get(r.clause, '')}".strip(),
                "readiness": round(r.score),
                "due": "due: practise now" if r.due else "not due",
            }
            for r in ready
        ]
    )
    bars = (
        alt.Chart(readiness)
        .mark_bar()
        .encode(
            x=alt.X("readiness:Q", title="Readiness", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("clause:N", title=None, sort="-x", axis=alt.Axis(labelLimit=360)),
            color=alt.Color(
                "due:N",
                title=None,
                scale=alt.Scale(
                    domain=["due: practise now", "not due"], range=["#e8590c", "#1c7ed6"]
                ),
            ),
            tooltip=["clause:N", "readiness:Q", "due:N"],
        )
    )
    st.altair_chart(bars, width="stretch")
    left, right = st.columns(2)
    left.download_button(
        "Download CSV", app.history.csv_text(user), f"{user}-interviews.csv", "text/csv"
    )
    right.download_button(
        "Download report (Markdown)", app.history.markdown_text(user), f"{user}-report.md",
        "text/markdown",
    )  # fmt: skip


def render(app: Assistant) -> None:
    st.title("Stage 2 interview practice")
    # Who is practising matters here only, so the sidebar asks here, not on every page.
    who: Person | None = current_person(app)
    st.session_state.person = who
    if who is None:
        st.info("Say who you are in the sidebar (or sign in) to practise and keep your history.")
        return
    if st.session_state.get("iv_user") not in (None, who.id):  # someone else took the seat
        st.session_state.iv_session = None
    interview, progress = st.tabs(["Interview", "My progress"])
    with interview:
        _interview(app, who)
    with progress:
        users = visible_users(who, app.history.users())
        user = who.id
        if len(users) > 1:
            user = st.selectbox("Whose progress (you are a quality lead)", users,
                                index=users.index(who.id))  # fmt: skip
        _history(app, user)


def _interview(app: Assistant, who: Person) -> None:
    session: InterviewSession | None = st.session_state.get("iv_session")
    if session is None:
        _start_form(app, who)
        return
    log = st.session_state.iv_log
    _transcript(log)
    if session.finished:
        if not st.session_state.get("iv_finished"):
            app.interviews.finish(st.session_state.iv_session_id, session)
            st.session_state.iv_finished = True
        _summary(app, session)
        if st.button("New interview", type="primary"):
            st.session_state.iv_session = None
            st.rerun()
        return
    exchange = st.container()  # this answer and its feedback: above the input, in order
    answer = st.chat_input("Your answer")
    if answer:
        with exchange:
            _take(session, log, answer)
        if session.finished:
            st.rerun()  # the summary takes the question's place
    left, right = st.columns(2)
    if left.button("Skip this question"):
        nxt = session.skip()
        if nxt is not None:
            log.append(("auditor", nxt))
        st.rerun()
    if right.button("End the interview"):
        while not session.finished:
            session.skip()
        st.rerun()
