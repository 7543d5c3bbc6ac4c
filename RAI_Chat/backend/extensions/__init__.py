"""Extension objects shared by the app; ``init_app`` wires each into a new app."""

from flask import Flask
from flask_cors import CORS

cors = CORS()


def init_app(app: Flask) -> None:
    cors.init_app(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}})
