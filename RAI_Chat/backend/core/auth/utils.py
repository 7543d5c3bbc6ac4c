"""``token_required``: the request must carry a valid bearer token; puts ``g.user_id``.
``client_auth_required`` (the OpenAI-compatible routes) also takes a personal API key and
puts ``g.api_key`` (None for an access token)."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request

from ..app_state import app_settings
from ..database.session import get_uow
from ..errors import Unauthorized
from .api_keys import ApiKeys, is_api_key
from .service import AuthService


def auth_service() -> AuthService:
    settings = app_settings()
    return AuthService(get_uow(), settings.jwt_secret_key, settings.jwt_access_token_expires)


def authenticate_request() -> None:
    """Check the Authorization header once per request and set ``g.user_id`` / ``g.user``."""
    if "user_id" in g:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthorized("Missing Authorization header (expected 'Bearer <token>')")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    token = token.strip()
    if is_api_key(token):
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "accepts_api_keys", False):
            raise Unauthorized("API keys work on the /v1 routes only; use an access token here")
        holder = ApiKeys(get_uow()).authenticate(token)
        g.user, g.user_id, g.api_key = holder.user, holder.user.id, holder
        return
    user, claims = auth_service().authenticate_claims(token)
    g.user = user
    g.user_id = user.id
    g.token_claims = claims
    g.api_key = None


def token_required(view):
    """Seed decorator. It also marks the view so that authentication runs before request
    validation (see ``app.authenticate_before_validation``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        authenticate_request()
        return view(*args, **kwargs)

    wrapper.auth_required = True
    return wrapper


def client_auth_required(view):
    """Like ``token_required``, and a personal API key (``rai-...``) is accepted too."""
    wrapper = token_required(view)
    wrapper.accepts_api_keys = True
    return wrapper
