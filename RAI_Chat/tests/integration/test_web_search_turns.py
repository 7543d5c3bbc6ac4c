"""Each marker end to end: a scripted model (fake OpenAI upstream → real engine process →
EngineClient), the stream filter and the action handler, with web search through
tavily-python / httpx against a fake Tavily and a fake SearXNG on loopback.

``run_turn`` below is the reference wiring of the components into a turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from RAI_Chat.backend.core.markers import neutralise
from RAI_Chat.backend.modules.web_search import SearxngSearch, TavilySearch, WebSearch
from RAI_Chat.backend.services.actions.handler import ActionHandler
from RAI_Chat.backend.services.actions.stream_filter import MarkerStreamFilter
from RAI_Chat.backend.services.llm_client import EngineClient
from RAI_Chat.backend.services.prompts import ACTIONS_PROMPT, SYSTEM_PROMPT

from ..chat_helpers import start_fake_engine, stop_process
from ..fakes.action_ports import FakePorts
from ..fakes.scripted_openai import ScriptedOpenAI
from ..fakes.search_servers import FakeSearxng, FakeTavily

CORPUS = json.loads(
    (Path(__file__).parents[1] / "data" / "injection_corpus.json").read_text(encoding="utf-8")
)["entries"]


@pytest.fixture(scope="module")
def stack():
    model = ScriptedOpenAI().start()
    tavily = FakeTavily().start()
    searxng = FakeSearxng().start()
    process, url = start_fake_engine(model)
    engine = EngineClient(url, read_timeout=30)
    yield model, engine, tavily, searxng
    engine.close()
    stop_process(process)
    for server in (model, tavily, searxng):
        server.stop()


@pytest.fixture
def model(stack):
    return stack[0]


@pytest.fixture
def engine(stack):
    return stack[1]


@pytest.fixture
def tavily(stack):
    stack[2].reset()
    return stack[2]


@pytest.fixture
def searxng(stack):
    stack[3].reset()
    return stack[3]


def count_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def tavily_ports(server: FakeTavily, **kwargs) -> FakePorts:
    provider = TavilySearch("tvly-test", timeout=1.0, api_base_url=server.base_url)
    search = WebSearch(provider, max_results=5, token_budget=300, count_tokens=count_tokens)
    return FakePorts(search=search, **kwargs)


def run_turn(engine: EngineClient, user_text: str, ports: FakePorts) -> dict:
    """One turn: stream each model call through the filter, run its actions, ask again
    while a round says so. Returns the events, the answer and the handler."""
    handler = ActionHandler(ports, user_text=user_text, max_rounds=3)
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT + "\n\n" + ACTIONS_PROMPT},
        {"role": "user", "content": neutralise(user_text)},
    ]
    events: list[dict] = []
    visible: list[str] = []
    notes: list[str] = []
    while True:
        stream = MarkerStreamFilter(render=handler.render)
        raw = []
        shown_this_call = []
        for piece in engine.stream_chat(messages, max_tokens=200):
            raw.append(piece)
            if shown := stream.feed(piece):
                shown_this_call.append(shown)
                events.append({"type": "token", "content": shown})
        if tail := stream.flush():
            shown_this_call.append(tail)
            events.append({"type": "token", "content": tail})
        visible.extend(shown_this_call)
        round_ = handler.run(
            stream.markers, emit=events.append, visible_text="".join(shown_this_call)
        )
        notes.extend(round_.notes)
        if not round_.needs_another_round:
            break
        messages += round_.followup("".join(raw))
    answer = "".join(visible) + "".join(f"\n\n_{note}_" for note in notes)
    events.append({"type": "done", "response": answer, "sources": handler.sources})
    return {"events": events, "answer": answer, "handler": handler}


def tokens_of(turn: dict) -> str:
    return "".join(e["content"] for e in turn["events"] if e["type"] == "token")


def actions_of(turn: dict) -> list[tuple[str, str]]:
    return [(e["action"], e["outcome"]) for e in turn["events"] if e["type"] == "action"]


@pytest.mark.parametrize("provider", ["tavily", "searxng"])
def test_a_web_search_turn_streams_status_then_the_answer_with_sources(
    model, engine, tavily, searxng, provider
):
    if provider == "tavily":
        ports = tavily_ports(tavily)
    else:
        search = WebSearch(
            SearxngSearch(searxng.base_url, timeout=1.0),
            max_results=5,
            token_budget=300,
            count_tokens=count_tokens,
        )
        ports = FakePorts(search=search)
    model.play("[WEB_SEARCH: weather in Lisbon]", "It is sunny in Lisbon, 24 °C.")
    turn = run_turn(engine, "What's the weather in Lisbon today?", ports)
    assert tokens_of(turn) == "It is sunny in Lisbon, 24 °C."
    kinds = [e["type"] for e in turn["events"]]
    assert kinds[:2] == ["status", "action"]
    assert turn["events"][0]["message"] == "Searching the web for “weather in Lisbon”…"
    assert actions_of(turn) == [("web_search", "ok")]
    done = turn["events"][-1]
    assert done["sources"][0] == {
        "title": "Lisbon weather today",
        "url": "https://weather.example/lisbon",
    }
    second_prompt = model.chat_requests[1]["messages"]
    assert "Sunny, 24 °C" in second_prompt[-1]["content"]
    assert second_prompt[-2] == {"role": "assistant", "content": "[WEB_SEARCH: weather in Lisbon]"}


def test_a_marker_split_across_stream_chunks_never_reaches_the_user(model, engine, tavily):
    model.play(
        ["Let me ", "check. [WEB", "_SEA", "RCH: weath", "er in Lis", "bon]"],
        ["Sunny", " today", "."],
    )
    turn = run_turn(engine, "What's the weather in Lisbon today?", tavily_ports(tavily))
    pieces = [e["content"] for e in turn["events"] if e["type"] == "token"]
    assert "".join(pieces) == "Let me check. Sunny today."
    assert not any(c in "".join(pieces) for c in "[]")
    assert len(tavily.requests) == 1


def test_retrieval_stops_after_three_rounds(model, engine, tavily):
    model.play(*(f"[WEB_SEARCH: latest news part {i}]" for i in range(1, 6)))
    turn = run_turn(engine, "What is the latest news?", tavily_ports(tavily))
    assert len(tavily.requests) == 3
    assert len(model.chat_requests) == 4
    assert actions_of(turn)[-1] == ("web_search", "limit")


def test_a_model_repeating_the_same_search_is_not_searched_again(model, engine, tavily):
    model.play("[WEB_SEARCH: latest news]")
    run_turn(engine, "What is the latest news?", tavily_ports(tavily))
    assert len(tavily.requests) == 1
    assert len(model.chat_requests) == 4


@pytest.mark.parametrize(
    ("mode", "note"),
    [
        ("slow", "did not answer within 1 s"),
        ("error", "HTTP 500"),
        ("garbage", "could not be read"),
        ("down", "unreachable"),
    ],
)
def test_a_failing_search_provider_lets_the_turn_finish_with_a_note(
    model, engine, tavily, mode, note
):
    tavily.mode, tavily.delay = mode, 3.0
    ports = tavily_ports(tavily)
    if mode == "down":
        ports.search.provider = TavilySearch(
            "k",
            timeout=1.0,
            api_base_url="http://127.0.0.1:9",  # discard port: refused
        )
    model.play("[WEB_SEARCH: weather in Lisbon]", "I could not check the weather, sorry.")
    turn = run_turn(engine, "What's the weather in Lisbon today?", ports)
    assert actions_of(turn) == [("web_search", "error")]
    assert turn["answer"].startswith("I could not check the weather, sorry.")
    assert note in turn["answer"]
    assert note in model.chat_requests[1]["messages"][-1]["content"]


def test_without_a_provider_the_model_is_told_search_is_unavailable(model, engine):
    model.play("[WEB_SEARCH: weather in Lisbon]", "I cannot search the web here.")
    turn = run_turn(engine, "What's the weather in Lisbon today?", FakePorts(search=None))
    assert actions_of(turn) == [("web_search", "unavailable")]
    assert "unavailable" in model.chat_requests[1]["messages"][-1]["content"]
    assert "not available" in turn["answer"]


def test_remember_correct_and_forget_are_applied_once(model, engine):
    ports = FakePorts(facts=["lives in Rome", "phone is 555"])
    model.play(
        "Noted! [REMEMBER: name is Jordan] [CORRECT: lives in Rome: lives in Oslo] "
        "[FORGET_THIS: phone] [REMEMBER: name is Jordan]"
    )
    turn = run_turn(engine, "I'm Jordan, I moved from Rome to Oslo; forget my phone number.", ports)
    assert tokens_of(turn).strip() == "Noted!"
    assert ports.facts == ["lives in Oslo", "name is Jordan"]
    assert actions_of(turn) == [("remember", "ok"), ("correct", "ok"), ("forget", "ok")]
    assert len(model.chat_requests) == 1


def test_calculate_shows_the_result_in_place_of_the_marker(model, engine):
    model.play(["17 × 23 = [CALC", "ULATE: 17", "*23]."])
    turn = run_turn(engine, "What is 17 times 23?", FakePorts())
    assert tokens_of(turn) == "17 × 23 = 391."
    assert actions_of(turn) == [("calculate", "ok")]


def test_episodic_search_and_request_tier_feed_the_next_round(model, engine):
    ports = FakePorts(
        episodes=["We planned tomatoes for the garden."],
        messages={"msg-7": "Plant the tomatoes in May."},
    )
    model.play("[SEARCH_EPISODIC: garden] [REQUEST_TIER:3:msg-7]", "Tomatoes, in May.")
    turn = run_turn(engine, "What did we plan for the garden?", ports)
    assert tokens_of(turn).strip() == "Tomatoes, in May."
    followup = model.chat_requests[1]["messages"][-1]["content"]
    assert "We planned tomatoes" in followup and "Plant the tomatoes in May." in followup
    assert actions_of(turn) == [("search_episodic", "ok"), ("request_tier", "ok")]


def test_commands_are_never_executed_and_never_shown(model, engine):
    model.play("Sure. [COMMAND: rm -rf /] [EXECUTE: id]")
    ports = FakePorts()
    turn = run_turn(engine, "Please run rm -rf / for me.", ports)
    assert tokens_of(turn) == "Sure.  "
    assert actions_of(turn) == [("forbidden", "refused"), ("forbidden", "refused")]
    assert ports.calls == []


def test_malformed_markers_are_shown_as_text_and_the_turn_completes(model, engine):
    model.play("Try [WEB_SEARCH:] or [REQUEST_TIER:9:x] or [REMEMBER: unclosed")
    turn = run_turn(engine, "hello", FakePorts())
    assert tokens_of(turn) == "Try [WEB_SEARCH:] or [REQUEST_TIER:9:x] or [REMEMBER: unclosed"
    assert actions_of(turn) == []


@pytest.mark.parametrize("entry", CORPUS[::9], ids=lambda e: e["note"][:40])
def test_a_model_echoing_an_injected_user_message_runs_nothing(model, engine, tavily, entry):
    model.play()
    model.echo = True
    ports = tavily_ports(tavily)
    turn = run_turn(engine, entry["text"], ports)
    assert ports.calls == []
    assert actions_of(turn) == []
    assert tavily.requests == []
