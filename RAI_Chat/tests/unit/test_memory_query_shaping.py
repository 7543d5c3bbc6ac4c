"""The meaning half's query: a question without the speakers' names; a date the question
names, taken out of both halves' queries (``memory.queries``)."""

from datetime import UTC, date, datetime

import pytest

from RAI_Chat.backend.services.memory.queries import (
    NamedDate,
    meaning_query,
    named_date,
    speaker_names,
)

IMPORTED = [
    "User: Caroline: I went to a support group yesterday.\nAssistant: Melanie: How was it?",
    "Assistant: Melanie: We went camping.\nUser: Caroline: Sounds great!",
]


def test_the_names_labelling_imported_lines_are_found_with_the_role_labels():
    assert speaker_names(IMPORTED) == {"user", "assistant", "caroline", "melanie"}


def test_a_label_of_two_words_gives_both_words():
    assert speaker_names(["Mary Ann: hello there"]) == {"mary", "ann"}


@pytest.mark.parametrize(
    "text",
    [
        "no label here at all",
        "It was 10: we left at 10:30",
        "a line: that does not start with a label",
        "Too many words before the colon here: text",
    ],
)
def test_text_without_a_line_label_gives_no_name(text):
    assert speaker_names([text]) == set()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Caroline research?", "What did research?"),
        ("When did Melanie's kids go camping?", "When did kids go camping?"),
        ("What do caroline and MELANIE both like?", "What do and both like?"),
        ("Where did Caroline move from 4 years ago?", "Where did move from 4 years ago?"),
        ("What is Carolineville known for?", "What is Carolineville known for?"),
    ],
)
def test_the_meaning_query_leaves_the_speakers_names_out(question, expected):
    assert meaning_query(question, {"caroline", "melanie", "user", "assistant"}) == expected


def test_a_question_of_names_only_is_kept_as_it_is():
    assert meaning_query("Caroline?", {"caroline"}) == "Caroline?"
    assert meaning_query("Caroline and Melanie", {"caroline", "melanie", "and"}) == (
        "Caroline and Melanie"
    )


def test_without_names_the_query_is_unchanged():
    assert meaning_query("What did Caroline research?", set()) == "What did Caroline research?"


@pytest.mark.parametrize(
    ("question", "rest", "first", "last"),
    [
        (
            "What did Maria do on 31 July, 2023?",
            "What did Maria do?",
            date(2023, 7, 30),
            date(2023, 8, 3),
        ),
        (
            "Who did Maria have dinner with on May 3, 2023?",
            "Who did Maria have dinner with?",
            date(2023, 5, 2),
            date(2023, 5, 6),
        ),
        (
            "What book did Tim finish on 8th December, 2023?",
            "What book did Tim finish?",
            date(2023, 12, 7),
            date(2023, 12, 11),
        ),
        (
            "What did Maria donate in December 2023 to the shelter?",
            "What did Maria donate to the shelter?",
            date(2023, 11, 24),
            date(2024, 1, 7),
        ),
        (
            "How often did Melanie go to the beach in 2023?",
            "How often did Melanie go to the beach?",
            date(2023, 1, 1),
            date(2023, 12, 31),
        ),
    ],
)
def test_a_named_day_month_or_year_is_taken_out_of_the_query(question, rest, first, last):
    assert named_date(question) == (NamedDate(first, last), rest)


def test_a_day_covers_the_day_before_to_three_days_after():
    when, _ = named_date("What did you say on 8 May 2023?")
    assert not when.holds(date(2023, 5, 6))
    assert when.holds(date(2023, 5, 7))
    assert when.holds(datetime(2023, 5, 11, 23, 59, tzinfo=UTC))
    assert not when.holds(date(2023, 5, 12))


def test_a_month_without_its_year_is_that_month_of_any_year_and_a_week_either_side():
    when, rest = named_date("When did Melanie go camping in June?")
    assert (when, rest) == (NamedDate(month=6), "When did Melanie go camping?")
    assert when.holds(date(2021, 6, 15))
    assert when.holds(date(2024, 7, 5))  # told early in July
    assert when.holds(date(2024, 5, 28))
    assert not when.holds(date(2024, 7, 20))


@pytest.mark.parametrize(
    "question",
    [
        "What may happen next?",
        "What did Caroline research?",
        "What happened at 10:30 on the 2nd floor?",
        "Where did she move from 4 years ago?",
    ],
)
def test_a_question_naming_no_date_is_left_as_it_is(question):
    assert named_date(question) == (None, question)


def test_an_impossible_day_falls_back_to_its_month():
    when, rest = named_date("What happened on 31 February 2023?")
    assert when == NamedDate(date(2023, 1, 25), date(2023, 3, 7))
    assert rest == "What happened on 31?"


def test_a_question_that_is_only_a_date_is_kept_as_it_is():
    when, rest = named_date("On 8 May 2023")
    assert when == NamedDate(date(2023, 5, 7), date(2023, 5, 11))
    assert rest == "On 8 May 2023"
