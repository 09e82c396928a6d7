"""Who is using the app, and whose practice history they may see.

A person is identified by their sign-in e-mail when Streamlit's OIDC sign-in is configured,
otherwise by the name they pick. Everyone sees their own history; quality leads (listed in the
``quality_leads`` setting, by e-mail or name) also see everyone else's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    id: str  # the history key: e-mail when signed in, else the chosen name
    name: str
    quality_lead: bool = False
    signed_in: bool = False


def person(id: str, name: str, quality_leads: list[str], signed_in: bool = False) -> Person:
    leads = {q.strip().lower() for q in quality_leads}
    is_lead = id.strip().lower() in leads or name.strip().lower() in leads
    return Person(id.strip(), name.strip() or id.strip(), is_lead, signed_in)


def visible_users(viewer: Person, users: list[str]) -> list[str]:
    """Whose history ``viewer`` may open: their own, or everyone's for a quality lead."""
    if viewer.quality_lead:
        return sorted(set(users) | {viewer.id})
    return [viewer.id]
