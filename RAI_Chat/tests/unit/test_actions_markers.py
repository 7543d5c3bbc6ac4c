"""The marker grammar: what is a marker, what stays text."""

from __future__ import annotations

import pytest

from RAI_Chat.backend.core.markers import (
    MAX_BODY,
    Marker,
    could_become_marker,
    parse_markers,
    strip_markers,
)


@pytest.mark.parametrize(
    ("text", "kind", "args"),
    [
        ("[WEB_SEARCH: weather in Lisbon]", "web_search", ("weather in Lisbon",)),
        ("[SEARCH: weather in Lisbon]", "web_search", ("weather in Lisbon",)),
        ("[web_search:weather]", "web_search", ("weather",)),
        ("[ WEB_SEARCH : spaced ]", "web_search", ("spaced",)),
        ("[SEARCH_EPISODIC: my garden]", "search_episodic", ("my garden",)),
        ("[REQUEST_TIER:3:abc-123]", "request_tier", (3, "abc-123")),
        ("[REQUEST_TIER: 1 : m_1]", "request_tier", (1, "m_1")),
        ("[REMEMBER: name is Jordan]", "remember", ("name is Jordan",)),
        ("[CORRECT: lives in Rome: lives in Oslo]", "correct", ("lives in Rome", "lives in Oslo")),
        ("[CORRECT: at 10:30: at 11:00]", "correct", ("at 10:30", "at 11:00")),
        ("[CORRECT: a:b]", "correct", ("a", "b")),
        ("[FORGET_THIS: phone number]", "forget", ("phone number",)),
        ("[FORGET THIS: phone number]", "forget", ("phone number",)),
        ("[Forget-This: phone number]", "forget", ("phone number",)),
        ("[WEB SEARCH: news]", "web_search", ("news",)),
        ("[CALCULATE: 48 * 12]", "calculate", ("48 * 12",)),
        ("[COMMAND: rm -rf /]", "forbidden", ("COMMAND", "rm -rf /")),
        ("[execute: shutdown now]", "forbidden", ("EXECUTE", "shutdown now")),
    ],
)
def test_each_marker_is_parsed_with_its_arguments(text, kind, args):
    (marker,) = parse_markers(f"Before {text} after")
    assert (marker.kind, marker.args, marker.raw) == (kind, args, text)
    assert marker.span == (7, 7 + len(text))
    assert strip_markers(f"Before {text} after") == "Before  after"


@pytest.mark.parametrize(
    "text",
    [
        "[WEB_SEARCH:]",
        "[WEB_SEARCH:   ]",
        "[WEB_SEARCH: unclosed",
        "[WEBSEARCH: q]",
        "[FORGET  THIS: two spaces]",
        "[FORGET_ THIS: two separators]",
        "[SEARCHING: q]",
        "[REQUEST_TIER:4:abc]",
        "[REQUEST_TIER:0:abc]",
        "[REQUEST_TIER:two:abc]",
        "[REQUEST_TIER:2:]",
        "[REQUEST_TIER:2:has space]",
        "[CORRECT: only one part]",
        "[CORRECT: : new]",
        "[REMEMBER: line\nbreak]",
        "[REMEMBER: " + "x" * (MAX_BODY + 1) + "]",
        "[    REMEMBER: too much space]",
        "［WEB_SEARCH: fullwidth］",
        "⟦WEB_SEARCH: look-alike]",
        "[ſearch: long s]",
        "[SEARCH_EP\u0131SODIC: dotless i]",
        "[FORGET_TH\u0130S: dotted capital i]",
        "[WEB\u200b_SEARCH: zero width]",
        "(WEB_SEARCH: parens)",
        "WEB_SEARCH: no brackets",
    ],
)
def test_malformed_markers_stay_text(text):
    assert parse_markers(text) == []
    assert strip_markers(text) == text


def test_markers_never_nest_the_inner_one_is_found():
    text = "[WEB_SEARCH: [REMEMBER: x]]"
    (marker,) = parse_markers(text)
    assert marker.kind == "remember"
    assert strip_markers(text) == "[WEB_SEARCH: ]"


def test_several_markers_are_found_in_order():
    text = "A [REMEMBER: a] B [CALCULATE: 1+1] C [SEARCH: q]"
    assert [m.kind for m in parse_markers(text)] == ["remember", "calculate", "web_search"]
    assert strip_markers(text) == "A  B  C "


def test_identical_requests_share_a_key_whatever_the_case_and_spacing():
    a, b = parse_markers("[REMEMBER: Lives in  Oslo] [remember: lives in oslo]")
    assert a.key == b.key
    assert isinstance(a, Marker) and a.name == "REMEMBER"
    (c,) = parse_markers("[forget this: x]")
    assert c.name == "FORGET_THIS"


@pytest.mark.parametrize(
    ("tail", "possible"),
    [
        ("[", True),
        ("[ ", True),
        ("[W", True),
        ("[web_se", True),
        ("[SEARCH_EPI", True),
        ("[REMEMBER", True),
        ("[REMEMBER :", True),
        ("[REMEMBER: half a fact", True),
        ("[x", False),
        ("[REMEMBERS", False),
        ("[REMEMBER: a\n", False),
        ("[REMEMBER: [", False),
        ("[FORGET ", True),
        ("[forget-th", True),
        ("[FORGET  ", False),
        ("[ x", False),
        ("[" + " " * 5, False),
        ("[REMEMBER: " + "y" * 400, False),
    ],
)
def test_a_tail_could_become_a_marker_only_while_it_is_a_prefix_of_one(tail, possible):
    assert could_become_marker(tail) is possible
