"""A client following a turn that runs in another API process: with ``REDIS_URL`` set it gets
the turn's events live from the turn's Redis Stream (after replaying what the database
holds); when Redis goes away it gets the rest from the database. Two real API processes
(gunicorn + gevent) on one PostgreSQL, a real engine process on a fake upstream that holds
the answer midway, real Redis servers."""

from __future__ import annotations

import re
import subprocess
import time

import pytest
import redis

from llm_Engine.testing.fake_upstreams import FakeOpenAI

from ..chat_helpers import new_user, sse_events, start_fake_engine, stop_process, tokens
from ..conftest import (
    create_pg_database,
    drop_pg_database,
    free_port,
    start_api_server,
    stop_api_server,
)

PIECES = 50
HOLD_AT = 30  # the upstream waits before this piece until the test releases it
REPLY = " ".join(f"piece{i}" for i in range(PIECES))
LAST_BEFORE_HOLD = f"piece{HOLD_AT - 1}"
WAIT_S = 60  # an upper bound only


def followed(server, source: str) -> float:
    """``rai_followed_events_total{source=...}`` of a one-worker API process."""
    with server.client() as http:
        text = http.get("/metrics").text
    match = re.search(rf'^rai_followed_events_total{{source="{source}"}} (\S+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def start_redis() -> tuple[subprocess.Popen, str]:
    """A Redis server of this test's own (so the test can stop it)."""
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            return process, url
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.05)


@pytest.fixture
def two_processes(postgres_server, tmp_path):
    """Start (fake upstream, Redis) -> (api a, api b, fake, redis process)."""
    name, db_url = create_pg_database(postgres_server)
    fake = FakeOpenAI(reply=REPLY, chunk_delay=0.01).start()
    fake.hold_after = HOLD_AT
    engine, engine_url = start_fake_engine(fake)
    redis_process, redis_url = start_redis()
    env = {
        "DATABASE_URL": db_url,
        "LLM_API_URL": engine_url,
        "REDIS_URL": redis_url,
        "RAI_API_WORKERS": "1",
        "METRICS_ENABLED": "true",
        "DECISION_STEP": "off",
    }
    servers = []
    try:
        servers.append(start_api_server(env, tmp_path / "a"))
        servers.append(start_api_server(env, tmp_path / "b"))
        yield servers[0], servers[1], fake, redis_process
    finally:
        fake.release.set()
        for server in servers:
            stop_api_server(server)
        stop_process(engine)
        fake.stop()
        if redis_process.poll() is None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        drop_pg_database(postgres_server, name)


def start_turn_on(server):
    """Start a turn on ``server``, read its first five tokens, leave it running there."""
    http = server.client()
    user = new_user(http)
    seen = []
    with http.stream(
        "POST", "/api/chat/", json={"message": "hello", "streaming": True}, headers=user.headers
    ) as response:
        for item in sse_events(response):
            seen.append(item)
            if sum(e["type"] == "token" for _, e in seen) >= 5:
                break
    http.close()
    return user, seen


def follow_on(server, user, answer_id: str, after: int, on_token=None):
    """Follow the turn from ``server``; ``on_token(text)`` after each token (the text the
    follower has so far)."""
    events = []
    with (
        server.client() as http,
        http.stream(
            "GET",
            f"/api/chat/stream/{answer_id}",
            headers={**user.headers, "Last-Event-ID": str(after)},
        ) as response,
    ):
        assert response.status_code == 200
        for item in sse_events(response):
            events.append(item)
            if item[1]["type"] == "token" and on_token:
                on_token(tokens(events))
    return events


@pytest.mark.postgres
def test_a_follower_in_another_process_gets_the_turn_live_from_redis(two_processes):
    a, b, fake, _ = two_processes
    user, seen = start_turn_on(a)
    answer_id = seen[0][1]["assistant_message_id"]
    live_before_end = []

    def on_token(text: str) -> None:
        if text.endswith(LAST_BEFORE_HOLD):  # every piece before the hold
            # The upstream is still holding the rest: the turn has not ended.
            live_before_end.append(fake.holding.is_set() and not fake.release.is_set())
            fake.release.set()

    rest = follow_on(b, user, answer_id, seen[-1][0], on_token)
    events = seen + rest
    assert [i for i, _ in events] == list(range(1, len(events) + 1))
    assert tokens(events) == REPLY
    assert events[-1][1]["type"] == "done"
    assert live_before_end == [True]
    from_redis, from_db = followed(b, "redis"), followed(b, "database")
    assert from_redis > 0  # live events read from the turn's Redis Stream
    assert from_redis + from_db == len(rest)  # each event once


@pytest.mark.postgres
def test_with_redis_gone_the_follower_gets_the_rest_from_the_database(two_processes):
    a, b, fake, redis_process = two_processes
    user, seen = start_turn_on(a)
    answer_id = seen[0][1]["assistant_message_id"]

    def on_token(text: str) -> None:
        if text.endswith(LAST_BEFORE_HOLD):  # the follower is reading live; Redis dies
            assert fake.holding.is_set() and not fake.release.is_set()
            redis_process.kill()
            redis_process.wait(timeout=10)
            fake.release.set()

    rest = follow_on(b, user, answer_id, seen[-1][0], on_token)
    events = seen + rest
    assert [i for i, _ in events] == list(range(1, len(events) + 1))
    assert tokens(events) == REPLY
    assert events[-1][1]["type"] == "done"
    # Everything after Redis died (the last 20 tokens and the end) came from the database.
    assert followed(b, "database") >= PIECES - HOLD_AT + 1
    assert followed(b, "redis") + followed(b, "database") == len(rest)
    # And the answer is saved whole.
    with b.client() as http:
        session_id = seen[0][1]["session_id"]
        messages = http.get(f"/api/session/{session_id}", headers=user.headers).json()
    saved = {m["id"]: m for m in messages["messages"]}[answer_id]
    assert saved["content"] == REPLY and saved["status"] == "complete"
