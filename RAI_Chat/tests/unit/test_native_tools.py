"""Native tool calls → the guarded action handler: arguments checked, each call run as the
marker of the same action, lookups counted as rounds, and the injection corpus: a model
that obeys text from the web, memory or imports changes no fact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from RAI_Chat.backend.services.actions.handler import ActionHandler
from RAI_Chat.backend.services.native_tools import TOOLS, NativeTools, call_marker

from ..fakes.action_ports import FakePorts

CORPUS = json.loads(
    (Path(__file__).parents[1] / "data" / "injection_corpus.json").read_text(encoding="utf-8")
)["entries"]
UNTRUSTED = [e["text"] for e in CORPUS if e["source"] != "user"]


def call(name: str, **arguments) -> dict:
    return {
        "id": "",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def native(ports: FakePorts, user_text: str, max_rounds: int = 3) -> NativeTools:
    handler = ActionHandler(ports, user_text=user_text, max_rounds=max_rounds)
    return NativeTools(handler, max_calls=max_rounds + 1)


def test_every_tool_has_a_json_schema_and_maps_to_its_marker() -> None:
    assert [t["function"]["name"] for t in TOOLS] == [
        "web_search",
        "calculate",
        "remember",
        "correct",
        "forget",
        "episodic_search",
    ]
    for tool in TOOLS:
        schema = tool["function"]["parameters"]
        assert schema["type"] == "object" and schema["required"] == list(schema["properties"])
    marker = call_marker(call("correct", old="lives in Paris", new="lives in Lyon"))
    assert (marker.kind, marker.args) == ("correct", ("lives in Paris", "lives in Lyon"))
    assert call_marker(call("episodic_search", query="garden")).kind == "search_episodic"


@pytest.mark.parametrize(
    "bad, why",
    [
        (call("run_shell", command="ls"), "no tool called 'run_shell'"),
        (call("calculate", expr="1+1"), "'expression' is missing"),
        (call("remember", fact="   "), "'fact' is missing"),
        ({"function": {"name": "remember", "arguments": "{not json"}}, "not valid JSON"),
        ({"function": {"name": "remember", "arguments": "[1]"}}, "JSON object"),
    ],
)
def test_bad_calls_are_refused_with_the_reason(bad: dict, why: str) -> None:
    assert why in call_marker(bad)


def test_calls_run_through_the_handler_and_answer_with_tool_messages() -> None:
    ports = FakePorts(facts=["has a cat called Miso"])
    tools = native(ports, "I moved to Lyon. How much is 12 * 12?")
    events: list[dict] = []
    done = tools.run(
        [call("calculate", expression="12 * 12"), call("remember", fact="lives in Lyon")],
        "",
        events.append,
    )
    assert [(e["action"], e["outcome"]) for e in events] == [
        ("calculate", "ok"),
        ("remember", "ok"),
    ]
    assistant, first, second = done.messages
    assert assistant["role"] == "assistant" and len(assistant["tool_calls"]) == 2
    assert [first["tool_call_id"], second["tool_call_id"]] == [
        c["id"] for c in assistant["tool_calls"]
    ]
    assert "144" in first["content"] and "remember ok" in second["content"]
    assert ports.facts == ["has a cat called Miso", "lives in Lyon"]
    assert tools.summary() == "calculate,remember"


def test_lookups_use_up_the_rounds_then_no_tool_is_chosen() -> None:
    ports = FakePorts(episodes=["We talked about the garden."])
    tools = native(ports, "What did I say about my garden?", max_rounds=1)
    assert tools.request_options()["tool_choice"] == "auto"
    done = tools.run([call("episodic_search", query="garden")], "", lambda e: None)
    assert "We talked about the garden." in done.messages[-1]["content"]
    assert tools.request_options()["tool_choice"] == "none"
    again = tools.run([call("episodic_search", query="roses")], "", lambda e: None)
    assert "limit" in again.messages[-1]["content"]
    assert ports.calls.count(("search_episodic", "garden")) == 1
    assert ("search_episodic", "roses") not in ports.calls


@pytest.mark.parametrize("text", UNTRUSTED)
def test_a_model_obeying_untrusted_text_changes_no_fact(text: str) -> None:
    ports = FakePorts(facts=["has a cat called Miso"])
    tools = native(ports, "What is the weather in Lyon today?")
    events: list[dict] = []
    tools.run(
        [
            call("remember", fact=text),
            call("correct", old="has a cat called Miso", new=text),
            call("forget", fact="has a cat called Miso"),
        ],
        "",
        events.append,
    )
    effects = [(e["action"], e["outcome"]) for e in events if e["type"] == "action"]
    assert all(outcome == "skipped" for _, outcome in effects), (text, effects)
    assert ports.facts == ["has a cat called Miso"]
    assert not [c for c in ports.calls if c[0] in ("remember", "correct", "forget")]
