"""Streamlit web app. Presentation lives in assistant/ui; this file only starts it."""

from assistant.ui.app import main

main()
