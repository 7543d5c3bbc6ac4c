"""``/api/health`` and ``/api/capabilities``."""

import httpx
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import text

from ..core.auth.utils import token_required
from ..core.database.session import get_uow
from ..schemas.common import CapabilitiesResponse, ErrorResponse, HealthResponse
from ..services.llm_client import EngineError
from .managers import app_services, app_settings
from .openapi import BEARER

system_bp = APIBlueprint("system", __name__, abp_tags=[Tag(name="system")])


def database_status() -> str:
    try:
        with get_uow() as uow:
            uow.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:
        return "unavailable"


def engine_status() -> str:
    url = app_settings().llm_api_url + "/health"
    try:
        response = httpx.get(url, timeout=2.0)
        return "ok" if response.status_code == 200 else f"unhealthy ({response.status_code})"
    except httpx.HTTPError:
        return "unreachable"


def semantic_search_status() -> str:
    """Whether EMBEDDING_API_URL embeds with EMBEDDING_MODEL; if not, memory search uses
    full text alone, and this says why."""
    try:
        app_services().engine.embed(["health"], fresh=True)
        return "on"
    except EngineError as exc:
        model = app_settings().embedding_model
        return f"off: {exc.message} (EMBEDDING_API_URL, EMBEDDING_MODEL={model})"


@system_bp.get("/health", responses={200: HealthResponse, 503: HealthResponse})
def health():
    """Is the API up, can it reach its database and the LLM engine, and is semantic
    memory search on?"""
    database, engine = database_status(), engine_status()
    status = "ok" if database == "ok" and engine == "ok" else "degraded"
    body = {
        "status": status,
        "database": database,
        "engine": engine,
        "semantic_search": semantic_search_status(),
    }
    return body, (200 if database == "ok" else 503)


@system_bp.get(
    "/capabilities", security=BEARER, responses={200: CapabilitiesResponse, 401: ErrorResponse}
)
@token_required
def capabilities():
    """The limits the API enforces and what the assistant can do (web search or not)."""
    settings = app_settings()
    return {
        "status": "success",
        "max_message_chars": settings.max_message_chars,
        "max_import_bytes": settings.max_import_bytes,
        "web_search": app_services().web_search is not None,
    }
