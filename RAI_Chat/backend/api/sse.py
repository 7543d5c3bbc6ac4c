"""Server-Sent Events: one JSON object per ``data:`` line, each with an ``id:`` (the events
of ``schemas/events.py``, as the turn's stream keeps them)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from flask import Response, stream_with_context


def format_events(events: Iterable[tuple[int, dict] | None]):
    yield "retry: 2000\n\n"
    for item in events:
        if item is None:
            yield ": keep-alive\n\n"
            continue
        seq, event = item
        yield f"id: {seq}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


def sse_response(events: Iterable[tuple[int, dict] | None]) -> Response:
    return Response(
        stream_with_context(format_events(events)),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
