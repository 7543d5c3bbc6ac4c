"""Each remote provider, through its official SDK, against a fake upstream of ours on
loopback that speaks that provider's wire protocol; the engine is reached with `openai`."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import httpx
import openai
import pytest

from llm_Engine.providers.anthropic_messages import AnthropicProvider
from llm_Engine.providers.gemini import GeminiProvider
from llm_Engine.providers.openai_compat import OpenAICompatibleProvider
from llm_Engine.providers.registry import ProviderRegistry
from llm_Engine.testing.engine import engine_thread
from llm_Engine.testing.fake_upstreams import FakeAnthropic, FakeGemini, FakeOpenAI
from llm_Engine.testing.server_thread import free_port

post = functools.partial(httpx.post, timeout=60)  # generous: the machine may be busy
REPLY = "The answer is forty two."
MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "What is the answer?"},
]


def _provider(kind: str, base_url: str, retries: int = 1):  # noqa: ANN202
    if kind == "openai":
        return OpenAICompatibleProvider(f"{base_url}/v1", "sk-test", 60, retries)
    if kind == "anthropic":
        return AnthropicProvider(base_url, "sk-ant-test", 60, retries)
    return GeminiProvider(base_url, "gemini-test", 60, retries)


FAKES = {"openai": FakeOpenAI, "anthropic": FakeAnthropic, "gemini": FakeGemini}


@pytest.fixture(params=sorted(FAKES))
def upstream(request: pytest.FixtureRequest) -> Iterator[FakeOpenAI]:
    with FAKES[request.param](reply=REPLY) as fake:
        yield fake


@pytest.fixture
def engine(upstream) -> Iterator[str]:  # noqa: ANN001
    registry = ProviderRegistry()
    registry.add("remote", _provider(upstream.provider, upstream.base_url), "fake-model")
    with engine_thread(registry) as base_url:
        yield base_url


@pytest.fixture
def client(engine: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{engine}/v1", api_key="unused", max_retries=0)


def test_remote_answer_comes_back_through_the_engine(client, upstream) -> None:  # noqa: ANN001
    answer = client.chat.completions.create(model="remote", messages=MESSAGES, max_tokens=50)
    assert answer.choices[0].message.content == REPLY
    assert answer.usage.completion_tokens == len(REPLY.split(" "))
    sent = upstream.requests[-1]
    if upstream.provider == "anthropic":
        assert sent["system"] == "Be brief."
        assert sent["messages"] == [{"role": "user", "content": "What is the answer?"}]
    if upstream.provider == "gemini":
        assert sent["systemInstruction"]["parts"][0]["text"] == "Be brief."


def test_remote_answer_streams_piece_by_piece(client, upstream) -> None:  # noqa: ANN001
    stream = client.chat.completions.create(
        model="remote", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    pieces = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert "".join(pieces) == REPLY
    assert len(pieces) == len(REPLY.split(" "))
    assert chunks[-1].usage.completion_tokens == len(pieces)
    if upstream.provider == "gemini":
        assert upstream.requests[-1]["query"] == {"alt": "sse"}


def test_a_failure_before_the_first_token_is_retried(client, upstream) -> None:  # noqa: ANN001
    upstream.fail_next(500)
    answer = client.chat.completions.create(model="remote", messages=MESSAGES)
    assert answer.choices[0].message.content == REPLY
    assert len(upstream.requests) == 2


def test_an_upstream_that_keeps_failing_is_a_502(client, upstream) -> None:  # noqa: ANN001
    upstream.fail_next(500, times=5, message="boom")
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="remote", messages=MESSAGES)
    assert caught.value.status_code == 502
    assert "boom" in caught.value.message
    assert len(upstream.requests) == 2  # one try and one retry


def test_a_rate_limited_upstream_is_a_503_with_retry_after(engine, upstream) -> None:  # noqa: ANN001
    upstream.fail_next(429, times=5, retry_after="7")
    response = post(f"{engine}/v1/chat/completions", json={"model": "remote", "messages": MESSAGES})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert response.json()["error"]["code"] == "overloaded"


def test_rejected_upstream_credentials_are_reported_clearly(client, upstream) -> None:  # noqa: ANN001
    upstream.fail_next(401, message="invalid x-api-key")
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="remote", messages=MESSAGES)
    assert caught.value.status_code == 502
    assert caught.value.code == "upstream_authentication_failed"
    assert "API key" in caught.value.message
    assert len(upstream.requests) == 1  # no retry: the key will not get better


def test_a_failure_after_the_first_token_is_not_retried(client, upstream) -> None:  # noqa: ANN001
    upstream.fail_mid_stream = True
    stream = client.chat.completions.create(model="remote", messages=MESSAGES, stream=True)
    received = []
    with pytest.raises(openai.APIError):
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert received == ["The"]
    assert len(upstream.requests) == 1


@pytest.mark.parametrize("kind", sorted(FAKES))
def test_an_unreachable_upstream_is_a_502(kind: str) -> None:
    registry = ProviderRegistry()
    registry.add("remote", _provider(kind, f"http://127.0.0.1:{free_port()}", retries=0), "m")
    with engine_thread(registry) as base_url:
        response = post(
            f"{base_url}/v1/chat/completions", json={"model": "remote", "messages": MESSAGES}
        )
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "upstream_unreachable"


def test_remote_models_are_reachable_by_prefix(engine, upstream) -> None:  # noqa: ANN001
    response = post(
        f"{engine}/v1/chat/completions",
        json={"model": "remote/other-model", "messages": MESSAGES},
    )
    assert response.status_code == 200
    assert "other-model" in str(upstream.requests[-1])


def test_remote_token_counts_use_the_provider(engine, upstream) -> None:  # noqa: ANN001
    counted = post(f"{engine}/tokenize", json={"model": "remote", "messages": MESSAGES})
    assert counted.status_code == 200
    assert counted.json()["count"] > 0
    assert counted.json()["exact"] is (upstream.provider != "openai")


def test_openai_compatible_embeddings_are_relayed() -> None:
    with FakeOpenAI() as fake:
        registry = ProviderRegistry()
        registry.add("remote-embed", _provider("openai", fake.base_url), "emb", "embedding")
        with engine_thread(registry) as base_url:
            client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="x", max_retries=0)
            result = client.embeddings.create(model="remote-embed", input=["ab", "abcd"])
    assert [d.embedding[0] for d in result.data] == [2.0, 4.0]


SCHEMA = {"type": "object", "properties": {"tool": {"type": "string"}}, "required": ["tool"]}


@pytest.mark.parametrize("upstream", ["openai"], indirect=True)
def test_a_json_schema_response_format_reaches_an_openai_compatible_upstream(
    client, upstream
) -> None:  # noqa: ANN001
    client.chat.completions.create(
        model="remote",
        messages=MESSAGES,
        max_tokens=20,
        response_format={"type": "json_schema", "json_schema": {"name": "d", "schema": SCHEMA}},
    )
    sent = upstream.requests[-1]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["schema"] == SCHEMA


@pytest.mark.parametrize("upstream", ["openai"], indirect=True)
def test_a_json_schema_response_format_without_a_schema_is_a_400(engine, upstream) -> None:  # noqa: ANN001
    response = post(
        f"{engine}/v1/chat/completions",
        json={
            "model": "remote",
            "messages": MESSAGES,
            "response_format": {"type": "json_schema"},
        },
    )
    assert response.status_code == 400
    assert "json_schema" in response.json()["error"]["message"]
    assert not [r for r in upstream.requests if r["path"].endswith("/chat/completions")]
