"""Post-turn memory work, run by the job queue: one structured call per new message (its
tiers, and the facts a user message states), then archiving what no longer fits the
session's window into the episodic archive."""

from __future__ import annotations

import logging

from sqlalchemy import select

from ...core.database.models import Message
from ...core.database.session import Database
from ..branches import sync_branch_marks
from ..llm_client import EngineClient
from .capture import Capture, capture_message, capture_owned, correct_unnamed, store_facts
from .contextual import ContextualMemory, plan_window
from .episodic import ArchivedExchange, EpisodicArchive
from .facts import UserFacts
from .statements import states_about_writer
from .tiers import SHORT_MESSAGE_CHARS, fallback_tier1, fallback_tier2

logger = logging.getLogger(__name__)
# Room kept for the system prompt, facts, recalled memories and the next message.
RESERVED_FOR_REST = 1200


def history_budget(context_budget: int, max_answer_tokens: int) -> int:
    return max(256, context_budget - max_answer_tokens - RESERVED_FOR_REST)


def make_tiers(engine: EngineClient, role: str, content: str) -> tuple[str, str, Capture | None]:
    """(tier 1, tier 2, the capture) of a message: one structured model call, checked, with
    deterministic forms when the model fails; never an exception."""
    short = len(" ".join(content.split())) <= SHORT_MESSAGE_CHARS
    try:
        if short and role != "user":
            capture = None  # its own summary, and no fact to find: no model call
        elif short and not states_about_writer(content):
            capture = capture_owned(engine, content)  # "the vet appointment is on …"
        else:
            capture = capture_message(engine, role, content)
    except Exception:  # a bug in the checks must not lose the exchange's archive
        logger.exception("Fact capture failed; using the deterministic forms")
        capture = None
    tier1 = (capture.tier1() if capture else None) or fallback_tier1(content)
    if short:
        tier2 = " ".join(content.split())
    else:
        tier2 = (capture.summary if capture else None) or fallback_tier2(content)
    return tier1, tier2, capture


def exchange_text(messages: list[Message]) -> str:
    """The archived form; markers in it are neutralised when it is put in a prompt."""
    names = {"user": "User", "assistant": "Assistant"}
    return "\n".join(f"{names.get(m.role, m.role)}: {m.content}" for m in messages)


def add_tiers(
    database: Database, engine: EngineClient, message_ids: list[str], user_id: str | None = None
) -> None:
    """Tiers of the messages; with ``user_id``, the facts its user messages state."""
    with database.unit_of_work() as uow:
        rows = [
            (m.id, m.role, m.content)
            for m in uow.session.scalars(select(Message).where(Message.id.in_(message_ids)))
            if m.content and m.tier1_content is None
        ]
    for message_id, role, content in rows:
        tier1, tier2, capture = make_tiers(engine, role, content)
        counts = (engine.count_tokens(tier1), engine.count_tokens(tier2))
        with database.unit_of_work() as uow:
            message = uow.session.get(Message, message_id)
            if message is None:
                continue
            message.tier1_content, message.tier2_content = tier1, tier2
            message.tier1_tokens, message.tier2_tokens = counts
            uow.commit()
        if user_id and role == "user" and capture and (capture.facts or capture.stated):
            store_facts(UserFacts(user_id, database), capture, message_id)
        elif user_id and role == "user":  # "Actually it's Lisbon, not Madrid."
            correct_unnamed(engine, UserFacts(user_id, database), content, message_id)


def index_exchange(
    database: Database, engine: EngineClient, user_id: str, session_id: str, message_ids: list[str]
) -> None:
    """Put a finished exchange in the episodic archive at once, so that other sessions can
    recall it even while it is still in its own session's window."""
    with database.unit_of_work() as uow:
        messages = list(
            uow.session.scalars(
                select(Message)
                .where(Message.id.in_(message_ids), Message.content != "")
                .order_by(Message.created_at, Message.id)
            )
        )
    if not messages:
        return
    EpisodicArchive(user_id, database, engine).add(
        [
            ArchivedExchange(
                session_id=session_id,
                message_ids=[m.id for m in messages],
                text=exchange_text(messages),
                summary=" / ".join(m.tier2_content or fallback_tier2(m.content) for m in messages),
                # Dated by when it was said, not when the job ran (a queue may lag).
                created_at=messages[0].created_at,
            )
        ]
    )


def archive_overflow(
    database: Database, engine: EngineClient, user_id: str, session_id: str, budget: int
) -> int:
    """Move the exchanges that no longer fit out of the session's window (they are in the
    episodic archive already); returns how many."""
    contextual = ContextualMemory(user_id, database)
    window = contextual.window(session_id, exclude=set())
    planned = plan_window(window, budget, engine.count_tokens)
    contextual.save_counts(window)
    exchanges = contextual.archive_candidates(session_id, planned.left_out)
    contextual.mark_archived([m.id for exchange in exchanges for m in exchange])
    return len(exchanges)


def after_turn(database, engine, settings, user_id, session_id, message_ids) -> None:
    add_tiers(database, engine, message_ids, user_id)
    index_exchange(database, engine, user_id, session_id, message_ids)
    budget = history_budget(settings.context_token_budget, settings.max_answer_tokens)
    archived = archive_overflow(database, engine, user_id, session_id, budget)
    if archived:
        logger.info("Moved %d exchanges of session %s out of its window", archived, session_id)
    # The entries and facts just made follow the branch the session shows now (the user may
    # have regenerated or edited meanwhile).
    sync_branch_marks(database, session_id)
