"""Secrets never reach the logs: after registrations, logins (good and bad), a password
change, chat turns (the engine key on every call), an API key's use and revocation, and the
errors of the other security tests, the API's log files and stderr hold no password, token,
API key, signing key, engine key or database password."""

from __future__ import annotations

from ..chat_helpers import new_user
from ..conftest import TEST_JWT_SECRET, TEST_SECRET
from .conftest import DB_PASSWORD, ENGINE_KEY


def test_no_secret_is_ever_written_to_the_logs(http, stack):
    password, new_password = "hunter2-correct-horse", "battery-staple-2-horse"
    user = new_user(http)
    name = "logcheck_" + user.username[2:]
    registered = http.post("/api/auth/register", json={"username": name, "password": password})
    token = registered.json()["access_token"]
    assert http.post("/api/auth/login", json={"username": name, "password": "wrong-guess-1"})
    changed = http.post(
        "/api/auth/password",
        json={"old_password": password, "new_password": new_password},
        headers={"Authorization": f"Bearer {token}"},
    )
    new_token = changed.json()["access_token"]
    bearer = {"Authorization": f"Bearer {new_token}"}
    assert http.post("/api/chat/", json={"message": "hello"}, headers=bearer).status_code == 200
    http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})  # revoked: 401
    made = http.post("/api/keys/", json={"name": "logcheck"}, headers=bearer).json()
    api_key = {"Authorization": f"Bearer {made['secret']}"}
    body = {"model": "rai", "messages": [{"role": "user", "content": "hello"}]}
    assert http.post("/v1/chat/completions", json=body, headers=api_key).status_code == 200
    http.delete(f"/api/keys/{made['key']['id']}", headers=bearer)
    assert http.get("/v1/models", headers=api_key).status_code == 401  # revoked
    logs = stack.logs()
    assert "POST /api/chat/" in logs or "Turn" in logs  # the logs were written at all
    secrets = {
        "password": password,
        "new password": new_password,
        "wrong password": "wrong-guess-1",
        "token": token,
        "new token": new_token,
        "test user token": user.headers["Authorization"].split()[1],
        "SECRET_KEY": TEST_SECRET,
        "JWT_SECRET_KEY": TEST_JWT_SECRET,
        "LLM_API_KEY": ENGINE_KEY,
        "database password": DB_PASSWORD,
        "API key": made["secret"],
    }
    assert [what for what, value in secrets.items() if value in logs] == []
    assert "$argon2id$" not in logs
