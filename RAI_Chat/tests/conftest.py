"""Shared fixtures: ``db_url`` (SQLite and PostgreSQL), ``app``, ``client``, ``auth``,
``live_server`` (the production server in a subprocess on a free port)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from conftest import track  # the repository-root conftest
from RAI_Chat.backend.app import create_app
from RAI_Chat.backend.config import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_DSN = os.environ.get("RAI_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_SECRET = "test-secret-" + "s" * 40
TEST_JWT_SECRET = "test-jwt-secret-" + "j" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc)


def require_service(name: str, problem: str | None) -> None:
    """Skip a test whose service is missing -- except in CI, where that is a failure."""
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI but unreachable: {problem}")
        pytest.skip(f"{name} unreachable: {problem}")


@pytest.fixture(scope="session")
def postgres_server():
    require_service("PostgreSQL", _postgres_available())
    return PG_ADMIN_DSN


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The URL of a Redis database the tests may use (the server on 127.0.0.1:6379)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
        problem = None
    except redis.RedisError as exc:
        problem = str(exc)
    require_service("Redis", problem)
    return REDIS_TEST_URL


def create_pg_database(admin_dsn: str) -> tuple[str, str]:
    name = f"rai_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_dsn.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def drop_pg_database(admin_dsn: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BOTH_DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def fresh_database(request, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty database of the kind ``request.param`` names: a SQLite file
    under ``tmp_path``, or a throwaway PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rai_test.db'}"
        return
    admin = request.getfixturevalue("postgres_server")
    name, url = create_pg_database(admin)
    try:
        yield url
    finally:
        drop_pg_database(admin, name)


@pytest.fixture(params=BOTH_DATABASES)
def db_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, or a throwaway PostgreSQL database."""
    with fresh_database(request, tmp_path) as url:
        yield url


def make_settings(db_url: str, tmp_path: Path, **overrides) -> Settings:
    """A test app's settings (``create_app(make_settings(...))``): testing (synchronous
    jobs, no rate limits unless set), this database, logs under ``tmp_path``, no engine
    unless ``llm_api_url``; ``overrides`` by field name."""
    values = {
        "flask_env": "testing",
        "database_url": db_url,
        "secret_key": TEST_SECRET,
        "jwt_secret_key": TEST_JWT_SECRET,
        "llm_api_url": "http://127.0.0.1:9",
        "rai_logs_dir": tmp_path / "logs",
    }
    return Settings(**{**values, **overrides})


@pytest.fixture
def app(db_url, tmp_path):
    application = create_app(make_settings(db_url, tmp_path))
    yield application
    application.extensions["rai_database"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class AuthHelper:
    """Registers users and hands back their bearer headers (works on a test client)."""

    client: object

    def register(self, username: str | None = None, password: str = "correct horse 1"):
        username = username or f"user_{uuid.uuid4().hex[:8]}"
        response = self.client.post(
            "/api/auth/register", json={"username": username, "password": password}
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def headers(self, username: str | None = None) -> dict:
        token = self.register(username)["access_token"]
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(client):
    return AuthHelper(client)


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_dir: Path
    stderr_path: Path
    db_url: str = ""  # set by the ``live_server`` fixture

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, **{"timeout": 30, **kwargs})

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        """The gunicorn master's worker processes."""
        master = self.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in children.split()]

    def wait_for_ready_worker(self, pid: int, timeout: float = 60) -> None:
        """Wait until worker ``pid`` has loaded the app (gunicorn's post_worker_init line)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f"Worker ready (pid: {pid})" in self.stderr():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"the API exited ({self.process.returncode}):\n{self.stderr()}")
            time.sleep(0.1)
        raise RuntimeError(f"worker {pid} did not become ready:\n{self.stderr()}")

    def replace_a_worker(self, rng=None) -> int:
        """SIGKILL one worker; return the pid of the worker gunicorn boots in its place, once
        it is ready."""
        before = self.worker_pids()
        victim = rng.choice(before) if rng else before[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            fresh = [p for p in self.worker_pids() if p not in before]
            if fresh:
                self.wait_for_ready_worker(fresh[0])
                return fresh[0]
            if self.process.poll() is not None:
                raise RuntimeError(f"the API exited ({self.process.returncode}):\n{self.stderr()}")
            time.sleep(0.05)
        raise RuntimeError(f"no worker replaced {victim}:\n{self.stderr()}")


def start_api_server(
    env_overrides: dict, tmp_path: Path, timeout: float = 60, command_prefix: list[str] = ()
) -> LiveServer:
    """Start ``python -m RAI_Chat.backend.wsgi`` (gunicorn + gevent) and wait for health;
    ``command_prefix`` runs it under another command (e.g. ``unshare``)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_dir = tmp_path / f"api-logs-{port}"
    env = {
        **os.environ,
        "FLASK_ENV": "production",
        "SECRET_KEY": TEST_SECRET,
        "JWT_SECRET_KEY": TEST_JWT_SECRET,
        "CORS_ORIGINS": "http://allowed.example",
        "RAI_API_HOST": "127.0.0.1",
        "RAI_API_PORT": str(port),
        "RAI_API_WORKERS": "2",
        "RAI_LOGS_DIR": str(log_dir),
        "RAI_INSTANCE_DIR": str(tmp_path / "instance"),
        "LLM_API_URL": "http://127.0.0.1:9",
        # Tests register many users from 127.0.0.1: limits stay on, but high.
        "RATELIMIT_LOGIN": "10000 per minute",
        "RATELIMIT_REGISTER": "10000 per minute",
        "RATELIMIT_CHAT": "10000 per minute",
        **env_overrides,
    }
    stderr_path = tmp_path / f"api-{port}.stderr"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [*command_prefix, sys.executable, "-m", "RAI_Chat.backend.wsgi"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    track(process)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = stderr_path.read_text()
            raise RuntimeError(f"API server exited with {process.returncode}: {err}")
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code in (200, 503):
                return LiveServer(url, process, log_dir, stderr_path)
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("API server did not become healthy in time")


def stop_api_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def live_server(request, tmp_path_factory):
    """The production server (gunicorn + gevent, 2 workers) on a fresh database; shared by
    the tests of one module."""
    tmp_path = tmp_path_factory.mktemp("live")
    with fresh_database(request, tmp_path) as url:
        server = start_api_server({"DATABASE_URL": url}, tmp_path)
        server.db_url = url
        yield server
        stop_api_server(server)
