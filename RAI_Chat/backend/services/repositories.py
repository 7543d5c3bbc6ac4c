"""Queries on sessions and messages that several services need: each written once, here.

Every function takes the open SQLAlchemy session of a unit of work
(``Database.unit_of_work()``), so the caller decides when it commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import current_settings
from ..core.database.models import ChatSession, Message, utcnow
from ..core.errors import Conflict, NotFound
from ..schemas.events import MessageStatus

# An in-progress turn with no heartbeat for this long died with its process (TURN_STALE_SECONDS).
STALE_AFTER = timedelta(seconds=current_settings().turn_stale_seconds)
INTERRUPTED_BY_RESTART = "The server stopped while this answer was being written"
TURN_RUNNING = "A reply is still being written in this session; wait for it or stop it first"


def owned_session(session: Session, user_id: str, session_id: str) -> ChatSession:
    """The user's chat session; NotFound when it is missing or another user's."""
    chat = session.get(ChatSession, session_id)
    if chat is None or chat.user_id != user_id:
        raise NotFound("Session not found")
    return chat


def running_turns(session: Session, session_id: str) -> list[Message]:
    """The answers being written in a session (at most one, unless its runner died)."""
    return list(
        session.scalars(
            select(Message).where(
                Message.session_id == session_id,
                Message.status == MessageStatus.in_progress,
            )
        )
    )


def running_turn(session: Session, session_id: str) -> Message | None:
    """The answer being written in a session, if any."""
    running = running_turns(session, session_id)
    return running[0] if running else None


def expire_stale_turn(session: Session, message: Message) -> bool:
    """Mark a turn whose runner stopped sending heartbeats as interrupted."""
    updated = message.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=utcnow().tzinfo)
    if utcnow() - updated < STALE_AFTER:
        return False
    message.status = MessageStatus.interrupted
    message.error = INTERRUPTED_BY_RESTART
    return True


def ensure_no_turn_running(session: Session, chat: ChatSession) -> None:
    """Conflict while a turn runs in the session (a turn whose runner died is expired)."""
    running = running_turn(session, chat.id)
    if running is not None:
        if not expire_stale_turn(session, running):
            raise Conflict(TURN_RUNNING)
        session.flush()
