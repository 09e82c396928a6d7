"""Interfaces tier, web: the Streamlit pages, presentation only.

Every decision is made in the package (the factory's services and the use cases); a page draws
what they return, with document text and user input always escaped (``render.plain``), never
as HTML. ``app`` holds the navigation and the background warm-up; ``pages/`` are the thin
scripts Streamlit runs, each calling one ``*_page.render``.
"""
