"""Facts travel with a session's JSON export: each fact captured from one of its messages,
with that message's place in the export (``message_index``) and its original id; an import
recreates them attached to the new messages.

An imported fact is the user's own file speaking, like the messages: it is stored, never
run as an action. Only facts that cite a user message of the import are taken; an equal
fact already remembered is not duplicated; a correction's history (``superseded_by`` as an
index into the list) is kept."""

from __future__ import annotations

from sqlalchemy import select

from ...core.database.models import Message, UserFact, isoformat
from ...core.errors import BadRequest
from ..repositories import active_fact_keys
from .facts import MAX_FACT_CHARS, fact_key

MAX_IMPORT_FACTS = 2000
STATUSES = ("active", "superseded")


def facts_of_messages(session, user_id: str, message_ids: list[str]) -> list[UserFact]:
    """The user's active and superseded facts captured from these messages, oldest first."""
    if not message_ids:
        return []
    return list(
        session.scalars(
            select(UserFact)
            .where(
                UserFact.user_id == user_id,
                UserFact.source_message_id.in_(message_ids),
                UserFact.status.in_(STATUSES),
            )
            .order_by(UserFact.created_at, UserFact.id)
        )
    )


def export_facts(facts: list[UserFact], messages: list[Message]) -> list[dict]:
    index = {m.id: i for i, m in enumerate(messages)}
    position = {f.id: i for i, f in enumerate(facts)}
    return [
        {
            "fact": f.fact,
            "status": f.status,
            "message_index": index[f.source_message_id],
            "source_message_id": f.source_message_id,
            "superseded_by": position.get(f.superseded_by_id or ""),
            "created_at": isoformat(f.created_at),
        }
        for f in facts
        if f.source_message_id in index
    ]


def parse_facts(data, roles: list[str]) -> list[dict]:
    """The ``facts`` of our export, checked against its messages (``roles``, in order)."""
    facts = data.get("facts") if isinstance(data, dict) else None
    if facts is None:
        return []
    if not isinstance(facts, list):
        raise BadRequest("facts: expected a list")
    if len(facts) > MAX_IMPORT_FACTS:
        raise BadRequest(f"facts: at most {MAX_IMPORT_FACTS}")
    out = []
    for i, item in enumerate(facts):
        where = f"facts[{i}]"
        if not isinstance(item, dict):
            raise BadRequest(f"{where}: expected an object")
        text = item.get("fact")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_FACT_CHARS:
            raise BadRequest(f"{where}.fact: expected a text of 1 to {MAX_FACT_CHARS} characters")
        index = item.get("message_index")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(roles):
            raise BadRequest(f"{where}.message_index: expected the index of a message")
        if roles[index] != "user":
            raise BadRequest(f"{where}.message_index: a fact comes from a user message")
        status = item.get("status", "active")
        if status not in STATUSES:
            raise BadRequest(f"{where}.status: expected active or superseded")
        successor = item.get("superseded_by")
        if successor is not None and (
            not isinstance(successor, int) or not 0 <= successor < len(facts) or successor == i
        ):
            raise BadRequest(f"{where}.superseded_by: expected the index of another fact")
        out.append(
            {
                "fact": " ".join(text.split()),
                "message_index": index,
                "status": status,
                "superseded_by": successor if status == "superseded" else None,
            }
        )
    return out


def import_facts(session, user_id: str, facts: list[dict], messages: list[Message]) -> int:
    """Create the parsed facts attached to the new ``messages`` (flushed, with ids); an
    active fact equal to one already remembered is skipped. Returns how many were made."""
    active = active_fact_keys(session, user_id)
    made: dict[int, UserFact] = {}
    for i, item in enumerate(facts):
        key = fact_key(item["fact"])
        if item["status"] == "active":
            if key in active:
                continue
            active.add(key)
        row = UserFact(
            user_id=user_id,
            fact=item["fact"],
            fact_key=key,
            status=item["status"],
            source_message_id=messages[item["message_index"]].id,
        )
        session.add(row)
        made[i] = row
    session.flush()
    for i, row in made.items():
        successor = made.get(facts[i]["superseded_by"])
        if successor is not None:
            row.superseded_by_id = successor.id
    return len(made)
