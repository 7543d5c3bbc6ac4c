"""Native tool calling: OpenAI ``tools``/``tool_choice`` on the engine, translated to each
provider's own form (OpenAI tool_calls, Anthropic tool_use/tool_result blocks, Gemini
functionDeclarations/functionCall) and sent to a fake upstream on loopback that speaks that
protocol; the answers come back OpenAI-shaped (streamed as deltas too)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from llm_Engine.providers.registry import ProviderRegistry
from llm_Engine.testing.engine import engine_thread
from llm_Engine.testing.fake_upstreams import FakeAnthropic, FakeGemini, FakeOpenAI, ToolCall
from llm_Engine.tests.integration.test_remote_providers import _provider

FAKES = {"openai": FakeOpenAI, "anthropic": FakeAnthropic, "gemini": FakeGemini}
CALCULATE = {
    "type": "function",
    "function": {
        "name": "calculate",
        "description": "Evaluate an arithmetic expression exactly.",
        "parameters": {
            "type": "object",
            "properties": {"expression": {"type": "string"}},
            "required": ["expression"],
        },
    },
}
WEB = {
    "type": "function",
    "function": {
        "name": "web_search",
        "description": "Search the web.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}
ASK = [
    {"role": "system", "content": "Use tools."},
    {"role": "user", "content": "How much is 4821 times 37?"},
]


@pytest.fixture(params=sorted(FAKES))
def upstream(request: pytest.FixtureRequest) -> Iterator[FakeOpenAI]:
    with FAKES[request.param](reply="It is 178,377.") as fake:
        yield fake


@pytest.fixture
def client(upstream) -> Iterator[openai.OpenAI]:  # noqa: ANN001
    registry = ProviderRegistry()
    registry.add("remote", _provider(upstream.provider, upstream.base_url), "fake-model")
    with engine_thread(registry) as base_url:
        yield openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)


def _native_tools(upstream, sent: dict) -> list[str]:  # noqa: ANN001
    """The names of the functions the upstream was offered, read from its native form."""
    if upstream.provider == "openai":
        assert all(t["type"] == "function" for t in sent["tools"])
        return [t["function"]["name"] for t in sent["tools"]]
    if upstream.provider == "anthropic":
        assert all("input_schema" in t for t in sent["tools"])
        return [t["name"] for t in sent["tools"]]
    (tool,) = sent["tools"]
    return [d["name"] for d in tool["functionDeclarations"]]


def test_a_tool_call_comes_back_openai_shaped(client, upstream) -> None:  # noqa: ANN001
    upstream.queue_tool_calls(ToolCall("calculate", {"expression": "4821*37"}))
    answer = client.chat.completions.create(
        model="remote", messages=ASK, tools=[CALCULATE, WEB], tool_choice="auto"
    )
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.type == "function" and call.id
    assert call.function.name == "calculate"
    assert json.loads(call.function.arguments) == {"expression": "4821*37"}
    sent = upstream.requests[-1]
    assert _native_tools(upstream, sent) == ["calculate", "web_search"]
    if upstream.provider == "anthropic":
        assert sent["tool_choice"] == {"type": "auto"}
        assert sent["tools"][0]["input_schema"]["required"] == ["expression"]
    if upstream.provider == "gemini":
        assert sent["toolConfig"]["functionCallingConfig"]["mode"] == "AUTO"
    if upstream.provider == "openai":
        assert sent["tool_choice"] == "auto"


def test_tool_calls_stream_as_deltas(client, upstream) -> None:  # noqa: ANN001
    upstream.queue_tool_calls(
        ToolCall("calculate", {"expression": "987*654"}),
        ToolCall("web_search", {"query": "weather in Lyon"}),
    )
    stream = client.chat.completions.create(
        model="remote", messages=ASK, tools=[CALCULATE, WEB], stream=True
    )
    calls: dict[int, dict] = {}
    finish = None
    deltas = 0
    for chunk in stream:
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for piece in choice.delta.tool_calls or []:
                deltas += 1
                call = calls.setdefault(piece.index, {"id": "", "name": "", "arguments": ""})
                call["id"] = piece.id or call["id"]
                call["name"] = (piece.function.name if piece.function else None) or call["name"]
                call["arguments"] += (piece.function.arguments if piece.function else "") or ""
    assert finish == "tool_calls"
    assert [c["name"] for c in calls.values()] == ["calculate", "web_search"]
    assert json.loads(calls[0]["arguments"]) == {"expression": "987*654"}
    assert json.loads(calls[1]["arguments"]) == {"query": "weather in Lyon"}
    assert all(c["id"] for c in calls.values())
    if upstream.provider != "gemini":  # Gemini sends a call whole; the others in pieces
        assert deltas > len(calls)


def test_tool_results_reach_the_upstream_in_its_own_form(client, upstream) -> None:  # noqa: ANN001
    messages = [
        *ASK,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_7",
                    "type": "function",
                    "function": {"name": "calculate", "arguments": '{"expression": "4821*37"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_7", "content": "178377"},
    ]
    answer = client.chat.completions.create(model="remote", messages=messages, tools=[CALCULATE])
    assert answer.choices[0].message.content == "It is 178,377."
    assert answer.choices[0].finish_reason == "stop"
    sent = upstream.requests[-1]
    if upstream.provider == "openai":
        assistant, tool = sent["messages"][-2:]
        assert assistant["tool_calls"][0]["function"]["name"] == "calculate"
        assert tool == {"role": "tool", "content": "178377", "tool_call_id": "call_7"}
    if upstream.provider == "anthropic":
        assistant, result = sent["messages"][-2:]
        assert assistant["content"] == [
            {
                "type": "tool_use",
                "id": "call_7",
                "name": "calculate",
                "input": {"expression": "4821*37"},
            }
        ]
        assert result["role"] == "user"
        assert result["content"][0] == {
            "type": "tool_result",
            "tool_use_id": "call_7",
            "content": "178377",
        }
    if upstream.provider == "gemini":
        model_turn, result = sent["contents"][-2:]
        assert model_turn["role"] == "model"
        assert model_turn["parts"][0]["functionCall"]["name"] == "calculate"
        assert model_turn["parts"][0]["functionCall"]["args"] == {"expression": "4821*37"}
        response = result["parts"][0]["functionResponse"]
        assert response["name"] == "calculate"
        assert response["response"] == {"result": "178377"}


def test_a_named_or_required_tool_choice_is_translated(client, upstream) -> None:  # noqa: ANN001
    upstream.queue_tool_calls(ToolCall("web_search", {"query": "news"}))
    upstream.queue_tool_calls(ToolCall("calculate", {"expression": "1+1"}))
    named = {"type": "function", "function": {"name": "web_search"}}
    client.chat.completions.create(
        model="remote", messages=ASK, tools=[CALCULATE, WEB], tool_choice=named
    )
    client.chat.completions.create(
        model="remote", messages=ASK, tools=[CALCULATE, WEB], tool_choice="required"
    )
    first, second = upstream.requests[-2:]
    if upstream.provider == "openai":
        assert first["tool_choice"] == named
        assert second["tool_choice"] == "required"
    if upstream.provider == "anthropic":
        assert first["tool_choice"] == {"type": "tool", "name": "web_search"}
        assert second["tool_choice"] == {"type": "any"}
    if upstream.provider == "gemini":
        config = first["toolConfig"]["functionCallingConfig"]
        assert config == {"mode": "ANY", "allowedFunctionNames": ["web_search"]}
        assert second["toolConfig"]["functionCallingConfig"]["mode"] == "ANY"


def test_a_request_without_tools_sends_none(client, upstream) -> None:  # noqa: ANN001
    answer = client.chat.completions.create(model="remote", messages=ASK)
    assert answer.choices[0].message.content == "It is 178,377."
    assert answer.choices[0].message.tool_calls is None
    assert "tools" not in upstream.requests[-1]
