"""Who is here: Streamlit's OIDC sign-in (st.login) when an [auth] section is configured in
Streamlit secrets, otherwise a name picker. Shown in the sidebar on every page."""

from __future__ import annotations

import streamlit as st

from assistant.factory import Assistant
from assistant.usecases.access import Person, person

NEW = "A new name..."


def sign_in_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_person(app: Assistant) -> Person | None:
    leads = app.settings.quality_leads
    with st.sidebar:
        if sign_in_configured():
            if not st.user.is_logged_in:
                st.button("Sign in", on_click=st.login, type="primary")
                st.caption("Sign in to practise and keep your own history.")
                return None
            email = str(st.user.get("email") or st.user.get("sub") or "")
            who = person(email, str(st.user.get("name") or email), leads, signed_in=True)
            st.caption(f"Signed in as {who.name}" + (" (quality lead)" if who.quality_lead else ""))
            st.button("Sign out", on_click=st.logout)
            return who
        # The choice is kept outside widget state so it survives page switches.
        known = app.history.users()
        chosen = st.session_state.get("person_name", "")
        options = [*known, NEW]
        index = known.index(chosen) if chosen in known else len(known)
        choice = st.selectbox("Who are you?", options, index=index)
        if choice == NEW:
            choice = st.text_input("Your name", value="" if chosen in known else chosen)
        st.session_state.person_name = (choice or "").strip()
        if not st.session_state.person_name:
            return None
        return person(st.session_state.person_name, st.session_state.person_name, leads)
