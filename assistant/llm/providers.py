"""LLM providers, by name: each builds a LangChain chat model from an optional extra.

Adding a provider is one function and one ``PROVIDERS`` line; its extra goes in
``pyproject.toml`` under ``[project.optional-dependencies]``. The extra's package is imported
only when the provider is configured, so the offline default never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.core.errors import UsageError


@dataclass(frozen=True)
class Provider:
    extra: str  # the pip extra (and the package it installs) that the provider needs
    package: str
    build: Callable[[str, str | None, str | None], Any]  # (model, base_url, api_key) -> model


def _ollama(model: str, base_url: str | None, api_key: str | None) -> Any:
    from langchain_ollama import ChatOllama

    kwargs: dict[str, Any] = {"model": model or "llama3.1", "temperature": 0}
    if base_url:
        kwargs["base_url"] = base_url
    return ChatOllama(**kwargs)


def _openai(model: str, base_url: str | None, api_key: str | None) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model or "gpt-4o-mini", base_url=base_url, api_key=api_key, temperature=0
    )


PROVIDERS: dict[str, Provider] = {
    "ollama": Provider("ollama", "langchain-ollama", _ollama),
    "openai": Provider("openai", "langchain-openai", _openai),  # any OpenAI-compatible endpoint
}


def chat_model(provider: str, model: str, base_url: str | None, api_key: str | None) -> Any:
    """The LangChain chat model for a provider; a missing extra names what to install."""
    entry = PROVIDERS.get(provider)
    if entry is None:
        names = ", ".join(["none", *PROVIDERS])
        raise UsageError(f"unknown LLM provider {provider!r}: use {names}")
    try:
        return entry.build(model, base_url, api_key)
    except ImportError:
        raise UsageError(
            f"the {provider!r} LLM provider needs an optional extra: "
            f"pip install 'iso9001-audit-coach[{entry.extra}]' (package {entry.package})"
        ) from None
