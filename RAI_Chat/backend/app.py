"""The application factory."""

from __future__ import annotations

import re
import uuid

from flask import Flask, current_app, g, request, send_from_directory
from flask_openapi3 import OpenAPI
from werkzeug.routing import PathConverter

from . import extensions
from .api.errors import error_response, register_error_handlers, validation_error_callback
from .api.openapi import INFO, SECURITY_SCHEMES, document_streams
from .config import FRONTEND_DIST_DIR, Settings, load_settings
from .core.app_state import SETTINGS_KEY, app_settings
from .core.auth.utils import authenticate_request
from .core.logging import configure_logging
from .extensions import metrics
from .services.composition import build_services

BODY_METHODS = {"POST", "PUT", "PATCH"}
API_PREFIXES = ("/api/", "/v1/")  # the RAI API and its OpenAI-compatible routes
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
NUL = "\x00"
MULTIPART_ENDPOINTS = {"documents.upload_document"}  # file uploads, not JSON


def contains_nul(value) -> bool:
    """Whether a parsed JSON value holds a NUL character in any string (PostgreSQL cannot
    store one); iterative, so any depth the parser accepted is fine."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class PagePathConverter(PathConverter):
    """Any path outside ``/api`` and ``/v1``: the web page's own routes."""

    regex = r"(?!(?:api|v1)(?:/|$))[^/].*?"


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    """Application factory. ``settings``: the app's settings (default: read from the
    environment); ``overrides``: settings by field name on top of the environment's (tests,
    the gunicorn workers). Raises ``ConfigError`` for settings unsafe in production."""
    if settings is None:
        settings = load_settings(**overrides)
    else:
        settings = settings.model_copy(update=overrides).completed()
        settings.validate_for_environment()

    app = OpenAPI(
        __name__,
        info=INFO,
        security_schemes=SECURITY_SCHEMES,
        validation_error_status=400,
        validation_error_callback=validation_error_callback,
        doc_prefix="/api/docs",
        doc_url="/openapi.json",
        static_folder=None,
    )
    app.config.update(flask_config(settings))
    app.extensions[SETTINGS_KEY] = settings
    app.json.sort_keys = False
    app.url_map.converters["page"] = PagePathConverter

    extensions.init_app(app)
    configure_logging(str(settings.rai_logs_dir), settings.log_level.upper())

    services = build_services(settings)
    app.extensions["rai_services"] = services
    app.extensions["rai_database"] = services.database
    app.extensions["rai_engine"] = services.engine
    app.extensions["rai_jobs"] = services.jobs
    services.jobs.start_consumer()
    metrics.set_job_queue_depth_source(services.jobs.queue_depth)

    register_request_hooks(app)
    register_error_handlers(app)
    register_blueprints(app)
    register_frontend(app)
    return app


def flask_config(settings: Settings) -> dict:
    """What Flask and its extensions read from ``app.config`` (the one place it is derived
    from the settings; RAI's own code reads the settings)."""
    return {
        "SECRET_KEY": settings.secret_key,
        "MAX_CONTENT_LENGTH": settings.max_content_length,
        "TESTING": settings.environment == "testing",
        "DEBUG": settings.environment == "development",
        # flask-limiter; an unreachable Redis must not lock everyone out: count in memory.
        "RATELIMIT_ENABLED": settings.ratelimit_enabled,
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    }


def register_request_hooks(app: Flask) -> None:
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex

    def reject_unstorable_input():
        """Input no endpoint can use is a 400 before anything else (the rate limiter's
        username key included) reads it: JSON nested too deeply to parse, and NUL
        characters in the path, the query or the body."""
        if not request.path.startswith(API_PREFIXES):
            return None
        if NUL in request.path or any(NUL in k + v for k, v in request.args.items(multi=True)):
            return error_response("The URL must not contain NUL characters", 400)
        if request.method not in BODY_METHODS or not request.is_json:
            return None
        if request.endpoint == "session.import_session":
            request.max_content_length = app_settings().max_import_bytes
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            return error_response("Request body is nested too deeply", 400)
        if contains_nul(body):
            return error_response("Text must not contain NUL characters", 400)
        return None

    # First of all before_request functions (the extensions registered theirs already).
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[:0] = [assign_request_id, reject_unstorable_input]

    @app.before_request
    def require_json_body():
        if request.method not in BODY_METHODS or not request.path.startswith(API_PREFIXES):
            return None
        if request.endpoint == "session.import_session":
            request.max_content_length = app_settings().max_import_bytes
        if request.content_length is None and not request.headers.get("Transfer-Encoding"):
            return None
        if request.endpoint in MULTIPART_ENDPOINTS or request.routing_exception is not None:
            return None  # a file upload; or an unknown route or method: its own 404/405
        if not request.is_json:
            if request.content_length == 0:
                return None
            return error_response("Content-Type must be application/json", 415)
        data = request.get_data(cache=True)  # raises 413 beyond MAX_CONTENT_LENGTH
        if data and request.get_json(silent=True) is None and data.strip() != b"null":
            return error_response("Request body is not valid JSON", 400)
        return None

    @app.before_request
    def authenticate_before_validation():
        """Views marked by ``token_required`` check the token before their input."""
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "auth_required", False):
            authenticate_request()

    @app.after_request
    def add_headers(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def register_blueprints(app: Flask) -> None:
    """Register the API blueprints at their prefixes."""
    from .api.api_keys import admin_bp, keys_bp
    from .api.auth import auth_bp
    from .api.chat import chat_bp
    from .api.documents import documents_bp, session_documents_bp
    from .api.memory import memory_bp
    from .api.openai_compat import openai_bp
    from .api.session import session_bp
    from .api.system import system_bp

    app.register_api(auth_bp, url_prefix="/api/auth")
    app.register_api(chat_bp, url_prefix="/api/chat")
    app.register_api(memory_bp, url_prefix="/api/memory")
    app.register_api(session_bp, url_prefix="/api/session")
    app.register_api(session_documents_bp, url_prefix="/api/session")
    app.register_api(documents_bp, url_prefix="/api/documents")
    app.register_api(system_bp, url_prefix="/api")
    app.register_api(keys_bp, url_prefix="/api/keys")
    app.register_api(admin_bp, url_prefix="/api/admin")
    app.register_api(openai_bp, url_prefix="/v1")
    document_streams(app.api_doc)
    app.add_url_rule("/api/openapi.json", "openapi_json", lambda: app.api_doc)


# A path prefix a reverse proxy may announce (``X-Forwarded-Prefix: /rai``).
PREFIX_PATTERN = re.compile(r"^(/[A-Za-z0-9._~-]+)*$")
BASE_TAG = '<base href="/" />'


def page_base() -> str:
    """Where the page lives: ``/``, or the sub-path it is served under (the WSGI
    ``SCRIPT_NAME``, or ``X-Forwarded-Prefix`` from a trusted proxy), ending in ``/``."""
    prefix = request.script_root
    forwarded = request.headers.get("X-Forwarded-Prefix", "").rstrip("/")
    if app_settings().ratelimit_trusted_proxies and forwarded:
        prefix = forwarded
    if not PREFIX_PATTERN.match(prefix):
        prefix = ""
    return prefix + "/"


def index_page(dist):
    """index.html with its ``<base href>`` set to where the page lives, so that its files
    (relative paths) load from any address of the page: ``/c/<id>``, ``/settings``."""
    html = (dist / "index.html").read_text(encoding="utf-8")
    html = html.replace(BASE_TAG, f'<base href="{page_base()}" />', 1)
    response = current_app.response_class(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


def register_frontend(app: Flask) -> None:
    """Serve the built web page at ``/`` (any non-API path falls back to index.html: the
    page's own addresses, ``/c/<session id>``, ``/settings``, ``/memory``)."""

    def page(path: str = ""):
        dist = FRONTEND_DIST_DIR
        if not (dist / "index.html").exists():
            return error_response(
                "The web page is not built; run `bash rai.sh start` (it builds it) or use the API",
                404,
            )
        if path:
            if ".." in path.split("/") or "\\" in path:
                return error_response("Not found", 404)
            if (dist / path).is_file():
                return send_from_directory(dist, path)  # safe_join inside
            if "." in path.rsplit("/", 1)[-1]:  # a missing file, not a page of the app
                return error_response(f"Not found: /{path}", 404)
        return index_page(dist)

    app.add_url_rule("/", "page_index", page)
    app.add_url_rule("/<page:path>", "page", page)
