"""Foundation tier: what every other tier may use and which uses nothing of theirs.

The one settings object (``settings``), the error family people can act on (``errors``),
the small value types passed between tiers (``models``: ``Section``, ``Chunk``, ``Citation``,
``Evidence``), the progress protocol (``progress``) and the shared text vocabulary (``text``:
sentences, content words, form / role / boilerplate patterns).
"""
