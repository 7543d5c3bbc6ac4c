"""What ``create_app`` put on the Flask app, for code that runs in a request: the app's one
``Settings`` object (typed fields, never ``current_app.config["X"]``)."""

from __future__ import annotations

from flask import current_app

from ..config import Settings

SETTINGS_KEY = "rai_settings"


def app_settings() -> Settings:
    """The settings of the current app (built once by ``create_app``)."""
    return current_app.extensions[SETTINGS_KEY]
