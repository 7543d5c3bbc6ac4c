"""Background jobs (huey): the tiers of each message and the archiving of what left the
context window, after the turn, never on the path of the user's reply.

A job of the in-process consumer waits while a turn of its process is starting
(``turn_starts``): the user waits for that, not for the job.

Storage: SQLite in the instance folder by default, Redis when ``REDIS_URL`` is set. Each API
process runs a small in-process consumer (one worker thread); ``JOBS_MODE=immediate`` runs
jobs synchronously (tests), ``external`` leaves them to a separate ``huey_consumer``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

from ..config import INSTANCE_DIR
from .turn_starts import TURN_STARTS

if TYPE_CHECKING:  # annotations only
    from ..config import Settings
    from ..core.database.session import Database
    from .llm_client import EngineClient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    """What a job runs with: the settings, the database and an engine client. Built by the
    composition root (``services.composition``), the one place that builds them."""

    settings: Settings
    database: Database
    engine: EngineClient


def _database_url(first) -> str:
    """A job's first argument: the database URL it belongs to (jobs queued by an older
    version carry a dict of settings instead)."""
    return first["database_url"] if isinstance(first, dict) else first


class _InProcessConsumer(Consumer):
    """huey's consumer without its signal handlers (the web server owns the signals)."""

    def _set_signal_handlers(self):
        pass


def make_huey(redis_url: str | None, mode: str):
    immediate = mode == "immediate"
    if redis_url:
        return RedisHuey("rai-chat", url=redis_url, immediate=immediate)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("rai-chat", filename=str(INSTANCE_DIR / "jobs.db"), immediate=immediate)


class Jobs:
    """The app's job queue: ``jobs.after_turn(...)`` enqueues the post-turn work. A job
    names its database (several apps may share one queue); ``context_for`` (the
    composition root's) gives the consumer what to run it with."""

    def __init__(
        self,
        redis_url: str | None,
        mode: str,
        database_url: str,
        context_for: Callable[[str], JobContext],
    ):
        self.mode = mode
        self.database_url = database_url
        self.context_for = context_for
        self.huey = make_huey(redis_url, mode)
        self._after_turn = self.huey.task(retries=1, retry_delay=5, name="after_turn")(
            self._after_turn_job
        )
        self._embed_archive = self.huey.task(retries=1, retry_delay=10, name="embed_archive")(
            self._embed_archive_job
        )
        self._extract_document = self.huey.task(retries=0, name="extract_document")(
            self._extract_document_job
        )
        self._consumer: Consumer | None = None

    def start_consumer(self) -> None:
        if self.mode != "inprocess" or self._consumer is not None:
            return
        self._consumer = _InProcessConsumer(
            self.huey,
            workers=1,
            worker_type="thread",
            periodic=False,
            max_delay=1.0,
            check_worker_health=False,
        )
        self._consumer.start()

    def after_turn(self, user_id: str, session_id: str, message_ids: list[str]) -> None:
        try:
            self._after_turn(self.database_url, user_id, session_id, message_ids)
        except Exception:  # a queue failure must never fail the turn
            logger.exception("Could not enqueue the post-turn job of session %s", session_id)

    def embed_archive(self, user_id: str) -> None:
        try:
            self._embed_archive(self.database_url, user_id)
        except Exception:
            logger.exception("Could not enqueue the embedding of user %s's archive", user_id)

    def extract_document(self, limits, user_id: str, document_id: str):
        """Queue the extraction of an uploaded document; a failure to queue fails it."""
        try:
            self._extract_document(self.database_url, asdict(limits), user_id, document_id)
        except Exception as exc:
            logger.exception("Could not enqueue the extraction of document %s", document_id)
            from .documents.job import record_failure

            record_failure(
                self.context_for(self.database_url).database,
                document_id,
                f"it could not be queued for extraction ({type(exc).__name__})",
            )

    def queue_depth(self) -> int:
        try:
            return len(self.huey)
        except Exception:
            return 0

    # --- the consumer's side ------------------------------------------------------------
    def _embed_archive_job(self, database, user_id: str) -> None:
        from .memory.episodic import EpisodicArchive

        TURN_STARTS.wait_for_none()
        context = self.context_for(_database_url(database))
        archive = EpisodicArchive(user_id, context.database, context.engine)
        while archive.embed_missing(limit=512):
            pass

    def _after_turn_job(self, database, user_id: str, session_id: str, message_ids: list[str]):
        from .memory.maintenance import after_turn

        TURN_STARTS.wait_for_none()  # a turn starting in this process goes first
        context = self.context_for(_database_url(database))
        after_turn(
            context.database, context.engine, context.settings, user_id, session_id, message_ids
        )

    def _extract_document_job(self, database, limits: dict, user_id: str, document_id: str):
        from .documents.job import extract_and_index

        context = self.context_for(_database_url(database))
        extract_and_index(context.database, context.engine, limits["storage_dir"], document_id)
