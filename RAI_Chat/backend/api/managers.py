"""Where the views get their services: the seed's ``get_user_session_manager`` builds a
user's manager from what ``create_app`` put on the Flask app (database, engine client, jobs,
settings). The services themselves never import Flask."""

from __future__ import annotations

from flask import current_app

from ..core.database.session import get_database
from ..services.jobs import JobSettings
from ..services.session import UserSessionManager


def get_user_session_manager(user_id: str) -> UserSessionManager:
    """A manager for this user on the current app's database and engine (as in the seed)."""
    return UserSessionManager(
        user_id,
        get_database(),
        current_app.extensions["rai_engine"],
        current_app.extensions.get("rai_jobs"),
        job_settings(current_app.config),
    )


def job_settings(cfg) -> JobSettings:
    return JobSettings(
        database_url=cfg["SQLALCHEMY_DATABASE_URI"],
        llm_api_url=cfg["LLM_API_URL"],
        llm_model=cfg["LLM_MODEL"],
        llm_api_key=cfg["LLM_API_KEY"],
        embedding_api_url=cfg["EMBEDDING_API_URL"],
        embedding_model=cfg["EMBEDDING_MODEL"],
        context_budget=cfg["CONTEXT_TOKEN_BUDGET"],
        max_answer_tokens=cfg["MAX_ANSWER_TOKENS"],
    )
