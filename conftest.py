"""Fixtures shared by every test suite of the repository.

`engine_server` starts the real LLM Engine (with the real local model) once per test
session; `fake_openai_upstream` is a small OpenAI-compatible server on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llm_Engine.testing.fake_upstreams import FakeOpenAI
from llm_Engine.testing.server_thread import free_port

REPO_ROOT = Path(__file__).resolve().parent
# Every server process a test started: whatever a fixture did not stop (e.g. its setup failed
# after the engine started) is stopped when the session ends, never left running.
STARTED: list[subprocess.Popen] = []


def track(process: subprocess.Popen) -> subprocess.Popen:
    STARTED.append(process)
    return process


def pytest_sessionfinish(session, exitstatus) -> None:
    for process in STARTED:
        if process.poll() is None:
            process.terminate()
    for process in STARTED:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_engine(port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `python llm_Engine/llm_api_server.py --port <port>` on 127.0.0.1."""
    full_env = {**os.environ, "LLM_HOST": "127.0.0.1", "LLM_LOG_LEVEL": "warning", **(env or {})}
    return track(
        subprocess.Popen(
            [
                sys.executable,
                str(REPO_ROOT / "llm_Engine" / "llm_api_server.py"),
                "--port",
                str(port),
            ],
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    )


def wait_for_health(process: subprocess.Popen, base_url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"the LLM Engine exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{base_url}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the LLM Engine did not become healthy within {timeout} s")


@pytest.fixture(scope="session")
def engine_server() -> Iterator[str]:
    """Base URL (http://127.0.0.1:<port>) of a real LLM Engine with the local model."""
    port = free_port()
    process = start_engine(port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(process, base_url)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture
def fake_openai_upstream() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible upstream; its API lives at `<base_url>/v1`."""
    with FakeOpenAI() as fake:
        yield fake
