from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StringConstraints

from .common import NonBlank, StrictModel, SuccessResponse
from .events import ActionEvent, MessageStatus, Source


class ChatRequest(StrictModel):
    message: NonBlank = Field(description="What the user says.")
    session_id: str | None = Field(None, max_length=64, description="Omit to start a session.")
    streaming: StrictBool = Field(False, description="Answer as Server-Sent Events.")
    model: str | None = Field(None, max_length=200, description="Engine model; default if omitted.")
    document_ids: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(
        None,
        max_length=50,
        description="The user's documents to attach to the session when the turn starts.",
    )


class RegenerateRequest(StrictModel):
    message_id: NonBlank = Field(max_length=64, description="The answer to give again.")
    streaming: StrictBool = Field(False, description="Answer as Server-Sent Events.")
    model: str | None = Field(None, max_length=200, description="Engine model; default if omitted.")


class EditRequest(StrictModel):
    message_id: NonBlank = Field(max_length=64, description="The question (user message) edited.")
    message: NonBlank = Field(description="Its new text.")
    streaming: StrictBool = Field(False, description="Answer as Server-Sent Events.")
    model: str | None = Field(None, max_length=200, description="Engine model; default if omitted.")


class ContinueRequest(StrictModel):
    message_id: NonBlank = Field(max_length=64, description="The stopped answer to continue.")
    streaming: StrictBool = Field(False, description="Answer as Server-Sent Events.")
    model: str | None = Field(None, max_length=200, description="Engine model; default if omitted.")


class Usage(BaseModel):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ChatResponse(SuccessResponse):
    response: str
    session_id: str
    user_message_id: str
    assistant_message_id: str
    answer_status: Literal["complete", "interrupted"]
    usage: Usage
    sources: list[Source] = []


class StopRequest(StrictModel):
    session_id: NonBlank


class MessageOut(BaseModel):
    id: str
    session_id: str
    role: str
    content: str
    status: MessageStatus
    stopped: bool = Field(False, description="Interrupted by the user's Stop, not a failure")
    error: str | None = None
    actions: list[ActionEvent] = Field(
        default_factory=list, description="What the assistant did (its stream's action events)"
    )
    sources: list[Source] = Field(
        default_factory=list, description="The web pages and document passages the answer used"
    )
    created_at: str
    parent_id: str | None = Field(None, description="The message this one follows.")
    sibling_ids: list[str] = Field(
        default_factory=list,
        description="Its versions: every child of its parent, oldest first, itself included.",
    )
    sibling_index: int = Field(1, description="Its place among them, from 1.")
    sibling_count: int = 1
    can_continue: bool = Field(
        False, description="An answer that stopped (interrupted, or cut at the length limit)."
    )


class StopResponse(SuccessResponse):
    message: MessageOut


class StreamPath(BaseModel):
    message_id: str = Field(max_length=64)


class ModelsResponse(SuccessResponse):
    models: list[dict]
