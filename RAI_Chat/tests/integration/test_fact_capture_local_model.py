"""Fact capture against the real local model (grammar-constrained JSON through the real
engine): what it keeps is stated in the message, and the plain facts of a greeting are
found."""

from __future__ import annotations

import pytest

from RAI_Chat.backend.services.llm_client import EngineClient
from RAI_Chat.backend.services.memory.capture import capture_message

pytestmark = pytest.mark.slow
MESSAGE = "Hi! My name is Alice and I live in Lyon. I have a cat called Miso."


def test_the_local_model_captures_the_facts_a_greeting_states(engine_server):
    engine = EngineClient(engine_server, read_timeout=600)
    # The model's extraction, as used when the classifier does not read the message as a
    # statement (when it does, a short message's statements are read without the model).
    capture = capture_message(engine, "user", MESSAGE, tool="none")
    assert capture is not None, "the model's answer was not JSON of the schema"
    values = [value for _, value in capture.facts]
    assert "Alice" in values and "Lyon" in values
    assert all(value.casefold() in MESSAGE.casefold() for value in values)
    assert capture.tier1() and "=Alice" in capture.tier1()


def test_the_local_model_captures_a_correction_without_the_old_value(engine_server):
    engine = EngineClient(engine_server, read_timeout=600)
    message = "Correction: my sister lives in Graz now, not in Linz."
    capture = capture_message(engine, "user", message, tool="none")
    assert capture is not None, "the model's answer was not JSON of the schema"
    values = [value for _, value in capture.facts]
    # Seen on the real model: [("family", "my sister")]; the old value is never kept.
    assert all("linz" not in value.casefold() for value in values), capture.facts
    assert all(value.casefold() in message.casefold() for value in values)


def test_a_statement_the_classifier_reads_is_stored_in_the_users_words(engine_server):
    engine = EngineClient(engine_server, read_timeout=600)  # MiniLM decides: correct
    capture = capture_message(
        engine, "user", "Correction: my sister lives in Graz now, not in Linz."
    )
    assert capture is not None and capture.facts == []
    assert [sentence for _, sentence in capture.stated] == ["The user's sister lives in Graz."]
