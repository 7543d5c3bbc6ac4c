"""The OpenAI-compatible endpoint and personal API keys over real HTTP: the official
``openai`` SDK (and curl) → the real API (gunicorn) → the real engine → a scripted fake
OpenAI upstream; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from datetime import timedelta

import openai
import pytest

from RAI_Chat.backend.core.auth.admin import UserAdmin
from RAI_Chat.backend.core.database.models import ApiKey, utcnow
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.services.prompts import SYSTEM_PROMPT

from ..chat_helpers import new_user, start_fake_engine, stop_process
from ..conftest import BOTH_DATABASES, fresh_database, start_api_server, stop_api_server
from ..fakes.scripted_openai import ScriptedOpenAI

SESSION_HEADER = "X-RAI-Session-Id"


@pytest.fixture(scope="module")
def model():
    fake = ScriptedOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def engine_url(model):
    process, url = start_fake_engine(model)
    yield url
    stop_process(process)


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def stack(request, engine_url, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("openai")
    with fresh_database(request, tmp_path) as db_url:
        api = start_api_server(
            {
                "DATABASE_URL": db_url,
                "LLM_API_URL": engine_url,
                "REFINE_TITLES": "false",
                "JOBS_MODE": "external",  # no background model calls to disturb the script
                # One worker: per-key rate limit counters are per process without Redis.
                "RAI_API_WORKERS": "1",
                "RATELIMIT_API_KEY": "10000 per minute",
            },
            tmp_path,
        )
        with api.client() as http:
            admin = new_user(http)  # the first account is the administrator
            yield api, http, admin, db_url
        stop_api_server(api)


@pytest.fixture
def http(stack):
    return stack[1]


@pytest.fixture
def admin(stack):
    return stack[2]


@pytest.fixture
def user(http):
    return new_user(http)


def make_key(user, **body) -> dict:
    response = user.http.post("/api/keys/", json={"name": "script", **body}, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


def sdk(stack, secret: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=stack[0].url + "/v1", api_key=secret, max_retries=0)


@pytest.fixture
def client(stack, user):
    return sdk(stack, make_key(user)["secret"])


def facts(user) -> list[str]:
    body = user.http.get("/api/memory/facts", headers=user.headers).json()
    return sorted(f["fact"] for f in body["facts"])


def session_messages(user, session_id: str) -> list[tuple[str, str]]:
    page = user.http.get(f"/api/session/{session_id}", headers=user.headers)
    assert page.status_code == 200, page.text
    return [(m["role"], m["content"]) for m in reversed(page.json()["messages"])]


def test_a_completion_is_a_saved_turn_with_rai_memory_and_the_clients_instructions(
    model, client, user
):
    model.play("Nice to meet you, Jordan! [REMEMBER: name is Jordan]")
    raw = client.chat.completions.with_raw_response.create(
        model="rai",
        messages=[
            {"role": "system", "content": "Answer like a pirate."},
            {"role": "user", "content": "Hi, my name is Jordan."},
        ],
    )
    completion = raw.parse()
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content.strip() == "Nice to meet you, Jordan!"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    session_id = raw.headers[SESSION_HEADER]
    assert completion.model_extra["rai"]["session_id"] == session_id
    # RAI's system prompt, with the client's instructions inside it, not instead of it.
    system = model.chat_requests[0]["messages"][0]
    assert system["role"] == "system"
    assert system["content"].startswith(SYSTEM_PROMPT)
    assert "Answer like a pirate." in system["content"]
    # The turn shows in the page and is remembered.
    assert session_messages(user, session_id) == [
        ("user", "Hi, my name is Jordan."),
        ("assistant", completion.choices[0].message.content),
    ]
    assert facts(user) == ["name is Jordan"]


def test_a_conversation_continued_across_calls_stays_one_session_and_is_remembered(
    model, client, user
):
    model.play("Nice to meet you, Jordan! [REMEMBER: name is Jordan]")
    history = [{"role": "user", "content": "Hi, my name is Jordan."}]
    first = client.chat.completions.with_raw_response.create(model="rai", messages=history)
    answer = first.parse().choices[0].message.content
    history += [
        {"role": "assistant", "content": answer},
        {"role": "user", "content": "I live in Lisbon."},
    ]
    model.play("Lisbon is lovely. [REMEMBER: lives in Lisbon]")
    second = client.chat.completions.with_raw_response.create(model="rai", messages=history)
    session_id = first.headers[SESSION_HEADER]
    assert second.headers[SESSION_HEADER] == session_id
    # The model saw RAI's memory of the first call (the fact, the window), once each.
    prompt = model.chat_requests[-1]["messages"]
    assert "name is Jordan" in prompt[0]["content"]
    assert [m["content"] for m in prompt[1:]].count("Hi, my name is Jordan.") == 1
    assert facts(user) == ["lives in Lisbon", "name is Jordan"]
    assert len(session_messages(user, session_id)) == 4

    # A third call continuing the conversation, streamed, still lands in the same session.
    history += [
        {"role": "assistant", "content": second.parse().choices[0].message.content},
        {"role": "user", "content": "Thanks!"},
    ]
    model.play("You are welcome.")
    with client.chat.completions.with_streaming_response.create(
        model="rai", messages=history, stream=True
    ) as response:
        assert response.headers[SESSION_HEADER] == session_id
        text = "".join(c.choices[0].delta.content or "" for c in response.parse() if c.choices)
    assert text == "You are welcome."
    assert session_messages(user, session_id)[-2:] == [
        ("user", "Thanks!"),
        ("assistant", "You are welcome."),
    ]

    # A new conversation from the client (a new session) is told what RAI remembers.
    model.play("You are Jordan from Lisbon.")
    fresh = client.chat.completions.with_raw_response.create(
        model="rai", messages=[{"role": "user", "content": "What do you know about me?"}]
    )
    assert fresh.headers[SESSION_HEADER] != session_id
    system = model.chat_requests[-1]["messages"][0]["content"]
    assert "name is Jordan" in system and "lives in Lisbon" in system


def test_a_streamed_completion_comes_as_openai_chunks_with_usage(model, client, user):
    model.play("Streaming works fine.")
    stream = client.chat.completions.create(
        model="rai",
        messages=[{"role": "user", "content": "Say something."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Streaming works fine."
    finish = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finish[-1] == "stop" and set(finish[:-1]) == {None}
    assert chunks[-1].choices == []
    assert chunks[-1].usage.prompt_tokens > 0 and chunks[-1].usage.completion_tokens > 0


def test_a_page_session_is_continued_by_its_id_in_a_header_or_in_metadata(model, client, user):
    model.play("Hello from the page.")
    page = user.chat("I am writing from the page.")
    session_id = page.json()["session_id"]
    model.play("Still here.")
    raw = client.chat.completions.with_raw_response.create(
        model="rai",
        messages=[{"role": "user", "content": "And now from a script."}],
        extra_headers={SESSION_HEADER: session_id},
    )
    assert raw.headers[SESSION_HEADER] == session_id
    window = [m["content"] for m in model.chat_requests[-1]["messages"]]
    assert "I am writing from the page." in window
    model.play("Again.")
    again = client.chat.completions.with_raw_response.create(
        model="rai",
        messages=[{"role": "user", "content": "Via metadata."}],
        metadata={"session_id": session_id},
    )
    assert again.headers[SESSION_HEADER] == session_id
    assert len(session_messages(user, session_id)) == 6


def test_a_client_history_rai_has_not_seen_starts_a_session_holding_it(model, client, user):
    model.play("Fine.")
    word = "quokka" + uuid.uuid4().hex[:6]
    history = [
        {"role": "user", "content": f"Earlier question about {word}"},
        {"role": "assistant", "content": "Earlier answer."},
        {"role": "user", "content": "New question."},
    ]
    raw = client.chat.completions.with_raw_response.create(model="rai", messages=history)
    session_id = raw.headers[SESSION_HEADER]
    assert [c for _, c in session_messages(user, session_id)] == [
        history[0]["content"],
        "Earlier answer.",
        "New question.",
        "Fine.",
    ]
    # The model saw the earlier exchange, and it is in the episodic archive at once.
    assert history[0]["content"] in [m["content"] for m in model.chat_requests[-1]["messages"]]
    found = user.http.get("/api/memory/search", params={"q": word}, headers=user.headers)
    assert [r["session_id"] for r in found.json()["results"]] == [session_id]


def test_a_long_client_history_keeps_only_its_newest_messages_in_the_window(model, client, user):
    history = []
    for i in range(10):
        history += [
            {"role": "user", "content": f"Old question {i}"},
            {"role": "assistant", "content": f"Old answer {i}"},
        ]
    history.append({"role": "user", "content": "And now?"})
    model.play("Now this.")
    client.chat.completions.create(model="rai", messages=history)
    shown = [m["content"] for m in model.chat_requests[-1]["messages"]]
    assert "Old answer 9" in shown and "Old question 0" not in shown
    # The next call continues that session.
    history += [{"role": "assistant", "content": "Now this."}, {"role": "user", "content": "Ok"}]
    raw = client.chat.completions.with_raw_response.create(model="rai", messages=history)
    assert len(session_messages(user, raw.headers[SESSION_HEADER])) == 24


def test_another_users_session_id_is_not_found(model, stack, client, http):
    other = new_user(http)
    model.play("Private.")
    theirs = other.chat("My secret session.").json()["session_id"]
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(
            model="rai",
            messages=[{"role": "user", "content": "Let me in."}],
            extra_headers={SESSION_HEADER: theirs},
        )
    assert caught.value.body["type"] == "invalid_request_error"
    assert "not found" in caught.value.body["message"].lower()
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(
            model="rai",
            messages=[{"role": "user", "content": "Let me in."}],
            metadata={"session_id": theirs},
        )
    assert len(session_messages(other, theirs)) == 2


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "assistant", "content": "Hi"}]}, None),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "user", "content": "Hi"}], "n": 2}, None),
        ({"messages": [{"role": "wizard", "content": "Hi"}]}, "messages.0.role"),
        ({"messages": [{"role": "user", "content": "x" * 32_001}]}, None),
        (
            {
                "messages": [
                    {"role": "system", "content": "y" * 32_001},
                    {"role": "user", "content": "Hi"},
                ]
            },
            None,
        ),
    ],
    ids=["last-not-user", "no-messages", "n-2", "unknown-role", "long-message", "long-system"],
)
def test_bad_requests_are_400_in_openais_envelope(client, body, param):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="rai", **body)
    error = caught.value.body
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param


def test_an_unknown_model_is_a_400_not_a_500(model, client):
    model.play("never")
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "Hi"}]
        )


def test_models_lists_rai_and_the_engines_models(client):
    ids = [m.id for m in client.models.list()]
    assert ids[0] == "rai" and len(ids) > 1


def test_a_revoked_key_is_401_at_once(stack, user):
    key = make_key(user)
    client = sdk(stack, key["secret"])
    assert client.models.list().data
    revoked = user.http.delete(f"/api/keys/{key['key']['id']}", headers=user.headers)
    assert revoked.status_code == 200 and revoked.json()["key"]["active"] is False
    with pytest.raises(openai.AuthenticationError) as caught:
        client.models.list()
    assert caught.value.body["code"] == "invalid_api_key"
    listed = user.http.get("/api/keys/", headers=user.headers).json()["keys"]
    assert [k["revoked_at"] is not None for k in listed if k["id"] == key["key"]["id"]] == [True]
    assert all("secret" not in k and "key_hash" not in k for k in listed)


@pytest.mark.parametrize(
    "secret",
    ["rai-" + "x" * 43, "not-a-key"],
    ids=["unknown-key", "garbage"],
)
def test_a_wrong_key_is_401(stack, secret):
    with pytest.raises(openai.AuthenticationError):
        sdk(stack, secret).models.list()


def test_no_key_is_401_in_openais_envelope(http):
    response = http.post("/v1/chat/completions", json={"model": "rai", "messages": []})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_a_disabled_users_keys_stop_at_once(stack, user):
    client = sdk(stack, make_key(user)["secret"])
    assert client.models.list().data
    database = Database(stack[3])
    try:
        UserAdmin(database.unit_of_work()).set_active(user.username, False)
    finally:
        database.dispose()
    with pytest.raises(openai.AuthenticationError):
        client.models.list()


def test_an_expired_key_is_refused(stack, user):
    key = make_key(user, expires_in_days=1)
    client = sdk(stack, key["secret"])
    assert client.models.list().data
    database = Database(stack[3])
    try:
        with database.unit_of_work() as uow:
            uow.session.get(ApiKey, key["key"]["id"]).expires_at = utcnow() - timedelta(seconds=1)
            uow.commit()
    finally:
        database.dispose()
    with pytest.raises(openai.AuthenticationError) as caught:
        client.models.list()
    assert "expired" in caught.value.body["message"]
    bad = user.http.post(
        "/api/keys/",
        json={"name": "old", "expires_at": "2001-01-01T00:00:00Z"},
        headers=user.headers,
    )
    assert bad.status_code == 400 and "future" in bad.json()["error"]


def test_a_key_works_on_v1_only_and_cannot_make_keys(stack, user):
    secret = make_key(user)["secret"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert user.http.get("/api/keys/", headers=headers).status_code == 401
    made = user.http.post("/api/keys/", json={"name": "x"}, headers=headers)
    assert made.status_code == 401
    assert user.http.get("/v1/models", headers=user.headers).status_code == 200  # a token works


def test_keys_are_private_and_only_an_admin_revokes_anothers(stack, http, admin, user):
    key = make_key(user)
    other = new_user(http)
    assert (
        other.http.delete(f"/api/keys/{key['key']['id']}", headers=other.headers).status_code == 404
    )
    assert key["key"]["id"] not in [
        k["id"] for k in other.http.get("/api/keys/", headers=other.headers).json()["keys"]
    ]
    assert other.http.get("/api/admin/keys", headers=other.headers).status_code == 403
    everyone = admin.http.get("/api/admin/keys", headers=admin.headers).json()["keys"]
    mine = [k for k in everyone if k["id"] == key["key"]["id"]]
    assert mine[0]["username"] == user.username
    client = sdk(stack, key["secret"])
    assert client.models.list().data
    revoked = admin.http.delete(f"/api/keys/{key['key']['id']}", headers=admin.headers)
    assert revoked.status_code == 200
    with pytest.raises(openai.AuthenticationError):
        client.models.list()


def test_usage_is_recorded_per_user_and_per_key(model, stack, http, admin, user):
    keys = [make_key(user, name=f"key {i}") for i in range(2)]
    reported = []
    for i, key in enumerate(keys):
        model.play(f"Answer number {i} has five words." if i else "Short.")
        completion = sdk(stack, key["secret"]).chat.completions.create(
            model="rai", messages=[{"role": "user", "content": f"Question {i}"}]
        )
        reported.append(completion.usage)
    model.play("From the page.")
    assert user.chat("And one from the page.").status_code == 200

    mine = http.get("/api/keys/usage", headers=user.headers).json()
    by_key = {u["key_id"]: u for u in mine["by_key"]}
    for key, usage in zip(keys, reported, strict=True):
        counted = by_key[key["key"]["id"]]
        assert counted["requests"] == 1
        assert counted["prompt_tokens"] == usage.prompt_tokens
        assert counted["completion_tokens"] == usage.completion_tokens
        assert counted["key_name"] == key["key"]["name"]
    assert by_key[None]["requests"] == 1  # the page
    assert mine["usage"]["requests"] == 3
    assert mine["usage"]["total_tokens"] == sum(u["total_tokens"] for u in mine["by_key"])

    assert http.get("/api/admin/usage", headers=user.headers).status_code == 403
    users = http.get("/api/admin/usage", headers=admin.headers).json()["users"]
    entry = next(u for u in users if u["username"] == user.username)
    assert entry["requests"] == 3 and entry["total_tokens"] == mine["usage"]["total_tokens"]


def test_a_keys_own_rate_limit_answers_429_with_retry_after(stack, user):
    client = sdk(stack, make_key(user, rate_limit="2 per hour")["secret"])
    client.models.list()
    client.models.list()
    with pytest.raises(openai.RateLimitError) as caught:
        client.models.list()
    assert int(caught.value.response.headers["Retry-After"]) > 0
    assert caught.value.body["type"] == "rate_limit_error"
    # Another key of the same user has its own counter.
    assert sdk(stack, make_key(user)["secret"]).models.list().data


def test_a_bad_rate_limit_is_refused(user):
    bad = user.http.post(
        "/api/keys/", json={"name": "x", "rate_limit": "lots please"}, headers=user.headers
    )
    assert bad.status_code == 400 and "rate_limit" in bad.json()["error"]


def curl(*args: str) -> tuple[int, dict[str, str], str]:
    assert shutil.which("curl"), "these tests need curl (apt-get install curl)"
    result = subprocess.run(
        ["curl", "-sS", "-i", "--max-time", "60", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    head, _, body = result.stdout.replace("\r\n", "\n").partition("\n\n")
    lines = head.splitlines()
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_the_same_through_curl(model, stack, user):
    secret = make_key(user)["secret"]
    url = stack[0].url + "/v1/chat/completions"
    auth = f"Authorization: Bearer {secret}"
    model.play("Hello from curl.")
    body = {"model": "rai", "messages": [{"role": "user", "content": "Hi from curl"}]}
    status, headers, text = curl(
        url, "-H", auth, "-H", "Content-Type: application/json", "-d", json.dumps(body)
    )
    assert status == 200, text
    completion = json.loads(text)
    assert completion["choices"][0]["message"]["content"] == "Hello from curl."
    session_id = headers[SESSION_HEADER.lower()]

    model.play("Streamed through curl.")
    body["stream"] = True
    body["messages"] += [
        {"role": "assistant", "content": "Hello from curl."},
        {"role": "user", "content": "Stream it"},
    ]
    status, headers, text = curl(
        "-N", url, "-H", auth, "-H", "Content-Type: application/json", "-d", json.dumps(body)
    )
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert headers[SESSION_HEADER.lower()] == session_id
    data = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == (
        "Streamed through curl."
    )

    status, _, text = curl(
        url,
        "-H",
        "Authorization: Bearer rai-nope",
        "-H",
        "Content-Type: application/json",
        "-d",
        json.dumps(body),
    )
    assert status == 401
    assert json.loads(text)["error"]["code"] == "invalid_api_key"
    status, headers, text = curl(stack[0].url + "/v1/models", "-H", auth)
    assert status == 200 and json.loads(text)["object"] == "list"


def test_the_openapi_document_lists_the_new_routes(http):
    paths = http.get("/api/openapi.json").json()["paths"]
    for path in ["/v1/chat/completions", "/v1/models", "/api/keys/", "/api/keys/usage"]:
        assert path in paths
    streamed = paths["/v1/chat/completions"]["post"]["responses"]["200"]["content"]
    assert {"application/json", "text/event-stream"} <= set(streamed)


def test_the_servers_per_key_limit_is_shared_by_every_worker_through_redis(
    request, engine_url, tmp_path
):
    """Two gunicorn workers, counters in Redis: RATELIMIT_API_KEY allows exactly 3 (in a
    window far longer than the test)."""
    api = start_api_server(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'keys.db'}",
            "LLM_API_URL": engine_url,
            "REDIS_URL": request.getfixturevalue("redis_server"),
            "RATELIMIT_API_KEY": "3 per hour",
        },
        tmp_path,
    )
    try:
        with api.client() as http:
            owner = new_user(http)
            first, second = (make_key(owner)["secret"] for _ in range(2))
            client = openai.OpenAI(base_url=api.url + "/v1", api_key=first, max_retries=0)
            for _ in range(3):
                assert client.models.list().data
            with pytest.raises(openai.RateLimitError) as caught:
                client.models.list()
            assert int(caught.value.response.headers["Retry-After"]) > 0
            other = openai.OpenAI(base_url=api.url + "/v1", api_key=second, max_retries=0)
            assert other.models.list().data  # each key counts alone
    finally:
        stop_api_server(api)


def test_a_browser_client_from_an_allowed_origin_may_call_v1_and_read_the_session(stack, user):
    origin = "http://allowed.example"  # CORS_ORIGINS of start_api_server
    preflight = user.http.options(
        "/v1/chat/completions",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    listed = user.http.get("/v1/models", headers={**user.headers, "Origin": origin})
    assert listed.headers["Access-Control-Allow-Origin"] == origin
    assert "x-rai-session-id" in listed.headers["Access-Control-Expose-Headers"].lower()
    other = user.http.get("/v1/models", headers={**user.headers, "Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_an_engine_failure_is_an_openai_error_and_the_message_is_kept(model, client, user):
    model.fail_next(500, message="upstream exploded")
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(
            model="rai", messages=[{"role": "user", "content": "Will this fail?"}]
        )
    assert caught.value.status_code == 502
    assert caught.value.body["type"] == "server_error"
    session_id = caught.value.response.headers[SESSION_HEADER]
    assert session_messages(user, session_id)[0] == ("user", "Will this fail?")

    model.fail_next(500, message="upstream exploded")
    stream = client.chat.completions.create(
        model="rai", messages=[{"role": "user", "content": "And streamed?"}], stream=True
    )
    with pytest.raises(openai.APIError) as streamed:
        list(stream)
    assert streamed.value.body["type"] == "server_error"


def test_keys_are_listed_newest_first_a_page_at_a_time(http, admin, user):
    made = [make_key(user, name=f"page key {i}")["key"]["id"] for i in range(3)]
    first = http.get("/api/keys/", params={"limit": 2}, headers=user.headers).json()
    assert [k["id"] for k in first["keys"]] == made[::-1][:2]
    second = http.get(
        "/api/keys/", params={"limit": 2, "cursor": first["next_cursor"]}, headers=user.headers
    ).json()
    assert [k["id"] for k in second["keys"]] == made[:1] and second["next_cursor"] is None
    bad = http.get("/api/keys/", params={"cursor": "nonsense"}, headers=user.headers)
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]
    everyone = http.get("/api/admin/keys", params={"limit": 1}, headers=admin.headers).json()
    assert everyone["keys"][0]["id"] == made[-1] and everyone["next_cursor"]
