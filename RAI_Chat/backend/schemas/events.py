"""The events of a chat turn, one model per ``type``, and the status of a message.

A turn's Server-Sent Events (``POST /api/chat/`` with ``streaming``, regenerate, edit,
continue, ``GET /api/chat/stream/<id>``) carry one of these as JSON in each ``data:`` line.
Every event is built here (``.event()`` gives the JSON-ready dict that the turn's stream keeps,
stores and sends); the same dict is replayed from the database to a client that resumes, so
nothing that is not for clients goes inside it (a failed turn's HTTP status travels beside
the event, on the turn's stream). The models are published in the OpenAPI document, from
which the page's TypeScript types are generated (``npm run gen:types``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class MessageStatus(StrEnum):
    """A message's ``status`` (the column ``messages.status``)."""

    in_progress = "in_progress"  # its turn is running
    complete = "complete"
    interrupted = "interrupted"  # stopped by the user, or its process died
    error = "error"


ENDED = (MessageStatus.complete, MessageStatus.interrupted)
"""How an answer that did not fail ends (the ``status`` of ``done``)."""


def _always_sent(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """In the published schema, a field the event always carries is required (``type``
    above all, so that generated clients can tell the events apart)."""
    schema["required"] = [
        name
        for name, info in model.model_fields.items()
        if info.default is not None or info.default_factory is not None
    ]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_always_sent)

    def model_post_init(self, context: Any) -> None:
        # A field with a default other than None (``type``, ``detail`` ...) is always sent;
        # an optional one only when it was given (``corrected`` may be given as null).
        for name, info in type(self).model_fields.items():
            if info.default is not None or info.default_factory is not None:
                self.model_fields_set.add(name)

    def event(self) -> dict:
        """The event as the stream keeps, stores and sends it."""
        return self.model_dump(mode="json", exclude_unset=True)


class Source(BaseModel):
    """A web page (``url``) or a passage of one of the user's documents (``kind`` document)."""

    model_config = ConfigDict(extra="allow")

    title: str | None = None
    url: str | None = None
    kind: Literal["document"] | None = None
    document_id: str | None = None
    chunk_id: str | None = None
    filename: str | None = None
    page: int | None = None
    heading: str | None = None
    n: int | None = Field(None, description="The answer's citation number ``[n]``.")


class TurnUsage(BaseModel):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class DecisionSummary(BaseModel):
    """What the decision step (or a model calling tools natively) chose, and how fast."""

    tool: str
    design: str | None = None
    ms: float | None = None


class SessionEvent(_Event):
    """The first event: the turn's session and messages are saved."""

    type: Literal["session"] = "session"
    session_id: str
    user_message_id: str
    assistant_message_id: str


class StatusEvent(_Event):
    """What the assistant is doing now (thinking, searching ...), in words."""

    type: Literal["status"] = "status"
    message: str


class TokenEvent(_Event):
    """A piece of the answer's visible text."""

    type: Literal["token"] = "token"
    content: str


ActionOutcome = Literal["ok", "error", "skipped", "refused", "limit", "unavailable"]


class ActionEvent(_Event):
    """An action the assistant took (a lookup, a calculation, a fact remembered ...). Kept
    with the answer (``actions`` of a message)."""

    type: Literal["action"] = "action"
    action: str = Field(description="web_search, search_episodic, request_tier, calculate ...")
    input: list[str | int] = Field(default_factory=list)
    outcome: ActionOutcome
    detail: str = ""
    results: int | None = Field(None, description="How many results a lookup found.")
    sources: list[Source] | None = None
    result: str | None = Field(None, description="A calculation's value.")
    fact: str | None = None
    corrected: str | None = Field(None, description="The fact a correction replaced.")


class DoneEvent(_Event):
    """The last event of an answer that was saved (``status`` complete or interrupted)."""

    type: Literal["done"] = "done"
    response: str = Field(description="The whole answer.")
    status: Literal["complete", "interrupted"]
    session_id: str
    user_message_id: str | None = None
    assistant_message_id: str
    usage: TurnUsage = Field(default_factory=TurnUsage)
    sources: list[Source] = Field(default_factory=list)
    actions: list[ActionEvent] = Field(default_factory=list)
    decision: DecisionSummary | None = None


class ErrorEvent(_Event):
    """The last event of an answer that failed; ``partial`` is what was written before."""

    type: Literal["error"] = "error"
    error: str = Field(description="What went wrong, in words a user can act on.")
    status: Literal["error"] = "error"
    partial: str = ""
    session_id: str
    user_message_id: str | None = None
    assistant_message_id: str


StreamEvent = Annotated[
    SessionEvent | StatusEvent | TokenEvent | ActionEvent | DoneEvent | ErrorEvent,
    Field(discriminator="type"),
]
TERMINAL_EVENTS = frozenset({"done", "error"})
EVENT_MODELS: tuple[type[BaseModel], ...] = (
    SessionEvent,
    StatusEvent,
    TokenEvent,
    ActionEvent,
    DoneEvent,
    ErrorEvent,
)
_STREAM_EVENT = TypeAdapter(StreamEvent)


def parse_event(data: dict[str, Any]) -> BaseModel:
    """An event from its JSON (a stored one, a client's copy); unknown types are refused."""
    return _STREAM_EVENT.validate_python(data)


def status_event(message: str) -> dict:
    return StatusEvent(message=message).event()


def token_event(content: str) -> dict:
    """``TokenEvent(content=content).event()`` (a unit test holds them equal), without the
    model's validation: the per-token path carries nothing it does not need."""
    return {"type": "token", "content": content}


def done_event(
    *,
    response: str,
    status: str,
    session_id: str,
    assistant_message_id: str,
    user_message_id: str | None = None,
    usage: dict | None = None,
    sources: list[dict] | None = None,
    actions: list[dict] | None = None,
    decision: dict | None = None,
) -> dict:
    """The ``done`` event, live (the runner) or rebuilt from a saved answer."""
    return DoneEvent(
        response=response,
        status=status,
        session_id=session_id,
        user_message_id=user_message_id,
        assistant_message_id=assistant_message_id,
        usage=usage or {},
        sources=sources or [],
        actions=actions or [],
        decision=decision,
    ).event()


def error_event(
    error: str,
    *,
    session_id: str,
    assistant_message_id: str,
    user_message_id: str | None = None,
    partial: str = "",
) -> dict:
    """The ``error`` event, live (the runner) or rebuilt from a saved answer."""
    return ErrorEvent(
        error=error,
        partial=partial,
        session_id=session_id,
        user_message_id=user_message_id,
        assistant_message_id=assistant_message_id,
    ).event()
