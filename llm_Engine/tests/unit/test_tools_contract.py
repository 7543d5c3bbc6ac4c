"""The engine's side of native tool calling: what /v1/models says a model can do, and the
400s for tool requests a model cannot take or that are malformed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from llm_Engine.app import create_app
from llm_Engine.providers.registry import ProviderRegistry
from llm_Engine.settings import EngineSettings
from llm_Engine.tests.unit.test_app_contract import MESSAGES, ScriptedProvider

TOOL = {
    "type": "function",
    "function": {"name": "calculate", "parameters": {"type": "object", "properties": {}}},
}


class ToolProvider(ScriptedProvider):
    kind = "tooling"
    supports_tools = True


def _client() -> tuple[TestClient, ToolProvider]:
    registry = ProviderRegistry()
    registry.add("plain", ScriptedProvider(), "plain-model")
    tooling = ToolProvider()
    registry.add("tooling", tooling, "tool-model")
    app = create_app(EngineSettings(local_model=False, embedding_model=False), registry)
    return TestClient(app), tooling


def test_models_report_whether_they_call_tools() -> None:
    client, _ = _client()
    listed = {m["id"]: m["capabilities"] for m in client.get("/v1/models").json()["data"]}
    assert listed["plain"]["tools"] is False
    assert listed["tooling"]["tools"] is True
    assert client.get("/v1/models/tooling").json()["capabilities"]["tools"] is True
    assert client.get("/v1/models/plain").json()["capabilities"] == {
        "chat": True,
        "embeddings": False,
        "tools": False,
    }


def test_tools_for_a_model_without_tool_calling_are_a_400() -> None:
    client, _ = _client()
    response = client.post(
        "/v1/chat/completions", json={"model": "plain", "messages": MESSAGES, "tools": [TOOL]}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "tools"
    assert "not supported by its provider" in error["message"]


def test_tools_reach_a_capable_provider_as_function_definitions() -> None:
    client, provider = _client()
    response = client.post(
        "/v1/chat/completions",
        json={"model": "tooling", "messages": MESSAGES, "tools": [TOOL], "tool_choice": "auto"},
    )
    assert response.status_code == 200
    seen = provider.seen[-1]
    assert seen.tools == [
        {"name": "calculate", "description": None, "parameters": TOOL["function"]["parameters"]}
    ]
    assert seen.tool_choice == "auto"


def test_malformed_tool_requests_are_400s_that_say_why() -> None:
    client, _ = _client()
    cases = [
        {"tools": [{"type": "function", "function": {"name": "bad name!"}}]},
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "other"}}},
        {"tool_choice": "required"},
        {"messages": [{"role": "tool", "content": "42"}]},
    ]
    for extra in cases:
        body = {"model": "tooling", "messages": MESSAGES, **extra}
        response = client.post("/v1/chat/completions", json=body)
        assert response.status_code == 400, extra
        assert response.json()["error"]["message"], extra


def test_tool_calling_is_turned_on_per_provider() -> None:
    from llm_Engine.settings import routes_from_environment

    routes = routes_from_environment(
        {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "ANTHROPIC_TOOLS": "true"}
    )
    assert routes["openai"].tools is False
    assert routes["anthropic"].tools is True
    registry = ProviderRegistry()
    registry.add("off", ToolProvider(), "m", tools=False)
    app = create_app(EngineSettings(local_model=False, embedding_model=False), registry)
    client = TestClient(app)
    assert client.get("/v1/models/off").json()["capabilities"]["tools"] is False
    response = client.post(
        "/v1/chat/completions", json={"model": "off", "messages": MESSAGES, "tools": [TOOL]}
    )
    assert response.status_code == 400
    assert "ANTHROPIC_TOOLS" in response.json()["error"]["message"]
