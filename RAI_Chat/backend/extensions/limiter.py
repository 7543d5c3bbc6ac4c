"""Rate limits (flask-limiter): per client IP, per username, per signed-in user.

Counters live in memory by default (each API worker process counts on its own) and in Redis
when ``REDIS_URL`` is set (shared by every worker and every API process). The limits are
strings in flask-limiter's syntax (``"10 per minute;100 per hour"``) read from the settings at
request time, so each app (and each test) may use its own.

Routes use the decorators defined here::

    @auth_bp.post("/login")
    @login_limit_per_ip
    @login_limit_per_username
    def login_user(body): ...

    @chat_bp.post("/")
    @token_required
    @chat_turn_limit  # RATELIMIT_CHAT per user (by the bearer token's user id)
    def chat(body): ...

    @openai_bp.post("/chat/completions")
    @client_auth_required
    @api_client_limit     # RATELIMIT_API_KEY per API key (per user with an access token)
    @api_key_own_limit    # and the key's own limit, when it has one
    def chat_completions(body): ...

A request over a limit gets 429 with ``Retry-After`` (seconds) and the JSON error envelope.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter

from ..core.app_state import app_settings
from ..core.errors import RaiError


def client_ip() -> str:
    """The client's address: the socket's, or the one the trusted proxies report."""
    trusted = app_settings().ratelimit_trusted_proxies
    if trusted:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.remote_addr or "unknown"


def ip_key() -> str:
    return "ip:" + client_ip()


def username_key() -> str:
    """The username in the JSON body (case-insensitive), else the client's address."""
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    if isinstance(username, str) and username.strip():
        return "username:" + username.strip().lower()[:64]
    return ip_key()


def user_key() -> str:
    """The signed-in user's id; without a valid token, the client's address (the view then
    answers 401 on its own)."""
    if "user_id" not in g:
        from ..core.auth.utils import authenticate_request

        try:
            authenticate_request()
        except RaiError:
            return ip_key()
    return "user:" + g.user_id


def client_key() -> str:
    """The API key a /v1 request came with (``key:<id>``), else its user, else its address."""
    by_user = user_key()  # authenticates the request (the address when it cannot)
    holder = g.get("api_key")
    return f"key:{holder.key_id}" if holder is not None else by_user


def _own_key_limit() -> str:
    holder = g.get("api_key")
    return (holder.rate_limit if holder is not None else None) or "1 per second"


def _no_own_key_limit() -> bool:
    holder = g.get("api_key")
    return holder is None or not holder.rate_limit


def _limit(name: str):
    """The limit named by a setting (``ratelimit_login``...), read when a request comes."""
    return lambda: getattr(app_settings(), name)


def _failed(response) -> bool:
    return response.status_code in (400, 401, 403)


limiter = Limiter(key_func=ip_key, headers_enabled=True, key_prefix="rai")

login_limit_per_ip = limiter.limit(_limit("ratelimit_login"), key_func=ip_key, scope="login-ip")
# Only failed logins count against a username: its owner can still sign in from elsewhere
# until someone has guessed wrong RATELIMIT_LOGIN times.
login_limit_per_username = limiter.limit(
    _limit("ratelimit_login"), key_func=username_key, scope="login-user", deduct_when=_failed
)
register_limit_per_ip = limiter.limit(
    _limit("ratelimit_register"), key_func=ip_key, scope="register-ip"
)
register_limit_per_username = limiter.limit(
    _limit("ratelimit_register"), key_func=username_key, scope="register-user"
)
chat_turn_limit = limiter.limit(_limit("ratelimit_chat"), key_func=user_key, scope="chat-turn")
# Every request to /v1 counts against its API key: the server's RATELIMIT_API_KEY, and the
# key's own (stricter) limit when it was made with one.
api_client_limit = limiter.limit(_limit("ratelimit_api_key"), key_func=client_key, scope="api-key")
api_key_own_limit = limiter.limit(
    _own_key_limit, key_func=client_key, scope="api-key-own", exempt_when=_no_own_key_limit
)


def init_app(app: Flask) -> None:
    # Registered first, so it runs after the limiter has added its headers.
    @app.after_request
    def retry_after_only_on_429(response):
        if response.status_code != 429:
            response.headers.pop("Retry-After", None)
        return response

    limiter.init_app(app)
