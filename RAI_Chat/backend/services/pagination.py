"""Opaque keyset cursors: newest first by (timestamp, id)."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from ..core.database.models import isoformat
from ..core.errors import BadRequest


def encode_cursor(moment: datetime, row_id: str) -> str:
    raw = json.dumps([isoformat(moment), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, row_id = json.loads(raw)
        parsed = datetime.fromisoformat(moment)
        if not isinstance(row_id, str):
            raise ValueError
    except (ValueError, TypeError) as exc:
        raise BadRequest("Invalid cursor; use the next_cursor of a previous page") from exc
    return parsed, row_id


def keyset_before(column, id_column, cursor: str | None, dialect: str):
    """The condition 'older than the cursor' (None when there is no cursor)."""
    if not cursor:
        return None
    moment, row_id = decode_cursor(cursor)
    if dialect == "sqlite":
        moment = moment.replace(tzinfo=None)  # SQLite stores naive UTC
    return (column < moment) | ((column == moment) & (id_column < row_id))
