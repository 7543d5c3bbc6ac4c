"""A conversation is a tree, over real HTTP (fake OpenAI upstream → real engine → real API,
gunicorn + gevent) on SQLite and PostgreSQL: regenerate, edit, continue, switch and fork;
the tree's shape after each; the next turn's prompt holds the active branch only; 409 while
a turn runs, 404 for another user's ids, 400 for the wrong kind of message."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import text

from llm_Engine.testing.fake_upstreams import FakeOpenAI
from RAI_Chat.backend.core.database.session import make_engine
from RAI_Chat.backend.services.branch_turns import CONTINUE_PROMPT

from ..chat_helpers import new_user, sse_events, start_fake_engine, stop_process, tokens
from ..conftest import BOTH_DATABASES, fresh_database, start_api_server, stop_api_server

REPLY = "Foxes are small omnivores that live in many habitats."
LONG_REPLY = " ".join(f"word{i}" for i in range(80))


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def stack(request, tmp_path_factory):
    """(fake upstream, API server, the database's engine) shared by this module."""
    tmp_path = tmp_path_factory.mktemp("tree")
    with fresh_database(request, tmp_path) as db_url:
        fake = FakeOpenAI(reply=REPLY).start()
        engine, engine_url = start_fake_engine(fake)
        api = start_api_server(
            {"DATABASE_URL": db_url, "LLM_API_URL": engine_url, "RATELIMIT_ENABLED": "false"},
            tmp_path,
        )
        database = make_engine(db_url)
        yield fake, api, database
        database.dispose()
        stop_api_server(api)
        stop_process(engine)
        fake.stop()


@pytest.fixture
def fake(stack):
    fake = stack[0]
    fake.reply, fake.chunk_delay, fake.chunks, fake.fail_mid_stream = REPLY, 0.0, None, False
    fake.max_pieces = None
    fake.failures.clear()
    return fake


@pytest.fixture
def http(stack):
    with stack[1].client() as client:
        yield client


@pytest.fixture
def db(stack):
    return stack[2]


def post(user, path: str, **body):
    return user.http.post(f"/api/chat/{path}", json=body, headers=user.headers)


def stream(user, path: str, **body) -> list:
    with user.http.stream(
        "POST", f"/api/chat/{path}", json={**body, "streaming": True}, headers=user.headers
    ) as response:
        assert response.status_code == 200, response.read()
        return list(sse_events(response))


def session(user, session_id: str) -> dict:
    response = user.http.get(f"/api/session/{session_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


def branch(user, session_id: str) -> list[dict]:
    """The active branch, oldest first."""
    return list(reversed(session(user, session_id)["messages"]))


def switch(user, session_id: str, message_id: str):
    return user.http.put(
        f"/api/session/{session_id}/active", json={"message_id": message_id}, headers=user.headers
    )


def answer_prompt(fake, asked: str) -> str:
    """The last prompt of an answer to ``asked`` the model received, as text."""
    prompts = [
        r
        for r in fake.requests
        if r.get("messages")
        and any(m["role"] == "user" and asked in (m["content"] or "") for m in r["messages"])
        and "Write a title" not in (r["messages"][-1]["content"] or "")
    ]
    assert prompts, f"no prompt with {asked!r}"
    return json.dumps(prompts[-1]["messages"])


def wait_until(predicate, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def archived_marks(db, message_id: str) -> list[bool]:
    """The abandoned-branch marks of the episodic entries holding ``message_id``."""
    with db.connect() as connection:
        rows = connection.execute(
            text("SELECT message_ids, abandoned_branch FROM episodic_entries")
        ).all()
    out = []
    for ids, abandoned in rows:
        ids = json.loads(ids) if isinstance(ids, str) else ids
        if message_id in ids:
            out.append(bool(abandoned))
    return out


def test_regenerate_keeps_both_answers_and_the_next_turn_follows_the_branch_shown(fake, http, db):
    user = new_user(http)
    first = user.chat("Tell me about foxes").json()
    sid, question, old = (
        first["session_id"],
        first["user_message_id"],
        first["assistant_message_id"],
    )

    fake.reply = "A second answer about vixens."
    again = post(user, "regenerate", message_id=old, streaming=False)
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["response"] == "A second answer about vixens."
    assert body["answer_status"] == "complete"
    assert (body["session_id"], body["user_message_id"]) == (sid, question)
    new = body["assistant_message_id"]
    assert new != old

    page = session(user, sid)
    assert page["session"]["active_leaf_id"] == new
    assert page["session"]["message_count"] == 2
    messages = branch(user, sid)
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "Tell me about foxes"),
        ("assistant", "A second answer about vixens."),
    ]
    assert messages[0]["parent_id"] is None
    assert (messages[0]["sibling_ids"], messages[0]["sibling_count"]) == ([question], 1)
    assert messages[1]["parent_id"] == question
    assert messages[1]["sibling_ids"] == [old, new]
    assert (messages[1]["sibling_index"], messages[1]["sibling_count"]) == (2, 2)
    assert messages[1]["can_continue"] is False

    # Back to the first answer: it is shown, and the next turn follows it.
    switched = switch(user, sid, old)
    assert switched.status_code == 200, switched.text
    assert switched.json()["session"]["active_leaf_id"] == old
    messages = branch(user, sid)
    assert [m["content"] for m in messages] == ["Tell me about foxes", REPLY]
    assert (messages[1]["sibling_index"], messages[1]["sibling_count"]) == (1, 2)
    # The second answer's exchange is archived (for recall) and marked as abandoned.
    # Both exchanges are archived by background jobs, in either order: wait for both.
    wait_until(
        lambda: archived_marks(db, new) == [True] and archived_marks(db, old) == [False],
        "the exchanges' marks",
    )

    fake.reply = REPLY
    third = user.chat("And what about vixens and wolves?", session_id=sid)
    assert third.status_code == 200, third.text
    prompt = answer_prompt(fake, "And what about vixens and wolves?")
    assert REPLY in prompt
    assert "A second answer about vixens." not in prompt  # neither in the window nor recalled
    messages = branch(user, sid)
    assert len(messages) == 4 and messages[2]["parent_id"] == old


def test_an_exchange_edited_away_is_not_recalled_even_before_it_is_marked(fake, http, db):
    user = new_user(http)
    first = user.chat("My favourite colour is teal").json()
    sid, teal = first["session_id"], first["user_message_id"]
    wait_until(lambda: archived_marks(db, teal) == [False], "the first exchange's archive entry")
    edited = post(
        user, "edit", message_id=teal, message="My favourite colour is orange", streaming=False
    )
    assert edited.status_code == 200, edited.text
    wait_until(lambda: archived_marks(db, teal) == [True], "the edited-away exchange's mark")
    # As between a background job archiving an exchange and the job marking it: the old
    # exchange's entry is not marked yet. The session's branch alone leaves it out.
    with db.begin() as connection:
        connection.execute(
            text("UPDATE episodic_entries SET abandoned_branch = false WHERE session_id = :s"),
            {"s": sid},
        )
    assert archived_marks(db, teal) == [False]

    asked = "What is my favourite colour again?"
    assert user.chat(asked, session_id=sid).status_code == 200
    prompt = answer_prompt(fake, asked)
    assert "orange" in prompt
    assert "teal" not in prompt


def test_edit_answers_the_new_question_and_keeps_the_old_branch(fake, http, db):
    user = new_user(http)
    first = user.chat("My favourite colour is teal").json()
    sid, teal = first["session_id"], first["user_message_id"]
    second = user.chat("Tell me about foxes", session_id=sid).json()

    edited = post(
        user, "edit", message_id=teal, message="My favourite colour is orange", streaming=False
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    orange = body["user_message_id"]
    assert body["session_id"] == sid and orange != teal
    messages = branch(user, sid)
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "My favourite colour is orange"),
        ("assistant", REPLY),
    ]
    assert messages[0]["parent_id"] is None
    assert messages[0]["sibling_ids"] == [teal, orange]
    assert messages[0]["sibling_index"] == 2
    assert messages[1]["parent_id"] == orange

    # The old question, with everything that followed it, is one switch away: the newest
    # leaf under it becomes active.
    assert (
        switch(user, sid, teal).json()["session"]["active_leaf_id"]
        == (second["assistant_message_id"])
    )
    assert [m["content"] for m in branch(user, sid)] == [
        "My favourite colour is teal",
        REPLY,
        "Tell me about foxes",
        REPLY,
    ]
    assert switch(user, sid, orange).status_code == 200
    wait_until(
        lambda: archived_marks(db, teal) == [True] and archived_marks(db, orange) == [False],
        "the edited-away exchange's mark",
    )

    asked = "What is my favourite colour again?"
    assert user.chat(asked, session_id=sid).status_code == 200
    prompt = answer_prompt(fake, asked)
    assert "orange" in prompt
    assert "teal" not in prompt


def test_a_regenerated_answer_streams_like_a_turn_and_resumes(fake, http):
    user = new_user(http)
    first = user.chat("Tell me about foxes").json()
    fake.reply = LONG_REPLY
    events = stream(user, "regenerate", message_id=first["assistant_message_id"])
    assert [i for i, _ in events] == list(range(1, len(events) + 1))
    head = events[0][1]
    assert head["type"] == "session"
    assert head["session_id"] == first["session_id"]
    assert head["user_message_id"] == first["user_message_id"]
    answer = head["assistant_message_id"]
    assert answer != first["assistant_message_id"]
    assert tokens(events) == LONG_REPLY
    assert events[-1][1]["type"] == "done" and events[-1][1]["response"] == LONG_REPLY

    with user.http.stream(
        "GET",
        f"/api/chat/stream/{answer}",
        headers={**user.headers, "Last-Event-ID": "2"},
    ) as response:
        replay = list(sse_events(response))
    assert replay == events[2:]


def test_continue_goes_on_with_a_stopped_answer_in_place(fake, http):
    fake.reply, fake.chunk_delay = LONG_REPLY, 0.05
    user = new_user(http)
    events, stopped = [], {}
    with user.http.stream(
        "POST", "/api/chat/", json={"message": "count", "streaming": True}, headers=user.headers
    ) as response:
        for item in sse_events(response):
            events.append(item)
            if sum(e["type"] == "token" for _, e in events) == 3 and not stopped:
                result = user.http.post(
                    "/api/chat/stop",
                    json={"session_id": events[0][1]["session_id"]},
                    headers=user.headers,
                )
                assert result.status_code == 200, result.text
                stopped = result.json()["message"]
    sid, answer = events[0][1]["session_id"], events[0][1]["assistant_message_id"]
    assert stopped["status"] == "interrupted" and stopped["can_continue"] is True
    partial = stopped["content"]
    assert branch(user, sid)[1]["can_continue"] is True

    fake.reply, fake.chunk_delay = "and then the rest of it.", 0.0
    more = stream(user, "continue", message_id=answer)
    assert [i for i, _ in more] == list(range(1, len(more) + 1))
    assert more[0][1]["type"] == "session" and more[0][1]["assistant_message_id"] == answer
    assert tokens(more) == "and then the rest of it."  # only the new text
    done = more[-1][1]
    assert done["type"] == "done" and done["response"] == partial + "and then the rest of it."
    messages = branch(user, sid)
    assert len(messages) == 2  # in place: no new message
    assert messages[1]["id"] == answer
    assert messages[1]["content"] == partial + "and then the rest of it."
    assert messages[1]["status"] == "complete" and messages[1]["can_continue"] is False
    # The model saw the answer so far, then our instruction to go on.
    # (Picked by its last message: background jobs may have called the model since.)
    prompt = [
        r["messages"]
        for r in fake.requests
        if r.get("messages") and r["messages"][-1]["content"] == CONTINUE_PROMPT
    ][-1]
    assert prompt[-2] == {"role": "assistant", "content": partial}
    # The resumed stream is the continuation's.
    with user.http.stream(
        "GET", f"/api/chat/stream/{answer}", headers={**user.headers, "Last-Event-ID": "0"}
    ) as response:
        assert list(sse_events(response)) == more

    complete = post(user, "continue", message_id=answer, streaming=False)
    assert complete.status_code == 400
    assert "complete" in complete.json()["error"]


def test_an_answer_cut_at_the_length_limit_can_be_continued(fake, http):
    fake.reply, fake.max_pieces = LONG_REPLY, 10  # the upstream stops: finish_reason "length"
    user = new_user(http)
    first = user.chat("Count for me").json()
    cut = " ".join(LONG_REPLY.split(" ")[:10])
    assert first["response"] == cut and first["answer_status"] == "complete"
    answer = first["assistant_message_id"]
    assert branch(user, first["session_id"])[1]["can_continue"] is True

    fake.reply, fake.max_pieces = " and the end.", None
    more = post(user, "continue", message_id=answer, streaming=False)
    assert more.status_code == 200, more.text
    body = more.json()
    assert body["assistant_message_id"] == answer
    assert body["response"] == cut + " and the end."
    last = branch(user, first["session_id"])[1]
    assert last["content"] == cut + " and the end." and last["can_continue"] is False


def test_retry_after_an_error_regenerates_instead_of_repeating_the_question(fake, http):
    user = new_user(http)
    fake.fail_next(500, times=3, message="upstream exploded")
    failed = user.chat("Tell me about foxes")
    assert failed.status_code == 502
    fake.failures.clear()
    sid, broken = failed.json()["session_id"], failed.json()["assistant_message_id"]
    assert branch(user, sid)[1]["status"] == "error"
    assert branch(user, sid)[0]["id"] == failed.json()["user_message_id"]

    again = post(user, "regenerate", message_id=broken, streaming=False)
    assert again.status_code == 200, again.text
    messages = branch(user, sid)
    assert [(m["role"], m["content"], m["status"]) for m in messages] == [
        ("user", "Tell me about foxes", "complete"),
        ("assistant", REPLY, "complete"),
    ]
    assert messages[1]["sibling_ids"] == [broken, again.json()["assistant_message_id"]]

    # A question whose answer failed can also be sent again as an edit with the same text.
    fake.fail_next(500, times=3)
    failed = user.chat("And wolves?", session_id=sid)
    assert failed.status_code == 502
    fake.failures.clear()
    edited = post(user, "edit", message_id=failed.json()["user_message_id"], message="And wolves?")
    assert edited.status_code == 200, edited.text
    messages = branch(user, sid)
    assert [m["content"] for m in messages] == ["Tell me about foxes", REPLY, "And wolves?", REPLY]
    assert messages[2]["sibling_count"] == 2


def test_fork_copies_the_branch_into_a_new_session(fake, http):
    fake.reply = LONG_REPLY  # far too long to be a title: the session keeps its first one
    user = new_user(http)
    first = user.chat("Tell me about foxes").json()
    sid = first["session_id"]
    second = user.chat("And wolves?", session_id=sid).json()
    forked = user.http.post(
        f"/api/session/{sid}/fork",
        json={"message_id": first["assistant_message_id"]},
        headers=user.headers,
    )
    assert forked.status_code == 201, forked.text
    copy = forked.json()["session"]
    assert copy["id"] != sid
    assert copy["title"] == "Tell me about foxes (fork)"
    assert copy["message_count"] == 2
    messages = branch(user, copy["id"])
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "Tell me about foxes"),
        ("assistant", LONG_REPLY),
    ]
    assert messages[0]["parent_id"] is None and messages[1]["parent_id"] == messages[0]["id"]
    assert copy["active_leaf_id"] == messages[1]["id"]
    assert {m["id"] for m in messages}.isdisjoint(
        {first["user_message_id"], first["assistant_message_id"]}
    )
    # The original is untouched; the fork goes on by itself.
    assert len(branch(user, sid)) == 4
    assert session(user, sid)["session"]["active_leaf_id"] == second["assistant_message_id"]
    assert user.chat("Only in the fork", session_id=copy["id"]).status_code == 200
    assert len(branch(user, copy["id"])) == 4 and len(branch(user, sid)) == 4


def test_every_operation_gets_409_while_a_turn_runs(fake, http):
    user = new_user(http)
    first = user.chat("Tell me about foxes").json()
    sid = first["session_id"]
    fake.reply, fake.chunk_delay = LONG_REPLY, 0.05
    with user.http.stream(
        "POST",
        "/api/chat/",
        json={"message": "a long one", "session_id": sid, "streaming": True},
        headers=user.headers,
    ) as response:
        events = sse_events(response)
        running = next(events)[1]["assistant_message_id"]
        attempts = [
            post(user, "regenerate", message_id=first["assistant_message_id"]),
            post(user, "edit", message_id=first["user_message_id"], message="changed"),
            post(user, "continue", message_id=running),
            switch(user, sid, first["assistant_message_id"]),
            user.http.post(
                f"/api/session/{sid}/fork",
                json={"message_id": first["assistant_message_id"]},
                headers=user.headers,
            ),
        ]
        for attempt in attempts:
            assert attempt.status_code == 409, attempt.text
            assert "still being written" in attempt.json()["error"]
        stop = user.http.post("/api/chat/stop", json={"session_id": sid}, headers=user.headers)
        assert stop.status_code == 200
        list(events)
    # Nothing changed meanwhile.
    assert [m["content"] for m in branch(user, sid)][:3] == [
        "Tell me about foxes",
        REPLY,
        "a long one",
    ]


def test_another_users_or_unknown_ids_get_404(fake, http):
    owner, other = new_user(http), new_user(http)
    first = owner.chat("Tell me about foxes").json()
    sid = first["session_id"]
    question, answer = first["user_message_id"], first["assistant_message_id"]
    mine = other.chat("My own chat").json()
    for user, message_id in ((other, answer), (owner, "no-such-message")):
        assert post(user, "regenerate", message_id=message_id).status_code == 404
        assert post(user, "continue", message_id=message_id).status_code == 404
    for user, message_id in ((other, question), (owner, "no-such-message")):
        assert post(user, "edit", message_id=message_id, message="mine now").status_code == 404
    # Another user's session, and a message of another session in one's own.
    assert switch(other, sid, question).status_code == 404
    assert switch(other, mine["session_id"], question).status_code == 404
    fork = other.http.post(
        f"/api/session/{sid}/fork", json={"message_id": question}, headers=other.headers
    )
    assert fork.status_code == 404
    assert fork.json()["status"] == "error"
    # The owner's tree is untouched.
    assert [m["id"] for m in branch(owner, sid)] == [question, answer]


def test_the_wrong_kind_of_message_gets_400_saying_why(fake, http):
    user = new_user(http)
    first = user.chat("Tell me about foxes").json()
    question, answer = first["user_message_id"], first["assistant_message_id"]
    cases = [
        (post(user, "regenerate", message_id=question), "edit it"),
        (post(user, "edit", message_id=answer, message="x"), "regenerate"),
        (post(user, "continue", message_id=question), "assistant"),
        (post(user, "continue", message_id=answer), "nothing to continue"),
        (post(user, "edit", message_id=question, message="   "), "message"),
        (post(user, "regenerate", message_id=answer, streaming="yes"), "streaming"),
    ]
    for response, reason in cases:
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["status"] == "error" and reason in body["error"], body
    assert len(branch(user, first["session_id"])) == 2


def test_the_new_operations_are_in_the_openapi_document(http):
    doc = http.get("/api/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/chat/regenerate", "/api/chat/edit", "/api/chat/continue"):
        assert "post" in paths[path]
    assert "put" in paths["/api/session/{session_id}/active"]
    assert "post" in paths["/api/session/{session_id}/fork"]
    message = doc["components"]["schemas"]["MessageOut"]["properties"]
    assert {"parent_id", "sibling_ids", "sibling_index", "sibling_count", "can_continue"} <= set(
        message
    )
    assert "active_leaf_id" in doc["components"]["schemas"]["SessionOut"]["properties"]
