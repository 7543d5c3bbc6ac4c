"""Personal API keys and token usage (``/api/keys``, ``/api/admin``)."""

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from .common import NonBlank, StrictModel, SuccessResponse


class KeyCreateRequest(StrictModel):
    name: NonBlank = Field(max_length=100, description="What the key is for ('laptop script').")
    expires_at: datetime | None = Field(None, description="When the key stops working.")
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="Or: in so many days.")
    rate_limit: str | None = Field(
        None,
        max_length=100,
        description="The key's own limit ('20 per minute'), besides the server's.",
    )

    @model_validator(mode="after")
    def one_expiry(self):
        if self.expires_at is not None and self.expires_in_days is not None:
            raise ValueError("give expires_at or expires_in_days, not both")
        return self


class KeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="The secret's first characters, to recognise it.")
    rate_limit: str | None = None
    created_at: str
    expires_at: str | None = None
    last_used_at: str | None = None
    revoked_at: str | None = None
    active: bool
    user_id: str | None = Field(None, description="Administrators' lists only.")
    username: str | None = Field(None, description="Administrators' lists only.")


class KeyCreated(SuccessResponse):
    key: KeyOut
    secret: str = Field(description="The key itself: shown this once, never again.")


class KeyResponse(SuccessResponse):
    key: KeyOut


class KeysQuery(BaseModel):
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class KeysResponse(SuccessResponse):
    keys: list[KeyOut]
    next_cursor: str | None = None


class KeyPath(BaseModel):
    key_id: str = Field(max_length=64)


class UsageTotals(BaseModel):
    requests: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class KeyUsage(UsageTotals):
    key_id: str | None = Field(description="None: the web page and access tokens.")
    key_name: str | None = None
    key_prefix: str | None = None


class UserUsage(UsageTotals):
    user_id: str
    username: str
    by_key: list[KeyUsage]


class UsageResponse(SuccessResponse):
    usage: UsageTotals
    by_key: list[KeyUsage]


class AllUsageResponse(SuccessResponse):
    users: list[UserUsage]
