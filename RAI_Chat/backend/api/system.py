"""``/api/health``."""

import httpx
from flask import current_app
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import text

from ..core.database.session import get_uow
from ..schemas.common import HealthResponse

system_bp = APIBlueprint("system", __name__, abp_tags=[Tag(name="system")])


def database_status() -> str:
    try:
        with get_uow() as uow:
            uow.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:
        return "unavailable"


def engine_status() -> str:
    url = current_app.config["LLM_API_URL"] + "/health"
    try:
        response = httpx.get(url, timeout=2.0)
        return "ok" if response.status_code == 200 else f"unhealthy ({response.status_code})"
    except httpx.HTTPError:
        return "unreachable"


@system_bp.get("/health", responses={200: HealthResponse, 503: HealthResponse})
def health():
    """Is the API up, and can it reach its database and the LLM engine?"""
    database, engine = database_status(), engine_status()
    status = "ok" if database == "ok" and engine == "ok" else "degraded"
    return {"status": status, "database": database, "engine": engine}, (
        200 if database == "ok" else 503
    )
