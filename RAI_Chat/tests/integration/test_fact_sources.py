"""Facts and the messages they came from, on SQLite and PostgreSQL: undoing a capture in one
click (``POST /api/memory/facts/<id>/undo``: a superseded fact comes back), and facts that
travel with a session's JSON export and are attached to the new messages on import."""

from __future__ import annotations

import pytest

from RAI_Chat.backend.services.memory.facts import UserFacts

CHAT = {
    "format": "rai-chat-session",
    "version": 1,
    "session": {"title": "About me"},
    "messages": [
        {"role": "user", "content": "I live in Paris."},
        {"role": "assistant", "content": "Nice!"},
        {"role": "user", "content": "I moved: I live in Lyon now. I have a cat called Miso."},
        {"role": "assistant", "content": "Noted."},
    ],
}


@pytest.fixture
def user(client, auth):
    headers = auth.headers()
    me = client.get("/api/auth/me", headers=headers).get_json()["user"]
    return headers, me["id"]


def import_chat(client, headers, data=CHAT) -> tuple[str, list[dict]]:
    """Import a chat; (its id, its messages oldest first)."""
    response = client.post("/api/session/import", json=data, headers=headers)
    assert response.status_code == 201, response.get_json()
    session_id = response.get_json()["session"]["id"]
    body = client.get(f"/api/session/{session_id}", headers=headers).get_json()
    return session_id, sorted(body["messages"], key=lambda m: m["created_at"])


def capture_lyon_over_paris(app, user_id: str, messages: list[dict]) -> UserFacts:
    facts = UserFacts(user_id, app.extensions["rai_database"])
    facts.capture("city", "The user's city is Paris", messages[0]["id"])
    facts.capture("city", "The user's city is Lyon", messages[2]["id"])
    facts.capture("pet", "The user's pet is a cat called Miso", messages[2]["id"])
    return facts


def listed(client, headers, history: bool = False) -> list[dict]:
    params = {"include_history": "true"} if history else {}
    response = client.get("/api/memory/facts", query_string=params, headers=headers)
    return response.get_json()["facts"]


def by_text(facts: list[dict]) -> dict[str, dict]:
    return {f["fact"]: f for f in facts}


def test_undo_removes_a_capture_and_restores_the_fact_it_superseded(app, client, user):
    headers, user_id = user
    session_id, messages = import_chat(client, headers)
    capture_lyon_over_paris(app, user_id, messages)
    facts = by_text(listed(client, headers))
    assert set(facts) == {"The user's city is Lyon", "The user's pet is a cat called Miso"}
    lyon = facts["The user's city is Lyon"]
    # Each fact says which message (and session) it came from: the panel links to it.
    assert (lyon["source_message_id"], lyon["source_session_id"]) == (
        messages[2]["id"],
        session_id,
    )
    response = client.post(f"/api/memory/facts/{lyon['id']}/undo", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["undone"]["fact"] == "The user's city is Lyon"
    assert [f["fact"] for f in body["restored"]] == ["The user's city is Paris"]
    assert body["restored"][0]["status"] == "active"
    assert body["restored"][0]["source_message_id"] == messages[0]["id"]
    now = by_text(listed(client, headers, history=True))
    assert set(now) == {"The user's city is Paris", "The user's pet is a cat called Miso"}
    assert now["The user's city is Paris"]["superseded_by_id"] is None
    # A capture with nothing before it is simply removed.
    miso = now["The user's pet is a cat called Miso"]
    body = client.post(f"/api/memory/facts/{miso['id']}/undo", headers=headers).get_json()
    assert body["restored"] == []
    assert [f["fact"] for f in listed(client, headers)] == ["The user's city is Paris"]
    # Undone twice: it is gone.
    again = client.post(f"/api/memory/facts/{miso['id']}/undo", headers=headers)
    assert again.status_code == 404


def test_undo_of_another_users_fact_or_an_old_one_is_refused(app, client, auth, user):
    headers, user_id = user
    _, messages = import_chat(client, headers)
    capture_lyon_over_paris(app, user_id, messages)
    facts = by_text(listed(client, headers, history=True))
    paris = facts["The user's city is Paris"]
    assert paris["status"] == "superseded"
    other = auth.headers()
    for fact in facts.values():
        response = client.post(f"/api/memory/facts/{fact['id']}/undo", headers=other)
        assert response.status_code == 404
        assert response.get_json()["status"] == "error"
    refused = client.post(f"/api/memory/facts/{paris['id']}/undo", headers=headers)
    assert refused.status_code == 400
    assert "Only an active fact" in refused.get_json()["error"]
    assert client.post("/api/memory/facts/nope/undo", headers=headers).status_code == 404
    assert client.post(f"/api/memory/facts/{paris['id']}/undo").status_code == 401
    assert len(listed(client, headers, history=True)) == 3  # nothing changed
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/memory/facts/{fact_id}/undo"]


def test_facts_travel_with_the_export_and_attach_to_the_new_messages(app, client, user):
    headers, user_id = user
    session_id, messages = import_chat(client, headers)
    capture_lyon_over_paris(app, user_id, messages)
    exported = client.get(
        f"/api/session/{session_id}/export", query_string={"format": "json"}, headers=headers
    ).get_json()
    assert [(f["fact"], f["status"], f["message_index"]) for f in exported["facts"]] == [
        ("The user's city is Paris", "superseded", 0),
        ("The user's city is Lyon", "active", 2),
        ("The user's pet is a cat called Miso", "active", 2),
    ]
    assert exported["facts"][0]["superseded_by"] == 1
    assert exported["facts"][1]["source_message_id"] == messages[2]["id"]

    # Into another account: the facts come back, attached to the new copies of the messages.
    other = app.test_client()
    from ..conftest import AuthHelper

    other_headers = AuthHelper(other).headers()
    new_id, new_messages = import_chat(other, other_headers, exported)
    facts = by_text(listed(other, other_headers, history=True))
    assert set(facts) == {
        "The user's city is Paris",
        "The user's city is Lyon",
        "The user's pet is a cat called Miso",
    }
    lyon = facts["The user's city is Lyon"]
    assert lyon["status"] == "active"
    assert lyon["source_message_id"] == new_messages[2]["id"] != messages[2]["id"]
    assert lyon["source_session_id"] == new_id
    paris = facts["The user's city is Paris"]
    assert (paris["status"], paris["superseded_by_id"]) == ("superseded", lyon["id"])
    assert paris["source_message_id"] == new_messages[0]["id"]

    # Imported again by the same user: equal active facts are not duplicated.
    import_chat(other, other_headers, exported)
    assert len(listed(other, other_headers)) == 2


@pytest.mark.parametrize(
    "facts, problem",
    [
        ("nope", "facts: expected a list"),
        ([{"fact": "x", "message_index": 9}], "facts[0].message_index"),
        ([{"fact": "x", "message_index": 1}], "comes from a user message"),
        ([{"fact": "", "message_index": 0}], "facts[0].fact"),
        ([{"fact": "x", "message_index": 0, "status": "forgotten"}], "facts[0].status"),
        ([{"fact": "x", "message_index": 0, "superseded_by": 0}], "superseded_by"),
    ],
)
def test_bad_facts_in_an_import_are_a_clear_400(client, user, facts, problem):
    headers, _ = user
    response = client.post("/api/session/import", json={**CHAT, "facts": facts}, headers=headers)
    assert response.status_code == 400
    assert problem in response.get_json()["error"]
    assert listed(client, headers) == []
