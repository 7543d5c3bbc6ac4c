"""The guards that keep a weak model's misfires cheap."""

from __future__ import annotations

import pytest

from RAI_Chat.backend.services.action_handler import (
    fact_supported_by,
    forget_requested,
    search_skip_reason,
)


@pytest.mark.parametrize(
    ("fact", "text", "supported"),
    [
        ("name is Jordan", "Hi, I'm Jordan.", True),
        ("The user's name is Jordan", "my name is jordan", True),
        ("lives in Lisbon", "I live in Lisbon", True),
        ("works as a nurse", "I'm a nurse, I work nights", True),
        ("has two cats", "I have 2 cats", False),
        ("age is 25", "I'm Jordan and I live in Lisbon", False),
        ("allergic to peanuts", "I'm allergic to peanuts.", True),
        ("occupation is nurse", "I live in Lisbon", False),
        ("user", "I am a user", False),
        ("", "anything", False),
    ],
)
def test_a_fact_is_supported_only_by_a_message_that_says_it(fact, text, supported):
    assert fact_supported_by(fact, text) is supported


@pytest.mark.parametrize(
    ("fact", "text", "requested"),
    [
        ("phone number", "Please forget my phone number", True),
        ("address", "That address is wrong", True),
        ("address", "I no longer live there", True),
        ("address", "Tell me a joke", False),
        ("Japanese", "I'm learning Japanese.", False),
    ],
)
def test_forgetting_needs_the_message_to_ask_for_it(fact, text, requested):
    assert forget_requested(fact, text) is requested


@pytest.mark.parametrize(
    ("query", "text", "runs"),
    [
        ("weather Lisbon", "What's the weather in Lisbon?", True),
        ("bitcoin price", "bitcoin price now", True),
        ("python 3.14 news", "Find recent news about Python 3.14", True),
        ("Lisbon", "I live in Lisbon.", False),
        ("a", "What is a?", False),
        ("cats", "I have two cats.", False),
    ],
)
def test_a_web_search_runs_only_when_the_message_asks_for_something(query, text, runs):
    assert (search_skip_reason(query, text) is None) is runs
