"""The composition root builds the database, engine clients, jobs and web search once, for
the views and the job consumer alike; memory search calls the engine with no transaction
open; the owned-row repository answers another user's id as "not found"."""

from __future__ import annotations

import pytest

from RAI_Chat.backend.config import Settings
from RAI_Chat.backend.core.database.migrate import upgrade
from RAI_Chat.backend.core.database.models import User
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.core.errors import NotFound
from RAI_Chat.backend.services import composition
from RAI_Chat.backend.services.jobs import _database_url
from RAI_Chat.backend.services.memory.episodic import ArchivedExchange, EpisodicArchive
from RAI_Chat.backend.services.repositories import owned_memory_entry


def test_the_job_consumer_runs_with_the_collaborators_of_the_app_that_queued_the_job(tmp_path):
    url = f"sqlite:///{tmp_path / 'root.db'}"
    settings = Settings(flask_env="testing", database_url=url, searxng_url="http://s:1").completed()
    services = composition.build_services(settings)
    try:
        context = services.jobs.context_for(url)
        assert context is services.job_context
        assert context.database is services.database
        assert context.settings is settings
        assert services.web_search is not None and services.jobs.mode == "immediate"
    finally:
        services.database.dispose()


def test_a_job_of_no_app_in_this_process_gets_a_context_built_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    first = composition.job_context(url)
    try:
        assert first.settings.database_url == url
        assert composition.job_context(url) is first
    finally:
        first.database.dispose()


def test_a_job_queued_by_an_older_version_names_its_database_in_a_dict():
    assert _database_url({"database_url": "sqlite:///a.db", "llm_model": "x"}) == "sqlite:///a.db"
    assert _database_url("sqlite:///b.db") == "sqlite:///b.db"


class TransactionWatch(Database):
    """A database that counts its open units of work."""

    def __init__(self, url: str):
        super().__init__(url)
        self.open = 0

    def unit_of_work(self):
        uow = super().unit_of_work()
        watch = self
        enter, leave = uow.__enter__, uow.__exit__

        class Watched:
            def __enter__(self):
                watch.open += 1
                return enter()

            def __exit__(self, *exc):
                watch.open -= 1
                return leave(*exc)

        return Watched()


class WatchedEngine:
    """An engine whose embeddings note how many transactions were open at each call."""

    def __init__(self, database: TransactionWatch):
        self.database = database
        self.open_during_calls: list[int] = []

    def embed(self, texts, model=None, fresh=False):
        self.open_during_calls.append(self.database.open)
        return [[1.0, float(len(t) % 7), 0.5, 0.25] for t in texts]


@pytest.fixture
def watched(tmp_path):
    database = TransactionWatch(f"sqlite:///{tmp_path / 'watch.db'}")
    upgrade(database.engine)
    with database.unit_of_work() as uow:
        uow.session.add_all(
            [
                User(id=name, username=name, username_key=name, password_hash="x")
                for name in ("alice", "bob")
            ]
        )
        uow.commit()
    yield database
    database.dispose()


def test_memory_search_and_embedding_never_call_the_engine_inside_a_transaction(watched):
    engine = WatchedEngine(watched)
    archive = EpisodicArchive("alice", watched, engine)
    archive.add([ArchivedExchange("s1", ["m1"], "We talked about the blue kayak", "kayak")])
    archive.add([ArchivedExchange("s1", ["m2"], "The red bicycle needs a chain", "bike")], False)
    assert archive.embed_missing() == 1  # the second entry, embedded afterwards
    found = archive.search("blue kayak", k=2)
    assert found and found[0]["text"] == "We talked about the blue kayak"
    assert len(engine.open_during_calls) == 3
    assert engine.open_during_calls == [0, 0, 0]


def test_another_users_row_is_not_found(watched):
    entry_id = EpisodicArchive("alice", watched, None).add(
        [ArchivedExchange("s1", ["m1"], "alice's memory", "memory")]
    )[0]
    with watched.unit_of_work() as uow:
        assert owned_memory_entry(uow.session, "alice", entry_id).text == "alice's memory"
        with pytest.raises(NotFound, match="Memory entry not found"):
            owned_memory_entry(uow.session, "bob", entry_id)
        with pytest.raises(NotFound):
            owned_memory_entry(uow.session, "alice", "no-such-id")
