"""The engine's settings: environment variables (prefix `LLM_`) and the providers file."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from llm_Engine.paths import default_model_path

DEFAULT_MODEL_ALIAS = "qwen2.5-coder-0.5b-instruct"
DEFAULT_EMBEDDING_ALIAS = "all-MiniLM-L6-v2"

ProviderKind = Literal["llama", "openai", "anthropic", "gemini", "minilm"]


class ModelRoute(BaseModel):
    """One entry of the providers file: a model alias and where its requests go."""

    provider: ProviderKind = Field(description="Which provider serves this alias.")
    model: str | None = Field(
        default=None, description="The upstream's model name (defaults to the alias)."
    )
    base_url: str | None = Field(default=None, description="Upstream base URL.")
    api_key: str | None = Field(default=None, description="Upstream API key (prefer api_key_env).")
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the key."
    )
    kind: Literal["chat", "embedding"] = Field(
        default="chat", description="Whether the alias serves chat or embeddings."
    )
    path: str | None = Field(default=None, description="GGUF file, for provider 'llama'.")
    tools: bool = Field(
        default=False,
        description="Offer native tool calling (OpenAI `tools`) on this alias: reported as "
        "capabilities.tools in /v1/models, so RAI Chat lets the model choose its tools. "
        "OpenAI-compatible, Anthropic and Gemini only.",
    )

    def resolved_key(self) -> str | None:
        if self.api_key:
            return self.api_key
        if self.api_key_env:
            return os.environ.get(self.api_key_env)
        return None


class EngineSettings(BaseSettings):
    """Everything the engine reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="LLM_", extra="ignore", protected_namespaces=())

    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    api_port: int = Field(default=6301, description="Port to listen on (LLM_API_PORT).")
    api_key: str | None = Field(
        default=None, description="When set, clients must send `Authorization: Bearer <key>`."
    )
    model_path: Path = Field(
        default_factory=default_model_path,
        description="GGUF file of the default local model.",
    )
    model_alias: str = Field(
        default=DEFAULT_MODEL_ALIAS, description="Name clients use for the local model."
    )
    local_model: bool = Field(
        default=True, description="Load the local GGUF model (false: remote providers only)."
    )
    n_ctx: int = Field(default=8192, ge=256, le=32768, description="Context window (tokens).")
    n_threads: int = Field(default=2, ge=1, description="CPU threads used by llama.cpp.")
    n_batch: int = Field(default=512, ge=8, description="Prompt evaluation batch size.")
    queue_size: int = Field(
        default=8, ge=0, description="Requests that may wait for a busy model before 503."
    )
    retry_after_seconds: int = Field(
        default=2, ge=1, description="Retry-After sent with 503 when the queue is full."
    )
    providers_file: Path | None = Field(
        default=None, description="TOML, JSON or YAML file mapping model aliases to providers."
    )
    upstream_retries: int = Field(
        default=2, ge=0, description="Retries of a remote call that failed before its first token."
    )
    upstream_timeout: float = Field(
        default=120.0, description="Seconds before an upstream call fails."
    )
    embedding_model: bool = Field(
        default=True, description="Serve the local all-MiniLM-L6-v2 embedding model."
    )
    log_level: str = Field(default="info", description="uvicorn log level.")


def load_providers_file(path: Path) -> dict[str, ModelRoute]:
    """Read the providers file: `{alias: {provider, model, base_url, api_key_env, ...}}`.

    The routes may also sit under a top-level `models` key."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        raw = tomllib.loads(text)
    elif path.suffix in {".yaml", ".yml"}:
        import yaml

        raw = yaml.safe_load(text) or {}
    else:
        raw = json.loads(text)
    raw = raw.get("models", raw)
    return {alias: ModelRoute.model_validate(entry) for alias, entry in raw.items()}


def _flag(env: dict[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def routes_from_environment(env: dict[str, str] | None = None) -> dict[str, ModelRoute]:
    """Aliases added by the usual SDK variables, so one key is enough to use a provider;
    `OPENAI_TOOLS`, `ANTHROPIC_TOOLS`, `GEMINI_TOOLS` (true) turn on native tool calling."""
    env = dict(os.environ) if env is None else env
    routes: dict[str, ModelRoute] = {}
    if env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"):
        routes["openai"] = ModelRoute(
            provider="openai",
            model=env.get("OPENAI_MODEL", "gpt-4o-mini"),
            base_url=env.get("OPENAI_BASE_URL"),
            api_key_env="OPENAI_API_KEY",
            tools=_flag(env, "OPENAI_TOOLS"),
        )
    if env.get("ANTHROPIC_API_KEY"):
        routes["anthropic"] = ModelRoute(
            provider="anthropic",
            model=env.get("ANTHROPIC_MODEL", "claude-sonnet-4-5"),
            base_url=env.get("ANTHROPIC_BASE_URL"),
            api_key_env="ANTHROPIC_API_KEY",
            tools=_flag(env, "ANTHROPIC_TOOLS"),
        )
    if env.get("GEMINI_API_KEY"):
        routes["gemini"] = ModelRoute(
            provider="gemini",
            model=env.get("GEMINI_MODEL", "gemini-2.5-flash"),
            base_url=env.get("GEMINI_BASE_URL"),
            api_key_env="GEMINI_API_KEY",
            tools=_flag(env, "GEMINI_TOOLS"),
        )
    return routes
