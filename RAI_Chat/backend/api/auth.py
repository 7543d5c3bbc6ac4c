"""``/api/auth``: register, login, who am I, change password, sign out (this token or
every token of the user)."""

from flask import g
from flask_openapi3 import APIBlueprint, Tag

from ..core.app_state import app_settings
from ..core.auth.utils import auth_service, token_required
from ..extensions.limiter import (
    login_limit_per_ip,
    login_limit_per_username,
    register_limit_per_ip,
    register_limit_per_username,
)
from ..schemas.auth import CredentialsRequest, MeResponse, PasswordChangeRequest, TokenResponse
from ..schemas.common import ErrorResponse, SuccessResponse
from .openapi import BEARER

auth_bp = APIBlueprint(
    "auth", __name__, abp_tags=[Tag(name="auth")], abp_responses={"400": ErrorResponse}
)


@auth_bp.post("/register", responses={201: TokenResponse, 403: ErrorResponse, 429: ErrorResponse})
@register_limit_per_ip
@register_limit_per_username
def register_user(body: CredentialsRequest):
    """Create an account. The first account is the administrator."""
    result = auth_service().register(
        body.username,
        body.password,
        registration_enabled=app_settings().registration_enabled,
    )
    return {"status": "success", **result}, 201


@auth_bp.post("/login", responses={200: TokenResponse, 401: ErrorResponse, 429: ErrorResponse})
@login_limit_per_ip
@login_limit_per_username
def login_user(body: CredentialsRequest):
    """Exchange a username and password for an access token."""
    return {"status": "success", **auth_service().login(body.username, body.password)}


@auth_bp.get("/me", security=BEARER, responses={200: MeResponse, 401: ErrorResponse})
@token_required
def me():
    """The user the token belongs to."""
    return {"status": "success", "user": g.user.to_dict()}


@auth_bp.post("/password", security=BEARER, responses={200: TokenResponse, 401: ErrorResponse})
@token_required
def change_password(body: PasswordChangeRequest):
    """Change the password; every token issued before stops working, a new one is returned."""
    result = auth_service().change_password(g.user_id, body.old_password, body.new_password)
    return {"status": "success", **result}


@auth_bp.post("/logout", security=BEARER, responses={200: SuccessResponse, 401: ErrorResponse})
@token_required
def logout():
    """Sign out this token: it stops working at once; the user's other devices stay signed in."""
    auth_service().logout(g.token_claims)
    return {"status": "success"}


@auth_bp.post(
    "/logout-everywhere", security=BEARER, responses={200: SuccessResponse, 401: ErrorResponse}
)
@token_required
def logout_everywhere():
    """Sign out every device: every token of the user stops working, this one too."""
    auth_service().logout_everywhere(g.user_id)
    return {"status": "success"}
