"""The database schema (SQLAlchemy 2, typed). Migrations in ``backend/migrations`` create it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands back naive datetimes, which are UTC here."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    # The first account becomes the administrator: the marker is true on it and NULL on
    # every other (NULLs never collide), so two simultaneous first registrations cannot
    # both succeed as the first.
    __table_args__ = (Index("uq_users_first_account", "first_account", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64))
    # Lower-cased username: unique, so "Alice" and "alice" are one account.
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on every password change: tokens carrying an older value stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    first_account: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "username": self.username,
            "is_admin": self.is_admin,
            "created_at": isoformat(self.created_at),
        }


class ChatSession(Base):
    __tablename__ = "chat_sessions"
    __table_args__ = (Index("ix_chat_sessions_user_updated", "user_id", "updated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="New chat")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The last message of the branch shown and continued (messages form a tree).
    active_leaf_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    messages: Mapped[list[Message]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )


class Message(Base):
    """One message as a row. ``content`` is tier 3 (the full text)."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_session_created", "session_id", "created_at"),
        # At most one turn in progress per session, across every API process.
        Index(
            "uq_messages_one_turn_in_progress",
            "session_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("chat_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The message this one follows (NULL: the first of its session). Siblings (same parent)
    # are the versions of a message: regenerated answers, edited questions. Not a foreign
    # key: a session's messages are deleted only with it.
    parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    # user | assistant (an older import may hold system: never put in a prompt)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text, default="")
    tier1_content: Mapped[str | None] = mapped_column(Text, nullable=True)
    tier2_content: Mapped[str | None] = mapped_column(Text, nullable=True)
    required_tier: Mapped[int] = mapped_column(Integer, default=1)
    # complete | in_progress | interrupted | error
    status: Mapped[str] = mapped_column(String(16), default="complete")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    completion_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Tokens of ``content`` by the engine's tokenizer (cached for prompt budgets).
    token_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # The answer stopped at the answer-length limit (MAX_ANSWER_TOKENS): it can be continued.
    cut_at_limit: Mapped[bool] = mapped_column(Boolean, default=False)
    # Token counts of the tier-1 and tier-2 forms (cached for prompt budgets).
    tier1_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tier2_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Moved out of the session's context window into the episodic archive.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the assistant did for this answer (the stream's action events) and the web pages
    # it used: shown under the answer when the chat is reopened.
    actions: Mapped[list[dict] | None] = mapped_column(JSON, nullable=True)
    sources: Mapped[list[dict] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # While a turn runs, its runner bumps this: a stale value means the runner died.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    session: Mapped[ChatSession] = relationship(back_populates="messages")


class StreamChunk(Base):
    """A batch of a turn's SSE events, so another process can replay and follow the stream."""

    __tablename__ = "stream_chunks"
    __table_args__ = (Index("ix_stream_chunks_message_seq", "message_id", "seq_to"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    seq_from: Mapped[int] = mapped_column(Integer)
    seq_to: Mapped[int] = mapped_column(Integer)
    events: Mapped[list[dict]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserFact(Base):
    """A remembered fact about a user. A correction supersedes, never silently deletes."""

    __tablename__ = "user_facts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    fact: Mapped[str] = mapped_column(Text)
    # Normalised text: two facts with the same key are one fact.
    fact_key: Mapped[str] = mapped_column(String(500), default="", index=True)
    source_message_id: Mapped[str | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), nullable=True
    )
    # active | superseded | forgotten
    status: Mapped[str] = mapped_column(String(16), default="active")
    superseded_by_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Captured from a user message that was edited away (it is not on its session's active
    # branch): listed, but not put in prompts until that branch is active again.
    abandoned_branch: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EpisodicEntry(Base):
    """An exchange archived out of a session's context window, searchable later."""

    __tablename__ = "episodic_entries"
    __table_args__ = (Index("ix_episodic_entries_user_created", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # No foreign key: memory outlives the session it came from.
    session_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    message_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # An exchange of a branch that is not its session's active one (regenerated or edited
    # away): never recalled, until that branch is active again.
    abandoned_branch: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """A personal API key for OpenAI-compatible clients. Only the SHA-256 of the secret is
    kept; the secret itself is shown once, when the key is made."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the secret (``rai-AbCd``), to tell keys apart in a list.
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # flask-limiter syntax ("20 per minute"); NULL: the server's RATELIMIT_API_KEY.
    rate_limit: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RevokedToken(Base):
    """An access token signed out before its expiry (``POST /api/auth/logout``), by its
    ``jti``. Kept until the token would have expired anyway, then deleted."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class UsageRecord(Base):
    """The tokens of one answer, by user and by the API key it came through (NULL: the web
    page or an access token)."""

    __tablename__ = "usage_records"
    __table_args__ = (Index("ix_usage_records_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    api_key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # No foreign key: usage outlives the session (and its messages).
    message_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
