from typing import Annotated

from pydantic import Field, StringConstraints

from .common import StrictModel, SuccessResponse, UserOut

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class CredentialsRequest(StrictModel):
    username: Username = Field(description="2-64 letters, digits, '_', '.', '-'")
    password: Password = Field(description="At least 8 characters")


class PasswordChangeRequest(StrictModel):
    old_password: Password
    new_password: Password


class TokenResponse(SuccessResponse):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the scheme name
    expires_in: int
    user: UserOut


class MeResponse(SuccessResponse):
    user: UserOut
