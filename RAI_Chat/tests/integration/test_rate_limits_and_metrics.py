"""Rate limits (flask-limiter) and Prometheus ``/metrics`` of the RAI API: in-process on a
real database, and over real HTTP against the production server."""

from __future__ import annotations

import uuid

import pytest

from RAI_Chat.backend.app import create_app
from RAI_Chat.backend.extensions import chat_turn_limit, metrics

from ..conftest import make_settings, start_api_server, stop_api_server

PASSWORD = "correct horse 1"


def name() -> str:
    return f"rl_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def limited_app(db_url, tmp_path):
    application = create_app(
        make_settings(
            db_url,
            tmp_path,
            ratelimit_enabled=True,
            ratelimit_login="3 per minute",
            ratelimit_register="2 per minute",
            ratelimit_chat="2 per minute",
            metrics_enabled=True,
            metrics_token="metrics-token",
        )
    )
    yield application
    application.extensions["rai_database"].dispose()


def assert_429(response):
    assert response.status_code == 429, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["status"] == "error"
    assert "Too many requests" in body["error"]


def register(client, username, ip="10.0.0.1"):
    return client.post(
        "/api/auth/register",
        json={"username": username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": ip},
    )


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_registrations_are_limited_per_ip(limited_app):
    client = limited_app.test_client()
    assert register(client, name()).status_code == 201
    ok = register(client, name())
    assert ok.status_code == 201
    assert "Retry-After" not in ok.headers
    assert_429(register(client, name()))
    assert register(client, name(), ip="10.0.0.2").status_code == 201


def test_logins_are_limited_per_ip_whatever_the_username(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        assert login(client, name(), "wrong password").status_code == 401
    assert_429(login(client, name(), "wrong password"))


def test_failed_logins_are_limited_per_username_from_any_ip(limited_app):
    client = limited_app.test_client()
    victim = name()
    assert register(client, victim, ip="10.1.0.1").status_code == 201
    for i in range(3):
        assert login(client, victim, "wrong password", ip=f"10.2.0.{i}").status_code == 401
    assert_429(login(client, victim.upper(), PASSWORD, ip="10.2.0.99"))
    other = name()
    assert register(client, other, ip="10.1.0.2").status_code == 201
    assert login(client, other, ip="10.2.0.98").status_code == 200


def test_successful_logins_do_not_count_against_the_username(limited_app):
    client = limited_app.test_client()
    user = name()
    assert register(client, user, ip="10.3.0.1").status_code == 201
    for i in range(5):
        assert login(client, user, ip=f"10.4.0.{i}").status_code == 200


def test_trusted_proxy_header_names_the_client(limited_app):
    limited_app.extensions["rai_settings"].ratelimit_trusted_proxies = 1
    client = limited_app.test_client()

    def via_proxy(client_ip):
        return client.post(
            "/api/auth/register",
            json={"username": name(), "password": PASSWORD},
            headers={"X-Forwarded-For": f"203.0.113.9, {client_ip}"},
        )

    assert via_proxy("198.51.100.1").status_code == 201
    assert via_proxy("198.51.100.1").status_code == 201
    assert_429(via_proxy("198.51.100.1"))
    assert via_proxy("198.51.100.2").status_code == 201


def test_chat_turn_limit_counts_per_signed_in_user(limited_app):
    # The chat route applies `chat_turn_limit`; a stand-in route shows what it does.
    from RAI_Chat.backend.core.auth.utils import token_required

    @token_required
    @chat_turn_limit
    def fake_turn():
        return {"status": "success"}

    limited_app.add_url_rule("/api/test-turn", "fake_turn", fake_turn, methods=["POST"])
    client = limited_app.test_client()
    tokens = [register(client, name(), ip=f"10.5.0.{i}").get_json()["access_token"] for i in (1, 2)]
    first, second = ({"Authorization": f"Bearer {t}"} for t in tokens)
    assert client.post("/api/test-turn", headers=first).status_code == 200
    assert client.post("/api/test-turn", headers=first).status_code == 200
    assert_429(client.post("/api/test-turn", headers=first))
    assert client.post("/api/test-turn", headers=second).status_code == 200
    assert client.post("/api/test-turn").status_code == 401


def test_limits_are_off_when_disabled(app, client):
    assert app.config["RATELIMIT_ENABLED"] is False
    for _ in range(12):
        assert (
            client.post("/api/auth/login", json={"username": "x1", "password": "y" * 9}).status_code
            == 401
        )


def sample(text: str, line_start: str) -> float:
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_need_the_token_and_count_requests_by_route(limited_app):
    client = limited_app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    bearer = {"Authorization": "Bearer metrics-token"}
    key = 'rai_http_requests_total{method="POST",route="/api/auth/login",status="401"}'
    before = sample(client.get("/metrics", headers=bearer).get_data(as_text=True), key)
    login(client, name(), "wrong password", ip="10.6.0.1")
    metrics.active_streams.inc()
    metrics.engine_errors.inc()
    metrics.turn_latency.observe(1.5)
    metrics.set_job_queue_depth_source(lambda: 7)
    try:
        page = client.get("/metrics", headers=bearer)
    finally:
        metrics.active_streams.dec()
        metrics.set_job_queue_depth_source(lambda: 0)
    assert page.status_code == 200
    assert page.mimetype == "text/plain"
    text = page.get_data(as_text=True)
    assert sample(text, key) == before + 1
    assert sample(text, "rai_active_streams ") >= 1
    assert sample(text, "rai_engine_errors_total ") >= 1
    assert sample(text, "rai_chat_turn_latency_seconds_count ") >= 1
    assert sample(text, "rai_job_queue_depth ") == 7


def test_metrics_are_hidden_unless_enabled(client):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.get_json()["status"] == "error"


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_logins_over_http_get_429_with_retry_after(request, tmp_path, storage):
    """The production server (gunicorn, 2 workers) limits logins; with Redis the two
    workers share one count, in memory each worker counts alone."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}",
        "RATELIMIT_LOGIN": "3 per minute",
        "RATELIMIT_REGISTER": "50 per minute",
        "RATELIMIT_TRUSTED_PROXIES": "1",
        "METRICS_ENABLED": "true",
    }
    # A fresh client address per run: Redis keeps counts between runs.
    forwarded = {"X-Forwarded-For": f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}
    attempts = 3 * 2 + 1  # memory: each of the two workers may allow 3
    if storage == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_server")
        attempts = 4
    server = start_api_server(env, tmp_path)
    try:
        with server.client() as http:
            user = name()
            statuses = []
            for _ in range(attempts):
                response = http.post(
                    "/api/auth/login",
                    json={"username": user, "password": "wrong password"},
                    headers=forwarded,
                )
                statuses.append(response.status_code)
                if response.status_code == 429:
                    break
            assert statuses[-1] == 429, statuses
            assert set(statuses[:-1]) == {401}
            assert int(response.headers["Retry-After"]) > 0
            assert response.json()["status"] == "error"
            if storage == "redis":
                assert len(statuses) == 4
            page = http.get("/metrics")
            assert page.status_code == 200
            assert "rai_http_requests_total" in page.text
    finally:
        stop_api_server(server)
