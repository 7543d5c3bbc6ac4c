"""Lists of personal API keys, newest first, a page at a time: a user's own, or every
user's (with their owners) for administrators and ``rai-admin``. Never the secrets."""

from __future__ import annotations

from sqlalchemy import select

from ..core.auth.api_keys import key_dict
from ..core.database.models import ApiKey, User
from ..core.database.session import Database
from .pagination import encode_cursor, keyset_before


class ApiKeyLists:
    def __init__(self, database: Database):
        self.database = database

    def page(
        self,
        limit: int,
        cursor: str | None = None,
        *,
        user_id: str | None = None,
        username: str | None = None,
        with_owners: bool = False,
    ) -> dict:
        """``{"keys", "next_cursor"}``; ``user_id`` or ``username`` keeps one user's keys."""
        query = select(ApiKey, User.username).join(User, User.id == ApiKey.user_id)
        if user_id is not None:
            query = query.where(ApiKey.user_id == user_id)
        if username is not None:
            query = query.where(User.username_key == username.strip().lower())
        older = keyset_before(ApiKey.created_at, ApiKey.id, cursor, self.database.dialect)
        if older is not None:
            query = query.where(older)
        query = query.order_by(ApiKey.created_at.desc(), ApiKey.id.desc()).limit(limit + 1)
        with self.database.unit_of_work() as uow:
            rows = uow.session.execute(query).all()
        page, more = rows[:limit], len(rows) > limit
        last = page[-1][0] if page else None
        return {
            "keys": [key_dict(key, name if with_owners else None) for key, name in page],
            "next_cursor": encode_cursor(last.created_at, last.id) if more and last else None,
        }
