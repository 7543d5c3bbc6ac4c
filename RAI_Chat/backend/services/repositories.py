"""The repositories: queries that several services need -- a user's own row by id (404
otherwise), the running turn of a session, the user's facts, a session's episodic
entries -- each written once, here.

Every function takes the open SQLAlchemy session of a unit of work
(``Database.unit_of_work()``), so the caller decides when it commits."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import current_settings
from ..core.database.document_models import Document
from ..core.database.models import ChatSession, EpisodicEntry, Message, UserFact, utcnow
from ..core.errors import Conflict, NotFound
from ..schemas.events import MessageStatus

# An in-progress turn with no heartbeat for this long died with its process (TURN_STALE_SECONDS).
STALE_AFTER = timedelta(seconds=current_settings().turn_stale_seconds)
INTERRUPTED_BY_RESTART = "The server stopped while this answer was being written"
TURN_RUNNING = "A reply is still being written in this session; wait for it or stop it first"


Owned = TypeVar("Owned", ChatSession, Message, Document, UserFact, EpisodicEntry)


# --- a user's own rows: another user's id is "not found", as a missing one --------------
def owned(session: Session, model: type[Owned], user_id: str, row_id: str, what: str) -> Owned:
    """The user's row ``row_id`` of ``model``; NotFound ("<what> not found") when it is
    missing or another user's."""
    row = session.get(model, row_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"{what} not found")
    return row


def owned_session(session: Session, user_id: str, session_id: str) -> ChatSession:
    """The user's chat session; NotFound when it is missing or another user's."""
    return owned(session, ChatSession, user_id, session_id, "Session")


def owned_message(session: Session, user_id: str, message_id: str) -> Message:
    return owned(session, Message, user_id, message_id, "Message")


def owned_document(session: Session, user_id: str, document_id: str) -> Document:
    return owned(session, Document, user_id, document_id, "Document")


def owned_fact(session: Session, user_id: str, fact_id: str) -> UserFact:
    return owned(session, UserFact, user_id, fact_id, "Fact")


def owned_memory_entry(session: Session, user_id: str, entry_id: str) -> EpisodicEntry:
    return owned(session, EpisodicEntry, user_id, entry_id, "Memory entry")


# --- the user's facts ---------------------------------------------------------------------
def active_fact_keys(session: Session, user_id: str, except_id: str | None = None) -> set[str]:
    """The keys of the user's active facts (but ``except_id``'s)."""
    query = select(UserFact.fact_key).where(
        UserFact.user_id == user_id, UserFact.status == "active"
    )
    if except_id is not None:
        query = query.where(UserFact.id != except_id)
    return set(session.scalars(query))


def facts_superseded_by(session: Session, user_id: str, fact_id: str) -> list[UserFact]:
    """The user's facts that ``fact_id`` replaced."""
    return list(
        session.scalars(
            select(UserFact).where(
                UserFact.user_id == user_id, UserFact.superseded_by_id == fact_id
            )
        )
    )


# --- a session's episodic entries ---------------------------------------------------------
def session_memory_entries(session: Session, session_id: str) -> list[EpisodicEntry]:
    """The episodic archive's entries of one chat session."""
    return list(
        session.scalars(select(EpisodicEntry).where(EpisodicEntry.session_id == session_id))
    )


# --- the running turn of a session ----------------------------------------------------------


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
