"""The composition root: the one place that builds what the API and its job consumer work
with -- the database, the engine clients, the job queue and web search -- from the one
``Settings`` object. ``create_app`` builds an ``AppServices`` for the views; the job
consumer (in-process, or a process of its own) runs each job with the ``JobContext`` of the
app that queued it, or with one built here from the settings when this process has none."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from ..config import Settings
from ..core.database.migrate import upgrade
from ..core.database.session import Database
from ..modules.web_search import WebSearchProvider, get_web_search
from .jobs import JobContext, Jobs
from .llm_client import EngineClient

# Background calls (tiers, embeddings, titles) may wait behind every answer on a busy
# small machine: the job consumer's engine client waits longer than the views'.
JOB_READ_TIMEOUT_S = 600.0


@dataclass
class AppServices:
    """What the views work with (``app.extensions["rai_services"]``)."""

    settings: Settings
    database: Database
    engine: EngineClient
    jobs: Jobs
    web_search: WebSearchProvider | None
    job_context: JobContext


def engine_client(settings: Settings, read_timeout: float) -> EngineClient:
    return EngineClient(
        settings.llm_api_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        read_timeout=read_timeout,
        embedding_url=settings.embedding_url,
        embedding_model=settings.embedding_model,
    )


# The job contexts of the apps of this process, by database URL (an app's jobs run on its
# own database and clients); contexts built for jobs of no app here, kept for the process.
_APP_CONTEXTS: weakref.WeakValueDictionary[str, JobContext] = weakref.WeakValueDictionary()
_BUILT_CONTEXTS: dict[str, JobContext] = {}
_LOCK = threading.Lock()


def job_context(database_url: str) -> JobContext:
    """What a job queued for ``database_url`` runs with in this process."""
    with _LOCK:
        context = _APP_CONTEXTS.get(database_url) or _BUILT_CONTEXTS.get(database_url)
        if context is None:
            settings = Settings(database_url=database_url)
            context = JobContext(
                settings,
                Database(database_url),
                engine_client(settings, JOB_READ_TIMEOUT_S),
            )
            _BUILT_CONTEXTS[database_url] = context
        return context


def build_services(settings: Settings) -> AppServices:
    """The database (migrated when ``auto_migrate``), the engine client, the job queue (its
    consumer not started yet) and web search, for an app with these settings."""
    database = Database(settings.database_url)
    if settings.auto_migrate:
        upgrade(database.engine)
    context = JobContext(settings, database, engine_client(settings, JOB_READ_TIMEOUT_S))
    with _LOCK:
        _APP_CONTEXTS[settings.database_url] = context
    return AppServices(
        settings=settings,
        database=database,
        engine=engine_client(settings, settings.llm_read_timeout),
        jobs=Jobs(settings.redis_url, settings.jobs_mode, settings.database_url, job_context),
        web_search=get_web_search(settings),
        job_context=context,
    )
