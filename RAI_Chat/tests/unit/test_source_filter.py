"""A made-up source line is removed from a streamed answer, however it is cut into pieces;
a line citing an address the turn gave the model, and any other text, are kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from RAI_Chat.backend.services.actions.source_filter import (
    SourceLineFilter,
    addresses,
    numbers,
)

RESULTS = ["[1] Oxford admissions (https://www.ox.ac.uk/admissions) Apply by October."]
ANSWER = (
    "You studied history at Oxford.\n"
    "[1] https://www.university-rankings.example/oxford\n"
    "- [2] Alumni (https://alumni.example.org/list)\n"
    "[3] Oxford admissions (https://www.ox.ac.uk/admissions/)\n"
    "[4] a citation with no address\n"
    "[1] [10] [11] …\n"
    "See [1] above for more."
)
SHOWN = (
    "You studied history at Oxford.\n"
    "[3] Oxford admissions (https://www.ox.ac.uk/admissions/)\n"
    "[4] a citation with no address\n"
    "See [1] above for more."
)


def streamed(text: str, cuts: list[int], given_texts: list[str]) -> str:
    source = SourceLineFilter(addresses(given_texts))
    bounds = [0, *sorted(c % (len(text) + 1) for c in cuts), len(text)]
    pieces = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return "".join(source.feed(piece) for piece in pieces) + source.flush()


@given(st.lists(st.integers(min_value=0), max_size=40))
def test_made_up_source_lines_are_removed_however_the_answer_is_cut(cuts):
    assert streamed(ANSWER, cuts, RESULTS) == SHOWN


@pytest.mark.parametrize(
    "text",
    [
        "Plain answer with no list.",
        "1. first\n2. second\n",
        "- a bullet\n- [x] a task\n",
        "Visit https://made.up.example for more.",  # not a source line: left alone
        "[Note] nothing cited here",
        "",
    ],
)
def test_other_text_passes_unchanged(text):
    assert streamed(text, [3, 7, 11], []) == text


def test_the_start_of_a_line_is_held_only_while_it_may_be_a_citation():
    source = SourceLineFilter(set())
    assert source.feed("Answer.\n[") == "Answer.\n"
    assert source.feed("1] https://x.example/a") == ""
    assert source.feed("\nNext") == "Next"
    assert source.feed(" line") == " line"
    assert source.flush() == ""


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        # From remembered talks, which carry no numbers: the text stays, the citation goes.
        ("[1] Tartu", "Tartu"),
        ("[1]. [Ballarat]\n", "Ballarat\n"),
        ("- [2] You moved to Tartu.\nMore.", "You moved to Tartu.\nMore."),
        ("[1] [10] [11] …", ""),
        ("You moved to Tartu [1].", "You moved to Tartu [1]."),  # not a line's start
    ],
)
def test_a_citation_of_a_number_the_turn_never_gave_is_dropped_from_its_line(answer, shown):
    source = SourceLineFilter(set(), numbers(["Past conversations matching “city”:\n- x"]))
    assert source.feed(answer) + source.flush() == shown


def test_a_citation_of_a_given_result_number_stays():
    source = SourceLineFilter(addresses(RESULTS), numbers(RESULTS))
    assert numbers(RESULTS) == {"1"}
    assert source.feed("[1] Apply by October.\n[7] Apply now.") + source.flush() == (
        "[1] Apply by October.\nApply now."
    )
