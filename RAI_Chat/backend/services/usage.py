"""Tokens used, by user and by API key (the runner records one row per answer)."""

from __future__ import annotations

from sqlalchemy import func, select

from ..core.database.models import ApiKey, UsageRecord, User
from ..core.database.session import Database

TOTALS = ("requests", "prompt_tokens", "completion_tokens", "total_tokens")


def totals(requests: int, prompt: int, completion: int) -> dict:
    return {
        "requests": requests,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


class UsageReport:
    def __init__(self, database: Database):
        self.database = database

    def _rows(self, user_id: str | None):
        query = (
            select(
                UsageRecord.user_id,
                User.username,
                UsageRecord.api_key_id,
                ApiKey.name,
                ApiKey.prefix,
                func.count(),
                func.coalesce(func.sum(UsageRecord.prompt_tokens), 0),
                func.coalesce(func.sum(UsageRecord.completion_tokens), 0),
            )
            .join(User, User.id == UsageRecord.user_id)
            .outerjoin(ApiKey, ApiKey.id == UsageRecord.api_key_id)
            .group_by(
                UsageRecord.user_id,
                User.username,
                UsageRecord.api_key_id,
                ApiKey.name,
                ApiKey.prefix,
            )
            .order_by(User.username, ApiKey.name)
        )
        if user_id is not None:
            query = query.where(UsageRecord.user_id == user_id)
        with self.database.unit_of_work() as uow:
            return uow.session.execute(query).all()

    def by_user(self, user_id: str | None = None) -> list[dict]:
        """Per user (every user, or one), with the split by key."""
        users: dict[str, dict] = {}
        for uid, username, key_id, name, prefix, n, prompt, completion in self._rows(user_id):
            entry = users.setdefault(
                uid, {"user_id": uid, "username": username, **totals(0, 0, 0), "by_key": []}
            )
            entry["by_key"].append(
                {
                    "key_id": key_id,
                    "key_name": name,
                    "key_prefix": prefix,
                    **totals(int(n), int(prompt), int(completion)),
                }
            )
            entry.update(
                totals(
                    entry["requests"] + int(n),
                    entry["prompt_tokens"] + int(prompt),
                    entry["completion_tokens"] + int(completion),
                )
            )
        return list(users.values())

    def for_user(self, user_id: str) -> dict:
        found = self.by_user(user_id)
        if not found:
            return {"usage": totals(0, 0, 0), "by_key": []}
        entry = found[0]
        return {
            "usage": {k: entry[k] for k in TOTALS},
            "by_key": entry["by_key"],
        }
