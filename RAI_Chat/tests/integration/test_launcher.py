"""``RAI_Chat/scripts/launch_app.py``: starts the real engine (real model) and the API,
restarts a killed engine, stops everything on SIGTERM; refuses a port already taken."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ..conftest import PROJECT_ROOT, free_port

LAUNCHER = PROJECT_ROOT / "RAI_Chat" / "scripts" / "launch_app.py"


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def descendants(pid: int) -> set[int]:
    result, todo = set(), [pid]
    while todo:
        for child in children_of(todo.pop()):
            if child not in result:
                result.add(child)
                todo.append(child)
    return result


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def engine_child(launcher_pid: int) -> int | None:
    for pid in children_of(launcher_pid):
        if "llm_api_server.py" in cmdline(pid) and alive(pid):
            return pid
    return None


def wait_for(predicate, timeout: float, what: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the launcher exited ({process.returncode}) while {what}:\n{log.read_text()}"
            )
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"timed out while {what}:\n{log.read_text()}")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def launcher_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RAI_LOGS_DIR": str(tmp_path / "logs"),
        "RAI_INSTANCE_DIR": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'launch.db'}",
        "RAI_API_WORKERS": "1",
        "FLASK_ENV": "development",
    }


def test_a_port_already_taken_is_reported_and_nothing_starts(tmp_path):
    api_port, engine_port = free_port(), free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", api_port))
        squatter.listen()
        result = subprocess.run(
            [sys.executable, str(LAUNCHER), "--api-port", str(api_port)]
            + ["--engine-port", str(engine_port)],
            env=launcher_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {api_port}" in result.stdout and "already in use" in result.stdout
    assert "RAI_API_PORT" in result.stdout
    assert "Started" not in result.stdout
    log = (tmp_path / "logs" / "launch_app.log").read_text()
    assert "already in use" in log


@pytest.mark.slow
def test_launcher_starts_supervises_and_stops_the_whole_system(tmp_path):
    api_port, engine_port = free_port(), free_port()
    output = tmp_path / "launcher.out"
    log = tmp_path / "logs" / "launch_app.log"
    with open(output, "wb") as out:
        launcher = subprocess.Popen(
            [sys.executable, str(LAUNCHER), "--api-port", str(api_port)]
            + ["--engine-port", str(engine_port)],
            cwd=PROJECT_ROOT,
            env=launcher_env(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    api, engine = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{engine_port}"
    seen: set[int] = set()
    try:
        wait_for(
            lambda: "RAI Chat is ready: open" in output.read_text(),
            240,
            "starting",
            launcher,
            output,
        )
        assert f"open {api}/" in output.read_text()
        health = httpx.get(api + "/api/health", timeout=10).json()
        assert health == {
            "status": "ok",
            "database": "ok",
            "engine": "ok",
            "semantic_search": "on",
        }
        assert (tmp_path / "logs" / "engine.log").stat().st_size > 0
        assert (tmp_path / "logs" / "api.log").stat().st_size > 0

        # A killed engine is restarted, and the reason is logged.
        first_engine = engine_child(launcher.pid)
        assert first_engine is not None
        seen |= descendants(launcher.pid)
        os.kill(first_engine, signal.SIGKILL)
        new_engine = wait_for(
            lambda: (pid := engine_child(launcher.pid)) not in (None, first_engine) and pid,
            60,
            "restarting the engine",
            launcher,
            output,
        )
        wait_for(lambda: answers(engine + "/health"), 180, "reloading the engine", launcher, log)
        text = log.read_text()
        assert "LLM Engine stopped unexpectedly (killed by signal SIGKILL)" in text
        assert "Last lines of" in text
        assert new_engine != first_engine

        # SIGTERM stops every child, within a few seconds.
        seen |= descendants(launcher.pid)
        assert len(seen) >= 3  # the engine(s), the gunicorn master and its worker
        started = time.monotonic()
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=20) == 0
        assert time.monotonic() - started < 12
        time.sleep(0.5)
        assert [p for p in seen if alive(p)] == []
        assert not answers(api + "/api/health")
        assert "RAI Chat stopped" in log.read_text()
    finally:
        if launcher.poll() is None:
            seen |= descendants(launcher.pid)
            launcher.kill()
            launcher.wait()
        for pid in seen:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_service_that_cannot_start_stops_the_launcher_with_its_last_log_lines(tmp_path):
    env = {**launcher_env(tmp_path), "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    env["LLM_API_URL"] = "http://127.0.0.1:9"
    env["DATABASE_WAIT_SECONDS"] = "1"  # nothing listens there: give up after a second
    result = subprocess.run(
        [sys.executable, str(LAUNCHER), "--no-engine", "--api-port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "The RAI API stopped during start-up (exit code 1)" in result.stdout
    assert "    | RAI API cannot start" in result.stdout
    assert "RAI Chat stopped" in result.stdout
