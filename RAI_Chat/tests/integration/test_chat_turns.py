"""Chat turns over real HTTP: fake OpenAI upstream → real engine process → real API
(gunicorn + gevent), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from llm_Engine.testing.fake_upstreams import FakeOpenAI

from ..chat_helpers import (
    new_user,
    sse_events,
    start_fake_engine,
    stop_process,
    stream_turn,
    tokens,
)
from ..conftest import BOTH_DATABASES, fresh_database, start_api_server, stop_api_server

REPLY = "The quick brown fox jumps over the lazy dog near the river bank today."
LONG_REPLY = " ".join(f"word{i}" for i in range(60))


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def stack(request, tmp_path_factory):
    """(fake upstream, engine process, engine url, API server) shared by this module."""
    tmp_path = tmp_path_factory.mktemp("chat")
    with fresh_database(request, tmp_path) as db_url:
        fake = FakeOpenAI(reply=REPLY).start()
        engine, engine_url = start_fake_engine(fake)
        api = start_api_server(
            {"DATABASE_URL": db_url, "LLM_API_URL": engine_url, "RATELIMIT_ENABLED": "false"},
            tmp_path,
        )
        yield fake, engine, engine_url, api
        stop_api_server(api)
        stop_process(engine)
        fake.stop()


@pytest.fixture
def fake(stack):
    fake = stack[0]
    fake.reply, fake.chunk_delay, fake.chunks, fake.fail_mid_stream = REPLY, 0.0, None, False
    fake.failures.clear()
    return fake


@pytest.fixture
def http(stack):
    with stack[3].client() as client:
        yield client


def session_messages(user, session_id):
    response = user.http.get(f"/api/session/{session_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["messages"]))  # oldest first


def wait_for_status(user, session_id, predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = session_messages(user, session_id)
        if predicate(messages):
            return messages
        time.sleep(0.1)
    raise AssertionError(f"timed out; messages: {messages}")


def test_a_non_streaming_turn_answers_and_saves_both_messages(fake, http):
    user = new_user(http)
    response = user.chat("Tell me about foxes")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response"] == REPLY
    assert body["answer_status"] == "complete"
    assert body["usage"]["completion_tokens"] > 0
    messages = session_messages(user, body["session_id"])
    assert [(m["role"], m["content"], m["status"]) for m in messages] == [
        ("user", "Tell me about foxes", "complete"),
        ("assistant", REPLY, "complete"),
    ]
    listed = http.get("/api/session/", headers=user.headers).json()["sessions"]
    assert listed[0]["id"] == body["session_id"]
    # REPLY has more words than a title may have, so the model's title is not used.
    assert listed[0]["title"] == "Tell me about foxes"


def test_a_new_session_gets_a_title_from_the_model_after_its_first_answer(fake, http):
    fake.reply = "Fox facts"
    user = new_user(http)
    body = user.chat("Tell me everything you know about red foxes please").json()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        title = http.get(f"/api/session/{body['session_id']}", headers=user.headers).json()[
            "session"
        ]["title"]
        if title == "Fox facts":
            break
        time.sleep(0.1)
    assert title == "Fox facts"
    title_requests = [r for r in fake.requests if "Write a title" in r["messages"][-1]["content"]]
    assert title_requests and "red foxes" in title_requests[-1]["messages"][-1]["content"]


def test_a_rambling_title_from_the_model_is_not_used(fake, http):
    fake.reply = LONG_REPLY  # far too long to be a title
    user = new_user(http)
    body = user.chat("Short question").json()
    time.sleep(1.0)
    session = http.get(f"/api/session/{body['session_id']}", headers=user.headers).json()
    assert session["session"]["title"] == "Short question"


def test_a_streaming_turn_sends_session_tokens_and_exactly_one_done(fake, http):
    user = new_user(http)
    events = stream_turn(user, "Stream please")
    kinds = [e["type"] for _, e in events]
    assert kinds[0] == "session"
    assert kinds.count("done") == 1 and kinds[-1] == "done"
    assert "error" not in kinds
    ids = [i for i, _ in events]
    assert ids == list(range(1, len(events) + 1))
    assert tokens(events) == REPLY
    done = events[-1][1]
    assert done["response"] == REPLY
    assert done["assistant_message_id"] == events[0][1]["assistant_message_id"]


def test_history_of_the_session_reaches_the_model(fake, http):
    user = new_user(http)
    first = user.chat("My name is Jordan").json()
    user.chat("What is my name?", session_id=first["session_id"])
    sent = next(
        r["messages"]
        for r in reversed(fake.requests)
        # (with a remembered fact that answers it appended as data, when one was captured)
        if r["messages"][-1]["content"].startswith("What is my name?")
    )
    assert sent[0]["role"] == "system"
    assert [m["content"] for m in sent[1:-1]] == ["My name is Jordan", REPLY]


def test_a_client_that_disconnects_can_resume_and_gets_every_token_once(fake, http, stack):
    fake.reply, fake.chunk_delay = LONG_REPLY, 0.03
    user = new_user(http)
    seen = []
    with user.http.stream(
        "POST",
        "/api/chat/",
        json={"message": "long one", "streaming": True},
        headers=user.headers,
    ) as response:
        for event_id, event in sse_events(response):
            seen.append((event_id, event))
            if sum(e["type"] == "token" for _, e in seen) >= 5:
                break  # the browser goes away mid-answer
    answer_id = seen[0][1]["assistant_message_id"]
    last_id = seen[-1][0]
    with (
        stack[3].client() as other,  # a new connection, as after a refresh
        other.stream(
            "GET",
            f"/api/chat/stream/{answer_id}",
            headers={**user.headers, "Last-Event-ID": str(last_id)},
        ) as response,
    ):
        assert response.status_code == 200
        rest = list(sse_events(response))
    assert rest[0][0] == last_id + 1
    all_events = seen + rest
    assert [i for i, _ in all_events] == list(range(1, len(all_events) + 1))
    assert tokens(all_events) == LONG_REPLY
    assert [e["type"] for _, e in all_events].count("done") == 1
    # A later replay from the start gets the whole stream again, from the database.
    with user.http.stream("GET", f"/api/chat/stream/{answer_id}", headers=user.headers) as response:
        assert tokens(list(sse_events(response))) == LONG_REPLY


def test_generation_continues_after_the_client_disconnects(fake, http):
    fake.reply, fake.chunk_delay = LONG_REPLY, 0.01
    user = new_user(http)
    with user.http.stream(
        "POST",
        "/api/chat/",
        json={"message": "go on without me", "streaming": True},
        headers=user.headers,
    ) as response:
        session_id = next(sse_events(response))[1]["session_id"]
    messages = wait_for_status(
        user, session_id, lambda ms: len(ms) == 2 and ms[1]["status"] == "complete"
    )
    assert messages[1]["content"] == LONG_REPLY


def test_stop_saves_what_was_generated_as_interrupted(fake, http):
    fake.reply, fake.chunk_delay = LONG_REPLY, 0.05
    user = new_user(http)
    events = []
    stopped = {}
    with user.http.stream(
        "POST",
        "/api/chat/",
        json={"message": "stop me", "streaming": True},
        headers=user.headers,
    ) as response:
        for event_id, event in sse_events(response):
            events.append((event_id, event))
            if sum(e["type"] == "token" for _, e in events) == 3 and not stopped:
                session_id = events[0][1]["session_id"]
                result = user.http.post(
                    "/api/chat/stop", json={"session_id": session_id}, headers=user.headers
                )
                stopped = result.json()
                assert result.status_code == 200, result.text
    assert stopped["message"]["status"] == "interrupted"
    final = events[-1][1]
    assert final["type"] == "done" and final["status"] == "interrupted"
    partial = tokens(events)
    assert 0 < len(partial) < len(LONG_REPLY)
    messages = session_messages(user, events[0][1]["session_id"])
    assert messages[1]["status"] == "interrupted"
    assert messages[1]["content"] == partial
    again = user.http.post(
        "/api/chat/stop", json={"session_id": events[0][1]["session_id"]}, headers=user.headers
    )
    assert again.status_code == 409


def test_a_second_message_while_a_turn_runs_gets_409(fake, http):
    fake.reply, fake.chunk_delay = LONG_REPLY, 0.02
    user = new_user(http)
    with user.http.stream(
        "POST",
        "/api/chat/",
        json={"message": "first", "streaming": True},
        headers=user.headers,
    ) as response:
        events = sse_events(response)
        session_id = next(events)[1]["session_id"]
        second = user.chat("second", session_id=session_id)
        assert second.status_code == 409
        assert "still being written" in second.json()["error"]
        rest = list(events)
    assert rest[-1][1]["type"] == "done"
    assert user.chat("third", session_id=session_id).status_code == 200


def test_an_upstream_error_mid_stream_keeps_the_partial_answer(fake, http):
    fake.fail_mid_stream = True
    user = new_user(http)
    events = stream_turn(user, "break please")
    assert [e["type"] for _, e in events].count("error") == 1
    assert events[-1][1]["type"] == "error"
    assert events[-1][1]["error"]
    messages = session_messages(user, events[0][1]["session_id"])
    assert messages[0]["content"] == "break please"
    assert messages[1]["status"] == "error"


def test_an_engine_error_before_the_first_token_answers_502_and_keeps_the_message(fake, http):
    fake.fail_next(500, times=3, message="upstream exploded")
    user = new_user(http)
    response = user.chat("hello?")
    assert response.status_code == 502
    body = response.json()
    assert body["status"] == "error" and body["error"]
    messages = session_messages(user, body["session_id"])
    assert messages[0]["content"] == "hello?" and messages[0]["status"] == "complete"
    assert messages[1]["status"] == "error"


def test_the_engine_killed_mid_stream_ends_the_stream_with_an_error(fake, tmp_path):
    fake.reply, fake.chunk_delay = LONG_REPLY, 0.05
    engine, engine_url = start_fake_engine(fake)
    api = start_api_server(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kill.db'}",
            "LLM_API_URL": engine_url,
            "RATELIMIT_ENABLED": "false",
        },
        tmp_path,
    )
    try:
        with api.client() as http:
            user = new_user(http)
            events = []
            with http.stream(
                "POST",
                "/api/chat/",
                json={"message": "die", "streaming": True},
                headers=user.headers,
            ) as response:
                for item in sse_events(response):
                    events.append(item)
                    if sum(e["type"] == "token" for _, e in events) == 3:
                        os.kill(engine.pid, signal.SIGKILL)
            assert events[-1][1]["type"] == "error"
            assert "engine" in events[-1][1]["error"]
            messages = session_messages(user, events[0][1]["session_id"])
            assert messages[0]["content"] == "die"
            assert messages[1]["status"] == "error"
            assert messages[1]["content"].startswith(tokens(events)[:10])
            # The API keeps serving: the engine is down, the answer is a clear 502.
            down = user.chat("anyone there?")
            assert down.status_code == 502
            assert "unreachable" in down.json()["error"]
            assert http.get("/api/health").json()["engine"] == "unreachable"
    finally:
        stop_api_server(api)
        stop_process(engine)


def test_two_users_stream_at_once_without_mixing(fake, http):
    fake.reply, fake.chunk_delay = LONG_REPLY, 0.01
    users = [new_user(http) for _ in range(2)]
    results = {}

    def run(user):
        results[user.username] = stream_turn(user, f"hi from {user.username}")

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for user in users:
        events = results[user.username]
        assert tokens(events) == LONG_REPLY
        messages = session_messages(user, events[0][1]["session_id"])
        assert messages[0]["content"] == f"hi from {user.username}"


def test_a_slow_engine_times_out_with_504_and_the_message_is_kept(fake, stack, tmp_path):
    fake.chunk_delay = 3.0  # longer than the API waits for the next token
    api = start_api_server(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'slow.db'}",
            "LLM_API_URL": stack[2],
            "LLM_READ_TIMEOUT": "1",
            "RATELIMIT_ENABLED": "false",
        },
        tmp_path,
    )
    try:
        with api.client() as http:
            user = new_user(http)
            response = user.chat("are you there?")
            assert response.status_code == 504
            assert "in time" in response.json()["error"]
            messages = session_messages(user, response.json()["session_id"])
            assert messages[0]["content"] == "are you there?"
            assert messages[1]["status"] == "error"
    finally:
        stop_api_server(api)


def test_a_stopped_chat_gets_a_title_and_reads_as_stopped(fake, http):
    fake.reply, fake.chunk_delay = "Lighthouse storm\n" + LONG_REPLY, 0.05
    user = new_user(http)
    events = []
    with user.http.stream(
        "POST",
        "/api/chat/",
        json={"message": "Tell me a lighthouse storm story please", "streaming": True},
        headers=user.headers,
    ) as response:
        for event_id, event in sse_events(response):
            events.append((event_id, event))
            if sum(e["type"] == "token" for _, e in events) == 3:
                session_id = events[0][1]["session_id"]
                stop = user.http.post(
                    "/api/chat/stop", json={"session_id": session_id}, headers=user.headers
                )
                assert stop.status_code == 200, stop.text
    session_id = events[0][1]["session_id"]
    assert events[-1][1]["status"] == "interrupted"
    answer = session_messages(user, session_id)[1]
    assert answer["status"] == "interrupted" and answer["stopped"] is True
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        got = http.get(f"/api/session/{session_id}", headers=user.headers).json()
        if got["session"]["title"] == "Lighthouse storm":
            break
        time.sleep(0.1)
    assert got["session"]["title"] == "Lighthouse storm"
