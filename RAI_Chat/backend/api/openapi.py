"""OpenAPI pieces shared by the blueprints."""

from flask_openapi3 import Info

INFO = Info(title="RAI Chat API", version="0.1.0", description="The RAI Chat HTTP API.")
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
BEARER = [{"bearer": []}]


SSE_CONTENT = {
    "text/event-stream": {
        "schema": {
            "type": "object",
            "description": "One Server-Sent Event; ``data`` is a JSON object whose ``type`` is "
            "session, status, token, action, done or error.",
            "properties": {
                "id": {"type": "string"},
                "event": {"type": "string"},
                "data": {"type": "string"},
                "retry": {"type": ["string", "integer"]},
            },
        }
    }
}
STREAMING_OPERATIONS = [("/api/chat/", "post"), ("/api/chat/stream/{message_id}", "get")]
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


def document_streams(doc: dict) -> None:
    """Add the Server-Sent Events answer to the operations that stream (the route
    decorators describe JSON bodies only)."""
    for path, method in STREAMING_OPERATIONS:
        response = doc["paths"][path][method]["responses"].setdefault("200", {"description": "OK"})
        response.setdefault("content", {}).update(SSE_CONTENT)
    response = doc["paths"]["/v1/chat/completions"]["post"]["responses"]["200"]
    response.setdefault("content", {}).update(OPENAI_SSE_CONTENT)
