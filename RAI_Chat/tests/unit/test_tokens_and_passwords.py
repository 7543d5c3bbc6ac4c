import base64
import json
import time

import jwt
import pytest

from RAI_Chat.backend.core.auth.strategies import (
    decode_token,
    hash_password,
    issue_token,
    verify_password,
)
from RAI_Chat.backend.core.errors import Unauthorized

SECRET = "k" * 64


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_passwords_are_hashed_with_argon2id():
    hashed = hash_password("correct horse 1")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse 1")
    assert not verify_password(hashed, "wrong horse 1")


def test_verifying_against_no_user_is_false():
    assert not verify_password(None, "anything at all")


def test_issued_token_carries_user_version_and_times():
    claims = decode_token(issue_token("u1", 3, SECRET, 60), SECRET)
    assert claims.user_id == "u1"
    assert claims.token_version == 3
    assert claims.expires_at - claims.issued_at == 60


def test_every_token_has_its_own_id():
    first, second = (decode_token(issue_token("u1", 0, SECRET, 60), SECRET) for _ in range(2))
    assert first.token_id and second.token_id and first.token_id != second.token_id


def now() -> int:
    return int(time.time())


ATTACKS = {
    "expired": lambda: jwt.encode(
        {"sub": "u1", "iat": now() - 100, "exp": now() - 50, "type": "access"}, SECRET
    ),
    "other key": lambda: issue_token("u1", 0, "another-key-" + "z" * 40, 60),
    "alg none": lambda: (
        b64({"alg": "none", "typ": "JWT"})
        + "."
        + b64({"sub": "u1", "iat": now(), "exp": now() + 60, "type": "access"})
        + "."
    ),
    "wrong type": lambda: jwt.encode(
        {"sub": "u1", "iat": now(), "exp": now() + 60, "type": "refresh"}, SECRET
    ),
    "no expiry": lambda: jwt.encode({"sub": "u1", "iat": now(), "type": "access"}, SECRET),
    "issued in the future": lambda: jwt.encode(
        {"sub": "u1", "iat": now() + 3600, "exp": now() + 7200, "type": "access"}, SECRET
    ),
    "tampered": lambda: tamper(issue_token("u1", 0, SECRET, 60)),
    "no token id": lambda: jwt.encode(
        {"sub": "u1", "iat": now(), "exp": now() + 60, "type": "access"}, SECRET
    ),
    "malformed": lambda: "not-a-jwt",
    "HS512 with the right key": lambda: jwt.encode(
        {"sub": "u1", "iat": now(), "exp": now() + 60, "type": "access"},
        SECRET,
        algorithm="HS512",
    ),
}


def tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    return f"{header}.{b64(claims)}.{signature}"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_bad_tokens_are_rejected(attack):
    with pytest.raises(Unauthorized):
        decode_token(ATTACKS[attack](), SECRET)
