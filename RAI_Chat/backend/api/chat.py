"""`/api/chat`."""

from flask_openapi3 import APIBlueprint, Tag

chat_bp = APIBlueprint("chat", __name__, abp_tags=[Tag(name="chat")])
