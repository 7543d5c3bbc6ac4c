from typing import Literal

from pydantic import BaseModel, Field

from .common import NonBlank, StrictModel, SuccessResponse


class FactRequest(StrictModel):
    fact: NonBlank = Field(max_length=500)


class FactOut(BaseModel):
    id: str
    fact: str
    status: str = Field(description="active, superseded (by a correction) or forgotten")
    source_message_id: str | None = Field(description="The message the fact came from.")
    source_session_id: str | None = None
    superseded_by_id: str | None = None
    abandoned_branch: bool = Field(
        False, description="Captured from a message edited away: not put in prompts."
    )
    created_at: str
    updated_at: str


class FactPath(BaseModel):
    fact_id: str = Field(max_length=64)


class EntryPath(BaseModel):
    entry_id: str = Field(max_length=64)


class FactsQuery(BaseModel):
    include_history: bool = Field(False, description="Also superseded and forgotten facts.")


class SearchQuery(BaseModel):
    q: NonBlank = Field(max_length=500)
    k: int = Field(5, ge=1, le=50)
    mode: Literal["hybrid", "text", "vector"] = Field(
        "hybrid",
        description="hybrid: full text and meaning fused; text or vector: one half alone.",
    )


class FactResponse(SuccessResponse):
    fact: FactOut


class FactsResponse(SuccessResponse):
    facts: list[FactOut]


class UndoResponse(SuccessResponse):
    undone: FactOut = Field(description="The fact removed.")
    restored: list[FactOut] = Field(
        description="The facts it had superseded, active again (empty if none)."
    )


class SearchHit(BaseModel):
    id: str
    session_id: str | None
    message_ids: list[str]
    text: str
    summary: str | None = None
    score: float | None
    created_at: str = Field(description="When the exchange took place (its first message).")


class SearchResponse(SuccessResponse):
    results: list[SearchHit]


class ForgetResponse(SuccessResponse):
    facts_deleted: int
    entries_deleted: int
