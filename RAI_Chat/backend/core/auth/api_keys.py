"""Personal API keys for OpenAI-compatible clients: made, listed, revoked and checked.

A key is ``rai-`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored: a high-entropy secret needs no slow hash, and the digest is what the database is
searched by, then compared once more in constant time. The secret is shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from limits import parse_many
from sqlalchemy import select

from ..database.models import ApiKey, User, isoformat, utcnow
from ..database.session import UnitOfWork
from ..errors import BadRequest, NotFound, Unauthorized

API_KEY_PREFIX = "rai-"
SHOWN_PREFIX_LENGTH = 12  # "rai-" and 8 characters of the secret
MAX_ACTIVE_KEYS = 50
# A key's last use is written at most this often (a write per request would be wasteful).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_secret() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def is_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX)


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes, which are UTC here."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def check_rate_limit(value: str | None) -> str | None:
    """A limit in flask-limiter's syntax ("20 per minute;500 per day"), or None."""
    if value is None or not value.strip():
        return None
    try:
        parse_many(value.strip())
    except ValueError as exc:
        raise BadRequest(
            "rate_limit: use flask-limiter's syntax, e.g. '20 per minute;500 per day'"
        ) from exc
    return value.strip()


def key_dict(key: ApiKey, username: str | None = None) -> dict:
    expires_at = aware(key.expires_at)
    out = {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "rate_limit": key.rate_limit,
        "created_at": isoformat(key.created_at),
        "expires_at": isoformat(expires_at),
        "last_used_at": isoformat(key.last_used_at),
        "revoked_at": isoformat(key.revoked_at),
        "active": key.revoked_at is None and (expires_at is None or expires_at > utcnow()),
    }
    if username is not None:
        out["user_id"] = key.user_id
        out["username"] = username
    return out


@dataclass(frozen=True)
class KeyHolder:
    """Who a request authenticated by an API key comes from."""

    user: User
    key_id: str
    rate_limit: str | None


class ApiKeys:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow

    def create(
        self, user_id: str, name: str, expires_at: datetime | None, rate_limit: str | None
    ) -> tuple[dict, str]:
        """Make a key; returns it and its secret (the only time the secret is known)."""
        name = name.strip()
        if not name:
            raise BadRequest("name: give the key a name")
        if expires_at is not None and aware(expires_at) <= utcnow():
            raise BadRequest("expires_at: must be in the future")
        rate_limit = check_rate_limit(rate_limit)
        secret = new_secret()
        with self.uow as uow:
            active = uow.session.scalars(
                select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            ).all()
            if len(active) >= MAX_ACTIVE_KEYS:
                raise BadRequest(f"At most {MAX_ACTIVE_KEYS} keys; revoke one first")
            key = ApiKey(
                user_id=user_id,
                name=name[:100],
                prefix=secret[:SHOWN_PREFIX_LENGTH],
                key_hash=hash_secret(secret),
                rate_limit=rate_limit,
                expires_at=aware(expires_at),
            )
            uow.session.add(key)
            uow.commit()
            return key_dict(key), secret

    def revoke(self, key_id: str, actor: User) -> dict:
        """Revoke a key of the actor's (or anyone's, for an administrator); another user's
        key is ``NotFound`` to everybody else. Revoking twice keeps the first time."""
        return self._revoke(key_id, lambda key: actor.is_admin or key.user_id == actor.id)

    def revoke_any(self, key_id: str) -> dict:
        """Revoke any user's key: the operator's ``rai-admin revoke-key``."""
        return self._revoke(key_id, lambda key: True)

    def _revoke(self, key_id: str, may_revoke) -> dict:
        with self.uow as uow:
            key = uow.session.get(ApiKey, key_id)
            if key is None or not may_revoke(key):
                raise NotFound("API key not found")
            if key.revoked_at is None:
                key.revoked_at = utcnow()
                uow.commit()
            return key_dict(key)

    def authenticate(self, secret: str) -> KeyHolder:
        """The key's active owner, or ``Unauthorized``: unknown, revoked or expired key,
        disabled account. Checked on every request, so revoking or disabling acts at once."""
        digest = hash_secret(secret)
        with self.uow as uow:
            row = uow.session.execute(
                select(ApiKey, User)
                .join(User, User.id == ApiKey.user_id)
                .where(ApiKey.key_hash == digest)
            ).first()
            if row is None or not hmac.compare_digest(row[0].key_hash, digest):
                raise Unauthorized("Invalid API key")
            key, user = row
            if key.revoked_at is not None:
                raise Unauthorized("This API key was revoked")
            now = utcnow()
            if key.expires_at is not None and aware(key.expires_at) <= now:
                raise Unauthorized("This API key has expired")
            if not user.is_active:
                raise Unauthorized("This account is disabled")
            last = aware(key.last_used_at)
            if last is None or now - last >= LAST_USED_RESOLUTION:
                key.last_used_at = now
                uow.commit()
            uow.session.expunge(user)
            return KeyHolder(user, key.id, key.rate_limit)
