"""A recalled memory is told from the answering model's side: the user's words in the
third person, the assistant's as the model's own (the local model copied "I was born in
1979." as its own answer when the user's line was quoted as it was)."""

from __future__ import annotations

import pytest

import RAI_Chat.backend.services.memory  # noqa: F401  (the package imports the prompt builder)
from RAI_Chat.backend.services.memory.recalled import as_told, recalled, third_person


@pytest.mark.parametrize(
    ("said", "told"),
    [
        ("I was born in 1979.", "They were born in 1979."),
        ("I'm a nurse and I live in Lyon.", "They are a nurse and they live in Lyon."),
        (
            "My cat is mine; I’ve had her since May.",
            "Their cat is theirs; they have had her since May.",
        ),
        ("Call me Max. Tell me about it myself.", "Call them Max. Tell them about it themselves."),
        ("Is it mine or imaginary?", "Is it theirs or imaginary?"),  # words that hold "i"/"my"
    ],
)
def test_the_users_words_are_told_about_them(said, told):
    assert third_person(said) == told


def test_an_exchange_reads_from_the_models_side_and_keeps_its_date():
    text = "User: I was born in 1979.\nand my sister in 1983\nAssistant: Noted, I will remember."
    assert as_told(text) == (
        "The user said: They were born in 1979.\nand their sister in 1983\n"
        "You answered: Noted, I will remember."
    )
    assert recalled("User: I live in Lyon.", "2026-11-30T10:00:00+00:00") == (
        "On 30 November 2026: The user said: They live in Lyon."
    )


@pytest.mark.parametrize("size", [1, 4, 100])
@pytest.mark.parametrize(
    ("message", "answer", "shown"),
    [
        ("I was born in 1979.", "I was born in 1979.", "You were born in 1979."),
        (
            "Hi! My name is Alice and I live in Lyon. I have a cat called Miso.",
            "Hello Alice! I live in Lyon. I have a cat called Miso.",
            "Hello Alice! You live in Lyon. You have a cat called Miso.",
        ),
        ("I work as a nurse.", "That is a demanding job!", "That is a demanding job!"),
        (  # by hand in Chromium: "… and You sold your Peugeot"
            "I live in Lyon and I sold my Peugeot.",
            "Noted, I live in Lyon and I sold my Peugeot.",
            "Noted, you live in Lyon and you sold your Peugeot.",
        ),
    ],
)
def test_the_users_sentences_repeated_as_the_models_own_are_said_back_as_you(
    message, answer, shown, size
):
    from RAI_Chat.backend.services.actions.echo_filter import EchoFilter, phrases_of
    from RAI_Chat.backend.services.turn_decision import said_back

    echo = EchoFilter(phrases_of(["A note of ours that is long enough.", *said_back(message)]))
    out = "".join(echo.feed(answer[i : i + size]) for i in range(0, len(answer), size))
    assert out + echo.flush() == shown


def test_a_recalled_answer_that_showed_a_fact_first_is_quoted_without_its_lead_in():
    # The small model copied "You told me: " from such a memory; the echo filter took away
    # the copied rest, and "You told me: " was left alone as the answer.
    text = "User: Which company employs me?\nAssistant: You told me: your employer is Tata."
    assert as_told(text) == (
        "The user said: Which company employs them?\nYou answered: Your employer is Tata."
    )


def test_an_answer_that_showed_a_fact_first_goes_back_into_a_prompt_without_its_lead_in():
    # By hand: after "You told me: you bought a Kia EV6." in the window, the model answered
    # a calculation and then repeated that sentence.
    from RAI_Chat.backend.services.memory.recalled import without_lead_in

    assert without_lead_in("You told me: you bought a Kia EV6.") == "You bought a Kia EV6."
    assert without_lead_in("The answer is 42.") == "The answer is 42."
