"""The one settings object: defaults, then an optional TOML file, then ASSISTANT_* variables.

Precedence (highest first): explicit overrides (CLI flags), environment variables prefixed
``ASSISTANT_``, the TOML file (``ASSISTANT_CONFIG`` or ``./assistant.toml``), defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _config_file() -> Path:
    return Path(os.environ.get("ASSISTANT_CONFIG", "assistant.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    data_dir: Path = Field(Path(".assistant"), description="Where the index and history live.")

    @field_validator("data_dir")
    @classmethod
    def _data_dir_is_a_folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} is a file, not a folder")
        return value

    max_file_mb: float = Field(25.0, gt=0, description="Documents larger than this are refused.")
    # The ONNX copy of the model for fast queries (exported at ingest); default data_dir/models.
    models_dir: Path | None = None

    # Vector store: embedded in the data directory, or a Chroma server (README, "Scaling out").
    vector_store: Literal["embedded", "server"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = Field(8000, ge=1, le=65535)
    chroma_collection: str = Field(
        "procedure_chunks", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,60}[A-Za-z0-9]$"
    )

    # People: these (sign-in e-mails or chosen names) may see everyone's practice history.
    quality_leads: list[str] = Field(default_factory=list)

    # Optional LLM (README, "Optional LLM"): none keeps everything offline.
    llm_provider: str = Field("none", description="none, or a name in assistant.llm.providers")
    llm_model: str = Field("", description="e.g. llama3.1 (ollama) or gpt-4o-mini (openai)")
    llm_base_url: str | None = Field(None, description="any OpenAI-compatible endpoint")
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(20.0, gt=0, description="seconds before the offline fallback")

    # Chunking. Sizes in characters; chosen by bench/chunk_size.py (see README).
    chunk_size: int = Field(1000, ge=200, le=4000)
    chunk_overlap: int = Field(150, ge=0, le=1000)
    min_chunk_chars: int = Field(200, ge=0, description="Smaller sections merge with a neighbour.")

    # Embedding.
    embed_batch_size: int = Field(32, ge=1, le=512)

    # Retrieval. Defaults chosen on evals/questions.jsonl with `assistant eval retrieval`
    # (see README, "Retrieval parameters"); the similarity thresholds are MiniLM cosines.
    top_k: int = Field(5, ge=1, le=50)
    dense_candidates: int = Field(60, ge=1)
    lexical_candidates: int = Field(30, ge=1)
    rrf_k: int = Field(30, ge=1, description="Reciprocal-rank-fusion constant.")
    first_place_bonus: float = Field(0.02, ge=0, description="Extra for a list's top passage.")
    card_weight: float = Field(1.0, ge=0, description="Weight of a named clause's card queries.")
    synonym_weight: float = Field(0.0, ge=0, description="Weight of a clause matched by words.")
    cite_boost: float = Field(0.02, ge=0, description="Boost for text citing the asked clause.")
    max_doc_citations: int = Field(
        8, ge=0, description="Documents citing more clauses are indexes."
    )
    doc_second_weight: float = Field(0.3, ge=0, description="Share of a document's 2nd passage.")
    max_passages_per_document: int = Field(2, ge=1)
    answer_documents: int = Field(3, ge=1, description="Procedures shown in 'how we meet it'.")
    document_score_ratio: float = Field(
        0.5, ge=0, le=1, description="Drop documents below this share of the top document's score."
    )
    no_evidence_similarity: float = Field(0.35, ge=-1, le=1, description="Below: not covered.")
    coverage_strong: float = Field(0.55, description="Card-to-passage cosine for strong support.")
    coverage_moderate: float = Field(0.45, description="... for moderate support.")
    coverage_weak: float = Field(0.35, description="... for weak support (below: none).")
    gap_similarity: float = Field(0.40, ge=-1, le=1, description="Below: possible clause gap.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=_config_file()),
        )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and TOML file, with non-None ``overrides`` on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
