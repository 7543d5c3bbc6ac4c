import pytest
from pydantic import ValidationError

from RAI_Chat.backend.api.errors import describe_validation_error
from RAI_Chat.backend.schemas.auth import CredentialsRequest


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"username": "bob"}, "password: Field required"),
        ({"username": 5, "password": "x" * 9}, "username: Input should be a valid string"),
        ({"username": "  ", "password": "x" * 9}, "username: String should have at least 1"),
        ({"username": "bob", "password": "x" * 9, "admin": True}, "admin: unknown field"),
        (None, "Request body must be a JSON object"),
        ([1, 2], "Request body must be a JSON object"),
    ],
)
def test_validation_errors_read_as_one_line(body, expected):
    with pytest.raises(ValidationError) as caught:
        CredentialsRequest.model_validate(body)
    assert expected in describe_validation_error(caught.value)
