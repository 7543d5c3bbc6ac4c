"""The episodic search's pure parts: fusion of its two halves, what an imported entry is,
the date a recalled entry carries."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from RAI_Chat.backend.services.memory.entries import sliding_pairs
from RAI_Chat.backend.services.memory.ranking import (
    DATE_BOOST,
    dated,
    fuse,
    prefer_dated,
    scaled,
    spoken_date,
)


def test_scores_are_scaled_to_0_1_over_the_candidates():
    assert scaled([("a", 12.0), ("b", 7.0), ("c", 2.0)]) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert scaled([("a", 3.0), ("b", 3.0)]) == {"a": 1.0, "b": 1.0}
    assert scaled([]) == {}


def test_an_entry_both_halves_found_beats_one_found_by_a_single_half():
    lexical = [("only-text", 9.0), ("both", 8.5), ("weak", 1.0)]
    semantic = [("only-meaning", 0.71), ("both", 0.70), ("far", 0.25)]
    ranked = [entry_id for entry_id, _ in fuse(lexical, semantic, vector_weight=0.4)]
    assert ranked[0] == "both"
    assert set(ranked) == {"only-text", "both", "weak", "only-meaning", "far"}


def test_the_weight_decides_between_a_strong_text_match_and_a_strong_meaning_match():
    lexical = [("text", 10.0), ("x", 1.0)]
    semantic = [("meaning", 0.8), ("y", 0.3)]
    assert fuse(lexical, semantic, vector_weight=0.3)[0][0] == "text"
    assert fuse(lexical, semantic, vector_weight=0.7)[0][0] == "meaning"


def test_one_half_alone_keeps_its_order():
    lexical = [("a", 5.0), ("b", 4.0), ("c", 1.0)]
    assert [i for i, _ in fuse(lexical, [])] == ["a", "b", "c"]
    assert [i for i, _ in fuse([], lexical)] == ["a", "b", "c"]
    assert fuse([], []) == []


def test_an_entry_of_the_named_date_goes_before_better_matches_of_other_days():
    ranked = [("other", 0.9), ("that day", 0.5), ("also other", 0.45), ("that day too", 0.1)]
    preferred = prefer_dated(ranked, {"that day", "that day too"})
    assert preferred == [
        ("that day", 0.5 + DATE_BOOST),
        ("other", 0.9),
        ("that day too", 0.1 + DATE_BOOST),
        ("also other", 0.45),
    ]


def test_without_an_entry_of_the_named_date_the_order_is_kept():
    ranked = [("a", 0.5), ("b", 0.5), ("c", 0.2)]
    assert prefer_dated(ranked, set()) == ranked
    assert prefer_dated(ranked, {"a", "b", "c"}, boost=0.3) == [
        ("a", 0.8),
        ("b", 0.8),
        ("c", 0.5),
    ]


@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=3), st.floats(0, 100)), max_size=20),
    st.lists(st.tuples(st.text(min_size=1, max_size=3), st.floats(-1, 1)), max_size=20),
    st.floats(0, 1),
)
def test_fused_scores_are_between_0_and_1_and_sorted(lexical, semantic, weight):
    lexical = list(dict(lexical).items())
    semantic = list(dict(semantic).items())
    fused = fuse(lexical, semantic, weight)
    scores = [s for _, s in fused]
    assert all(-1e-9 <= s <= 1 + 1e-9 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert {i for i, _ in fused} == {i for i, _ in lexical} | {i for i, _ in semantic}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2023, 5, 8, 13, 56, tzinfo=UTC), "On 8 May 2023: Caroline: I went."),
        ("2023-05-08T13:56:00+00:00", "On 8 May 2023: Caroline: I went."),
        ("2024-12-31T23:59:59", "On 31 December 2024: Caroline: I went."),
        (None, "Caroline: I went."),
        ("not a date", "Caroline: I went."),
    ],
)
def test_a_recalled_entry_carries_its_date(when, expected):
    assert dated("Caroline: I went.", when) == expected


def test_spoken_date_has_no_leading_zero():
    assert spoken_date(datetime(2023, 1, 2)) == "2 January 2023"


@dataclass
class Msg:
    name: str
    created_at: datetime


T0 = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def names(entries) -> list[str]:
    return ["+".join(m.name for m in entry) for entry in entries]


def test_each_message_comes_with_the_one_before_it():
    messages = [Msg(n, T0 + timedelta(seconds=i)) for i, n in enumerate("abcd")]
    assert names(sliding_pairs(messages)) == ["a+b", "b+c", "c+d"]


def test_a_new_sitting_does_not_carry_the_end_of_the_previous_one():
    later = T0 + timedelta(days=3)
    messages = [
        Msg("a", T0),
        Msg("b", T0 + timedelta(minutes=2)),
        Msg("c", later),
        Msg("d", later + timedelta(minutes=1)),
        Msg("e", later + timedelta(days=1)),  # alone in its sitting
    ]
    assert names(sliding_pairs(messages)) == ["a+b", "c+d", "e"]


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=40))
def test_every_message_is_in_one_or_two_entries(gaps_in_minutes):
    times, now = [], T0
    for gap in gaps_in_minutes:
        now += timedelta(minutes=gap)
        times.append(now)
    messages = [Msg(str(i), t) for i, t in enumerate(times)]
    entries = sliding_pairs(messages)
    for m in messages:
        assert 1 <= sum(m in entry for entry in entries) <= 2
    assert all(len(entry) in (1, 2) for entry in entries)
