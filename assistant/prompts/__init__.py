"""Prompts for the optional LLM, kept as data (see assistant.llm.grounded)."""
