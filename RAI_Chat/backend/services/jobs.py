"""Background jobs (huey): the tiers of each message and the archiving of what left the
context window, after the turn, never on the path of the user's reply.

Storage: SQLite in the instance folder by default, Redis when ``REDIS_URL`` is set. Each API
process runs a small in-process consumer (one worker thread); ``JOBS_MODE=immediate`` runs
jobs synchronously (tests), ``external`` leaves them to a separate ``huey_consumer``."""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass

from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

from ..config import INSTANCE_DIR
from ..core.database.session import Database
from .llm_client import EngineClient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSettings:
    """What a job needs to reach the database and the engine (jobs carry it: no globals)."""

    database_url: str
    llm_api_url: str
    llm_model: str
    llm_api_key: str | None
    context_budget: int
    max_answer_tokens: int
    # Defaults: jobs queued by an older version carry no such keys.
    embedding_api_url: str = ""
    embedding_model: str = "default"


class _Resources:
    """Database and engine clients per settings, created once per process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._databases: dict[str, Database] = {}
        self._engines: dict[tuple, EngineClient] = {}

    def database(self, url: str) -> Database:
        with self._lock:
            if url not in self._databases:
                self._databases[url] = Database(url)
            return self._databases[url]

    def engine(self, s: JobSettings) -> EngineClient:
        key = (s.llm_api_url, s.llm_model, s.llm_api_key, s.embedding_api_url, s.embedding_model)
        with self._lock:
            if key not in self._engines:
                self._engines[key] = EngineClient(
                    # Background calls may wait behind every answer on a busy small machine.
                    s.llm_api_url,
                    model=s.llm_model,
                    api_key=s.llm_api_key,
                    read_timeout=600,
                    embedding_url=s.embedding_api_url or None,
                    embedding_model=s.embedding_model,
                )
            return self._engines[key]


RESOURCES = _Resources()


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
    """The app's job queue: ``jobs.after_turn(...)`` enqueues the post-turn work."""

    def __init__(self, redis_url: str | None, mode: str):
        self.mode = mode
        self.huey = make_huey(redis_url, mode)
        self._after_turn = self.huey.task(retries=1, retry_delay=5, name="after_turn")(
            _after_turn_job
        )
        self._embed_archive = self.huey.task(retries=1, retry_delay=10, name="embed_archive")(
            _embed_archive_job
        )
        self._extract_document = self.huey.task(retries=0, name="extract_document")(
            _extract_document_job
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

    def after_turn(
        self, settings: JobSettings, user_id: str, session_id: str, message_ids: list[str]
    ) -> None:
        try:
            self._after_turn(asdict(settings), user_id, session_id, message_ids)
        except Exception:  # a queue failure must never fail the turn
            logger.exception("Could not enqueue the post-turn job of session %s", session_id)

    def embed_archive(self, settings: JobSettings, user_id: str) -> None:
        try:
            self._embed_archive(asdict(settings), user_id)
        except Exception:
            logger.exception("Could not enqueue the embedding of user %s's archive", user_id)

    def extract_document(self, settings: JobSettings, limits, user_id: str, document_id: str):
        """Queue the extraction of an uploaded document; a failure to queue fails it."""
        try:
            self._extract_document(asdict(settings), asdict(limits), user_id, document_id)
        except Exception as exc:
            logger.exception("Could not enqueue the extraction of document %s", document_id)
            from .documents.job import record_failure

            record_failure(
                RESOURCES.database(settings.database_url),
                document_id,
                f"it could not be queued for extraction ({type(exc).__name__})",
            )

    def queue_depth(self) -> int:
        try:
            return len(self.huey)
        except Exception:
            return 0


def _embed_archive_job(settings: dict, user_id: str) -> None:
    from .memory.episodic import EpisodicArchive

    s = JobSettings(**settings)
    archive = EpisodicArchive(user_id, RESOURCES.database(s.database_url), RESOURCES.engine(s))
    while archive.embed_missing(limit=512):
        pass


def _after_turn_job(settings: dict, user_id: str, session_id: str, message_ids: list[str]):
    from .memory.maintenance import after_turn

    s = JobSettings(**settings)
    after_turn(
        RESOURCES.database(s.database_url), RESOURCES.engine(s), s, user_id, session_id, message_ids
    )


def _extract_document_job(settings: dict, limits: dict, user_id: str, document_id: str) -> None:
    from .documents.job import extract_and_index

    s = JobSettings(**settings)
    database = RESOURCES.database(s.database_url)
    extract_and_index(database, RESOURCES.engine(s), limits["storage_dir"], document_id)
