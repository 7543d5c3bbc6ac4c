"""The contextual window of a session: its messages that have not been archived, each
rendered at its tier — full text for the newest, tier 2 then tier 1 for older ones — within a
token budget. What no longer fits is archived into episodic memory (the newest messages
always stay)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select, update

from ...core.database.models import Message
from ...core.database.session import Database
from ...core.errors import NotFound
from ...schemas.events import ENDED
from ..branches import active_path_ids
from .recalled import without_lead_in
from .tiers import fallback_tier1, fallback_tier2

RECENT_FULL_MESSAGES = 6  # the newest three exchanges are sent in full
TIER2_MESSAGES = 10  # the next ones as tier-2 summaries, older ones as tier-1 facts
KEEP_LAST_MESSAGES = 5  # never archived
MESSAGE_OVERHEAD = 6  # chat-template tokens per message
LINE_OVERHEAD = 16  # "- (1a2b3c4d) assistant: " before a summarised message
ID_PREFIX = 8


@dataclass
class WindowMessage:
    id: str
    role: str
    content: str
    tier1: str | None
    tier2: str | None
    required_tier: int
    tokens: dict[int, int]  # tier -> token count
    # The counts as stored with the message: ``save_counts`` writes only what is new.
    stored: dict[int, int] = field(default_factory=dict)

    def text_at(self, tier: int) -> str:
        if tier >= 3:
            return self.content
        if tier == 2:
            return self.tier2 or fallback_tier2(self.content)
        return self.tier1 or fallback_tier1(self.content)


@dataclass
class RenderedWindow:
    summary_lines: list[str]  # older messages at tier 1/2, oldest first
    recent: list[dict]  # chat messages in full, oldest first
    tokens: int
    left_out: list[str]  # ids of messages that did not fit (oldest)


def summary_line(m: WindowMessage, tier: int) -> str:
    return f"- ({m.id[:ID_PREFIX]}) {m.role}: {m.text_at(tier)}"


def plan_window(
    messages: list[WindowMessage], budget: int, count: Callable[[str], int]
) -> RenderedWindow:
    """Greedy from newest to oldest: each message at the highest tier it may have that still
    fits, dropping to tier 2 and then 1; messages that do not fit even at tier 1 are left out.
    ``messages`` is oldest first."""

    def cost(m: WindowMessage, tier: int, as_line: bool) -> int:
        if tier not in m.tokens:
            m.tokens[tier] = count(m.text_at(tier))
        return m.tokens[tier] + (LINE_OVERHEAD if as_line else MESSAGE_OVERHEAD)

    used = 0
    chosen: dict[str, int] = {}
    newest_first = list(reversed(messages))
    left_out: list[str] = []
    for index, m in enumerate(newest_first):
        if index < RECENT_FULL_MESSAGES:
            ceiling = 3
        elif index < RECENT_FULL_MESSAGES + TIER2_MESSAGES:
            ceiling = max(2, m.required_tier)
        else:
            ceiling = max(1, m.required_tier)
        placed = False
        for tier in range(ceiling, 0, -1):
            as_line = not (tier == 3 and index < RECENT_FULL_MESSAGES)
            c = cost(m, tier, as_line)
            if used + c <= budget:
                used += c
                chosen[m.id] = tier
                placed = True
                break
        if not placed:
            left_out = [x.id for x in newest_first[index:]]
            break
    kept = [m for m in messages if m.id in chosen]
    recent_ids = {m.id for m in newest_first[:RECENT_FULL_MESSAGES] if chosen.get(m.id) == 3}
    lines = [summary_line(m, chosen[m.id]) for m in kept if m.id not in recent_ids]
    # A chat template expects the turns to start with the user: an assistant message that
    # would open them joins the summary lines (at full text), costing a little more.
    full = [m for m in kept if m.id in recent_ids]
    while full and full[0].role != "user":
        used += LINE_OVERHEAD - MESSAGE_OVERHEAD
        lines.append(summary_line(full.pop(0), 3))
    recent = [{"role": m.role, "content": m.content} for m in full]
    while used > budget and lines:
        lines.pop(0)
        used -= 1  # a lower bound; the prompt builder checks the exact total
    return RenderedWindow(lines, recent, used, list(reversed(left_out)))


def group_exchanges(messages: list[Message]) -> list[list[Message]]:
    """user → assistant pairs (a lone message is an exchange of its own)."""
    exchanges: list[list[Message]] = []
    for m in messages:
        if m.role == "user" or not exchanges or exchanges[-1][-1].role != "user":
            exchanges.append([m])
        else:
            exchanges[-1].append(m)
    return exchanges


class ContextualMemory:
    def __init__(self, user_id: str, database: Database):
        self.user_id = user_id
        self.database = database

    def _in_window(self, session_id: str, path: list[str]):
        """The session's messages not archived yet, on its active branch (``path``), oldest
        first."""
        return (
            select(Message)
            .where(
                Message.session_id == session_id,
                Message.user_id == self.user_id,
                Message.archived.is_(False),
                Message.id.in_(path),
            )
            .order_by(Message.created_at, Message.id)
        )

    def window(self, session_id: str, exclude: set[str]) -> list[WindowMessage]:
        return self.window_on_path(session_id, exclude)[0]

    def window_on_path(
        self, session_id: str, exclude: set[str]
    ) -> tuple[list[WindowMessage], set[str]]:
        """The window, and the ids of the session's active branch it was read from."""
        with self.database.unit_of_work() as uow:
            path = active_path_ids(uow.session, session_id)
            rows = uow.session.scalars(
                self._in_window(session_id, path).where(
                    Message.status.in_(ENDED),
                    Message.content != "",
                    # A system message imported before imports refused them is not an
                    # instruction to the model: only the conversation is in the window.
                    Message.role.in_(["user", "assistant"]),
                )
            ).all()
            window = []
            for m in rows:
                if m.id in exclude:
                    continue
                counts = {
                    t: n
                    for t, n in ((3, m.token_count), (2, m.tier2_tokens), (1, m.tier1_tokens))
                    if n is not None
                }
                window.append(
                    WindowMessage(
                        m.id,
                        m.role,
                        m.content if m.role == "user" else without_lead_in(m.content),
                        m.tier1_content,
                        m.tier2_content,
                        m.required_tier,
                        counts,
                        dict(counts),
                    )
                )
            return window, set(path)

    def save_counts(self, messages: list[WindowMessage], new: dict[str, int] | None = None) -> int:
        """Keep the token counts computed while planning, for the next turns: only those
        not stored yet (``new``: message id -> tokens of its full text, e.g. the turn's own
        message), in one statement; nothing at all when nothing is new. Returns how many
        messages were written."""
        rows = []
        for m in messages:
            fresh = {
                t: n
                for t, n in m.tokens.items()
                if m.stored.get(t) != n and (t == 3 or (m.tier2 if t == 2 else m.tier1))
            }
            if fresh:
                rows.append(
                    {"m_id": m.id, "t3": fresh.get(3), "t2": fresh.get(2), "t1": fresh.get(1)}
                )
                m.stored.update(fresh)
        if not rows:
            return 0
        # Each count is set only where given (COALESCE keeps the stored one).
        statement = (
            update(Message.__table__)
            .where(Message.__table__.c.id == bindparam("m_id"))
            .values(
                token_count=func.coalesce(bindparam("t3"), Message.__table__.c.token_count),
                tier2_tokens=func.coalesce(bindparam("t2"), Message.__table__.c.tier2_tokens),
                tier1_tokens=func.coalesce(bindparam("t1"), Message.__table__.c.tier1_tokens),
            )
        )
        with self.database.unit_of_work() as uow:
            uow.session.execute(statement, rows)
            uow.commit()
        return len(rows)

    def archive_candidates(self, session_id: str, left_out: list[str]) -> list[list[Message]]:
        """Exchanges to archive: the left-out messages, never the last ones, grouped
        user→assistant."""
        with self.database.unit_of_work() as uow:
            path = active_path_ids(uow.session, session_id)
            rows = uow.session.scalars(self._in_window(session_id, path)).all()
        protected = {m.id for m in rows[-KEEP_LAST_MESSAGES:]}
        wanted = set(left_out) - protected
        return group_exchanges([m for m in rows if m.id in wanted])

    def mark_archived(self, message_ids: list[str]) -> None:
        with self.database.unit_of_work() as uow:
            for row in uow.session.scalars(select(Message).where(Message.id.in_(message_ids))):
                row.archived = True
            uow.commit()

    def raise_tier(self, session_id: str, message_ref: str, tier: int) -> WindowMessage:
        """``[REQUEST_TIER:n:<id or its first 8 characters>]``: the message stays at ``tier``
        for the rest of the session."""
        ref = message_ref.strip().lower()
        if len(ref) < 4:
            raise NotFound("Message not found")
        with self.database.unit_of_work() as uow:
            candidates = uow.session.scalars(
                select(Message).where(
                    Message.session_id == session_id,
                    Message.user_id == self.user_id,
                    Message.id.startswith(ref),
                )
            ).all()
            if len(candidates) != 1:
                raise NotFound("Message not found")
            message = candidates[0]
            message.required_tier = max(1, min(3, tier))
            uow.commit()
            return WindowMessage(
                message.id,
                message.role,
                message.content,
                message.tier1_content,
                message.tier2_content,
                message.required_tier,
                {},
            )
