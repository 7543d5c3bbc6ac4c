"""How passwords are hashed (argon2id) and how access tokens are made and checked (JWT HS256)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import Unauthorized

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
JWT_ALGORITHM = "HS256"
TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
# A valid hash to verify against when the user does not exist, so that a login for an
# unknown name takes as long as one with a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    token_version: int
    issued_at: int
    expires_at: int
    # The token's own id: signing out revokes this one token, not the user's others.
    token_id: str


def issue_token(user_id: str, token_version: int, secret: str, lifetime_s: int) -> str:
    now = int(time.time())
    payload = {
        "sub": user_id,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime_s,
        "type": TOKEN_TYPE,
        "ver": token_version,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM)


def decode_token(token: str, secret: str) -> TokenClaims:
    """Check signature, algorithm, expiry, issued-at and type; raise ``Unauthorized``."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "iat", "exp", "type", "jti"]},
            leeway=5,
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Token has expired; log in again") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("Invalid token") from exc
    if payload.get("type") != TOKEN_TYPE or not isinstance(payload.get("sub"), str):
        raise Unauthorized("Invalid token")
    jti = payload.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= 64:
        raise Unauthorized("Invalid token")
    if payload["iat"] > time.time() + 60:
        raise Unauthorized("Invalid token")
    version = payload.get("ver", 0)
    if not isinstance(version, int):
        raise Unauthorized("Invalid token")
    return TokenClaims(payload["sub"], version, payload["iat"], payload["exp"], jti)
