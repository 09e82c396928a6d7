"""Documents tier: reading an organisation's files into text with structure, nothing else.

``formats`` is the registry (extension -> reader, label, text or binary); each reader
(``text`` for Markdown and plain text, ``word``, ``pdf``, ``html``, ``odt``) returns
``Section``s with their heading path and page, ``metadata`` finds the document number, title and
revision, ``screening`` flags lines that address an AI, and ``chunking`` cuts sections into
``Chunk``s for the index. No model, no store: the index tier decides what is read and when.
"""
