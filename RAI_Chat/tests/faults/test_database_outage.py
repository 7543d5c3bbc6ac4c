"""The API across a PostgreSQL outage (the database reached through a proxy the test cuts):
workers replaced while the database is away boot without it and serve once it is back; an
API started during an outage waits for its database; the launcher keeps the API it runs
up, and restarts it only when it really died."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from ..chat_helpers import new_user
from ..conftest import (
    PROJECT_ROOT,
    TEST_JWT_SECRET,
    TEST_SECRET,
    create_pg_database,
    drop_pg_database,
    free_port,
    start_api_server,
    stop_api_server,
)
from ..fakes.flaky_proxy import FlakyProxy
from ..integration.test_launcher import LAUNCHER, children_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxied_database(postgres_server):
    """(the database's URL through a proxy the test can cut, the proxy)."""
    name, url = create_pg_database(postgres_server)
    proxy = FlakyProxy(int(url.rsplit(":", 1)[1].split("/")[0]))
    try:
        yield proxy.proxied_url(url), proxy
    finally:
        proxy.close()
        drop_pg_database(postgres_server, name)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out: {what}")


def status_of(http: httpx.Client, path: str, headers: dict) -> int | None:
    try:
        return http.get(path, headers=headers).status_code
    except httpx.HTTPError:
        return None


def test_workers_replaced_during_an_outage_boot_without_the_database_and_serve_after(
    proxied_database, tmp_path
):
    url, proxy = proxied_database
    api = start_api_server({"DATABASE_URL": url, "RATELIMIT_ENABLED": "false"}, tmp_path)
    try:
        master = api.process.pid
        with api.client(timeout=10) as http:
            user = new_user(http)
            assert http.get("/api/auth/me", headers=user.headers).status_code == 200

            proxy.cut()
            # Both workers die and are replaced while the database is away.
            for _ in range(2):
                api.replace_a_worker()
            assert api.process.poll() is None and api.process.pid == master
            assert len(api.worker_pids()) == 2

            # Requests that need the database get the clear 503, nothing worse.
            health = http.get("/api/health")
            assert health.status_code == 503
            assert health.json()["database"] == "unavailable"
            me = http.get("/api/auth/me", headers=user.headers)
            assert me.status_code == 503
            assert me.json()["error"] == "The database is unavailable; retry in a few seconds"

            proxy.restore()
            wait_until(
                lambda: status_of(http, "/api/auth/me", user.headers) == 200,
                30,
                "the workers serving again once the database is back",
            )
            # Every worker serves: new connections land on both.
            for _ in range(10):
                assert http.get("/api/auth/me", headers=user.headers).status_code == 200
            assert new_user(http).headers
        assert api.process.pid == master and api.process.poll() is None
        stderr = api.stderr()
        assert "Worker failed to boot" not in stderr and "Shutting down" not in stderr
        # gunicorn's shared control socket (~/.gunicorn/gunicorn.ctl) is off.
        assert "Control socket" not in stderr
    finally:
        stop_api_server(api)


def test_an_api_started_during_an_outage_waits_for_its_database(proxied_database, tmp_path):
    url, proxy = proxied_database
    proxy.cut()
    started = threading.Event()
    with contextlib.ExitStack() as stack:

        def restore_once_waiting():
            # Back only once the API has said it is waiting, so that it did wait.
            log = next(tmp_path.glob("api-*.stderr"), None)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                log = log or next(tmp_path.glob("api-*.stderr"), None)
                if log and "waiting for the database" in log.read_text():
                    break
                time.sleep(0.1)
            proxy.restore()
            started.set()

        threading.Thread(target=restore_once_waiting, daemon=True).start()
        api = start_api_server({"DATABASE_URL": url, "DATABASE_WAIT_SECONDS": "60"}, tmp_path)
        stack.callback(stop_api_server, api)
        assert started.is_set()
        assert "RAI API: waiting for the database (" in api.stderr()
        with api.client() as http:
            assert http.get("/api/health").json()["database"] == "ok"
            assert new_user(http).headers


def test_a_database_that_cannot_appear_by_waiting_fails_at_once(postgres_server, tmp_path):
    base = postgres_server.rsplit("/", 1)[0]
    result = subprocess.run(
        [sys.executable, "-m", "RAI_Chat.backend.wsgi"],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "FLASK_ENV": "production",
            "SECRET_KEY": TEST_SECRET,
            "JWT_SECRET_KEY": TEST_JWT_SECRET,
            "RAI_LOGS_DIR": str(tmp_path / "logs"),
            "RAI_API_PORT": str(free_port()),
            "DATABASE_URL": f"{base}/rai_no_such_database",
            "DATABASE_WAIT_SECONDS": "600",  # would outlast the timeout below if it waited
        },
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 1
    assert "RAI API cannot start" in result.stderr
    assert 'database "rai_no_such_database" does not exist' in result.stderr
    assert "waiting for the database" not in result.stderr
    assert "Traceback" not in result.stderr


def test_the_launcher_keeps_the_api_up_across_an_outage(proxied_database, tmp_path):
    url, proxy = proxied_database
    api_port = free_port()
    logs = tmp_path / "logs"
    env = {
        **os.environ,
        "RAI_LOGS_DIR": str(logs),
        "RAI_INSTANCE_DIR": str(tmp_path / "instance"),
        "DATABASE_URL": url,
        "LLM_API_URL": "http://127.0.0.1:9",
        "RAI_API_WORKERS": "2",
        "FLASK_ENV": "development",
    }
    output = tmp_path / "launcher.out"
    with open(output, "wb") as out:
        launcher = subprocess.Popen(
            [sys.executable, str(LAUNCHER), "--no-engine", "--api-port", str(api_port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{api_port}"
    api_log = logs / "api.log"
    launch_log = logs / "launch_app.log"
    try:
        wait_until(lambda: "RAI Chat is ready" in output.read_text(), 120, "the launcher start")
        (api_master,) = children_of(launcher.pid)
        with httpx.Client(base_url=base, timeout=10) as http:
            user = new_user(http)

            # An outage with a worker replaced: the API stays up, the launcher does nothing.
            proxy.cut()
            victim = children_of(api_master)[0]
            os.kill(victim, signal.SIGKILL)
            fresh = wait_until(
                lambda: [p for p in children_of(api_master) if p != victim][1:],
                30,
                "a replacement worker",
            )
            wait_until(
                lambda: f"Worker ready (pid: {fresh[0]})" in api_log.read_text(),
                60,
                "the replacement worker loading the app",
            )
            assert http.get("/api/health").status_code == 503
            time.sleep(2)  # a few supervision rounds of the launcher (every 0.5 s)
            proxy.restore()
            wait_until(
                lambda: status_of(http, "/api/auth/me", user.headers) == 200,
                30,
                "the API serving again",
            )
            assert children_of(launcher.pid) == [api_master]
            assert "stopped unexpectedly" not in launch_log.read_text()

            # The last resort: the API itself killed during an outage is restarted, and the
            # new one waits for the database instead of exiting again and again.
            proxy.cut()
            os.kill(api_master, signal.SIGKILL)
            wait_until(
                lambda: "waiting for the database" in api_log.read_text(),
                60,
                "the restarted API waiting for its database",
            )
            proxy.restore()
            wait_until(
                lambda: status_of(http, "/api/auth/me", user.headers) == 200,
                90,
                "the restarted API serving",
            )
        text = launch_log.read_text()
        assert text.count("stopped unexpectedly") == 1
        assert "RAI API stopped unexpectedly (killed by signal SIGKILL)" in text
        assert launcher.poll() is None
    finally:
        launcher.send_signal(signal.SIGTERM)
        try:
            launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            launcher.kill()
            launcher.wait()
