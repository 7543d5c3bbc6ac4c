"""Start-up checks, migrations on both databases, the OpenAPI document."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect

from RAI_Chat.backend.app import create_app
from RAI_Chat.backend.core.database.migrate import current_revision, head_revision, upgrade

from ..conftest import PROJECT_ROOT, make_settings


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev-key-please-change-in-production"}, "SECRET_KEY"),
        ({"SECRET_KEY": "r" * 48}, "JWT_SECRET_KEY"),
    ],
)
def test_production_with_default_secrets_exits_with_a_clear_message(env, named, tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "JWT_SECRET_KEY")}
    result = subprocess.run(
        [sys.executable, "-m", "RAI_Chat.backend.wsgi"],
        cwd=PROJECT_ROOT,
        env={**clean, "FLASK_ENV": "production", "RAI_LOGS_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0] and "Traceback" not in result.stderr


def test_migrations_create_every_table_and_are_idempotent(app):
    engine = app.extensions["rai_database"].engine
    tables = set(inspect(engine).get_table_names())
    assert {"users", "chat_sessions", "messages", "user_facts", "episodic_entries"} <= tables
    columns = {c["name"] for c in inspect(engine).get_columns("messages")}
    assert {
        "role",
        "content",
        "tier1_content",
        "tier2_content",
        "required_tier",
        "status",
        "prompt_tokens",
        "completion_tokens",
        "created_at",
    } <= columns
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # a second start changes nothing
    assert current_revision(engine) == head_revision()


def test_sqlite_runs_in_wal_mode(tmp_path):
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'wal.db'}", tmp_path))
    with app.extensions["rai_database"].engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    app.extensions["rai_database"].dispose()


def test_the_first_user_is_admin_and_later_ones_are_not(client, auth):
    assert auth.register()["user"]["is_admin"] is True
    assert auth.register()["user"]["is_admin"] is False


def test_registration_can_be_turned_off(db_url, tmp_path):
    app = create_app(make_settings(db_url, tmp_path, registration_enabled=False))
    client = app.test_client()
    body = {"username": "first_admin", "password": "long enough 1"}
    assert client.post("/api/auth/register", json=body).status_code == 201  # the admin
    second = client.post("/api/auth/register", json={**body, "username": "second"})
    assert second.status_code == 403
    assert "disabled" in second.get_json()["error"]
    app.extensions["rai_database"].dispose()


def test_openapi_document_is_generated_from_the_models(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/auth/register", "/api/auth/login", "/api/auth/me", "/api/health"} <= set(
        doc["paths"]
    )
    register_body = doc["paths"]["/api/auth/register"]["post"]["requestBody"]
    assert "CredentialsRequest" in str(register_body)
    assert "CredentialsRequest" in doc["components"]["schemas"]


def test_docs_page_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.data.lower()


def test_unexpected_errors_are_logged_with_a_request_id_and_hidden_from_the_client(app, caplog):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/api/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    body = response.get_json()
    assert body["request_id"] == "req-42"
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert any("req-42" in record.getMessage() for record in caplog.records)
