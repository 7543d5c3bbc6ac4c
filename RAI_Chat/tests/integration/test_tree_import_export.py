"""Export and import keep the conversation tree, and memory follows the active branch, over
real HTTP (production server) on SQLite and PostgreSQL: our JSON carries every branch, the
Markdown export the branch shown, a ChatGPT import keeps its branches; episodic entries and
facts of a branch that is not shown are marked, never recalled, and unmarked when it is."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from RAI_Chat.backend.core.database.session import make_engine

from ..chat_helpers import new_user
from .test_sessions_api import CHATGPT_EXPORT


def tree_export(active: str = "e") -> dict:
    """A trip plan whose first answer was regenerated, continued on the second version."""
    return {
        "format": "rai-chat-session",
        "version": 1,
        "session": {"title": "Lisbon", "active_leaf_id": active},
        "messages": [
            {"id": "a", "parent_id": None, "role": "user", "content": "Plan a trip to Lisbon"},
            {"id": "b", "parent_id": "a", "role": "assistant", "content": "Version one: Alfama"},
            {"id": "c", "parent_id": "a", "role": "assistant", "content": "Version two: Belem"},
            {"id": "d", "parent_id": "c", "role": "user", "content": "Where to eat near Belem?"},
            {"id": "e", "parent_id": "d", "role": "assistant", "content": "Try the pastries."},
        ],
    }


@pytest.fixture
def http(live_server):
    with live_server.client() as client:
        yield client


@pytest.fixture
def db(live_server):
    engine = make_engine(live_server.db_url)
    yield engine
    engine.dispose()


def imported(user, data) -> dict:
    response = user.http.post("/api/session/import", json=data, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()["session"]


def branch(user, session_id: str) -> list[dict]:
    response = user.http.get(f"/api/session/{session_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["messages"]))


def switch(user, session_id: str, message_id: str) -> dict:
    response = user.http.put(
        f"/api/session/{session_id}/active", json={"message_id": message_id}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return response.json()["session"]


def export(user, session_id: str, fmt: str):
    response = user.http.get(
        f"/api/session/{session_id}/export", params={"format": fmt}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return response.json() if fmt == "json" else response.text


def search(user, q: str) -> list[dict]:
    response = user.http.get(
        "/api/memory/search", params={"q": q, "mode": "text"}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_an_imported_tree_shows_its_active_branch_and_exports_whole(http):
    user = new_user(http)
    session = imported(user, tree_export())
    assert session["message_count"] == 4  # the branch shown
    messages = branch(user, session["id"])
    assert [m["content"] for m in messages] == [
        "Plan a trip to Lisbon",
        "Version two: Belem",
        "Where to eat near Belem?",
        "Try the pastries.",
    ]
    assert (messages[1]["sibling_index"], messages[1]["sibling_count"]) == (2, 2)
    assert session["active_leaf_id"] == messages[-1]["id"]

    exported = export(user, session["id"], "json")
    assert len(exported["messages"]) == 5
    by_id = {m["id"]: m for m in exported["messages"]}
    assert exported["session"]["active_leaf_id"] == messages[-1]["id"]
    parents = {m["content"]: by_id.get(m["parent_id"], {}).get("content") for m in by_id.values()}
    assert parents == {
        "Plan a trip to Lisbon": None,
        "Version one: Alfama": "Plan a trip to Lisbon",
        "Version two: Belem": "Plan a trip to Lisbon",
        "Where to eat near Belem?": "Version two: Belem",
        "Try the pastries.": "Where to eat near Belem?",
    }
    # Re-imported: the same tree, the same branch shown.
    again = imported(user, exported)
    copy = branch(user, again["id"])
    assert [m["content"] for m in copy] == [m["content"] for m in messages]
    assert [m["sibling_count"] for m in copy] == [1, 2, 1, 1]

    markdown = export(user, session["id"], "markdown")
    assert "Version two: Belem" in markdown and "Try the pastries." in markdown
    assert "Version one: Alfama" not in markdown
    # The other version shown: the Markdown follows.
    switched = switch(user, session["id"], messages[1]["sibling_ids"][0])
    markdown = export(user, session["id"], "markdown")
    assert "Version one: Alfama" in markdown and "Where to eat" not in markdown
    assert [m["content"] for m in branch(user, session["id"])] == [
        "Plan a trip to Lisbon",
        "Version one: Alfama",
    ]
    assert switched["active_leaf_id"] == messages[1]["sibling_ids"][0]


def test_a_chatgpt_import_keeps_every_branch(http):
    user = new_user(http)
    session = imported(user, CHATGPT_EXPORT)
    messages = branch(user, session["id"])
    assert [m["content"] for m in messages] == ["Plan a trip to Lisbon", "Day 1: Alfama."]
    assert (messages[1]["sibling_index"], messages[1]["sibling_count"]) == (2, 2)
    switch(user, session["id"], messages[1]["sibling_ids"][0])
    assert [m["content"] for m in branch(user, session["id"])] == [
        "Plan a trip to Lisbon",
        "An abandoned branch",
    ]


@pytest.mark.parametrize(
    ("messages", "problem"),
    [
        ([{"id": "a", "parent_id": "zz", "role": "user", "content": "x"}], "parent_id"),
        (
            [
                {"id": "a", "parent_id": "b", "role": "user", "content": "x"},
                {"id": "b", "role": "assistant", "content": "y"},
            ],
            "earlier",
        ),
        (
            [
                {"id": "a", "role": "user", "content": "x"},
                {"id": "a", "parent_id": "a", "role": "assistant", "content": "y"},
            ],
            "messages[1].id",
        ),
    ],
)
def test_a_broken_tree_in_an_import_is_a_clear_400(http, messages, problem):
    user = new_user(http)
    body = {"format": "rai-chat-session", "version": 1, "messages": messages}
    response = http.post("/api/session/import", json=body, headers=user.headers)
    assert response.status_code == 400, response.text
    assert problem in response.json()["error"]


def test_memory_of_a_branch_not_shown_is_marked_and_never_recalled(http, db):
    user = new_user(http)
    session = imported(user, tree_export())
    sid = session["id"]
    messages = branch(user, sid)
    alfama_answer = messages[1]["sibling_ids"][0]
    # The first version's exchange is archived but never recalled; the branch shown is.
    assert search(user, "Alfama") == []
    assert search(user, "pastries")
    # A fact captured from a question of the branch shown.
    question = messages[0]["id"]
    with db.begin() as connection:
        user_id = connection.execute(
            text("SELECT user_id FROM chat_sessions WHERE id = :id"), {"id": sid}
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO user_facts (id, user_id, fact, fact_key, source_message_id,"
                " status, abandoned_branch, created_at, updated_at) VALUES (:id, :u, :f,"
                " :key, :s, 'active', :no, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {
                "id": str(uuid.uuid4()),
                "u": user_id,
                "f": "The user likes pastries",
                "key": "the user likes pastries",
                "s": messages[2]["id"],  # the question about where to eat
                "no": False,
            },
        )

    def marks() -> dict[str, bool]:
        response = http.get(
            "/api/memory/facts", params={"include_history": "true"}, headers=user.headers
        )
        return {f["fact"]: f["abandoned_branch"] for f in response.json()["facts"]}

    assert marks() == {"The user likes pastries": False}
    # Back to the first version: its exchange is recalled, the other branch's is not, and
    # the fact from the question no longer shown is marked.
    switch(user, sid, alfama_answer)
    assert search(user, "Alfama")
    assert search(user, "pastries") == []
    assert marks() == {"The user likes pastries": True}
    switch(user, sid, question)  # the newest leaf under the first question: the pastries
    assert marks() == {"The user likes pastries": False}
    assert search(user, "Alfama") == []
