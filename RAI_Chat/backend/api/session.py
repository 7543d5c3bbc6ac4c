"""`/api/session`."""

from flask_openapi3 import APIBlueprint, Tag

session_bp = APIBlueprint("session", __name__, abp_tags=[Tag(name="session")])
