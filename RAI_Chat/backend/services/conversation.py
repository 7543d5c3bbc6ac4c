"""ConversationManager: one chat turn, from the user's message to the saved answer.

Stateless between requests: the database holds the session, the messages and the turn's
events; the runner of a turn in progress lives in the process that started it and keeps
going when the client goes away."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from ..core.database.models import ChatSession, Message, new_id, utcnow
from ..core.errors import Conflict, NotFound
from ..schemas.events import (
    TERMINAL_EVENTS,
    MessageStatus,
    SessionEvent,
    done_event,
    error_event,
    token_event,
)
from .branches import can_continue, load_tree, lock_session, mark_off_branch
from .repositories import (
    TURN_RUNNING,
    ensure_no_turn_running,
    expire_stale_turn,
    owned_message,
    owned_session,
    running_turn,
)
from .titles import title_from
from .turn import Turn, TurnSettings
from .turn_runner import TurnRunner
from .turn_stream import LIVE_TURNS, TurnStream, follow_stored
from .user_services import UserServices

logger = logging.getLogger(__name__)
# ``start_turn``'s default: the new message follows the session's active leaf.
ACTIVE_LEAF = object()


class ConversationManager(UserServices):
    # --- starting a turn -------------------------------------------------------------
    def start_turn(
        self,
        message: str,
        session_id: str | None,
        settings: TurnSettings,
        parent_id: str | None | object = ACTIVE_LEAF,
    ) -> Turn:
        """Save the user's message (and an empty answer in progress), then run the turn in
        the background. The message follows ``parent_id`` (by default the session's active
        leaf); its answer becomes the active leaf. Raises NotFound or Conflict."""
        branched = parent_id is not ACTIVE_LEAF
        with self.database.unit_of_work() as uow:
            if session_id:
                chat = owned_session(uow.session, self.user_id, session_id)
                ensure_no_turn_running(uow.session, chat)
                if parent_id is ACTIVE_LEAF:
                    parent_id = load_tree(uow.session, chat.id).active_leaf(chat)
            else:
                chat = ChatSession(user_id=self.user_id, title=title_from(message))
                uow.session.add(chat)
                uow.session.flush()
                parent_id = None
            now = utcnow()
            user_message = Message(
                id=new_id(),
                parent_id=parent_id,
                session_id=chat.id,
                user_id=self.user_id,
                role="user",
                content=message,
                status=MessageStatus.complete,
                created_at=now,
                updated_at=now,
            )
            answer = Message(
                id=new_id(),
                parent_id=user_message.id,
                session_id=chat.id,
                user_id=self.user_id,
                role="assistant",
                content="",
                status=MessageStatus.in_progress,
                model=settings.model,
                created_at=now + timedelta(microseconds=1),
                updated_at=now,
            )
            if branched:  # a new branch (an edit): memory off it is marked
                lock_session(uow.session, chat.id)
                on_branch = [m.id for m in load_tree(uow.session, chat.id).path(parent_id)]
                mark_off_branch(uow.session, chat.id, {*on_branch, user_message.id, answer.id})
            uow.session.add_all([user_message, answer])
            chat.updated_at = now
            chat.active_leaf_id = answer.id
            try:
                uow.commit()
            except IntegrityError as exc:  # another request started a turn just now
                raise Conflict(TURN_RUNNING) from exc
            turn = Turn(chat.id, user_message.id, answer.id, TurnStream(answer.id))
            is_new_session = session_id is None
        runner = self.sibling(TurnRunner)
        return self.launch(turn, runner.run, message, settings, is_new_session)

    def launch(self, turn: Turn, run, *args) -> Turn:
        """Announce a saved turn (its first event) and run ``run(turn, *args)`` in the
        background."""
        turn.stream.append(
            SessionEvent(
                session_id=turn.session_id,
                user_message_id=turn.user_message_id,
                assistant_message_id=turn.assistant_message_id,
            ).event()
        )
        LIVE_TURNS.add(turn.stream, self.database)
        threading.Thread(
            target=run,
            args=(turn, *args),
            name="turn",
            daemon=True,
        ).start()
        return turn

    # --- following, resuming and stopping ------------------------------------------
    def owned_answer(self, message_id: str) -> Message:
        with self.database.unit_of_work() as uow:
            answer = owned_message(uow.session, self.user_id, message_id)
            if answer.role != "assistant":
                raise NotFound("Message not found")
            uow.session.expunge(answer)
            return answer

    def events(
        self, message_id: str, after: int = 0
    ) -> Iterator[tuple[int, dict] | list[tuple[int, dict]] | None]:
        """Every event of a turn after ``after``, live when it is still running: (id, event),
        or a list of them (a turn of this process: the events that were waiting together)."""
        self.owned_answer(message_id)
        local = LIVE_TURNS.get(message_id)
        if local is not None:
            yield from local.follow_batches(after)
            return
        seq = after
        ended = False
        for item in follow_stored(
            self.database, message_id, after, lambda: self._still_running(message_id)
        ):
            if item is not None:
                seq = item[0]
                ended = item[1]["type"] in TERMINAL_EVENTS
            yield item
        if not ended:
            yield from self._synthesised_end(message_id, seq)

    def _still_running(self, message_id: str) -> bool:
        with self.database.unit_of_work() as uow:
            answer = uow.session.get(Message, message_id)
            if answer is None or answer.status != MessageStatus.in_progress:
                return False
            if expire_stale_turn(uow.session, answer):
                uow.commit()
                return False
            return True

    def _synthesised_end(self, message_id: str, seq: int) -> Iterator[tuple[int, dict]]:
        """A turn with no stored end (its process died, or it was imported): end it from
        what the database holds."""
        answer = self.owned_answer(message_id)
        ids = {
            "session_id": answer.session_id,
            "user_message_id": answer.parent_id,
            "assistant_message_id": answer.id,
        }
        if answer.status == MessageStatus.error:
            yield seq + 1, error_event(answer.error or "The reply failed", **ids)
            return
        if seq == 0 and answer.content:
            seq += 1
            yield seq, token_event(answer.content)
        usage = {
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens,
        }
        yield (
            seq + 1,
            done_event(
                response=answer.content,
                status=answer.status,
                usage=usage,
                sources=answer.sources,
                actions=answer.actions,
                **ids,
            ),
        )

    def stop(self, session_id: str, wait_s: float = 5.0) -> dict:
        """Ask the running turn of a session to stop; return the saved answer."""
        with self.database.unit_of_work() as uow:
            owned_session(uow.session, self.user_id, session_id)
            answer = running_turn(uow.session, session_id)
            if answer is None:
                raise Conflict("No reply is being written in this session")
            answer.stop_requested = True
            if expire_stale_turn(uow.session, answer):
                answer.status = MessageStatus.interrupted
            uow.commit()
            message_id = answer.id
        local = LIVE_TURNS.get(message_id)
        if local is not None:
            local.stop_requested.set()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            answer = self.owned_answer(message_id)
            if answer.status != MessageStatus.in_progress:
                break
            time.sleep(0.05)
        return message_dict(answer)


def message_dict(message: Message) -> dict:
    from ..core.database.models import isoformat

    return {
        "id": message.id,
        "session_id": message.session_id,
        "role": message.role,
        "content": message.content,
        "status": message.status,
        # Interrupted because the user pressed Stop (not a failure).
        "stopped": bool(message.stop_requested) and message.status == MessageStatus.interrupted,
        "error": message.error,
        "actions": message.actions or [],
        "sources": message.sources or [],
        "created_at": isoformat(message.created_at),
        "parent_id": message.parent_id,
        "can_continue": can_continue(message),
    }
