"""``/api/keys``: the user's personal API keys (for OpenAI-compatible clients) and the
tokens they used; ``/api/admin``: every user's keys and usage, for administrators.

These routes take an access token only: a key cannot make or list keys."""

from datetime import timedelta

from flask import g
from flask_openapi3 import APIBlueprint, Tag

from ..core.auth.api_keys import ApiKeys
from ..core.auth.utils import token_required
from ..core.database.models import utcnow
from ..core.database.session import get_database, get_uow
from ..core.errors import Forbidden
from ..schemas.api_keys import (
    AllUsageResponse,
    KeyCreated,
    KeyCreateRequest,
    KeyPath,
    KeyResponse,
    KeysQuery,
    KeysResponse,
    UsageResponse,
)
from ..schemas.common import ErrorResponse
from ..services.api_key_lists import ApiKeyLists
from ..services.usage import UsageReport
from .openapi import BEARER

RESPONSES = {"400": ErrorResponse, "401": ErrorResponse, "404": ErrorResponse}
keys_bp = APIBlueprint(
    "keys", __name__, abp_tags=[Tag(name="keys")], abp_security=BEARER, abp_responses=RESPONSES
)
admin_bp = APIBlueprint(
    "admin",
    __name__,
    abp_tags=[Tag(name="admin")],
    abp_security=BEARER,
    abp_responses={**RESPONSES, "403": ErrorResponse},
)


def require_admin() -> None:
    if not g.user.is_admin:
        raise Forbidden("Administrators only")


@keys_bp.get("/", responses={200: KeysResponse})
@token_required
def list_keys(query: KeysQuery):
    """The user's keys, newest first (revoked and expired ones marked inactive)."""
    keys = ApiKeyLists(get_database()).page(query.limit, query.cursor, user_id=g.user_id)
    return {"status": "success", **keys}


@keys_bp.post("/", responses={201: KeyCreated})
@token_required
def create_key(body: KeyCreateRequest):
    """Make a key. Its secret is in this answer only: RAI keeps just its hash."""
    expires_at = body.expires_at
    if body.expires_in_days is not None:
        expires_at = utcnow() + timedelta(days=body.expires_in_days)
    key, secret = ApiKeys(get_uow()).create(g.user_id, body.name, expires_at, body.rate_limit)
    return {"status": "success", "key": key, "secret": secret}, 201


@keys_bp.delete("/<key_id>", responses={200: KeyResponse})
@token_required
def revoke_key(path: KeyPath):
    """Revoke a key: it stops working at once. Administrators may revoke anyone's."""
    return {"status": "success", "key": ApiKeys(get_uow()).revoke(path.key_id, g.user)}


@keys_bp.get("/usage", responses={200: UsageResponse})
@token_required
def usage():
    """Tokens the user's answers used: in total and by key (the page's under no key)."""
    return {"status": "success", **UsageReport(get_database()).for_user(g.user_id)}


@admin_bp.get("/keys", responses={200: KeysResponse})
@token_required
def all_keys(query: KeysQuery):
    """Every user's keys, newest first, with their owners."""
    require_admin()
    keys = ApiKeyLists(get_database()).page(query.limit, query.cursor, with_owners=True)
    return {"status": "success", **keys}


@admin_bp.get("/usage", responses={200: AllUsageResponse})
@token_required
def all_usage():
    """Tokens used by every user, and by each of their keys."""
    require_admin()
    return {"status": "success", "users": UsageReport(get_database()).by_user()}
