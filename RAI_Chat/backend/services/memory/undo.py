"""Undo a captured fact in one click: the fact goes away and, if it superseded older facts
(a correction), they are the user's active facts again."""

from __future__ import annotations

from ...core.database.models import utcnow
from ...core.database.session import Database
from ...core.errors import BadRequest
from ..repositories import active_fact_keys, facts_superseded_by, owned_fact
from .facts import fact_dict


def undo_capture(user_id: str, database: Database, fact_id: str) -> tuple[dict, list[dict]]:
    """Remove the active fact ``fact_id`` of ``user_id``; restore the facts it superseded
    (unless an equal fact is active meanwhile). Returns (the removed fact, the restored).
    Another user's fact, or none, is ``NotFound``."""
    with database.unit_of_work() as uow:
        session = uow.session
        fact = owned_fact(session, user_id, fact_id)
        if fact.status != "active":
            raise BadRequest(f"Only an active fact can be undone; this one is {fact.status}")
        older = facts_superseded_by(session, user_id, fact.id)
        active_keys = active_fact_keys(session, user_id, except_id=fact.id)
        restored = []
        for old in older:
            if old.fact_key in active_keys:
                continue
            old.status, old.superseded_by_id, old.updated_at = "active", None, utcnow()
            active_keys.add(old.fact_key)
            restored.append(old)
        removed = fact_dict(fact)
        # Superseded facts still pointing at it (not restored) now point nowhere: history.
        for old in older:
            if old not in restored:
                old.superseded_by_id = None
        session.delete(fact)
        uow.commit()
        return removed, [fact_dict(old) for old in restored]
