"""The runner of one chat turn: asks the model (streaming), runs the actions it asks for
(at most a few rounds of lookups), saves the answer whatever happens, then queues the
memory work. It runs in a thread of the process that started the turn and keeps going
when the client goes away."""

from __future__ import annotations

import logging
import time
from functools import partial

from sqlalchemy import update
from tenacity import retry, stop_after_delay, wait_exponential

from ..core.database.models import ChatSession, Message, UsageRecord, utcnow
from ..core.database.session import database_unavailable
from ..core.markers import neutralise
from ..extensions import metrics
from ..schemas.events import (
    ENDED,
    MessageStatus,
    done_event,
    error_event,
    status_event,
    token_event,
)
from ..utils.later import Later
from .actions.echo_filter import EchoFilter, phrases_of
from .actions.handler import ActionHandler
from .actions.source_filter import SourceLineFilter, addresses, numbers
from .actions.stream_filter import MarkerStreamFilter
from .decision.decide import Decider
from .documents.retrieval import documents_for_turn, turn_documents
from .llm_client import EngineError, StreamResult
from .memory.recalled import asked_again
from .native_tools import NativeTools
from .prompt_assembly import Memory, assemble_prompt, gather_memory
from .prompt_builder import PromptTooLong
from .prompts import (
    ANSWER_PROMPT,
    CLIENT_INSTRUCTIONS,
    SYSTEM_PROMPT,
    TITLE_PROMPT,
    WEB_SEARCH_UNAVAILABLE,
)
from .titles import clean_title, title_from
from .turn import Turn, TurnSettings
from .turn_actions import TurnPorts
from .turn_decision import DecidedTools, decide, run_decided
from .turn_starts import TURN_STARTS
from .turn_stream import LIVE_TURNS, add_unflushed
from .user_services import UserServices

logger = logging.getLogger(__name__)
DATABASE_UNAVAILABLE = "The database became unavailable during the reply; retry in a few seconds"
SERVER_ERROR = "The reply failed because of a server error"
ANSWER_NOT_SAVED = "The answer could not be saved (the database is unavailable); ask again"
THINKING = "Thinking…"
SAVE_RETRY_S = 20.0  # how long the end of a turn retries to save it while the database is away


def system_prompt(settings: TurnSettings) -> str:
    parts = [SYSTEM_PROMPT, ANSWER_PROMPT]
    if settings.web_search is None or not settings.web_search.available:
        parts.append(WEB_SEARCH_UNAVAILABLE)
    if settings.client_instructions:
        # The client's words are data like the user's: its markers never run.
        parts.append(CLIENT_INSTRUCTIONS + neutralise(settings.client_instructions))
    return "\n\n".join(parts)


class TurnRunner(UserServices):
    question_tokens: int | None = None  # the new message's tokens, once the prompt is built

    def run(
        self, turn: Turn, message: str, settings: TurnSettings, refine_title: bool = False
    ) -> None:
        """Run a turn to its end: the model's answer (with up to a few rounds of lookups
        when it asks for them), the saved answer, then the background memory work."""
        stream = turn.stream
        visible: list[str] = []
        stream.answer = visible  # the partial answer, stored by the flusher (turn_stream)
        result = StreamResult()
        status, error, http_status = MessageStatus.complete, None, 200
        started = time.monotonic()
        ports = TurnPorts(self.user_id, self.database, self.engine, turn, settings)
        handler = ActionHandler(ports, user_text=message, max_rounds=settings.max_action_rounds)
        metrics.active_streams.inc()
        decision = native = None
        start = TURN_STARTS.begin()  # until the model is asked: background jobs wait
        try:
            stream.append(status_event(THINKING))
            # The turn's memory and documents are read while the tools are decided (the
            # decision step and the recall embed the message once: ``EmbeddingBatcher``).
            memory = Later(partial(self._gather_memory, turn, message), name="turn-memory")
            document_ids = Later(
                partial(turn_documents, self, turn, message, settings), name="turn-documents"
            )
            # A model that calls tools natively chooses them itself (services/native_tools);
            # otherwise the decision step: which tool the user's own message needs, run
            # before the answer; its results reach the model as data.
            native = NativeTools.for_turn(
                self.engine, settings.model, settings.native_tools, handler
            )
            decided = (
                native.decided()
                if native
                else run_decided(
                    decide(self._decider(settings), message),
                    message,
                    handler,
                    ports,
                    stream.append,
                )
            )
            decision = decided.decision
            if decided.shown_first:  # an exact result, before the model's words
                visible.append(decided.shown_first)
                stream.append(token_event(decided.shown_first))
            notes: list[str] = list(decided.notes_for_user)
            if not decided.complete:  # (a remembered fact may answer it all: no model call)
                documents = documents_for_turn(
                    self, turn, message, settings, handler, stream.append, document_ids.result()
                )
                recall = memory.result()
                prompt = self._prompt(turn, message, settings, decided, recall)
                # Our words, tool data and the recalled memories are never copied into the
                # answer (the small model pasted an earlier answer it was shown as memory),
                # but for the earlier answer to this very question.
                pasted = [r for r in recall.recalled if not asked_again(r, message)]
                echoes = phrases_of([*decided.instruction_texts(), ANSWER_PROMPT, *pasted])
                prompt[-1] = {**prompt[-1], "content": documents.for_model(prompt[-1]["content"])}
                start.end()
                while True:
                    raw, shown, markers, stopped = self._model_round(
                        stream, prompt, settings, handler, visible, result, echoes, native
                    )
                    if stopped:
                        status = MessageStatus.interrupted
                        break
                    if native and result.tool_calls and native.more_allowed:  # guarded, as markers
                        called = native.run(result.tool_calls, raw, stream.append)
                        result.tool_calls = []
                        notes.extend(called.notes)
                        prompt = prompt + called.messages
                        echoes = phrases_of([*echoes, *called.results])
                        stream.append(status_event(THINKING))
                        continue
                    if not markers:
                        break
                    round_ = handler.run(markers, emit=stream.append, visible_text=shown)
                    notes.extend(round_.notes)
                    if not round_.needs_another_round:
                        break
                    prompt = prompt + round_.followup(raw)
                    echoes = phrases_of([*echoes, *round_.results_for_model])
                    stream.append(status_event(THINKING))
            empty = not "".join(visible).strip()
            # e.g. only markers, the limit
            if empty and not notes and status == MessageStatus.complete:
                notes.append("I could not put an answer together this time; please ask again.")
            for note in dict.fromkeys(notes):  # what failed or was skipped, said plainly
                visible.append(f"\n\n_{note}_" if "".join(visible).strip() else f"_{note}_")
                stream.append(token_event(visible[-1]))
        except EngineError as exc:
            metrics.engine_errors.inc()
            status, error, http_status = MessageStatus.error, exc.message, exc.status_code
        except PromptTooLong as exc:  # said to the user; the message stays saved
            status, error, http_status = MessageStatus.error, exc.message, exc.status_code
        except Exception as exc:
            if database_unavailable(exc):  # the user's message is saved; the reply is not
                logger.warning("Turn %s: database unavailable", turn.assistant_message_id)
                status, error, http_status = MessageStatus.error, DATABASE_UNAVAILABLE, 503
            else:
                logger.exception("Turn %s failed", turn.assistant_message_id)
                status, error, http_status = MessageStatus.error, SERVER_ERROR, 500
        finally:
            start.end()
            metrics.active_streams.dec()
        metrics.turn_latency.observe(time.monotonic() - started)
        text = "".join(visible)
        chosen = None  # what the decision step chose, for clients and benchmarks
        if decision is not None:
            chosen = {
                "tool": native.summary() if native else decision.tool,
                "design": decision.design,
                "ms": round(decision.seconds * 1000, 2),
            }
        self._finish(
            turn,
            text,
            status,
            error,
            http_status,
            result,
            handler,
            time.monotonic() - started,
            settings,
            chosen,
        )
        if self.jobs is not None:
            ids = [turn.user_message_id] + ([turn.assistant_message_id] if text else [])
            self.jobs.after_turn(self.user_id, turn.session_id, ids)
        # A stopped answer gets a title too: the chat is kept all the same.
        if refine_title and settings.refine_titles and status in ENDED:
            self._refine_title(turn.session_id, message, settings, text)

    def _model_round(self, stream, prompt, settings, handler, visible, result, echoes, native):
        """One call of the model: stream the visible text (markers, and copies of our own
        instructions or tool data, held back and removed), collect the markers. Returns
        (the raw answer, the text shown, the markers, whether the user stopped it)."""
        marker_filter = MarkerStreamFilter(render=handler.render)
        echo_filter = EchoFilter(echoes)
        # A source line naming an address the turn never gave the model is made up.
        source_filter = SourceLineFilter(addresses(echoes), numbers(echoes))
        raw: list[str] = []
        shown: list[str] = []

        def show(text: str) -> None:
            if text:
                visible.append(text)
                shown.append(text)
                stream.append(token_event(text))

        stopped = False
        for piece in self.engine.stream_chat(
            prompt,
            model=settings.model,
            max_tokens=settings.max_answer_tokens,
            result=result,
            **(native.request_options() if native else {}),
        ):
            raw.append(piece)
            show(source_filter.feed(echo_filter.feed(marker_filter.feed(piece))))
            # Set by a stop in this process, or by the flusher from the database.
            if stream.stop_requested.is_set():
                stopped = True
                break
        ended = echo_filter.feed(marker_filter.flush()) + echo_filter.flush()
        show(source_filter.feed(ended) + source_filter.flush())
        markers = [] if stopped else marker_filter.markers
        return "".join(raw), "".join(shown), markers, stopped

    def _refine_title(
        self, session_id: str, message: str, settings: TurnSettings, answer: str = ""
    ) -> None:
        """After the first answer (off the user's path): ask the model for a better title,
        unless the user renamed the session meanwhile. The title is kept only when its words
        come from the chat (the message and the answer); else the first message stays."""
        try:
            raw = self.engine.complete(
                [{"role": "user", "content": TITLE_PROMPT.format(message=message[:1000])}],
                model=settings.model,
                max_tokens=20,
            )
        except EngineError:
            return
        title = clean_title(raw, message, answer)
        if not title:
            return
        with self.database.unit_of_work() as uow:
            # One conditional UPDATE: a rename the user made meanwhile is never overwritten.
            uow.session.execute(
                update(ChatSession)
                .where(ChatSession.id == session_id, ChatSession.title == title_from(message))
                .values(title=title)
            )
            uow.commit()

    def _decider(self, settings: TurnSettings) -> Decider | None:
        if settings.decision_step == "off":
            return None
        return Decider(self.engine, settings.decision_step)

    def _gather_memory(self, turn: Turn, message: str) -> Memory:
        return gather_memory(
            self.user_id,
            self.database,
            self.engine,
            session_id=turn.session_id,
            new_message=message,
            exclude={turn.user_message_id, turn.assistant_message_id},
        )

    def _prompt(
        self,
        turn: Turn,
        message: str,
        settings: TurnSettings,
        decided: DecidedTools,
        memory: Memory,
    ) -> list[dict]:
        built = assemble_prompt(
            memory,
            self.engine,
            new_message=message,
            budget=max(256, settings.context_budget - settings.max_answer_tokens),
            facts_budget=settings.facts_budget,
            recall_budget=settings.recall_budget,
            system_prompt=system_prompt(settings),
            only_facts=decided.only_facts,
        )
        # Kept with the question when the answer is saved: the next turns never count it.
        self.question_tokens = built.new_message_tokens
        messages = built.messages
        messages[-1] = {**messages[-1], "content": decided.for_model(messages[-1]["content"])}
        return messages

    def _finish(
        self, turn, text, status, error, http_status, result, handler, seconds, settings, decision
    ) -> None:
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
        if status == MessageStatus.error:
            final = error_event(error, partial=text, **ids)
        else:
            final = done_event(
                response=text,
                status=status,
                usage=usage,
                sources=handler.sources,
                actions=[e for e in handler.events if e["type"] == "action"],
                decision=decision,
                **ids,
            )
        stream.http_status = http_status  # beside the events, for the JSON answer
        try:
            # The answer and its last events in one transaction, before any client hears of
            # the end: "complete" is never announced for an answer that was not saved. The
            # flusher keeps out meanwhile (the store lock) and for good (closed).
            with stream.store_lock:
                stream.closed = True
                try:
                    self._save_answer(turn, text, status, error, result, settings, final)
                    stream.flushed = stream.append(final)
                except Exception:
                    logger.exception(
                        "Could not save the answer of turn %s", turn.assistant_message_id
                    )
                    # Not stored: the answer stays "in progress" until it is stale, then
                    # interrupted.
                    status = MessageStatus.error
                    stream.http_status = 503
                    stream.append(error_event(ANSWER_NOT_SAVED, partial=text, **ids))
        finally:
            LIVE_TURNS.remove(turn.assistant_message_id)
        logger.info("Turn %s ended %s in %.2fs", turn.assistant_message_id, status, seconds)

    @retry(
        stop=stop_after_delay(SAVE_RETRY_S),
        wait=wait_exponential(multiplier=0.2, max=3),
        reraise=True,
    )
    def _save_answer(
        self, turn: Turn, text, status, error, result: StreamResult, settings, final: dict
    ) -> None:
        with self.database.unit_of_work() as uow:
            answer = uow.session.get(Message, turn.assistant_message_id)
            if answer is None:  # the session was deleted meanwhile
                return
            answer.content = text
            answer.status = status
            answer.error = error
            answer.prompt_tokens = result.prompt_tokens
            answer.completion_tokens = result.completion_tokens
            answer.actions = final.get("actions") or None
            answer.sources = final.get("sources") or None
            complete = status == MessageStatus.complete
            answer.token_count = result.completion_tokens if complete else None
            # Stopped by the answer-length limit: the page offers to continue it.
            answer.cut_at_limit = complete and result.finish_reason == "length"
            answer.updated_at = utcnow()
            if self.question_tokens is not None:  # in the same transaction: no extra commit
                uow.session.execute(
                    update(Message)
                    .where(Message.id == turn.user_message_id, Message.token_count.is_(None))
                    .values(token_count=self.question_tokens)
                    .execution_options(synchronize_session=False)
                )
            chat = uow.session.get(ChatSession, turn.session_id)
            if chat is not None:
                chat.updated_at = utcnow()
            if status != MessageStatus.error or result.prompt_tokens or result.completion_tokens:
                uow.session.add(
                    UsageRecord(
                        user_id=self.user_id,
                        api_key_id=settings.api_key_id,
                        message_id=turn.assistant_message_id,
                        model=settings.model,
                        prompt_tokens=result.prompt_tokens or 0,
                        completion_tokens=result.completion_tokens or 0,
                    )
                )
            add_unflushed(uow.session, turn.stream, final)
            uow.commit()
