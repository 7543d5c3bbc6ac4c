"""``token_required``: the request must carry a valid bearer token; puts ``g.user_id``."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request

from ..database.session import get_uow
from ..errors import Unauthorized
from .service import AuthService


def auth_service() -> AuthService:
    cfg = current_app.config
    return AuthService(get_uow(), cfg["JWT_SECRET_KEY"], cfg["JWT_ACCESS_TOKEN_EXPIRES"])


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
    user = auth_service().authenticate(token.strip())
    g.user = user
    g.user_id = user.id


def token_required(view):
    """Seed decorator. It also marks the view so that authentication runs before request
    validation (see ``app.authenticate_before_validation``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        authenticate_request()
        return view(*args, **kwargs)

    wrapper.auth_required = True
    return wrapper
