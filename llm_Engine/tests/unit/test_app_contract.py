"""The HTTP contract with a scripted provider: validation, errors, auth, queueing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient

from llm_Engine.app import create_app
from llm_Engine.errors import Overloaded
from llm_Engine.gate import GenerationGate
from llm_Engine.providers.base import ChatDelta, ChatParams, Provider, Usage
from llm_Engine.providers.registry import ProviderRegistry
from llm_Engine.settings import EngineSettings


class ScriptedProvider(Provider):
    kind = "scripted"

    def __init__(self) -> None:
        self.seen: list[ChatParams] = []

    async def stream_chat(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        self.seen.append(params)
        yield ChatDelta(text="Hello")
        yield ChatDelta(text=" world")
        yield ChatDelta(finish_reason="stop", usage=Usage(3, 2))


def _client(**settings: object) -> tuple[TestClient, ScriptedProvider]:
    provider = ScriptedProvider()
    registry = ProviderRegistry()
    registry.add("scripted", provider, "upstream-name")
    app = create_app(EngineSettings(local_model=False, embedding_model=False, **settings), registry)
    return TestClient(app), provider


MESSAGES = [{"role": "developer", "content": "rules"}, {"role": "user", "content": "hi"}]


def test_a_chat_answer_has_openai_shape_and_usage() -> None:
    client, provider = _client()
    body = client.post(
        "/v1/chat/completions",
        json={"model": "default", "messages": MESSAGES, "stop": "x", "seed": 3, "top_p": 0.5},
    ).json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == "Hello world"
    assert body["usage"] == {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    seen = provider.seen[0]
    assert (seen.model, seen.stop, seen.seed, seen.top_p) == ("upstream-name", ["x"], 3, 0.5)
    assert seen.messages[0]["role"] == "system"


def test_a_stream_ends_with_usage_and_done() -> None:
    client, _ = _client()
    body = {
        "model": "scripted",
        "messages": MESSAGES,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    lines = [l for l in client.post("/v1/chat/completions", json=body).text.split("\n") if l]  # noqa: E741
    assert lines[-1] == "data: [DONE]"
    assert '"choices": [], "usage": {"prompt_tokens": 3' in lines[-2]
    assert '"finish_reason": "stop"' in lines[-3]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "scripted", "messages": []}, "messages"),
        ({"model": "scripted", "messages": [{"role": "wizard", "content": "x"}]}, "messages"),
        ({"model": "scripted", "messages": MESSAGES, "temperature": 5}, "temperature"),
        ({"model": "scripted", "messages": MESSAGES, "max_tokens": 0}, "max_tokens"),
        ({"messages": MESSAGES}, "model"),
    ],
)
def test_invalid_requests_are_400_in_openai_envelope(body: dict, param: str) -> None:
    client, _ = _client()
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"].startswith(param)


def test_malformed_json_and_unknown_paths_are_openai_errors() -> None:
    client, _ = _client()
    bad = client.post(
        "/v1/chat/completions", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400 and "error" in bad.json()
    missing = client.get("/v1/nothing")
    assert missing.status_code == 404 and "error" in missing.json()


def test_an_api_key_is_required_when_configured() -> None:
    client, _ = _client(api_key="secret")
    body = {"model": "scripted", "messages": MESSAGES}
    refused = client.post("/v1/chat/completions", json=body)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"
    allowed = client.post(
        "/v1/chat/completions", json=body, headers={"Authorization": "Bearer secret"}
    )
    assert allowed.status_code == 200
    assert client.get("/health").status_code == 200


def test_models_are_listed() -> None:
    client, _ = _client()
    assert [m["id"] for m in client.get("/v1/models").json()["data"]] == ["scripted"]
    assert client.get("/v1/models/nope").status_code == 404


def test_a_full_queue_answers_503_with_retry_after() -> None:
    async def scenario() -> None:
        depths: list[int] = []
        gate = GenerationGate(queue_size=1, retry_after=3, on_depth=depths.append)
        leave = await gate.enter()
        waiter = asyncio.ensure_future(gate.enter())
        await asyncio.sleep(0)
        with pytest.raises(Overloaded) as caught:
            await gate.enter()
        assert caught.value.headers == {"Retry-After": "3"}
        assert caught.value.status == 503
        leave()
        (await waiter)()
        assert depths == [1, 0]

    asyncio.run(scenario())
