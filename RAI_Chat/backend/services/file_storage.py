"""Chat transcripts: export as JSON or Markdown; import our JSON export or a ChatGPT
``conversations.json`` export."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from ..core.database.models import isoformat
from ..core.errors import BadRequest

EXPORT_FORMAT = "rai-chat-session"
EXPORT_VERSION = 1
# Only the conversation is imported: a system (or tool) message would reach the user's
# prompts as instructions to the model.
ROLES = {"user", "assistant"}
MAX_IMPORT_MESSAGES = 20_000


def export_json(
    session: dict,
    messages: list,
    documents: list[dict] | None = None,
    facts: list[dict] | None = None,
) -> dict:
    """``documents``: the files the chat used, ``{id, filename}`` (a note: not re-imported).
    ``facts``: the facts captured from its messages, each with its message's index in
    ``messages`` (``memory.fact_transfer``; re-imported)."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": isoformat(datetime.now(UTC)),
        "session": {
            "title": session["title"],
            "created_at": session["created_at"],
            # The conversation is a tree: every message names its parent, the session the
            # last message of the branch it shows.
            "active_leaf_id": session.get("active_leaf_id"),
        },
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role,
                "content": m.content,
                "status": m.status,
                "created_at": isoformat(m.created_at),
            }
            for m in messages
        ],
        "documents": documents or [],
        "facts": facts or [],
    }


def readable_time(value: str | datetime | None) -> str:
    """ "30 November 2026, 08:15 UTC" from an ISO time (or a datetime)."""
    if isinstance(value, str):
        value = _parse_time(value)
    if value is None:
        return "an unknown time"
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{value.day} {value:%B %Y, %H:%M} UTC"


def export_filename(session: dict, ext: str) -> str:
    """ "garden-plans-2026-11-30.md": the title in lower-case words and the chat's date."""
    # ASCII only (accents dropped: "Café" → "cafe"): the name goes into a header.
    title = unicodedata.normalize("NFKD", session.get("title") or "").encode("ascii", "ignore")
    slug = "-".join(re.findall(r"[a-z0-9]+", title.decode().lower()))[:60].strip("-")
    started = _parse_time(session.get("created_at"))
    day = f"{started:%Y-%m-%d}" if started else ""
    stem = "-".join(part for part in (slug or "rai-chat", day) if part)
    return f"{stem}.{ext}"


def export_markdown(session: dict, messages: list, documents: list[dict] | None = None) -> str:
    lines = [
        f"# {session['title']}",
        "",
        f"_Chat started {readable_time(session['created_at'])}; exported from RAI Chat "
        f"{readable_time(datetime.now(UTC))}._",
        "",
    ]
    if documents:
        names = ", ".join(d["filename"] for d in documents)
        lines += [f"_Documents used: {names}._", ""]
    for m in messages:
        who = {"user": "You", "assistant": "Assistant"}.get(m.role, m.role.title())
        note = "" if m.status == "complete" else f" _({m.status})_"
        lines += [f"## {who}{note}", "", m.content, ""]
    return "\n".join(lines)


def _parse_time(value) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def parse_import(data) -> tuple[str, list[dict]]:
    """(title, [{role, content, created_at, key, parent_key, active}]) from one of the
    formats we read, parents before their children. ``key`` names a message within the
    import (``None``: each message follows the one before it); ``active`` marks the last
    message of the branch to show."""
    if isinstance(data, list) and data and isinstance(data[0], dict) and "mapping" in data[0]:
        if len(data) != 1:
            raise BadRequest("A ChatGPT export holds several conversations; import one at a time")
        return _parse_chatgpt(data[0])
    if isinstance(data, dict) and "mapping" in data:
        return _parse_chatgpt(data)
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        return _parse_ours(data)
    raise BadRequest(
        "Unrecognised import: expected a RAI Chat JSON export or a ChatGPT conversation"
    )


def _parse_ours(data: dict) -> tuple[str, list[dict]]:
    messages = data.get("messages")
    if not isinstance(messages, list):
        raise BadRequest("messages: expected a list")
    out = []
    keys: set = set()
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise BadRequest(
                f"messages[{i}]: expected an object with role user or assistant (system "
                "messages are not imported: they would instruct the model)"
            )
        if not isinstance(m.get("content"), str):
            raise BadRequest(f"messages[{i}].content: expected a string")
        key, parent = m.get("id"), m.get("parent_id")
        if key is not None and (not isinstance(key, str) or key in keys):
            raise BadRequest(f"messages[{i}].id: expected a string no other message has")
        if parent is not None and parent not in keys:
            raise BadRequest(f"messages[{i}].parent_id: must name an earlier message")
        keys.add(key)
        out.append(
            {
                "role": m["role"],
                "content": m["content"],
                "created_at": _parse_time(m.get("created_at")),
                "key": key,
                "parent_key": parent,
                "active": False,
            }
        )
    session = data.get("session") if isinstance(data.get("session"), dict) else {}
    _mark_active(out, session.get("active_leaf_id"))
    return _check(str(session.get("title") or "Imported chat"), out)


def _mark_active(messages: list[dict], key) -> None:
    """The message ``key`` is the active leaf (else the last one)."""
    for m in messages:
        if key is not None and m["key"] == key:
            m["active"] = True
            return
    if messages:
        messages[-1]["active"] = True


def _chatgpt_message(node) -> dict | None:
    """The user or assistant message of a ChatGPT node (``None`` for the rest: system
    messages, ChatGPT's root, custom instructions and tool output are left out)."""
    message = (node.get("message") if isinstance(node, dict) else None) or {}
    if not isinstance(message, dict):
        return None
    role = (message.get("author") or {}).get("role")
    parts = (message.get("content") or {}).get("parts") or []
    text = "\n".join(p for p in parts if isinstance(p, str)).strip()
    if role not in ROLES or not text:
        return None
    return {"role": role, "content": text, "created_at": _parse_time(message.get("create_time"))}


def _node_time(node) -> datetime:
    message = (node.get("message") if isinstance(node, dict) else None) or {}
    when = _parse_time(message.get("create_time")) if isinstance(message, dict) else None
    return when or datetime.min.replace(tzinfo=UTC)


def _parse_chatgpt(conversation: dict) -> tuple[str, list[dict]]:
    """Every branch of the conversation (its ``mapping`` is a tree): a message left out
    passes its children to its nearest kept ancestor; the ``current_node`` is the active
    leaf."""
    mapping = conversation.get("mapping")
    if not isinstance(mapping, dict):
        raise BadRequest("mapping: expected an object")

    def parent_of(node_id):
        node = mapping.get(node_id)
        return node.get("parent") if isinstance(node, dict) else None

    children: dict = {}
    for node_id in mapping:
        parent = parent_of(node_id)
        children.setdefault(parent if parent in mapping else None, []).append(node_id)
    out: list[dict] = []
    kept_key: dict = {}  # node id -> the key of it or of its nearest kept ancestor
    seen: set = set()
    stack = [(node_id, None) for node_id in reversed(children.get(None, []))]
    while stack:
        node_id, inherited = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        message = _chatgpt_message(mapping[node_id])
        if message is not None:
            out.append({**message, "key": node_id, "parent_key": inherited, "active": False})
            inherited = node_id
        kept_key[node_id] = inherited
        # Depth first, each node's children in the order they were written.
        ordered = sorted(children.get(node_id, []), key=lambda c: _node_time(mapping[c]))
        stack.extend((child, inherited) for child in reversed(ordered))
    _mark_active(out, kept_key.get(conversation.get("current_node")))
    return _check(str(conversation.get("title") or "Imported chat"), out)


def _check(title: str, messages: list[dict]) -> tuple[str, list[dict]]:
    if not messages:
        raise BadRequest("The import holds no messages")
    if len(messages) > MAX_IMPORT_MESSAGES:
        raise BadRequest(f"The import holds more than {MAX_IMPORT_MESSAGES} messages")
    return title.strip()[:200] or "Imported chat", messages
