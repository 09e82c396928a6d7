"""Streamlit presentation only: every decision is made in the package, not here."""
