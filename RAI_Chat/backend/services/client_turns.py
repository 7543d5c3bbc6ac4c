"""A turn asked for by an OpenAI-compatible client (``POST /v1/chat/completions``).

Such a client sends the whole conversation every time; RAI keeps its own (the session's
window, facts, recalled memories), so only the last message is new. Which session a call
continues:

1. the session id the client names (``X-RAI-Session-Id`` or ``metadata.session_id``): it
   must be the user's, else ``NotFound``;
2. else the user's session whose newest messages are exactly the conversation the client
   sends before its last message (the usual case: the client resends what RAI answered);
3. else a new session, which starts with the earlier messages the client sent (so that
   they show in the page, are remembered like an imported chat, and the next call matches
   it).

``system`` (and ``developer``) messages are the client's instructions: the runner puts them
inside RAI's own system prompt. Then the turn is the page's turn (``ConversationManager``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from ..core.database.models import ChatSession, Message, new_id, utcnow
from ..core.errors import BadRequest
from ..schemas.events import MessageStatus
from .branches import link_imported, load_tree
from .conversation import ConversationManager
from .memory.contextual import KEEP_LAST_MESSAGES, group_exchanges
from .memory.episodic import ArchivedExchange, EpisodicArchive
from .memory.maintenance import exchange_text
from .repositories import owned_session
from .titles import title_from
from .turn import Turn, TurnSettings
from .user_services import UserServices

INSTRUCTION_ROLES = {"system", "developer"}
CONVERSATION_ROLES = {"user", "assistant"}
MAX_CANDIDATE_SESSIONS = 20


@dataclass(frozen=True)
class ClientMessage:
    role: str
    content: str


@dataclass(frozen=True)
class ClientConversation:
    instructions: str | None
    history: list[ClientMessage]  # user and assistant messages before the last one
    message: str  # the last message, the user's


def message_text(content, index: int) -> str:
    """The text of a message's content: a string, or a list of text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts = []
    for part in content:
        if part.type != "text" or part.text is None:
            raise BadRequest(f"messages[{index}].content: only text parts are supported")
        texts.append(part.text)
    return "\n".join(texts)


def read_conversation(messages: list) -> ClientConversation:
    """Split the client's messages into instructions, history and the new message."""
    instructions: list[str] = []
    history: list[ClientMessage] = []
    for index, message in enumerate(messages):
        text = message_text(message.content, index)
        if message.role in INSTRUCTION_ROLES:
            if text.strip():
                instructions.append(text.strip())
        elif message.role in CONVERSATION_ROLES:
            history.append(ClientMessage(message.role, text))
        else:
            raise BadRequest(
                f"messages[{index}].role: '{message.role}' messages are not supported "
                "(RAI runs its own tools)"
            )
    if not history or history[-1].role != "user" or not history[-1].content.strip():
        raise BadRequest("messages: the last message must be the user's, with text")
    return ClientConversation(
        "\n\n".join(instructions) or None, history[:-1], history[-1].content.strip()
    )


def same_text(a: str, b: str) -> bool:
    return a.strip() == b.strip()


class ClientTurns(UserServices):
    def start(
        self, conversation: ClientConversation, session_id: str | None, settings: TurnSettings
    ) -> Turn:
        """Start the turn in the session the call continues (see the module's docstring)."""
        chat_id = self.session_for(conversation.history, session_id)
        manager = self.sibling(ConversationManager)
        return manager.start_turn(conversation.message, chat_id, settings)

    def session_for(self, history: list[ClientMessage], session_id: str | None) -> str | None:
        if session_id:
            with self.database.unit_of_work() as uow:
                return owned_session(uow.session, self.user_id, session_id).id
        if not history:
            return None
        return self.matching_session(history) or self.seeded_session(history)

    def matching_session(self, history: list[ClientMessage]) -> str | None:
        """The newest of the user's sessions whose last messages are ``history``."""
        last = history[-1]
        with self.database.unit_of_work() as uow:
            candidates = uow.session.scalars(
                select(Message.session_id)
                .where(
                    Message.user_id == self.user_id,
                    Message.role == last.role,
                    Message.content.in_({last.content, last.content.strip()}),
                )
                .order_by(Message.created_at.desc())
                .limit(MAX_CANDIDATE_SESSIONS)
            ).all()
            for candidate in dict.fromkeys(candidates):
                chat = uow.session.get(ChatSession, candidate)
                branch = load_tree(uow.session, candidate).active_path(chat)
                tail = [m for m in branch if m.status != MessageStatus.error][-len(history) :]
                if len(tail) == len(history) and all(
                    m.role == h.role and same_text(m.content, h.content)
                    for m, h in zip(tail, history, strict=True)
                ):
                    return candidate
        return None

    def seeded_session(self, history: list[ClientMessage]) -> str:
        """A new session holding the conversation the client had before this call, kept
        like an imported transcript: its exchanges are in the episodic archive at once
        (searchable by text, by meaning once a background job has embedded them), and only
        the newest messages stay in the session's window."""
        now = utcnow()
        first_user = next((m.content for m in history if m.role == "user"), history[0].content)
        start = now - timedelta(microseconds=len(history) + 1)
        with self.database.unit_of_work() as uow:
            chat = ChatSession(user_id=self.user_id, title=title_from(first_user))
            uow.session.add(chat)
            uow.session.flush()
            rows = [
                Message(
                    id=new_id(),
                    session_id=chat.id,
                    user_id=self.user_id,
                    role=m.role,
                    content=m.content,
                    status=MessageStatus.complete,
                    created_at=start + timedelta(microseconds=i),
                    updated_at=now,
                    archived=i < len(history) - KEEP_LAST_MESSAGES,
                )
                for i, m in enumerate(history)
            ]
            chat.active_leaf_id = link_imported(rows, [{} for _ in rows])  # a chain
            uow.session.add_all(rows)
            uow.session.flush()
            exchanges = [
                ArchivedExchange(
                    chat.id,
                    [m.id for m in exchange],
                    exchange_text(exchange),
                    created_at=exchange[0].created_at,
                )
                for exchange in group_exchanges(rows)
            ]
            uow.commit()
            chat_id = chat.id
        EpisodicArchive(self.user_id, self.database, None).add(exchanges, embed=False)
        if self.jobs is not None:
            self.jobs.embed_archive(self.user_id)
        return chat_id
