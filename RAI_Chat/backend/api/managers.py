"""Where the views get their services: the composition root ``create_app`` built
(``services.composition.AppServices``: settings, database, engine client, jobs, web
search), and the seed's ``get_user_session_manager``, a user's manager on them. The services
themselves never import Flask."""

from __future__ import annotations

from flask import current_app

from ..core.app_state import app_settings
from ..services.composition import AppServices
from ..services.session import UserSessionManager

__all__ = ["app_services", "app_settings", "get_user_session_manager"]


def app_services() -> AppServices:
    """What ``create_app`` built for the current app."""
    return current_app.extensions["rai_services"]


def get_user_session_manager(user_id: str) -> UserSessionManager:
    """A manager for this user on the current app's database and engine (as in the seed)."""
    services = app_services()
    return UserSessionManager(user_id, services.database, services.engine, services.jobs)
