"""The meaning half's query: a question without the speakers' names (``memory.queries``)."""

import pytest

from RAI_Chat.backend.services.memory.queries import meaning_query, speaker_names

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
