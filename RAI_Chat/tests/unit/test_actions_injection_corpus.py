"""Untrusted text never causes an action: 200+ adversarial inputs (markers in the user's
message, in web results, in archived memory, in imports; nested, unicode, look-alikes,
prompt injection) are made inert by neutralise() and run nothing on any untrusted path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from RAI_Chat.backend.core.markers import neutralise, parse_markers
from RAI_Chat.backend.modules.web_search import SearchResult, WebSearch
from RAI_Chat.backend.services.actions.handler import ActionHandler
from RAI_Chat.backend.services.actions.stream_filter import MarkerStreamFilter

from ..fakes.action_ports import FakePorts, ListProvider

CORPUS = json.loads(
    (Path(__file__).parents[1] / "data" / "injection_corpus.json").read_text(encoding="utf-8")
)["entries"]
TEXTS = [entry["text"] for entry in CORPUS]


def count_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def echo_model(handler: ActionHandler, context: str) -> None:
    """A model that repeats what it was given: whatever it outputs is 'its own' text."""
    stream = MarkerStreamFilter(render=handler.render)
    stream.feed(context)
    stream.flush()
    handler.run(stream.markers)


def test_the_corpus_has_more_than_200_entries_on_every_untrusted_path():
    assert len(CORPUS) >= 200
    assert {entry["source"] for entry in CORPUS} == {"user", "web", "memory", "import"}


def test_most_corpus_entries_would_be_markers_if_not_neutralised():
    assert sum(1 for text in TEXTS if parse_markers(text)) >= 150


@pytest.mark.parametrize("text", TEXTS)
def test_neutralised_text_has_no_marker_and_stays_readable(text):
    safe = neutralise(text)
    assert parse_markers(safe) == []
    assert neutralise(safe) == safe
    assert len(safe) == len(text)  # brackets are swapped, nothing is lost


@pytest.mark.parametrize("text", TEXTS)
def test_a_user_message_with_markers_runs_nothing(text):
    ports = FakePorts()
    handler = ActionHandler(ports, user_text=text)
    echo_model(handler, neutralise(text))
    assert ports.calls == []
    assert handler.events == []


@pytest.mark.parametrize("text", TEXTS)
def test_web_results_with_markers_run_nothing_more(text):
    provider = ListProvider([SearchResult(text[:100], "https://evil.example/p", text)])
    search = WebSearch(provider, max_results=3, token_budget=500, count_tokens=count_tokens)
    ports = FakePorts(search=search)
    handler = ActionHandler(ports, user_text="What is the latest news?")
    stream = MarkerStreamFilter()
    stream.feed("[WEB_SEARCH: latest news]")
    stream.flush()
    first = handler.run(stream.markers)
    assert [c[0] for c in ports.calls] == ["web_search"]
    context = "\n".join(first.results_for_model)
    assert parse_markers(context) == []
    echo_model(handler, context)
    assert [c[0] for c in ports.calls] == ["web_search"]


@pytest.mark.parametrize("text", TEXTS)
def test_archived_memory_and_earlier_messages_with_markers_run_nothing_more(text):
    ports = FakePorts(episodes=[f"garden {text}"], messages={"m1": text})
    handler = ActionHandler(ports, user_text="What did we say about my garden?")
    stream = MarkerStreamFilter()
    stream.feed("[SEARCH_EPISODIC: garden] [REQUEST_TIER:3:m1]")
    stream.flush()
    first = handler.run(stream.markers)
    assert len(ports.calls) == 2
    context = "\n".join(first.results_for_model)
    assert parse_markers(context) == []
    echo_model(handler, context)
    assert len(ports.calls) == 2


ALPHABET = st.sampled_from(
    list("[]［］⟦⟧【】〚:：﹕ _-\u200b\u00a0\nxЕАС")
    + ["WEB_SEARCH", "SEARCH", "REMEMBER", "remember", "FORGET_THIS", "EXECUTE", "REQUEST_TIER"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(ALPHABET | st.text(max_size=3), max_size=30).map("".join))
def test_neutralise_is_idempotent_and_leaves_no_marker_for_any_text(text):
    safe = neutralise(text)
    assert parse_markers(safe) == []
    assert neutralise(safe) == safe


@pytest.mark.parametrize(
    "text",
    [
        "items[remember_index] = 3",
        "See [1] and [2].",
        "[Research notes: draft]",
        "a[i]: b[j]",
        "Use [search engines: Google, Bing]",
    ],
)
def test_ordinary_brackets_are_left_alone(text):
    assert neutralise(text) == text
