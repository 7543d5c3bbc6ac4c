"""The guards that keep a weak model's misfires cheap."""

from __future__ import annotations

import pytest

from RAI_Chat.backend.services.actions.guards import (
    fact_named_by,
    fact_supported_by,
    fact_to_forget,
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
        ("phone is 555", "Please forget my phone number", True),
        ("address is 1 Main St", "That address is wrong", True),
        ("lives in Rome", "I no longer live in Rome", True),
        ("name is Jordy", "Please forget my name.", True),
        ("address is 1 Main St", "I no longer live there", False),
        ("address is 1 Main St", "Tell me a joke", False),
        ("speaks Japanese", "I'm learning Japanese.", False),
        ("lives in Lisbon", "Can you remove the onions from this recipe?", False),
        ("works remotely", "Please remove that.", False),
    ],
)
def test_forgetting_needs_the_message_to_ask_for_it_and_to_refer_to_the_fact(fact, text, requested):
    assert forget_requested(fact, text) is requested


@pytest.mark.parametrize(
    ("reference", "fact", "named"),
    [
        ("phone", "phone is 555", True),
        ("phone number", "phone number is 555", True),
        ("name is Jordy", "name is Jordy", True),
        ("my name", "name is Jordy", True),
        ("lives in Lisbon", "lives in Lisbon", True),
        ("address", "phone is 555", False),
        ("lives in Porto", "lives in Lisbon", False),
        ("the user", "name is Jordy", False),
        ("a", "name is Jordan", False),
    ],
)
def test_a_forget_marker_names_a_fact_only_by_its_words(reference, fact, named):
    assert fact_named_by(reference, fact) is named


FACTS = ["lives in Lisbon", "name is Sam", "dog's name is Rex", "phone is 555"]


@pytest.mark.parametrize(
    ("reference", "text", "forgotten"),
    [
        ("phone", "Please forget my phone.", "phone is 555"),
        ("name", "Forget my name.", "name is Sam"),
        ("name", "Forget my dog's name.", "dog's name is Rex"),
        ("lives in Lisbon", "That's wrong, I live in Porto now.", "lives in Lisbon"),
        # A trigger word alone, or a fact the marker does not name, forgets nothing.
        ("lives in Lisbon", "Can you remove the onions?", None),
        ("phone", "Forget my name.", None),
        ("email address", "Forget my email address.", None),
        ("Sam", "That's wrong.", None),
    ],
)
def test_only_a_fact_the_marker_names_and_the_user_asks_about_is_forgotten(
    reference, text, forgotten
):
    assert fact_to_forget(reference, FACTS, text) == forgotten


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
