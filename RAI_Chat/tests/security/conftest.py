"""One production-like stack for the security suite: fake OpenAI upstream → real engine →
the RAI API (gunicorn + gevent, 2 workers, ``FLASK_ENV=production``) on PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from llm_Engine.testing.fake_upstreams import FakeOpenAI

from ..chat_helpers import User, new_user, start_fake_engine, stop_process
from ..conftest import (
    LiveServer,
    create_pg_database,
    drop_pg_database,
    start_api_server,
    stop_api_server,
)

REPLY = "Noted, here is my answer."
# Secrets the API is given or handed out; none may ever be written to a log.
ENGINE_KEY = "engine-key-" + uuid.uuid4().hex
DB_PASSWORD = "db-pass-" + uuid.uuid4().hex  # PostgreSQL trusts loopback: any password works


@dataclass
class Stack:
    api: LiveServer
    fake: FakeOpenAI
    db_url: str
    tmp_path: Path

    def client(self) -> httpx.Client:
        return self.api.client()

    def logs(self) -> str:
        """Everything the API wrote: its log files and its stderr."""
        texts = [p.read_text(errors="replace") for p in self.api.log_dir.glob("*")]
        texts += [p.read_text(errors="replace") for p in self.tmp_path.glob("api-*.stderr")]
        return "\n".join(texts)


@pytest.fixture(scope="package")
def stack(tmp_path_factory, postgres_server):
    tmp_path = tmp_path_factory.mktemp("security")
    name, db_url = create_pg_database(postgres_server)
    db_url = db_url.replace("postgres@", f"postgres:{DB_PASSWORD}@")
    fake = FakeOpenAI(reply=REPLY).start()
    engine, engine_url = start_fake_engine(fake)
    api = start_api_server(
        {
            "DATABASE_URL": db_url,
            "LLM_API_URL": engine_url,
            "LLM_API_KEY": ENGINE_KEY,
            "RATELIMIT_API_KEY": "10000 per minute",
        },
        tmp_path,
    )
    try:
        yield Stack(api, fake, db_url, tmp_path)
    finally:
        stop_api_server(api)
        stop_process(engine)
        fake.stop()
        drop_pg_database(postgres_server, name)


@pytest.fixture
def http(stack):
    with stack.client() as client:
        yield client


@pytest.fixture
def user(http) -> User:
    return new_user(http)
