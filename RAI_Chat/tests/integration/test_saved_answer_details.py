"""An answer keeps what the page shows under it: the actions it took, the web pages it used,
and whether the user stopped it (``stopped``: not a failure), on SQLite and PostgreSQL."""

from RAI_Chat.backend.core.database.models import ChatSession, Message

ACTIONS = [
    {"type": "action", "action": "remember", "input": ["lives in Lyon"], "outcome": "ok"},
    {"type": "action", "action": "calculate", "input": ["2+2"], "outcome": "ok", "result": "4"},
]
SOURCES = [{"title": "Lyon", "url": "https://example.org/lyon"}]


def test_reopened_answers_keep_their_actions_sources_and_stop(client, auth, app):
    headers = auth.headers()
    session_id = client.post("/api/session/", json={}, headers=headers).get_json()["session"]["id"]
    user_id = client.get("/api/auth/me", headers=headers).get_json()["user"]["id"]
    database = app.extensions["rai_database"]
    with database.unit_of_work() as uow:
        common = {"session_id": session_id, "user_id": user_id, "role": "assistant"}
        uow.session.add_all(
            [
                Message(id="a-done", content="Noted.", actions=ACTIONS, sources=SOURCES, **common),
                Message(
                    id="a-stopped",
                    parent_id="a-done",
                    content="Once upon",
                    status="interrupted",
                    stop_requested=True,
                    **common,
                ),
                Message(
                    id="a-broken",
                    parent_id="a-stopped",
                    content="Half",
                    status="interrupted",
                    **common,
                ),
            ]
        )
        # One branch (the session page shows the active branch only).
        uow.session.get(ChatSession, session_id).active_leaf_id = "a-broken"
        uow.commit()
    body = client.get(f"/api/session/{session_id}", headers=headers).get_json()
    by_id = {m["id"]: m for m in body["messages"]}
    assert by_id["a-done"]["actions"] == ACTIONS
    assert by_id["a-done"]["sources"] == SOURCES
    assert by_id["a-done"]["stopped"] is False
    assert by_id["a-stopped"]["stopped"] is True and by_id["a-stopped"]["actions"] == []
    assert by_id["a-broken"]["stopped"] is False
