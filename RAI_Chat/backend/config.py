"""Configuration: one typed settings model read from the environment (``Settings``), built
once by ``load_settings`` in ``create_app`` and handed to everything; ``FLASK_ENV`` chooses
the defaults of the secrets and what is refused (production)."""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .utils.path import BACKEND_DIR, RAI_CHAT_DIR

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-key-please-change-in-production"  # noqa: S105 - the seed's placeholder
DEFAULT_JWT_SECRET_KEY = "jwt-dev-key-please-change-in-production"  # noqa: S105
DEFAULT_SECRETS = {DEFAULT_SECRET_KEY, DEFAULT_JWT_SECRET_KEY, "", "changeme", "secret"}
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which variable to set."""


class PathSettings(BaseSettings):
    """Where RAI Chat keeps its files (read first: other defaults live under them)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    rai_instance_dir: Path = Field(
        BACKEND_DIR / "instance", description="The database file, jobs queue and secrets."
    )
    rai_logs_dir: Path = Field(BACKEND_DIR / "logs", description="Log files.")
    rai_frontend_dist: Path = Field(
        RAI_CHAT_DIR / "frontend" / "dist", description="The built web page the API serves."
    )


_PATHS = PathSettings()
INSTANCE_DIR = _PATHS.rai_instance_dir
LOGS_DIR = _PATHS.rai_logs_dir
FRONTEND_DIST_DIR = _PATHS.rai_frontend_dist


class Settings(PathSettings):
    """Every environment variable the RAI API reads, with its default."""

    flask_env: str = Field("development", description="development, testing or production.")
    secret_key: str | None = Field(None, description="Flask secret. Required in production.")
    jwt_secret_key: str | None = Field(
        None, description="Key that signs access tokens (HS256). Required in production."
    )
    jwt_access_token_expires: int = Field(86400, description="Access token lifetime, seconds.")
    database_url: str = Field(
        f"sqlite:///{INSTANCE_DIR / 'rai_chat.db'}",
        description="SQLAlchemy URL: sqlite:///path or postgresql://user@host/db.",
    )
    database_wait_seconds: float = Field(
        120,
        description="At start-up, how long to wait for an unreachable database (restarting, "
        "failing over) before giving up.",
    )
    llm_api_url: str = Field("http://localhost:6301", description="The LLM engine (OpenAI API).")
    llm_api_key: str | None = Field(None, description="Bearer key for the engine, if it has one.")
    llm_model: str = Field("default", description="Model (alias) the API asks the engine for.")
    embedding_api_url: str | None = Field(
        None,
        description="OpenAI-compatible /v1/embeddings server for semantic memory search; "
        "LLM_API_URL if unset.",
    )
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="Embedding model asked of that server (the engine serves all-MiniLM-L6-v2; "
        "with vLLM or Ollama, name one of theirs).",
    )
    llm_read_timeout: float = Field(
        120.0, description="Seconds to wait for the engine's next token before giving up."
    )
    context_token_budget: int = Field(
        4096, description="Tokens of prompt + answer the API sends the model per turn."
    )
    max_answer_tokens: int = Field(1024, description="Longest answer, in tokens.")
    facts_token_budget: int = Field(300, description="Tokens of remembered facts per prompt.")
    recall_token_budget: int = Field(
        400, description="Tokens of recalled episodic memories per prompt."
    )
    jobs_mode: str = Field(
        "inprocess",
        description="Background jobs: inprocess (a consumer thread in each API process), "
        "external (run huey_consumer yourself) or immediate (synchronous; tests).",
    )
    turn_stale_seconds: float = Field(
        60,
        description="A turn whose process stopped sending heartbeats for this long is "
        "reported interrupted (its process died).",
    )
    refine_titles: bool = Field(
        True, description="After a new session's first answer, ask the model for a title."
    )
    max_message_chars: int = Field(32000, description="Longest user message, characters.")
    max_import_bytes: int = Field(
        20 * 1024 * 1024, description="Largest transcript accepted by the import, bytes."
    )
    cors_origins: str = Field(
        "",
        description="Comma-separated origins allowed to call /api/* from another origin "
        "(the page served by the API itself needs none).",
    )
    registration_enabled: bool = Field(True, description="Whether new users may register.")
    max_content_length: int = Field(1024 * 1024, description="Largest request body, bytes.")
    redis_url: str | None = Field(None, description="Redis for rate limits, jobs, resume.")
    rai_api_host: str = Field("127.0.0.1", description="Interface the API listens on.")
    rai_api_port: int = Field(6102, description="Port the API listens on.")
    rai_api_workers: int = Field(2, description="gunicorn worker processes (production server).")
    rai_api_worker_connections: int = Field(
        4000, description="Open connections (e.g. streams) each gevent worker accepts."
    )
    rai_api_server: str | None = Field(
        None, description="waitress forces the portable server (default: gunicorn on Linux)."
    )
    prometheus_multiproc_dir: str | None = Field(
        None,
        description="A folder the gunicorn workers share their metrics through (several "
        "workers; prometheus_client reads it too).",
    )
    log_level: str = Field("INFO", description="Logging level.")
    ratelimit_enabled: bool = Field(True, description="Apply the rate limits below.")
    ratelimit_login: str = Field(
        "10 per minute;100 per hour",
        description="Login attempts allowed per client IP, and failed attempts per username "
        "(flask-limiter syntax; several limits separated by ';').",
    )
    ratelimit_register: str = Field(
        "5 per minute;50 per hour", description="Registrations per client IP and per username."
    )
    ratelimit_chat: str = Field("30 per minute;500 per hour", description="Chat turns per user.")
    ratelimit_api_key: str = Field(
        "60 per minute;1000 per hour",
        description="Requests to /v1 per API key (per user with an access token); a key may "
        "also carry its own, stricter limit.",
    )
    ratelimit_trusted_proxies: int = Field(
        0,
        description="Reverse proxies in front of the API whose X-Forwarded-For is trusted to "
        "name the client IP (0: use the socket's address).",
    )
    metrics_enabled: bool = Field(False, description="Serve Prometheus metrics at /metrics.")
    metrics_token: str | None = Field(
        None, description="When set, /metrics requires 'Authorization: Bearer <token>'."
    )
    tavily_api_key: str | None = Field(
        None, description="Tavily API key: web search through Tavily (preferred when set)."
    )
    tavily_api_url: str | None = Field(
        None, description="Tavily API base URL (default https://api.tavily.com; tests)."
    )
    searxng_url: str | None = Field(
        None,
        description="A SearXNG instance (JSON format enabled) for web search when no Tavily "
        "key is set. With neither, web search is off and the model is told so.",
    )
    web_search_timeout: float = Field(10.0, description="Seconds to wait for a web search.")
    web_search_max_results: int = Field(5, description="Results asked for per web search.")
    web_results_token_budget: int = Field(
        500, description="Tokens of web results added to the prompt per search."
    )
    action_max_rounds: int = Field(
        3, description="Rounds of lookups (web, memory) the model may ask for per message."
    )
    max_document_bytes: int = Field(
        20 * 1024 * 1024, description="Largest document a user may upload, bytes (413 beyond)."
    )
    max_document_pages: int = Field(500, description="Most pages a PDF may have (413 beyond).")
    document_storage_per_user_bytes: int = Field(
        200 * 1024 * 1024,
        description="Bytes of uploaded documents each user may keep (413 beyond).",
    )
    document_token_budget: int = Field(
        1200,
        description="Tokens of document passages added to a turn's prompt when the chat has "
        "documents attached or the message names one (on top of CONTEXT_TOKEN_BUDGET).",
    )
    document_storage_dir: str | None = Field(
        None, description="Folder of uploaded files (default: <instance>/documents)."
    )
    decision_step: Literal["classifier", "model", "off"] = Field(
        "classifier",
        description="How the tool a message needs is decided before the answer: an exact "
        "arithmetic parser plus a classifier over MiniLM embeddings (milliseconds), the chat "
        "model answering schema-constrained JSON (one model call), or off (markers only).",
    )
    native_tools: Literal["auto", "off"] = Field(
        "auto",
        description="auto: a model whose engine route takes native tool calls "
        "(capabilities.tools in the engine's /v1/models) chooses its tools itself, in place "
        "of the decision step; off: never.",
    )
    auto_migrate: bool = Field(
        True,
        description="Apply the database migrations when the app starts (gunicorn's workers: "
        "off, the master's check has migrated).",
    )

    @field_validator("llm_api_url", "embedding_api_url")
    @classmethod
    def _without_trailing_slash(cls, url: str | None) -> str | None:
        return url.rstrip("/") if url else url

    # --- values derived from the settings (one place each) -----------------------------
    @property
    def environment(self) -> Literal["development", "testing", "production"]:
        env = self.flask_env.lower()
        return env if env in ("testing", "production") else "development"  # type: ignore[return-value]

    @property
    def embedding_url(self) -> str:
        """Where embeddings are asked for: EMBEDDING_API_URL, else the engine."""
        return self.embedding_api_url or self.llm_api_url

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def documents_dir(self) -> str:
        return self.document_storage_dir or str(self.rai_instance_dir / "documents")

    @property
    def ratelimit_storage_uri(self) -> str:
        return self.redis_url or "memory://"

    def completed(self) -> Settings:
        """These settings with what ``FLASK_ENV`` decides filled in: the secrets (a random
        one kept in the instance folder in development, a fixed one in testing, none in
        production: ``validate`` refuses that) and, in testing, synchronous jobs and no rate
        limits unless set."""
        env = self.environment
        update: dict = {}
        for name in ("secret_key", "jwt_secret_key"):
            if not getattr(self, name):  # unset or empty
                update[name] = _default_secret(env, name)
        if env == "testing":
            if "jobs_mode" not in self.model_fields_set:
                update["jobs_mode"] = "immediate"
            # Tests register many users from one address: limits are off unless asked.
            if "ratelimit_enabled" not in self.model_fields_set:
                update["ratelimit_enabled"] = False
        return self.model_copy(update=update) if update else self

    def validate_for_environment(self) -> None:
        """Refuse settings that are unsafe for this environment (production)."""
        if self.environment != "production":
            return
        for var, value in (
            ("SECRET_KEY", self.secret_key or ""),
            ("JWT_SECRET_KEY", self.jwt_secret_key or ""),
        ):
            if value in DEFAULT_SECRETS or len(value) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    f"FLASK_ENV=production needs {var} set to a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters (e.g. `python -c 'import secrets; "
                    f"print(secrets.token_urlsafe(48))'`)."
                )
        if "*" in self.cors_origin_list:
            raise ConfigError(
                "FLASK_ENV=production needs CORS_ORIGINS set to the origins that may call the "
                "API (comma-separated), not '*'."
            )


def _instance_secret(name: str) -> str:
    """A random secret kept in the instance folder, so a home install never runs on a
    well-known key and tokens survive restarts."""
    path = INSTANCE_DIR / f".{name}"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _default_secret(env: str, name: str) -> str:
    if env == "testing":
        return f"testing-{name}-" + "x" * MIN_SECRET_LENGTH
    if env == "production":
        return ""  # refused by validate_for_environment
    return _instance_secret(name)


def load_settings(**overrides) -> Settings:
    """The settings of an app: the environment, then ``overrides`` (field names: tests, the
    gunicorn workers), completed for ``FLASK_ENV`` and checked (``ConfigError``)."""
    settings = Settings(**overrides).completed()
    settings.validate_for_environment()
    return settings


@cache
def current_settings() -> Settings:
    """The settings of this process, read from the environment once (for the values that
    modules need when they are imported, e.g. TURN_STALE_SECONDS)."""
    return Settings()


def default(name: str):
    """A setting's default, for code that is also called without the settings (one place
    per default)."""
    return Settings.model_fields[name].default
