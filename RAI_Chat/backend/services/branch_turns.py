"""Regenerate an answer, edit a question, continue a stopped answer, switch the active
branch, fork a branch into a new session (the conversation tree: ``services.branches``).

Every turn started here is an ordinary turn (``ConversationManager.launch``): the same
events, ids and resume, and a Conflict while another turn runs in the session."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from ..core.database.models import (
    ChatSession,
    Message,
    StreamChunk,
    new_id,
    utcnow,
)
from ..core.errors import BadRequest, Conflict, NotFound
from ..schemas.events import MessageStatus
from .branches import can_continue, load_tree, lock_session, mark_off_branch, set_active_leaf
from .conversation import ConversationManager
from .repositories import (
    TURN_RUNNING,
    ensure_no_turn_running,
    owned_message,
    owned_session,
    session_memory_entries,
)
from .turn import Turn, TurnSettings
from .turn_runner import TurnRunner
from .turn_stream import TurnStream
from .user_services import UserServices

FORK_MARK = " (fork)"
# Our own instruction after the stopped answer (never the user's words).
CONTINUE_PROMPT = (
    "Your previous answer stopped before its end. Continue it exactly where it stopped: "
    "do not repeat any of it, do not greet or explain, just write what comes next."
)


def forked_title(title: str) -> str:
    return title[: 200 - len(FORK_MARK)].rstrip() + FORK_MARK


class BranchTurns(UserServices):
    def _owned_message(self, session, message_id: str) -> tuple[Message, ChatSession]:
        message = owned_message(session, self.user_id, message_id)
        return message, self._locked_session(session, message.session_id)

    def _locked_session(self, session, session_id: str) -> ChatSession:
        """The user's session, locked for this transaction (``branches.lock_session``)."""
        chat = owned_session(session, self.user_id, session_id)
        lock_session(session, chat.id)
        session.refresh(chat)
        return chat

    def _question_of(self, session, answer: Message) -> Message:
        question = session.get(Message, answer.parent_id) if answer.parent_id else None
        if question is None or question.role != "user":
            raise BadRequest("This answer follows no question of the user's")
        return question

    def _launch(self, turn: Turn, run, *args) -> Turn:
        return self.sibling(ConversationManager).launch(turn, run, *args)

    # --- regenerate -----------------------------------------------------------------
    def regenerate(self, message_id: str, settings: TurnSettings) -> Turn:
        """A new answer to the same question, beside the old one (kept); it becomes the
        active leaf."""
        with self.database.unit_of_work() as uow:
            old, chat = self._owned_message(uow.session, message_id)
            if old.role != "assistant":
                raise BadRequest(
                    "message_id: regenerate takes an answer (an assistant message); "
                    "to change a question, edit it"
                )
            ensure_no_turn_running(uow.session, chat)
            question = self._question_of(uow.session, old)
            tree = load_tree(uow.session, chat.id)
            now = utcnow()
            answer = Message(
                id=new_id(),
                parent_id=question.id,
                session_id=chat.id,
                user_id=self.user_id,
                role="assistant",
                content="",
                status=MessageStatus.in_progress,
                model=settings.model,
                created_at=now,
                updated_at=now,
            )
            on_branch = {m.id for m in tree.path(question.id)} | {answer.id}
            mark_off_branch(uow.session, chat.id, on_branch)
            uow.session.add(answer)  # last: the one-turn-per-session index is checked at commit
            chat.active_leaf_id, chat.updated_at = answer.id, now
            self._commit(uow)
            turn = Turn(chat.id, question.id, answer.id, TurnStream(answer.id))
            text = question.content
        return self._launch(turn, self.sibling(TurnRunner).run, text, settings, False)

    # --- edit -------------------------------------------------------------------------
    def edit(self, message_id: str, text: str, settings: TurnSettings) -> Turn:
        """A new version of a question, beside the old one (kept, with what followed it),
        answered anew."""
        with self.database.unit_of_work() as uow:
            old, chat = self._owned_message(uow.session, message_id)
            if old.role != "user":
                raise BadRequest(
                    "message_id: edit takes a question (a user message); "
                    "to get another answer, regenerate it"
                )
            ensure_no_turn_running(uow.session, chat)
            parent_id, session_id = old.parent_id, chat.id
        return self.sibling(ConversationManager).start_turn(
            text, session_id, settings, parent_id=parent_id
        )

    # --- continue ---------------------------------------------------------------------
    def continue_answer(self, message_id: str, settings: TurnSettings) -> Turn:
        """Go on with an answer that stopped (stopped, interrupted, cut at the length
        limit), in place: the same message, the new text appended."""
        with self.database.unit_of_work() as uow:
            answer, chat = self._owned_message(uow.session, message_id)
            if answer.role != "assistant":
                raise BadRequest("message_id: only an answer (an assistant message) continues")
            ensure_no_turn_running(uow.session, chat)
            if not can_continue(answer):
                if answer.status == MessageStatus.error:
                    raise BadRequest("This answer failed; regenerate it instead of continuing")
                raise BadRequest(
                    "This answer is complete: it was neither stopped nor cut at the "
                    "answer-length limit, so there is nothing to continue"
                )
            tree = load_tree(uow.session, chat.id)
            if tree.children.get(answer.id):
                raise BadRequest(
                    "Only the last answer of a branch can be continued: this one has "
                    "messages after it (regenerate it, or fork the chat here)"
                )
            question = self._question_of(uow.session, answer)
            # The new events are numbered from 1 again (the same resume as any turn); the
            # archived form of the answer is made again from the whole of it.
            uow.session.execute(delete(StreamChunk).where(StreamChunk.message_id == answer.id))
            for entry in session_memory_entries(uow.session, chat.id):
                if answer.id in (entry.message_ids or []):
                    uow.session.delete(entry)
            set_active_leaf(uow.session, chat, tree, answer.id)
            now = utcnow()
            partial = answer.content
            answer.status, answer.error, answer.updated_at = MessageStatus.in_progress, None, now
            answer.stop_requested = answer.cut_at_limit = False
            answer.tier1_content = answer.tier2_content = None  # summarised again
            answer.tier1_tokens = answer.tier2_tokens = answer.token_count = None
            chat.updated_at = now
            self._commit(uow)
            turn = Turn(chat.id, question.id, answer.id, TurnStream(answer.id))
            text = question.content
        runner = self.sibling(ContinueRunner)
        runner.partial = partial
        # No decision step: the question's tools already ran for the first part.
        return self._launch(turn, runner.run, text, replace(settings, decision_step="off"), False)

    @staticmethod
    def _commit(uow) -> None:
        try:
            uow.commit()
        except IntegrityError as exc:  # another request started a turn just now
            raise Conflict(TURN_RUNNING) from exc

    # --- switch and fork --------------------------------------------------------------
    def switch(self, session_id: str, message_id: str) -> ChatSession:
        """Show and continue the branch through ``message_id``: the active leaf becomes the
        newest leaf under it."""
        with self.database.unit_of_work() as uow:
            chat = self._locked_session(uow.session, session_id)
            tree = load_tree(uow.session, chat.id)
            if message_id not in tree.by_id:
                raise NotFound("Message not found in this session")
            ensure_no_turn_running(uow.session, chat)
            set_active_leaf(uow.session, chat, tree, tree.newest_leaf(message_id))
            uow.commit()
            uow.session.refresh(chat)
            uow.session.expunge(chat)
            return chat

    def fork(self, session_id: str, message_id: str) -> tuple[ChatSession, int]:
        """A new session holding a copy of the branch from the first message down to
        ``message_id`` (the original is untouched)."""
        with self.database.unit_of_work() as uow:
            chat = owned_session(uow.session, self.user_id, session_id)
            tree = load_tree(uow.session, chat.id)
            if message_id not in tree.by_id:
                raise NotFound("Message not found in this session")
            ensure_no_turn_running(uow.session, chat)
            now = utcnow()
            copy = ChatSession(
                id=new_id(),
                user_id=self.user_id,
                title=forked_title(chat.title),
                created_at=now,
                updated_at=now,
            )
            uow.session.add(copy)
            parent = None
            for m in tree.path(message_id):
                row = Message(
                    id=new_id(),
                    parent_id=parent,
                    session_id=copy.id,
                    user_id=self.user_id,
                    role=m.role,
                    content=m.content,
                    tier1_content=m.tier1_content,
                    tier2_content=m.tier2_content,
                    required_tier=m.required_tier,
                    status=m.status,
                    error=m.error,
                    prompt_tokens=m.prompt_tokens,
                    completion_tokens=m.completion_tokens,
                    token_count=m.token_count,
                    model=m.model,
                    stop_requested=m.stop_requested,
                    cut_at_limit=m.cut_at_limit,
                    tier1_tokens=m.tier1_tokens,
                    tier2_tokens=m.tier2_tokens,
                    actions=m.actions,
                    sources=m.sources,
                    created_at=m.created_at,
                    updated_at=now,
                )
                uow.session.add(row)
                parent = row.id
            copy.active_leaf_id = parent
            uow.commit()
            uow.session.refresh(copy)
            uow.session.expunge(copy)
            return copy, len(tree.path(message_id))


class ContinueRunner(TurnRunner):
    """A turn that goes on with a stopped answer: the model sees the answer so far and is
    asked to continue it; the stream carries only the new text, the saved answer (and the
    ``done`` event's ``response``) the whole."""

    partial: str = ""

    def _decider(self, settings):
        return None

    def _prompt(self, turn, message, settings, decided, memory) -> list[dict]:
        prompt = super()._prompt(turn, message, settings, decided, memory)
        return [
            *prompt,
            {"role": "assistant", "content": self.partial},
            {"role": "user", "content": CONTINUE_PROMPT},
        ]

    def run(self, turn, message, settings, refine_title=False) -> None:
        # The flusher stores the answer so far in front of the new text: a worker lost
        # while it continues leaves the whole answer, not only its new part.
        turn.stream.answer_before = self.partial
        super().run(turn, message, settings, refine_title)

    def _finish(self, turn, text, *args) -> None:
        super()._finish(turn, self.partial + text, *args)
        # The saved token count is of the new part only: counted again when next needed.
        with self.database.unit_of_work() as uow:
            uow.session.execute(
                update(Message)
                .where(Message.id == turn.assistant_message_id)
                .values(token_count=None)
            )
            uow.commit()
