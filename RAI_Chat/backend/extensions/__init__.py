"""Extension objects shared by the app; ``init_app`` wires each into a new app."""

from flask import Flask
from flask_cors import CORS

from ..core.app_state import SETTINGS_KEY
from . import limiter as limiter_ext
from . import metrics
from .limiter import chat_turn_limit, limiter

cors = CORS()

__all__ = ["chat_turn_limit", "cors", "init_app", "limiter", "metrics"]


def init_app(app: Flask) -> None:
    origins = {"origins": app.extensions[SETTINGS_KEY].cors_origin_list}
    # Browser clients of /v1 (other chat front ends) read which session a call continued.
    clients = {**origins, "expose_headers": ["X-RAI-Session-Id", "Retry-After"]}
    cors.init_app(app, resources={r"/api/*": origins, r"/v1/*": clients})
    limiter_ext.init_app(app)
    metrics.init_app(app)
