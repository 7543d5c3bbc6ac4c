"""The session API over real HTTP (production server) on SQLite and PostgreSQL: CRUD,
pagination, search, export → import, and isolation between users."""

from __future__ import annotations

import json
import uuid

import pytest

from ..chat_helpers import new_user

CHATGPT_EXPORT = [
    {
        "title": "Trip planning",
        "create_time": 1700000000.0,
        "current_node": "c",
        "mapping": {
            "root": {"id": "root", "message": None, "parent": None, "children": ["a"]},
            "a": {
                "id": "a",
                "parent": "root",
                "message": {
                    "author": {"role": "user"},
                    "create_time": 1700000001.0,
                    "content": {"content_type": "text", "parts": ["Plan a trip to Lisbon"]},
                },
            },
            "b": {
                "id": "b",
                "parent": "a",
                "message": {
                    "author": {"role": "assistant"},
                    "create_time": 1700000002.0,
                    "content": {"content_type": "text", "parts": ["An abandoned branch"]},
                },
            },
            "c": {
                "id": "c",
                "parent": "a",
                "message": {
                    "author": {"role": "assistant"},
                    "create_time": 1700000003.0,
                    "content": {"content_type": "text", "parts": ["Day 1: Alfama."]},
                },
            },
        },
    }
]


def our_export(title: str, n: int) -> dict:
    return {
        "format": "rai-chat-session",
        "version": 1,
        "session": {"title": title},
        "messages": [
            {"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i}"}
            for i in range(n)
        ],
    }


def imported(user, data) -> dict:
    response = user.http.post("/api/session/import", json=data, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()["session"]


@pytest.fixture
def http(live_server):
    with live_server.client() as client:
        yield client


def test_create_rename_get_and_delete_a_session(http):
    user = new_user(http)
    created = http.post("/api/session/", json={"title": "Plans"}, headers=user.headers)
    assert created.status_code == 201
    session = created.json()["session"]
    assert session["title"] == "Plans" and session["message_count"] == 0
    renamed = http.patch(
        f"/api/session/{session['id']}", json={"title": "Holiday plans"}, headers=user.headers
    )
    assert renamed.json()["session"]["title"] == "Holiday plans"
    got = http.get(f"/api/session/{session['id']}", headers=user.headers).json()
    assert got["session"]["title"] == "Holiday plans" and got["messages"] == []
    assert http.delete(f"/api/session/{session['id']}", headers=user.headers).status_code == 200
    assert http.get(f"/api/session/{session['id']}", headers=user.headers).status_code == 404


def test_sessions_are_listed_newest_first_in_pages(http):
    user = new_user(http)
    ids = [imported(user, our_export(f"chat {i}", 2))["id"] for i in range(7)]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = http.get("/api/session/", params=params, headers=user.headers).json()
        seen += [s["id"] for s in page["sessions"]]
        assert all(s["message_count"] == 2 for s in page["sessions"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))


def test_messages_are_paginated_newest_first(http):
    user = new_user(http)
    session = imported(user, our_export("long", 25))
    contents, cursor = [], None
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = http.get(f"/api/session/{session['id']}", params=params, headers=user.headers)
        body = page.json()
        contents += [m["content"] for m in body["messages"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert contents == [f"message {i}" for i in reversed(range(25))]


def test_search_finds_sessions_by_title_and_by_content(http):
    user = new_user(http)
    by_title = imported(user, our_export("Zebra facts", 2))
    by_content = imported(
        user,
        {**our_export("Other", 0), "messages": [{"role": "user", "content": "about ZEBRAS 100%"}]},
    )
    imported(user, our_export("Unrelated", 2))
    found = http.get("/api/session/", params={"q": "zebra"}, headers=user.headers).json()
    assert {s["id"] for s in found["sessions"]} == {by_title["id"], by_content["id"]}
    literal = http.get("/api/session/", params={"q": "100%"}, headers=user.headers).json()
    assert [s["id"] for s in literal["sessions"]] == [by_content["id"]]


def test_export_then_import_round_trips_a_session(http):
    user = new_user(http)
    original = imported(user, our_export("Round trip", 6))
    exported = http.get(
        f"/api/session/{original['id']}/export", params={"format": "json"}, headers=user.headers
    )
    assert exported.status_code == 200
    again = imported(user, exported.json())
    # An imported copy is marked, once (importing an imported copy does not add a second mark).
    assert original["title"] == "Round trip (imported)"
    assert again["title"] == "Round trip (imported)" and again["message_count"] == 6
    messages = http.get(f"/api/session/{again['id']}", headers=user.headers).json()["messages"]
    assert [m["content"] for m in reversed(messages)] == [f"message {i}" for i in range(6)]
    markdown = http.get(
        f"/api/session/{original['id']}/export",
        params={"format": "markdown"},
        headers=user.headers,
    )
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "# Round trip" in markdown.text and "message 5" in markdown.text


def test_a_chatgpt_conversation_imports_along_its_current_branch(http):
    user = new_user(http)
    session = imported(user, CHATGPT_EXPORT)
    assert session["title"] == "Trip planning (imported)"
    messages = http.get(f"/api/session/{session['id']}", headers=user.headers).json()["messages"]
    assert [m["content"] for m in reversed(messages)] == ["Plan a trip to Lisbon", "Day 1: Alfama."]


@pytest.mark.parametrize(
    "body",
    [
        {"format": "something-else"},
        {"format": "rai-chat-session", "messages": "nope"},
        {"format": "rai-chat-session", "messages": [{"role": "hacker", "content": "x"}]},
        {"format": "rai-chat-session", "messages": []},
        [1, 2, 3],
    ],
)
def test_bad_imports_get_a_clear_400(http, body):
    user = new_user(http)
    response = http.post("/api/session/import", json=body, headers=user.headers)
    assert response.status_code == 400
    assert response.json()["status"] == "error"


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1000}, {"limit": "many"}, {"cursor": "!!garbage!!"}]
)
def test_bad_pagination_gets_400(http, params):
    user = new_user(http)
    response = http.get("/api/session/", params=params, headers=user.headers)
    assert response.status_code == 400, response.text


def test_another_users_ids_answer_404_on_every_endpoint(http):
    owner, intruder = new_user(http), new_user(http)
    session = imported(owner, our_export("Private", 2))
    sid = session["id"]
    answer_id = http.get(f"/api/session/{sid}", headers=owner.headers).json()["messages"][0]["id"]
    attempts = [
        ("GET", f"/api/session/{sid}", None),
        ("PATCH", f"/api/session/{sid}", {"title": "mine now"}),
        ("DELETE", f"/api/session/{sid}", None),
        ("GET", f"/api/session/{sid}/export", None),
        ("POST", "/api/chat/", {"message": "hi", "session_id": sid}),
        ("POST", "/api/chat/stop", {"session_id": sid}),
        ("GET", f"/api/chat/stream/{answer_id}", None),
    ]
    missing = str(uuid.uuid4())
    for method, path, body in attempts:
        theirs = http.request(method, path, json=body, headers=intruder.headers)
        assert theirs.status_code == 404, (method, path, theirs.text)
        assert "Private" not in theirs.text and "message 1" not in theirs.text
        nobody = http.request(
            method,
            path.replace(sid, missing).replace(answer_id, missing),
            json=body,
            headers=intruder.headers,
        )
        assert nobody.status_code == 404
        assert theirs.json()["error"] == nobody.json()["error"]
    listed = http.get("/api/session/", params={"q": "Private"}, headers=intruder.headers).json()
    assert listed["sessions"] == []
    # The owner's session is untouched.
    still = http.get(f"/api/session/{sid}", headers=owner.headers).json()
    assert still["session"]["title"] == "Private (imported)" and len(still["messages"]) == 2


def test_session_endpoints_need_a_token(http):
    for method, path in [
        ("GET", "/api/session/"),
        ("POST", "/api/chat/"),
        ("GET", "/api/chat/stream/x"),
        ("POST", "/api/session/import"),
    ]:
        response = http.request(
            method, path, content=json.dumps({}), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 401, (method, path)
