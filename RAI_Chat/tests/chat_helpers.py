"""Test helpers: a chat stack (fake upstream → real engine → real API) and an SSE reader."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from conftest import start_engine, wait_for_health  # the repository-root conftest
from llm_Engine.testing.fake_upstreams import FakeOpenAI
from llm_Engine.testing.server_thread import free_port


def engine_env(fake: FakeOpenAI) -> dict[str, str]:
    """An engine with no local model, whose default model is the fake upstream."""
    return {
        "LLM_LOCAL_MODEL": "false",
        "LLM_EMBEDDING_MODEL": "false",
        "OPENAI_BASE_URL": fake.base_url + "/v1",
        "OPENAI_API_KEY": "test-key",
        "LLM_UPSTREAM_RETRIES": "0",
    }


def start_fake_engine(fake: FakeOpenAI):
    port = free_port()
    process = start_engine(port, engine_env(fake))
    url = f"http://127.0.0.1:{port}"
    wait_for_health(process, url, timeout=60)
    return process, url


def stop_process(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except Exception:
            process.kill()
            process.wait()
    if process.stdout:
        process.stdout.close()


@dataclass
class User:
    http: httpx.Client
    username: str
    headers: dict

    def chat(self, message: str, **body) -> httpx.Response:
        return self.http.post("/api/chat/", json={"message": message, **body}, headers=self.headers)


def new_user(http: httpx.Client) -> User:
    username = f"u_{uuid.uuid4().hex[:10]}"
    response = http.post(
        "/api/auth/register", json={"username": username, "password": "correct horse 1"}
    )
    assert response.status_code == 201, response.text
    token = response.json()["access_token"]
    return User(http, username, {"Authorization": f"Bearer {token}"})


def sse_events(response: httpx.Response) -> Iterator[tuple[int | None, dict]]:
    """(id, event) for each ``data:`` event of a streaming response."""
    event_id = None
    for line in response.iter_lines():
        if line.startswith("id:"):
            event_id = int(line[3:].strip())
        elif line.startswith("data:"):
            yield event_id, json.loads(line[5:].strip())
            event_id = None


def stream_turn(user: User, message: str, **body) -> list[tuple[int | None, dict]]:
    with user.http.stream(
        "POST",
        "/api/chat/",
        json={"message": message, "streaming": True, **body},
        headers=user.headers,
    ) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(sse_events(response))


def tokens(events) -> str:
    return "".join(e["content"] for _, e in events if e["type"] == "token")
