"""Models shared by every endpoint."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class StrictModel(BaseModel):
    """Request bodies: unknown fields are rejected so typos are reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorResponse(BaseModel):
    status: Literal["error"] = "error"
    error: str = Field(description="What is wrong, in words a user can act on.")
    request_id: str | None = None


class SuccessResponse(BaseModel):
    status: Literal["success"] = "success"


class UserOut(BaseModel):
    id: str
    username: str
    is_admin: bool
    created_at: str


class HealthResponse(BaseModel):
    status: str = Field(description="ok, or degraded when a dependency is down")
    database: str
    engine: str
    semantic_search: str = Field(
        description="on, or off with the reason (memory search then uses full text alone)"
    )


class CapabilitiesResponse(SuccessResponse):
    """What this server can do and allows, so that the page never copies a limit."""

    max_message_chars: int = Field(description="Longest user message, characters")
    max_import_bytes: int = Field(description="Largest transcript an import accepts, bytes")
    web_search: bool = Field(description="Whether the assistant can search the web")
