"""ConversationManager: one chat turn, from the user's message to the saved answer.

Stateless between requests: the database holds the session, the messages and the turn's
events; the runner of a turn in progress lives in the process that started it and keeps
going when the client goes away."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from tenacity import retry, stop_after_attempt, wait_exponential

from ..core.database.models import ChatSession, Message, utcnow
from ..core.database.session import Database
from ..core.errors import Conflict, NotFound
from ..extensions import metrics
from .jobs import Jobs, JobSettings
from .llm_client import EngineClient, EngineError, StreamResult
from .memory import assemble_prompt
from .prompts import TITLE_PROMPT
from .turn_stream import LIVE_TURNS, TERMINAL_EVENTS, TurnStream, flush, follow_stored

logger = logging.getLogger(__name__)
FLUSH_INTERVAL_S = 0.5
# An in-progress turn with no heartbeat for this long died with its process (TURN_STALE_SECONDS).
STALE_AFTER = timedelta(seconds=float(os.environ.get("TURN_STALE_SECONDS", "60")))
TITLE_LENGTH = 60
INTERRUPTED_BY_RESTART = "The server stopped while this answer was being written"


@dataclass(frozen=True)
class TurnSettings:
    model: str | None
    context_budget: int
    max_answer_tokens: int
    refine_titles: bool = True
    facts_budget: int = 300
    recall_budget: int = 400


@dataclass(frozen=True)
class Turn:
    session_id: str
    user_message_id: str
    assistant_message_id: str
    stream: TurnStream


def title_from(message: str) -> str:
    text = " ".join(message.split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def clean_title(raw: str) -> str | None:
    """The model's title, if it looks like one (a weak model may ramble or answer instead)."""
    line = raw.strip().splitlines()[0] if raw.strip() else ""
    line = line.strip().strip("\"'*#`").removeprefix("Title:").strip().strip("\"'")
    if not line or len(line) > TITLE_LENGTH or len(line.split()) > 10:
        return None
    return line


def owned_session(session, user_id: str, session_id: str) -> ChatSession:
    chat = session.get(ChatSession, session_id)
    if chat is None or chat.user_id != user_id:
        raise NotFound("Session not found")
    return chat


def expire_stale_turn(session, message: Message) -> bool:
    """Mark a turn whose runner stopped sending heartbeats as interrupted."""
    updated = message.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=utcnow().tzinfo)
    if utcnow() - updated < STALE_AFTER:
        return False
    message.status = "interrupted"
    message.error = INTERRUPTED_BY_RESTART
    return True


class ConversationManager:
    def __init__(
        self,
        user_id: str,
        database: Database,
        engine: EngineClient,
        jobs: Jobs | None = None,
        job_settings: JobSettings | None = None,
    ):
        self.user_id = user_id
        self.database = database
        self.engine = engine
        self.jobs = jobs
        self.job_settings = job_settings

    # --- starting a turn -------------------------------------------------------------
    def start_turn(self, message: str, session_id: str | None, settings: TurnSettings) -> Turn:
        """Save the user's message (and an empty answer in progress), then run the turn in
        the background. Raises NotFound or Conflict."""
        with self.database.unit_of_work() as uow:
            if session_id:
                chat = owned_session(uow.session, self.user_id, session_id)
                running = uow.session.scalar(
                    select(Message).where(
                        Message.session_id == chat.id, Message.status == "in_progress"
                    )
                )
                if running is not None:
                    if not expire_stale_turn(uow.session, running):
                        raise Conflict(
                            "A reply is still being written in this session; "
                            "wait for it or stop it first"
                        )
                    uow.session.flush()
            else:
                chat = ChatSession(user_id=self.user_id, title=title_from(message))
                uow.session.add(chat)
                uow.session.flush()
            now = utcnow()
            user_message = Message(
                session_id=chat.id,
                user_id=self.user_id,
                role="user",
                content=message,
                status="complete",
                created_at=now,
                updated_at=now,
            )
            answer = Message(
                session_id=chat.id,
                user_id=self.user_id,
                role="assistant",
                content="",
                status="in_progress",
                model=settings.model,
                created_at=now + timedelta(microseconds=1),
                updated_at=now,
            )
            uow.session.add_all([user_message, answer])
            chat.updated_at = now
            try:
                uow.commit()
            except IntegrityError as exc:  # another request started a turn just now
                raise Conflict(
                    "A reply is still being written in this session; wait for it or stop it first"
                ) from exc
            turn = Turn(chat.id, user_message.id, answer.id, TurnStream(answer.id))
            is_new_session = session_id is None

        turn.stream.append(
            {
                "type": "session",
                "session_id": turn.session_id,
                "user_message_id": turn.user_message_id,
                "assistant_message_id": turn.assistant_message_id,
            }
        )
        LIVE_TURNS.add(turn.stream, self.database)
        runner = threading.Thread(
            target=self._run_turn,
            args=(turn, message, settings, is_new_session),
            name="turn",
            daemon=True,
        )
        runner.start()
        return turn

    # --- the runner ----------------------------------------------------------------
    def _run_turn(
        self, turn: Turn, message: str, settings: TurnSettings, refine_title: bool = False
    ) -> None:
        stream = turn.stream
        text_parts: list[str] = []
        result = StreamResult()
        status, error, http_status = "complete", None, 200
        started = time.monotonic()
        metrics.active_streams.inc()
        try:
            stream.append({"type": "status", "message": "Thinking…"})
            prompt = self._prompt(turn, message, settings)
            last_flush = time.monotonic()
            for piece in self.engine.stream_chat(
                prompt, model=settings.model, max_tokens=settings.max_answer_tokens, result=result
            ):
                text_parts.append(piece)
                stream.append({"type": "token", "content": piece})
                if stream.stop_requested.is_set():
                    status = "interrupted"
                    break
                if time.monotonic() - last_flush >= FLUSH_INTERVAL_S:
                    last_flush = time.monotonic()
                    if self._safe_flush(stream, "".join(text_parts)):
                        status = "interrupted"
                        break
        except EngineError as exc:
            metrics.engine_errors.inc()
            status, error, http_status = "error", exc.message, exc.status_code
        except Exception:
            logger.exception("Turn %s failed", turn.assistant_message_id)
            status, error, http_status = "error", "The reply failed because of a server error", 500
        finally:
            metrics.active_streams.dec()
        metrics.turn_latency.observe(time.monotonic() - started)
        text = "".join(text_parts)
        self._finish(turn, text, status, error, http_status, result, time.monotonic() - started)
        if self.jobs is not None and self.job_settings is not None:
            ids = [turn.user_message_id] + ([turn.assistant_message_id] if text else [])
            self.jobs.after_turn(self.job_settings, self.user_id, turn.session_id, ids)
        if refine_title and settings.refine_titles and status == "complete":
            self._refine_title(turn.session_id, message, settings)

    def _refine_title(self, session_id: str, message: str, settings: TurnSettings) -> None:
        """After the first answer (off the user's path): ask the model for a better title,
        unless the user renamed the session meanwhile."""
        try:
            raw = self.engine.complete(
                [{"role": "user", "content": TITLE_PROMPT.format(message=message[:1000])}],
                model=settings.model,
                max_tokens=20,
            )
        except EngineError:
            return
        title = clean_title(raw)
        if not title:
            return
        with self.database.unit_of_work() as uow:
            chat = uow.session.get(ChatSession, session_id)
            if chat is not None and chat.title == title_from(message):
                chat.title = title
                uow.commit()

    def _prompt(self, turn: Turn, message: str, settings: TurnSettings) -> list[dict]:
        built = assemble_prompt(
            self.user_id,
            self.database,
            self.engine,
            session_id=turn.session_id,
            new_message=message,
            exclude={turn.user_message_id, turn.assistant_message_id},
            budget=max(256, settings.context_budget - settings.max_answer_tokens),
            facts_budget=settings.facts_budget,
            recall_budget=settings.recall_budget,
        )
        return built.messages

    def _safe_flush(self, stream: TurnStream, partial: str) -> bool:
        """Persist new events and the partial answer; True when a stop was requested."""
        try:
            return flush(self.database, stream, partial)
        except Exception:
            logger.warning("Could not save turn %s progress; continuing", stream.message_id)
            return False

    def _finish(self, turn, text, status, error, http_status, result, seconds) -> None:
        stream = turn.stream
        usage = {
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
        }
        ids = {
            "session_id": turn.session_id,
            "user_message_id": turn.user_message_id,
            "assistant_message_id": turn.assistant_message_id,
        }
        if status == "error":
            final = {"type": "error", "error": error, "status": "error", "partial": text, **ids}
        else:
            final = {
                "type": "done",
                "response": text,
                "status": status,
                "usage": usage,
                "sources": [],
                **ids,
            }
        final["http_status"] = http_status
        try:
            self._save_answer(turn, text, status, error, result)
        except Exception:
            logger.exception("Could not save the answer of turn %s", turn.assistant_message_id)
        stream.append(final)
        try:
            self._retrying_flush(stream)
        except Exception:
            logger.exception("Could not store the events of turn %s", turn.assistant_message_id)
        finally:
            LIVE_TURNS.remove(turn.assistant_message_id)
        logger.info("Turn %s ended %s in %.2fs", turn.assistant_message_id, status, seconds)

    @retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=0.2, max=3), reraise=True)
    def _save_answer(self, turn: Turn, text, status, error, result: StreamResult) -> None:
        with self.database.unit_of_work() as uow:
            answer = uow.session.get(Message, turn.assistant_message_id)
            if answer is None:  # the session was deleted meanwhile
                return
            answer.content = text
            answer.status = status
            answer.error = error
            answer.prompt_tokens = result.prompt_tokens
            answer.completion_tokens = result.completion_tokens
            answer.token_count = result.completion_tokens if status == "complete" else None
            answer.updated_at = utcnow()
            chat = uow.session.get(ChatSession, turn.session_id)
            if chat is not None:
                chat.updated_at = utcnow()
            uow.commit()

    @retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=0.2, max=3), reraise=True)
    def _retrying_flush(self, stream: TurnStream) -> None:
        flush(self.database, stream)

    # --- following, resuming and stopping ------------------------------------------
    def owned_answer(self, message_id: str) -> Message:
        with self.database.unit_of_work() as uow:
            answer = uow.session.get(Message, message_id)
            if answer is None or answer.user_id != self.user_id or answer.role != "assistant":
                raise NotFound("Message not found")
            uow.session.expunge(answer)
            return answer

    def events(self, message_id: str, after: int = 0) -> Iterator[tuple[int, dict] | None]:
        """Every event of a turn after ``after``, live when it is still running."""
        self.owned_answer(message_id)
        local = LIVE_TURNS.get(message_id)
        if local is not None:
            yield from local.follow(after)
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
            if answer is None or answer.status != "in_progress":
                return False
            if expire_stale_turn(uow.session, answer):
                uow.commit()
                return False
            return True

    def _synthesised_end(self, message_id: str, seq: int) -> Iterator[tuple[int, dict]]:
        """A turn with no stored end (its process died, or it was imported): end it from
        what the database holds."""
        answer = self.owned_answer(message_id)
        ids = {"session_id": answer.session_id, "assistant_message_id": answer.id}
        if answer.status == "error":
            yield seq + 1, {"type": "error", "error": answer.error or "The reply failed", **ids}
            return
        if seq == 0 and answer.content:
            seq += 1
            yield seq, {"type": "token", "content": answer.content}
        yield (
            seq + 1,
            {
                "type": "done",
                "response": answer.content,
                "status": answer.status,
                "usage": {
                    "prompt_tokens": answer.prompt_tokens,
                    "completion_tokens": answer.completion_tokens,
                },
                "sources": [],
                **ids,
            },
        )

    def stop(self, session_id: str, wait_s: float = 5.0) -> dict:
        """Ask the running turn of a session to stop; return the saved answer."""
        with self.database.unit_of_work() as uow:
            owned_session(uow.session, self.user_id, session_id)
            answer = uow.session.scalar(
                select(Message).where(
                    Message.session_id == session_id, Message.status == "in_progress"
                )
            )
            if answer is None:
                raise Conflict("No reply is being written in this session")
            answer.stop_requested = True
            if expire_stale_turn(uow.session, answer):
                answer.status = "interrupted"
            uow.commit()
            message_id = answer.id
        local = LIVE_TURNS.get(message_id)
        if local is not None:
            local.stop_requested.set()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            answer = self.owned_answer(message_id)
            if answer.status != "in_progress":
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
        "error": message.error,
        "created_at": isoformat(message.created_at),
    }
