"""Server-Sent Events: one JSON object per ``data:`` line, each with an ``id:`` (the events
of ``schemas/events.py``, as the turn's stream keeps them)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from flask import Response, stream_with_context

_encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False)
# A token event's frame, with the text that ``_encode`` gives for the whole event around it.
_TOKEN_DATA = '\ndata: {"type": "token", "content": '  # noqa: S105


def frame(seq: int, event: dict) -> str:
    """One event's SSE frame."""
    if event["type"] == "token" and len(event) == 2:  # the per-token path: no dict to encode
        return f"id: {seq}{_TOKEN_DATA}{_encode(event['content'])}}}\n\n"
    return f"id: {seq}\ndata: {_encode(event)}\n\n"


def format_events(events: Iterable[tuple[int, dict] | list[tuple[int, dict]] | None]):
    """The frames of ``events``: each (id, event), or a list of them (their frames go in one
    piece, so the server writes them at once), ``None`` for a keep-alive comment."""
    yield "retry: 2000\n\n"
    for item in events:
        if item is None:
            yield ": keep-alive\n\n"
        elif isinstance(item, list):
            yield "".join([frame(seq, event) for seq, event in item])
        else:
            yield frame(*item)


def sse_response(
    events: Iterable[tuple[int, dict] | list[tuple[int, dict]] | None],
) -> Response:
    return Response(
        stream_with_context(format_events(events)),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
