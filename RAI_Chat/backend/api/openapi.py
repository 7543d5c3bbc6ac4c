"""OpenAPI pieces shared by the blueprints."""

from flask_openapi3 import Info
from pydantic import TypeAdapter

from ..schemas.events import MessageStatus, StreamEvent

INFO = Info(title="RAI Chat API", version="0.1.0", description="The RAI Chat HTTP API.")
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
BEARER = [{"bearer": []}]


COMPONENT = "#/components/schemas/{model}"
SSE_CONTENT = {
    "text/event-stream": {
        "schema": {
            "type": "object",
            "description": "One Server-Sent Event; ``data`` is a StreamEvent in JSON: its "
            "``type`` is session, status, token, action, done or error.",
            "properties": {
                "id": {"type": "string"},
                "event": {"type": "string"},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": COMPONENT.format(model="StreamEvent")},
                },
                "retry": {"type": ["string", "integer"]},
            },
        }
    }
}
STREAMING_OPERATIONS = [
    ("/api/chat/", "post"),
    ("/api/chat/regenerate", "post"),
    ("/api/chat/edit", "post"),
    ("/api/chat/continue", "post"),
    ("/api/chat/stream/{message_id}", "get"),
]
OPENAI_SSE_CONTENT = {
    "text/event-stream": {
        "schema": {
            "type": "object",
            "description": "With ``stream``: one ``data:`` line per ChatCompletionChunk (the "
            "last one with ``usage`` when ``stream_options.include_usage``), then "
            '``data: [DONE]``; a failure is ``data: {"error": {...}}``.',
            "properties": {"data": {"type": "string"}},
        }
    }
}


def event_schemas() -> dict[str, dict]:
    """The stream's events (``schemas/events.py``) as components: ``StreamEvent`` (one of
    them, by ``type``), each event, what they hold, and ``MessageStatus``."""
    union = TypeAdapter(StreamEvent).json_schema(ref_template=COMPONENT)
    schemas = union.pop("$defs")
    schemas["StreamEvent"] = {
        "description": "An event of a chat turn's stream, told apart by ``type``.",
        **union,
    }
    schemas["MessageStatus"] = TypeAdapter(MessageStatus).json_schema(ref_template=COMPONENT)
    return schemas


def document_streams(doc: dict) -> None:
    """Add the Server-Sent Events answer to the operations that stream (the route
    decorators describe JSON bodies only), and the events it carries to the components."""
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in event_schemas().items():
        if components.get(name, schema) != schema:
            raise RuntimeError(f"Two different OpenAPI schemas are named {name}")
        components[name] = schema
    for path, method in STREAMING_OPERATIONS:
        response = doc["paths"][path][method]["responses"].setdefault("200", {"description": "OK"})
        response.setdefault("content", {}).update(SSE_CONTENT)
    response = doc["paths"]["/v1/chat/completions"]["post"]["responses"]["200"]
    response.setdefault("content", {}).update(OPENAI_SSE_CONTENT)
