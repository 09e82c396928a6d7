"""Adapter tier, beside the index: the optional language model (off by default).

``providers`` builds a LangChain chat model by name (a registry: one line per provider);
``grounded`` lets it write only from numbered, fenced passages and drops every sentence it
cannot verify against them. Nothing here is needed for the offline product.
"""
