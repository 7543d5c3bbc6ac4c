"""Authentication through real HTTP against the production server (gunicorn + gevent), on
SQLite and on PostgreSQL."""

import base64
import json
import time
import uuid
from datetime import UTC, datetime

import jwt
import pytest
import sqlalchemy

from ..conftest import TEST_JWT_SECRET


def new_name() -> str:
    return f"user_{uuid.uuid4().hex[:10]}"


def register(http, username=None, password="correct horse 1"):
    username = username or new_name()
    response = http.post("/api/auth/register", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return username, response.json()


def assert_error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in response.text
    return body


def test_register_login_and_me_work_over_http(live_server):
    with live_server.client() as http:
        username, registered = register(http)
        assert registered["user"]["username"] == username
        login = http.post(
            "/api/auth/login", json={"username": username, "password": "correct horse 1"}
        )
        assert login.status_code == 200
        body = login.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 86400
        me = http.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200
        assert me.json()["user"] == {**registered["user"]}


def test_login_is_case_insensitive_on_the_username_only(live_server):
    with live_server.client() as http:
        username, _ = register(http, "Mixed_" + uuid.uuid4().hex[:6])
        ok = http.post(
            "/api/auth/login", json={"username": username.upper(), "password": "correct horse 1"}
        )
        assert ok.status_code == 200
        wrong = http.post(
            "/api/auth/login", json={"username": username, "password": "CORRECT HORSE 1"}
        )
        assert_error(wrong, 401)


def test_wrong_password_and_unknown_user_get_the_same_401(live_server):
    with live_server.client() as http:
        username, _ = register(http)
        wrong = assert_error(
            http.post("/api/auth/login", json={"username": username, "password": "wrong password"}),
            401,
        )
        unknown = assert_error(
            http.post("/api/auth/login", json={"username": new_name(), "password": "whatever123"}),
            401,
        )
        assert wrong["error"] == unknown["error"]


def test_a_taken_username_gets_400(live_server):
    with live_server.client() as http:
        username, _ = register(http)
        body = assert_error(
            http.post(
                "/api/auth/register",
                json={"username": username.upper(), "password": "another pw 1"},
            ),
            400,
        )
        assert "taken" in body["error"]


BAD_BODIES = {
    "missing password": ({"username": "bob_1"}, 400, "password"),
    "missing username": ({"password": "long enough 1"}, 400, "username"),
    "blank username": ({"username": "   ", "password": "long enough 1"}, 400, "username"),
    "blank password": ({"username": "bob_2", "password": ""}, 400, "password"),
    "number as username": ({"username": 12345, "password": "long enough 1"}, 400, "username"),
    "list as password": ({"username": "bob_3", "password": ["a"]}, 400, "password"),
    "short password": ({"username": "bob_4", "password": "short"}, 400, "8 characters"),
    "bad characters in username": (
        {"username": "bob smith!", "password": "long enough 1"},
        400,
        "Username",
    ),
    "unknown field": (
        {"username": "bob_5", "password": "long enough 1", "is_admin": True},
        400,
        "is_admin",
    ),
    "array body": ([1, 2, 3], 400, "JSON object"),
    "null body": (None, 400, "JSON object"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_registration_bodies_get_a_clear_400(live_server, case):
    body, status, mentions = BAD_BODIES[case]
    with live_server.client() as http:
        response = http.post(
            "/api/auth/register",
            content=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        assert mentions in assert_error(response, status)["error"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        (
            "POST",
            "/api/auth/login",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        (
            "POST",
            "/api/auth/login",
            {
                "content": b"username=a&password=b",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            415,
        ),
        (
            "POST",
            "/api/auth/login",
            {"content": b"hello", "headers": {"Content-Type": "text/plain"}},
            415,
        ),
        ("POST", "/api/auth/login", {}, 400),
        (
            "POST",
            "/api/auth/register",
            {"json": {"username": "big", "password": "x" * (2 * 1024 * 1024)}},
            413,
        ),
        ("GET", "/api/does-not-exist", {}, 404),
        ("GET", "/api/auth/login", {}, 405),
        ("DELETE", "/api/auth/me", {}, 405),
    ],
)
def test_malformed_requests_get_json_4xx(live_server, method, path, kwargs, status):
    with live_server.client() as http:
        assert_error(http.request(method, path, **kwargs), status)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt_attacks(user_id: str, good_token: str) -> dict[str, str]:
    now = int(time.time())
    claims = {
        "sub": user_id,
        "iat": now,
        "exp": now + 600,
        "type": "access",
        "ver": 0,
        "jti": uuid.uuid4().hex,
    }
    header, payload, signature = good_token.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["sub"] = str(uuid.uuid4())
    return {
        "tampered payload": f"{header}.{b64(forged)}.{signature}",
        "tampered signature": f"{header}.{payload}.{signature[:-4]}AAAA",
        "expired": jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, TEST_JWT_SECRET),
        "other key": jwt.encode(claims, "some-other-key-" + "q" * 40),
        "alg none": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}.",
        "wrong type": jwt.encode({**claims, "type": "refresh"}, TEST_JWT_SECRET),
        "unknown user": jwt.encode({**claims, "sub": str(uuid.uuid4())}, TEST_JWT_SECRET),
        "old token version": jwt.encode({**claims, "ver": -1}, TEST_JWT_SECRET),
        "no token id": jwt.encode({k: v for k, v in claims.items() if k != "jti"}, TEST_JWT_SECRET),
        "malformed": "abc.def",
        "garbage": "!!!",
    }


def test_jwt_attacks_get_401(live_server):
    with live_server.client() as http:
        _, registered = register(http)
        user_id, token = registered["user"]["id"], registered["access_token"]
        assert (
            http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )
        for name, bad in jwt_attacks(user_id, token).items():
            response = http.get("/api/auth/me", headers={"Authorization": f"Bearer {bad}"})
            assert response.status_code == 401, name
            assert response.json()["status"] == "error", name
        for header in ({}, {"Authorization": token}, {"Authorization": f"Basic {token}"}):
            assert_error(http.get("/api/auth/me", headers=header), 401)


def test_a_password_change_revokes_older_tokens(live_server):
    with live_server.client() as http:
        username, registered = register(http)
        old = {"Authorization": f"Bearer {registered['access_token']}"}
        changed = http.post(
            "/api/auth/password",
            json={"old_password": "correct horse 1", "new_password": "battery staple 2"},
            headers=old,
        )
        assert changed.status_code == 200, changed.text
        assert_error(http.get("/api/auth/me", headers=old), 401)
        new = {"Authorization": f"Bearer {changed.json()['access_token']}"}
        assert http.get("/api/auth/me", headers=new).status_code == 200
        login = http.post(
            "/api/auth/login", json={"username": username, "password": "battery staple 2"}
        )
        assert login.status_code == 200


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_logout_revokes_that_token_only(live_server):
    with live_server.client() as http:
        username, registered = register(http)
        laptop = bearer(registered["access_token"])
        phone = bearer(
            http.post(
                "/api/auth/login", json={"username": username, "password": "correct horse 1"}
            ).json()["access_token"]
        )
        out = http.post("/api/auth/logout", headers=laptop)
        assert out.status_code == 200, out.text
        assert out.json() == {"status": "success"}
        body = assert_error(http.get("/api/auth/me", headers=laptop), 401)
        assert "signed out" in body["error"]
        assert_error(http.get("/api/session/", headers=laptop), 401)
        assert_error(http.post("/api/auth/logout", headers=laptop), 401)
        assert http.get("/api/auth/me", headers=phone).status_code == 200
        again = http.post(
            "/api/auth/login", json={"username": username, "password": "correct horse 1"}
        )
        assert http.get("/api/auth/me", headers=bearer(again.json()["access_token"])).is_success


def test_a_revoked_token_id_is_kept_until_it_expires_then_dropped(live_server):
    with live_server.client() as http:
        _, registered = register(http)
        token = registered["access_token"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 32
        assert http.post("/api/auth/logout", headers=bearer(token)).status_code == 200
    engine = sqlalchemy.create_engine(live_server.db_url)
    try:
        with engine.begin() as conn:
            row = conn.execute(
                sqlalchemy.text("SELECT user_id, expires_at FROM revoked_tokens WHERE jti = :j"),
                {"j": claims["jti"]},
            ).one()
            assert row.user_id == registered["user"]["id"]
            # Pretend it expired: the next sign-out drops it.
            conn.execute(
                sqlalchemy.text("UPDATE revoked_tokens SET expires_at = :t WHERE jti = :j"),
                {"t": datetime(2000, 1, 1, tzinfo=UTC), "j": claims["jti"]},
            )
        with live_server.client() as http:
            _, other = register(http)
            assert http.post("/api/auth/logout", headers=bearer(other["access_token"])).is_success
        with engine.begin() as conn:
            left = conn.execute(
                sqlalchemy.text("SELECT count(*) FROM revoked_tokens WHERE jti = :j"),
                {"j": claims["jti"]},
            ).scalar()
            assert left == 0
    finally:
        engine.dispose()


def test_logout_everywhere_revokes_every_token_of_that_user_only(live_server):
    with live_server.client() as http:
        username, registered = register(http)
        _, someone_else = register(http)
        first = bearer(registered["access_token"])
        second = bearer(
            http.post(
                "/api/auth/login", json={"username": username, "password": "correct horse 1"}
            ).json()["access_token"]
        )
        out = http.post("/api/auth/logout-everywhere", headers=second)
        assert out.status_code == 200, out.text
        assert_error(http.get("/api/auth/me", headers=first), 401)
        assert_error(http.get("/api/auth/me", headers=second), 401)
        assert http.get("/api/auth/me", headers=bearer(someone_else["access_token"])).is_success
        again = http.post(
            "/api/auth/login", json={"username": username, "password": "correct horse 1"}
        )
        assert http.get("/api/auth/me", headers=bearer(again.json()["access_token"])).is_success


@pytest.mark.parametrize("path", ["/api/auth/logout", "/api/auth/logout-everywhere"])
def test_signing_out_needs_a_valid_token(live_server, path):
    with live_server.client() as http:
        assert_error(http.post(path), 401)
        assert_error(http.post(path, headers=bearer("not-a-jwt")), 401)


def test_authentication_is_checked_before_the_body(live_server):
    with live_server.client() as http:
        response = http.post(
            "/api/auth/password", content=b"{}", headers={"Content-Type": "application/json"}
        )
        assert_error(response, 401)


def test_errors_carry_the_request_id_header(live_server):
    with live_server.client() as http:
        response = http.get("/api/nothing-here", headers={"X-Request-ID": "trace-123"})
        assert response.headers["X-Request-ID"] == "trace-123"
        assert response.json()["request_id"] == "trace-123"


def test_cors_allows_only_configured_origins(live_server):
    with live_server.client() as http:
        allowed = http.options(
            "/api/auth/login",
            headers={"Origin": "http://allowed.example", "Access-Control-Request-Method": "POST"},
        )
        assert allowed.headers.get("Access-Control-Allow-Origin") == "http://allowed.example"
        denied = http.options(
            "/api/auth/login",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "Access-Control-Allow-Origin" not in denied.headers


def test_health_reports_database_and_engine(live_server):
    with live_server.client() as http:
        body = http.get("/api/health").json()
        assert body["database"] == "ok"
        assert body["engine"] == "unreachable"  # nothing listens on the configured engine port
        assert body["status"] == "degraded"
        assert body["semantic_search"].startswith("off: The embedding model is unreachable")
