"""MarkerStreamFilter: any split of an answer into pieces shows exactly the answer without
its markers, finds exactly its markers, and holds back only what could become a marker."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from RAI_Chat.backend.core.markers import MAX_MARKER_LEN, parse_markers, strip_markers
from RAI_Chat.backend.services.actions.stream_filter import MarkerStreamFilter

FRAGMENTS = [
    "[",
    "]",
    ":",
    " ",
    "\n",
    "WEB_SEARCH",
    "SEARCH",
    "SEARCH_EPISODIC",
    "REQUEST_TIER",
    "REMEMBER",
    "CORRECT",
    "FORGET_THIS",
    "CALCULATE",
    "COMMAND",
    "FORGET THIS",
    "web-search",
    "web_",
    "2",
    "7",
    "abc",
    "weather in Lisbon",
    "Hello, ",
    "［",
    "⟦",
    "\u200b",
]
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=40).map("".join)


def split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def run(pieces: list[str]) -> tuple[str, MarkerStreamFilter]:
    f = MarkerStreamFilter()
    out = "".join(f.feed(p) for p in pieces) + f.flush()
    return out, f


@settings(max_examples=400, deadline=None)
@given(texts, st.lists(st.integers(min_value=0, max_value=10_000), max_size=20))
def test_any_split_shows_the_text_without_markers_and_finds_the_same_markers(text, cuts):
    out, f = run(split(text, cuts))
    assert out == strip_markers(text)
    assert f.markers == parse_markers(text)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_character_by_character_equals_one_piece(text):
    out, f = run(list(text))
    assert out == strip_markers(text)
    assert f.markers == parse_markers(text)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_only_a_possible_marker_is_held_back(text):
    f = MarkerStreamFilter()
    f.feed(text)
    assert len(f.held) < MAX_MARKER_LEN
    assert f.held == "" or f.held.startswith("[")


@pytest.mark.parametrize(
    "pieces",
    [
        ["Let me check. [WEB", "_SEA", "RCH: weather", " in Lisbon]", " Done."],
        ["Let me check. [", "WEB_SEARCH", ":", " weather in Lisbon", "]", " Done."],
        list("Let me check. [WEB_SEARCH: weather in Lisbon] Done."),
    ],
)
def test_a_marker_split_across_tokens_never_reaches_the_user(pieces):
    f = MarkerStreamFilter()
    shown = [f.feed(p) for p in pieces] + [f.flush()]
    assert "".join(shown) == "Let me check.  Done."
    assert not any("[" in s or "WEB" in s for s in shown)
    assert [m.args for m in f.markers] == [("weather in Lisbon",)]


def test_text_is_released_as_soon_as_it_cannot_be_a_marker():
    f = MarkerStreamFilter()
    assert f.feed("Arrays like a[") == "Arrays like a"
    assert f.feed("i] work") == "[i] work"
    assert f.feed(" [REMEM") == " "
    assert f.feed("BRANCE]") == "[REMEMBRANCE]"


def test_an_unclosed_marker_is_released_after_the_length_bound_or_at_the_end():
    f = MarkerStreamFilter()
    assert f.feed("[REMEMBER: ") == ""
    long_body = "x" * MAX_MARKER_LEN
    assert f.feed(long_body) == "[REMEMBER: " + long_body
    g = MarkerStreamFilter()
    assert g.feed("tail [SEARCH: never closed") == "tail "
    assert g.flush() == "[SEARCH: never closed"
    assert g.markers == []


def test_markers_found_in_a_stream_carry_their_position_in_the_whole_answer():
    f = MarkerStreamFilter()
    for piece in ["abc ", "[CALC", "ULATE: 1+1] d ", "[REMEMBER: x]"]:
        f.feed(piece)
    f.flush()
    text = "abc [CALCULATE: 1+1] d [REMEMBER: x]"
    assert [m.span for m in f.markers] == [m.span for m in parse_markers(text)]


def test_render_puts_a_result_in_place_of_a_marker():
    f = MarkerStreamFilter(render=lambda m: "391" if m.kind == "calculate" else None)
    out = f.feed("17 × 23 = [CALCULATE: 17*23]") + f.feed(" [REMEMBER: x]") + f.flush()
    assert out == "17 × 23 = 391 "


@pytest.mark.parametrize("size", [1, 2, 3, 5, 100])
@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        # The "You were born in ." hole: a marker where the year belongs was removed.
        ("You were born in [REMEMBER: 1979].", "You were born in 1979."),
        ("You now live in [CORRECT: Lisbon: Porto], right?", "You now live in Porto, right?"),
        ("You were born in [SEARCH_EPISODIC: birth year].", "You were born in …."),
        # A marker after a sentence, or ending the answer, still shows nothing.
        ("Nice to meet you, Sam! [REMEMBER: name is Sam]", "Nice to meet you, Sam! "),
        ("Noted. [REMEMBER: likes tea] Anything else?", "Noted.  Anything else?"),
        ("I will remember [REMEMBER: likes tea]", "I will remember "),
    ],
)
def test_a_marker_where_a_value_belongs_leaves_no_hole(answer, shown, size):
    f = MarkerStreamFilter(render=lambda m: None)
    out = "".join(f.feed(answer[i : i + size]) for i in range(0, len(answer), size))
    assert out + f.flush() == shown
    assert len(f.markers) == 1
