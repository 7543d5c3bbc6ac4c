"""Every error leaves the API as ``{"status": "error", "error": "..."}`` with its status code;
on the OpenAI-compatible routes (``/v1``) in OpenAI's envelope, so that its clients
understand it: ``{"error": {"message", "type", "param", "code"}}``."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, request
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from ..core.app_state import app_settings
from ..core.database.session import database_unavailable
from ..core.errors import RaiError

logger = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: "Bad request",
    404: "Not found: {path}",
    405: "Method {method} is not allowed on {path}",
    413: "Request body is too large (the limit is {limit} bytes)",
    415: "Content-Type must be application/json",
    429: "Too many requests; slow down and retry later",
}


OPENAI_PREFIX = "/v1/"
# OpenAI's error types and codes by status (what its SDKs and other clients look at).
OPENAI_ERRORS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", "forbidden"),
    404: ("invalid_request_error", "not_found"),
    405: ("invalid_request_error", "method_not_allowed"),
    409: ("invalid_request_error", "conflict"),
    413: ("invalid_request_error", "request_too_large"),
    415: ("invalid_request_error", "unsupported_media_type"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


def openai_error(message: str, status: int, param: str | None = None) -> dict:
    kind, code = OPENAI_ERRORS.get(status, ("server_error" if status >= 500 else "api_error", None))
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def error_response(message: str, status: int, param: str | None = None, **extra):
    """The error envelope (``param``: the input at fault, shown on ``/v1`` only)."""
    if request and request.path.startswith(OPENAI_PREFIX):
        body = {**openai_error(message, status, param), **extra}
        response = jsonify(body)
        response.status_code = status
        return response
    body = {"status": "error", "error": message, **extra}
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    response = jsonify(body)
    response.status_code = status
    return response


def describe_validation_error(exc: ValidationError) -> str:
    """One readable line: ``username: Field required; password: ...``."""
    parts = []
    for err in exc.errors(include_url=False):
        location = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        message = err.get("msg", "invalid")
        if err.get("type") == "model_type" and not location:
            return "Request body must be a JSON object"
        if err.get("type") == "extra_forbidden":
            message = "unknown field"
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts) or "Invalid request"


def first_location(exc: ValidationError) -> str | None:
    for err in exc.errors(include_url=False):
        location = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        if location:
            return location
    return None


def validation_error_callback(exc: ValidationError):
    """flask-openapi3 calls this when a body, query or path fails its pydantic model."""
    return error_response(describe_validation_error(exc), 400, param=first_location(exc))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RaiError)
    def handle_rai_error(exc: RaiError):
        return error_response(exc.message, exc.status_code)

    @app.errorhandler(ValidationError)
    def handle_validation_error(exc: ValidationError):
        return error_response(describe_validation_error(exc), 400)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException):
        if exc.response is not None:  # a response built already (e.g. validation errors)
            return exc.response
        status = exc.code or 500
        template = HTTP_MESSAGES.get(status)
        if template and (status != 400 or not exc.description):
            message = template.format(
                path=request.path,
                method=request.method,
                limit=app_settings().max_content_length,
            )
        else:
            message = exc.description or exc.name
        response = error_response(message, status)
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(DBAPIError)
    def handle_database_error(exc: DBAPIError):
        if not database_unavailable(exc):
            return handle_unexpected(exc)
        logger.warning(
            "Database unavailable on %s %s (request id %s): %s",
            request.method,
            request.path,
            g.get("request_id"),
            type(exc.orig).__name__,
        )
        return error_response("The database is unavailable; retry in a few seconds", 503)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        logger.exception(
            "Unhandled error on %s %s (request id %s)",
            request.method,
            request.path,
            g.get("request_id"),
        )
        return error_response(
            "Internal server error; the administrator can find it in the log by its request id",
            500,
        )
