from typing import Literal

from pydantic import BaseModel, Field

from .chat import MessageOut
from .common import NonBlank, StrictModel, SuccessResponse


class SessionOut(BaseModel):
    id: str
    title: str
    created_at: str
    updated_at: str
    message_count: int | None = Field(
        None, description="In a session's own page: the messages of its active branch."
    )
    active_leaf_id: str | None = Field(
        None, description="The last message of the branch shown and continued."
    )


class PageQuery(BaseModel):
    limit: int = Field(30, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class SessionListQuery(PageQuery):
    q: str | None = Field(None, max_length=200, description="Search titles and messages.")


class SessionPath(BaseModel):
    session_id: str = Field(max_length=64)


class CreateSessionRequest(StrictModel):
    title: str | None = Field(None, max_length=200)


class RenameSessionRequest(StrictModel):
    title: NonBlank = Field(max_length=200)


class BranchRequest(StrictModel):
    message_id: NonBlank = Field(max_length=64, description="A message of the session.")


class ExportQuery(BaseModel):
    format: Literal["json", "markdown"] = "json"


class SessionListResponse(SuccessResponse):
    sessions: list[SessionOut]
    next_cursor: str | None


class SessionResponse(SuccessResponse):
    session: SessionOut


class SessionMessagesResponse(SessionResponse):
    messages: list[MessageOut] = Field(description="Newest first.")
    next_cursor: str | None
