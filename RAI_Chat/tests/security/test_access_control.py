"""Access control: every endpoint that takes an id (in its path or its body), called by
another user with the owner's ids, answers 404 exactly like an id that does not exist, shows
none of the owner's data, and changes nothing."""

from __future__ import annotations

import re
import time
import uuid

import psycopg
import pytest

from ..chat_helpers import new_user

SECRET_WORD = "zebra-" + uuid.uuid4().hex[:8]  # in every piece of the owner's data
# Body fields that name an object of the user's; path parameters are found in the schema.
ID_FIELDS = {"session_id", "message_id", "fact_id", "entry_id", "key_id"}

# (method, path template, body) — one row per id-bearing operation; the completeness test
# below fails when the API gains an operation that takes an id and is not listed here.
MATRIX = [
    ("GET", "/api/session/{session_id}", None),
    ("PATCH", "/api/session/{session_id}", {"title": "mine now"}),
    ("DELETE", "/api/session/{session_id}", None),
    ("GET", "/api/session/{session_id}/export", None),
    ("POST", "/api/chat/", {"message": "hi", "session_id": "{session_id}"}),
    ("POST", "/api/chat/stop", {"session_id": "{session_id}"}),
    ("GET", "/api/chat/stream/{message_id}", None),
    ("POST", "/api/chat/regenerate", {"message_id": "{message_id}"}),
    ("POST", "/api/chat/edit", {"message_id": "{message_id}", "message": "mine now"}),
    ("POST", "/api/chat/continue", {"message_id": "{message_id}"}),
    ("PUT", "/api/session/{session_id}/active", {"message_id": "{message_id}"}),
    ("POST", "/api/session/{session_id}/fork", {"message_id": "{message_id}"}),
    ("PATCH", "/api/memory/facts/{fact_id}", {"fact": "I am the intruder"}),
    ("DELETE", "/api/memory/facts/{fact_id}", None),
    ("POST", "/api/memory/facts/{fact_id}/undo", None),
    ("DELETE", "/api/memory/episodic/{entry_id}", None),
    ("DELETE", "/api/keys/{key_id}", None),
    ("GET", "/api/documents/{document_id}", None),
    ("PATCH", "/api/documents/{document_id}", {"filename": "mine now"}),
    ("DELETE", "/api/documents/{document_id}", None),
    ("GET", "/api/documents/{document_id}/chunks/{chunk_id}", None),
    ("GET", "/api/session/{session_id}/documents", None),
    ("POST", "/api/session/{session_id}/documents", {"document_id": "{document_id}"}),
    ("DELETE", "/api/session/{session_id}/documents/{document_id}", None),
]


def id_bearing_operations(openapi: dict) -> set[tuple[str, str]]:
    found = set()
    for path, item in openapi["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            if re.search(r"\{\w+\}", path):
                found.add((method.upper(), path))
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = body.get("schema", {})
            if "$ref" in schema:
                schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            if ID_FIELDS & set(schema.get("properties", {})):
                found.add((method.upper(), path))
    return found


def fill(template, ids: dict):
    if template is None:
        return None
    if isinstance(template, dict):
        return {k: fill(v, ids) for k, v in template.items()}
    return template.format(**ids) if isinstance(template, str) else template


def owner_document(http, owner, db_url: str, session_id: str) -> dict:
    """A document of the owner's, attached to their session and extracted; its ids."""
    response = http.post(
        "/api/documents",
        files={"file": (f"{SECRET_WORD}.txt", f"Notes about {SECRET_WORD}.".encode())},
        data={"session_id": session_id},
        headers=owner.headers,
    )
    assert response.status_code == 202, response.text
    document_id = response.json()["document"]["id"]
    url = f"/api/documents/{document_id}"
    deadline = time.monotonic() + 60
    while http.get(url, headers=owner.headers).json()["document"]["status"] != "ready":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    with psycopg.connect(db_url) as conn:  # no endpoint lists a document's passages
        (chunk_id,) = conn.execute(
            "SELECT id FROM document_chunks WHERE document_id = %s", (document_id,)
        ).fetchone()
    return {"document_id": document_id, "chunk_id": chunk_id}


@pytest.fixture(scope="module")
def owner_data(stack):
    """An owner with a chat turn, a fact and an archived exchange; an intruder."""
    with stack.client() as http:
        owner, intruder = new_user(http), new_user(http)
        turn = owner.chat(f"my secret is {SECRET_WORD}")
        assert turn.status_code == 200, turn.text
        session_id = turn.json()["session_id"]
        http.patch(
            f"/api/session/{session_id}", json={"title": SECRET_WORD}, headers=owner.headers
        ).raise_for_status()
        fact = http.post(
            "/api/memory/facts", json={"fact": f"owner likes {SECRET_WORD}"}, headers=owner.headers
        )
        assert fact.status_code == 201, fact.text
        transcript = {
            "format": "rai-chat-session",
            "version": 1,
            "session": {"title": "archive"},
            "messages": [
                {"role": ("user", "assistant")[i % 2], "content": f"{SECRET_WORD} number {i}"}
                for i in range(12)
            ],
        }
        http.post("/api/session/import", json=transcript, headers=owner.headers).raise_for_status()
        # The imported exchanges are indexed at once; the chat turn by a background job after
        # the turn: wait for it (how many entries an import makes is the archive's business).
        turn_ids = {turn.json()["user_message_id"], turn.json()["assistant_message_id"]}
        deadline = time.monotonic() + 60
        while True:
            hits = http.get(
                "/api/memory/search", params={"q": SECRET_WORD, "k": 50}, headers=owner.headers
            ).json()["results"]
            if any(turn_ids & set(h["message_ids"]) for h in hits):
                break
            assert time.monotonic() < deadline, hits
            time.sleep(0.2)
        assert len(hits) > 6, hits  # the turn and the imported exchanges
        # The same job captured the turn's facts before it archived the exchange: the owner's
        # facts are now the one added by hand and whatever "my secret is …" stated.
        owner_facts = http.get("/api/memory/facts", headers=owner.headers).json()["facts"]
        key = http.post("/api/keys/", json={"name": SECRET_WORD}, headers=owner.headers)
        assert key.status_code == 201, key.text
        document = owner_document(http, owner, stack.db_url, session_id)
        ids = {
            "session_id": session_id,
            "message_id": turn.json()["assistant_message_id"],
            "fact_id": fact.json()["fact"]["id"],
            "entry_id": hits[0]["id"],
            "key_id": key.json()["key"]["id"],
            **document,
        }
        yield owner, intruder, ids, len(hits), [(f["id"], f["fact"]) for f in owner_facts]


def test_every_id_bearing_operation_is_in_the_matrix(http):
    openapi = http.get("/api/openapi.json").json()
    listed = {(method, path.split("?")[0]) for method, path, _ in MATRIX}
    assert id_bearing_operations(openapi) == listed


@pytest.mark.parametrize(("method", "path", "body"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_another_users_id_answers_404_like_a_missing_one(http, owner_data, method, path, body):
    owner, intruder, ids, _, _ = owner_data
    missing = {name: str(uuid.uuid4()) for name in ids}
    theirs = http.request(method, fill(path, ids), json=fill(body, ids), headers=intruder.headers)
    nobody = http.request(
        method, fill(path, missing), json=fill(body, missing), headers=intruder.headers
    )
    assert theirs.status_code == 404, theirs.text
    assert nobody.status_code == 404, nobody.text
    assert theirs.json()["error"] == nobody.json()["error"]
    assert SECRET_WORD not in theirs.text
    for value in ids.values():
        assert value not in theirs.text


def test_the_owners_data_is_untouched_and_never_listed_for_the_intruder(http, owner_data):
    owner, intruder, ids, n_entries, owner_facts = owner_data
    # What the intruder can list is only theirs.
    for path, params in [
        ("/api/session/", {"q": SECRET_WORD}),
        ("/api/memory/facts", {"include_history": "true"}),
        ("/api/memory/search", {"q": SECRET_WORD, "k": 50}),
        ("/api/keys/", {}),
        ("/api/keys/usage", {}),
        ("/api/documents", {}),
    ]:
        seen = http.get(path, params=params, headers=intruder.headers)
        assert seen.status_code == 200, seen.text
        assert SECRET_WORD not in seen.text
    # "Forget everything" by the intruder forgets only the intruder's memory.
    assert http.delete("/api/memory/", headers=intruder.headers).status_code == 200
    session = http.get(f"/api/session/{ids['session_id']}", headers=owner.headers).json()
    assert session["session"]["title"] == SECRET_WORD
    assert [m["status"] for m in session["messages"]] == ["complete", "complete"]
    facts = http.get("/api/memory/facts", headers=owner.headers).json()["facts"]
    assert [(f["id"], f["fact"]) for f in facts] == owner_facts
    assert (ids["fact_id"], f"owner likes {SECRET_WORD}") in owner_facts
    hits = http.get(
        "/api/memory/search", params={"q": SECRET_WORD, "k": 50}, headers=owner.headers
    ).json()["results"]
    assert len(hits) == n_entries
    document = http.get(f"/api/documents/{ids['document_id']}", headers=owner.headers).json()
    assert document["document"]["filename"] == f"{SECRET_WORD}.txt"
    assert document["document"]["session_ids"] == [ids["session_id"]]
    keys = http.get("/api/keys/", headers=owner.headers).json()["keys"]
    assert [(k["id"], k["active"]) for k in keys] == [(ids["key_id"], True)]
