"""Configuration: one typed settings model read from the environment, and the seed's
Development / Testing / Production classes built from it (chosen by ``FLASK_ENV``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .utils.path import INSTANCE_DIR, LOGS_DIR

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-key-please-change-in-production"  # noqa: S105 - the seed's placeholder
DEFAULT_JWT_SECRET_KEY = "jwt-dev-key-please-change-in-production"  # noqa: S105
DEFAULT_SECRETS = {DEFAULT_SECRET_KEY, DEFAULT_JWT_SECRET_KEY, "", "changeme", "secret"}
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which variable to set."""


class Settings(BaseSettings):
    """Every environment variable the RAI API reads, with its default."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

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
    llm_api_url: str = Field("http://localhost:6301", description="The LLM engine (OpenAI API).")
    llm_api_key: str | None = Field(None, description="Bearer key for the engine, if it has one.")
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
    log_level: str = Field("INFO", description="Logging level.")


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


class Config:
    """Base configuration (Flask reads the UPPERCASE attributes)."""

    DEBUG = False
    TESTING = False
    ENV_NAME = "development"

    def __init__(self, settings: Settings | None = None, **overrides):
        s = settings or Settings()
        self.SECRET_KEY = s.secret_key or self.default_secret("secret_key")
        self.JWT_SECRET_KEY = s.jwt_secret_key or self.default_secret("jwt_secret_key")
        self.JWT_ACCESS_TOKEN_EXPIRES = s.jwt_access_token_expires
        self.SQLALCHEMY_DATABASE_URI = s.database_url
        self.LLM_API_URL = s.llm_api_url.rstrip("/")
        self.LLM_API_KEY = s.llm_api_key
        self.CORS_ORIGINS = [o.strip() for o in s.cors_origins.split(",") if o.strip()]
        self.REGISTRATION_ENABLED = s.registration_enabled
        self.MAX_CONTENT_LENGTH = s.max_content_length
        self.REDIS_URL = s.redis_url
        self.LOGS_DIR = str(LOGS_DIR)
        self.LOG_LEVEL = s.log_level.upper()
        for key, value in overrides.items():
            setattr(self, key, value)

    def default_secret(self, name: str) -> str:
        return _instance_secret(name)

    def validate(self) -> None:
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    __test__ = False  # not a pytest test class
    TESTING = True
    ENV_NAME = "testing"

    def default_secret(self, name: str) -> str:
        return f"testing-{name}-" + "x" * MIN_SECRET_LENGTH


class ProductionConfig(Config):
    ENV_NAME = "production"

    def default_secret(self, name: str) -> str:
        return ""

    def validate(self) -> None:
        for var, value in (
            ("SECRET_KEY", self.SECRET_KEY),
            ("JWT_SECRET_KEY", self.JWT_SECRET_KEY),
        ):
            if value in DEFAULT_SECRETS or len(value) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    f"FLASK_ENV=production needs {var} set to a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters (e.g. `python -c 'import secrets; "
                    f"print(secrets.token_urlsafe(48))'`)."
                )
        if "*" in self.CORS_ORIGINS:
            raise ConfigError(
                "FLASK_ENV=production needs CORS_ORIGINS set to the origins that may call the "
                "API (comma-separated), not '*'."
            )


def get_config(**overrides) -> Config:
    """Return the configuration object for ``FLASK_ENV``."""
    settings = Settings()
    env = settings.flask_env.lower()
    cls = {"production": ProductionConfig, "testing": TestingConfig}.get(env, DevelopmentConfig)
    return cls(settings, **overrides)
