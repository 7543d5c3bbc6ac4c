"""The database lost in the middle of a turn (after the user's message is saved, while the
prompt is read or assembled): the user's message stays, the answer is marked failed, and the client
gets a clear 503 — a bug in the turn is still a 500. Lost when the answer is saved: the
client is told so, never "complete". SQLite and PostgreSQL, in process; the fault is
injected where the prompt is read, or where the answer is saved."""

from __future__ import annotations

import json
import threading

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from llm_Engine.testing.fake_upstreams import FakeOpenAI
from RAI_Chat.backend.app import create_app
from RAI_Chat.backend.services import turn_runner

from ..chat_helpers import start_fake_engine, stop_process
from ..conftest import AuthHelper, make_settings


def cut_connection(*_args, **_kwargs):
    orig = psycopg.OperationalError("consuming input failed: server closed the connection")
    raise OperationalError("SELECT messages.id FROM messages", {}, orig)


def a_bug(*_args, **_kwargs):
    raise KeyError("tier1_content")


def messages_of(client, headers, session_id):
    response = client.get(f"/api/session/{session_id}", headers=headers)
    assert response.status_code == 200
    return list(reversed(response.get_json()["messages"]))  # oldest first


# Where the prompt is read: the memory, read in the background while the tools are
# decided (its error reaches the turn when the prompt needs it), and the prompt's assembly.
@pytest.mark.parametrize("where", ["gather_memory", "assemble_prompt"])
@pytest.mark.parametrize(
    ("fault", "status", "error"),
    [
        (cut_connection, 503, turn_runner.DATABASE_UNAVAILABLE),
        (a_bug, 500, turn_runner.SERVER_ERROR),
    ],
)
def test_a_fault_while_the_prompt_is_read_keeps_the_message_and_answers_clearly(
    client, auth, monkeypatch, fault, status, error, where
):
    headers = auth.headers()
    monkeypatch.setattr(turn_runner, where, fault)
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


@pytest.fixture(scope="module")
def engine_url():
    """The real engine in front of a fake upstream that answers every turn."""
    with FakeOpenAI(reply="Here is the whole answer.") as fake:
        process, url = start_fake_engine(fake)
        try:
            yield url
        finally:
            stop_process(process)


@pytest.fixture
def answering_client(db_url, tmp_path, engine_url):
    settings = make_settings(db_url, tmp_path, llm_api_url=engine_url, refine_titles=False)
    application = create_app(settings)
    yield application.test_client()
    # Each turn's thread goes on with its background work after the answer: let it end
    # before the database is dropped.
    for thread in threading.enumerate():
        if thread.name == "turn":
            thread.join(timeout=30)
    application.extensions["rai_database"].dispose()


def test_an_answer_that_cannot_be_saved_is_never_announced_complete(answering_client, monkeypatch):
    client = answering_client
    headers = AuthHelper(client).headers()
    assert (
        client.post("/api/chat/", json={"message": "warm up"}, headers=headers).status_code == 200
    )

    monkeypatch.setattr(turn_runner.TurnRunner, "_save_answer", cut_connection)
    response = client.post("/api/chat/", json={"message": "and now?"}, headers=headers)
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == turn_runner.ANSWER_NOT_SAVED
    assert body["partial"] == "Here is the whole answer."
    streamed = client.post(
        "/api/chat/",
        json={"message": "streamed?", "session_id": body["session_id"], "streaming": True},
        headers=headers,
    )
    assert streamed.status_code == 409  # the unsaved answer is still "in progress" (until stale)

    monkeypatch.undo()
    user, answer = messages_of(client, headers, body["session_id"])[-2:]
    assert (user["content"], user["status"]) == ("and now?", "complete")
    assert answer["status"] == "in_progress"  # never "complete": it was not saved


def test_a_saved_answer_and_its_done_event_are_stored_together(answering_client):
    client = answering_client
    headers = AuthHelper(client).headers()
    body = client.post("/api/chat/", json={"message": "hello"}, headers=headers).get_json()
    replay = client.get(f"/api/chat/stream/{body['assistant_message_id']}", headers=headers)
    events = [
        json.loads(line[5:])
        for line in replay.get_data(as_text=True).splitlines()
        if line.startswith("data:")
    ]
    assert [e["type"] for e in events][-1] == "done"
    assert events[-1]["status"] == "complete"
    assert events[-1]["response"] == "Here is the whole answer."
    user, answer = messages_of(client, headers, body["session_id"])
    assert (answer["status"], answer["content"]) == ("complete", "Here is the whole answer.")


def test_documents_that_cannot_be_read_cost_the_turn_only_its_passages(
    answering_client, monkeypatch
):
    # The documents are read while the tools are decided, in a thread of their own.
    from RAI_Chat.backend.services.documents.retrieval import DocumentRetrieval

    monkeypatch.setattr(DocumentRetrieval, "documents_for", cut_connection)
    client = answering_client
    headers = AuthHelper(client).headers()
    response = client.post("/api/chat/", json={"message": "any news?"}, headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["answer_status"], body["response"]) == ("complete", "Here is the whole answer.")
