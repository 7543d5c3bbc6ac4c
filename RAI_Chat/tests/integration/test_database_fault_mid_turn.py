"""The database lost in the middle of a turn (after the user's message is saved, while the
prompt is assembled): the user's message stays, the answer is marked failed, and the client
gets a clear 503 — a bug in the turn is still a 500. SQLite and PostgreSQL, in process; the
fault is injected where the prompt is read from the database."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from RAI_Chat.backend.services import turn_runner


def cut_connection(*_args, **_kwargs):
    orig = psycopg.OperationalError("consuming input failed: server closed the connection")
    raise OperationalError("SELECT messages.id FROM messages", {}, orig)


def a_bug(*_args, **_kwargs):
    raise KeyError("tier1_content")


def messages_of(client, headers, session_id):
    response = client.get(f"/api/session/{session_id}", headers=headers)
    assert response.status_code == 200
    return list(reversed(response.get_json()["messages"]))  # oldest first


@pytest.mark.parametrize(
    ("fault", "status", "error"),
    [
        (cut_connection, 503, turn_runner.DATABASE_UNAVAILABLE),
        (a_bug, 500, turn_runner.SERVER_ERROR),
    ],
)
def test_a_fault_while_the_prompt_is_read_keeps_the_message_and_answers_clearly(
    client, auth, monkeypatch, fault, status, error
):
    headers = auth.headers()
    monkeypatch.setattr(turn_runner, "assemble_prompt", fault)
    response = client.post("/api/chat/", json={"message": "still here?"}, headers=headers)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == "error" and body["error"] == error
    assert "Traceback" not in response.get_data(as_text=True)
    user, answer = messages_of(client, headers, body["session_id"])
    assert (user["role"], user["content"], user["status"]) == ("user", "still here?", "complete")
    assert (answer["role"], answer["status"]) == ("assistant", "error")


def test_a_streamed_turn_ends_with_an_error_event_when_the_database_goes(client, auth, monkeypatch):
    headers = auth.headers()
    monkeypatch.setattr(turn_runner, "assemble_prompt", cut_connection)
    response = client.post(
        "/api/chat/", json={"message": "streamed", "streaming": True}, headers=headers
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert turn_runner.DATABASE_UNAVAILABLE in text
    assert '"type": "done"' not in text and "http_status" not in text
