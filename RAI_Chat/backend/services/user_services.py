"""What every per-user service works with: the user, the database, the engine and the job
queue. Services are built per request (or per turn) and hold nothing else."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # annotations only: the job queue's tasks run these services
    from ..core.database.session import Database
    from .jobs import Jobs
    from .llm_client import EngineClient

S = TypeVar("S", bound="UserServices")


@dataclass
class UserServices:
    user_id: str
    database: Database
    engine: EngineClient | None = None
    jobs: Jobs | None = None

    def sibling(self, cls: type[S]) -> S:
        """Another per-user service on the same user, database, engine and jobs."""
        return cls(**{f.name: getattr(self, f.name) for f in fields(UserServices)})
