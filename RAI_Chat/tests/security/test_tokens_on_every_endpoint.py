"""Every operation that needs a token refuses forged, expired, unsigned, foreign-key and
wrong-type tokens with 401 (``test_auth_over_http`` tries them on ``/api/auth/me``; here on
every operation the OpenAPI document marks as authenticated), and passwords are stored as
argon2id hashes."""

from __future__ import annotations

import psycopg
import pytest

from ..chat_helpers import new_user
from ..integration.test_auth_over_http import jwt_attacks


def authenticated_operations(openapi: dict) -> list[tuple[str, str]]:
    out = []
    for path, item in openapi["paths"].items():
        for method, op in item.items():
            if op.get("security"):
                out.append((method.upper(), path.replace("{", "").replace("}", "")))
    return sorted(out)


def is_error_envelope(body: dict) -> bool:
    """RAI's envelope, or OpenAI's on the /v1 routes."""
    return body.get("status") == "error" or isinstance(body.get("error"), dict)


def test_every_authenticated_operation_refuses_every_bad_token(http):
    user = new_user(http)
    me = http.get("/api/auth/me", headers=user.headers).json()["user"]
    good = user.headers["Authorization"].removeprefix("Bearer ")
    attacks = jwt_attacks(me["id"], good)
    operations = authenticated_operations(http.get("/api/openapi.json").json())
    assert len(operations) >= 18
    failures = []
    for method, path in operations:
        for name, token in attacks.items():
            response = http.request(
                method, path, json={}, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code != 401 or not is_error_envelope(response.json()):
                failures.append((method, path, name, response.status_code))
    assert failures == []
    total = len(attacks) * len(operations)
    print(f"TOKEN MATRIX: {len(attacks)} bad tokens x {len(operations)} operations = {total} x 401")
    # The good token still works: the attacks did not lock the account.
    assert http.get("/api/auth/me", headers=user.headers).status_code == 200


@pytest.mark.parametrize("password", ["correct horse 1", "pässwörd with ünïcode ✓"])
def test_passwords_are_stored_as_argon2id_and_nowhere_in_clear(http, stack, password):
    username = "pw_" + password.encode().hex()[:12]
    response = http.post("/api/auth/register", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    with psycopg.connect(stack.db_url) as conn:
        (stored,) = conn.execute(
            "SELECT password_hash FROM users WHERE username = %s", (username,)
        ).fetchone()
        row = conn.execute("SELECT * FROM users WHERE username = %s", (username,)).fetchone()
    assert stored.startswith("$argon2id$v=19$")
    assert all(password not in str(value) for value in row)
