"""The memory's pure parts: window planning, tiers, fact matching, prompt budget."""

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from RAI_Chat.backend.services.memory.contextual import (
    RECENT_FULL_MESSAGES,
    WindowMessage,
    group_exchanges,
    plan_window,
)
from RAI_Chat.backend.services.memory.facts import fact_key, similarity
from RAI_Chat.backend.services.memory.tiers import (
    clean_tier2,
    fallback_tier1,
    fallback_tier2,
)
from RAI_Chat.backend.services.prompt_builder import PromptParts, PromptTooLong, build_prompt


def words(text: str) -> int:
    return len(text.split())


def message(i: int, content: str | None = None, tier: int = 1) -> WindowMessage:
    role = "user" if i % 2 == 0 else "assistant"
    return WindowMessage(
        id=f"{i:08d}-" + uuid.uuid4().hex[:8],
        role=role,
        content=content or f"message number {i} " + "blah " * 30,
        tier1=f"topic=number {i}",
        tier2=f"Message {i} in short.",
        required_tier=tier,
        tokens={},
    )


def test_the_newest_messages_are_in_full_and_older_ones_summarised():
    history = [message(i) for i in range(20)]
    window = plan_window(history, budget=10_000, count=words)
    assert [m["content"] for m in window.recent] == [m.content for m in history[-6:]]
    assert len(window.summary_lines) == 14
    assert "topic=number 0" in window.summary_lines[0]  # the oldest: tier 1
    assert "Message 13 in short." in window.summary_lines[-1]  # newer: tier 2
    assert window.left_out == []


def test_a_tight_budget_drops_to_tier_1_then_leaves_the_oldest_out():
    history = [message(i) for i in range(40)]
    window = plan_window(history, budget=600, count=words)
    assert window.tokens <= 600
    assert window.left_out and window.left_out == [m.id for m in history[: len(window.left_out)]]
    assert any("topic=number" in line for line in window.summary_lines)


def test_a_raised_message_is_shown_in_full_even_when_old():
    history = [message(i) for i in range(20)]
    history[2].required_tier = 3
    window = plan_window(history, budget=10_000, count=words)
    assert any(history[2].content in line for line in window.summary_lines)
    assert not any(history[3].content in line for line in window.summary_lines)


def test_recent_messages_start_with_the_user():
    history = [message(i) for i in range(1, 12)]  # starts with an assistant message
    window = plan_window(history, budget=10_000, count=words)
    assert window.recent[0]["role"] == "user"
    assert len(window.recent) <= RECENT_FULL_MESSAGES


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 60),
    budget=st.integers(50, 3000),
    facts=st.lists(st.text(min_size=1, max_size=80), max_size=20),
    recalled=st.lists(st.text(min_size=1, max_size=200), max_size=5),
    new_words=st.integers(1, 40),
)
def test_the_prompt_never_exceeds_its_budget(n, budget, facts, recalled, new_words):
    parts = PromptParts(
        new_message="word " * new_words,
        window=[message(i) for i in range(n)],
        facts=facts,
        recalled=recalled,
        system_prompt="You are a helpful assistant.",
    )

    def count(text: str) -> int:
        return max(1, len(text) // 4)

    def build():
        return build_prompt(
            parts, budget=budget, count_tokens=count, facts_budget=100, recall_budget=150
        )

    # The least a prompt can be: the system prompt and the new message, nothing else.
    least = count(parts.system_prompt) + count(parts.new_message) + 12
    if least > budget:
        with pytest.raises(PromptTooLong):
            build()
        return
    built = build()
    total = sum(count(m["content"]) + 6 for m in built.messages)
    assert total <= budget
    assert built.tokens == total
    assert built.messages[-1]["content"] == parts.new_message


def test_over_the_budget_recall_goes_first_then_facts():
    def count(text: str) -> int:
        return len(text.split())

    parts = PromptParts(
        new_message="what now " * 10,
        facts=["likes green tea " * 5, "lives in Lyon " * 5],
        recalled=["we spoke about the old blue boat " * 5],
        system_prompt="Be kind.",
    )
    everything = build_prompt(parts, budget=10_000, count_tokens=count)
    assert (everything.facts_used, everything.recalled_used) == (2, 1)
    # Less room than everything needs: the recalled memory is dropped, the facts stay.
    tighter = build_prompt(parts, budget=everything.tokens - 5, count_tokens=count)
    assert (tighter.facts_used, tighter.recalled_used) == (2, 0)
    # Less again: a fact goes too.
    tighter = build_prompt(parts, budget=tighter.tokens - 5, count_tokens=count)
    assert (tighter.facts_used, tighter.recalled_used) == (1, 0)
    # The new message alone does not fit: a clear error, not an over-long prompt.
    with pytest.raises(PromptTooLong, match="too long for the model's context"):
        build_prompt(parts, budget=20, count_tokens=count)


def test_tier2_rejects_rambling_and_falls_back_deterministically():
    source = "I spent the whole weekend repainting the kitchen cabinets a dark green colour."
    assert clean_tier2("The user repainted kitchen cabinets green.", source)
    assert clean_tier2("As an AI language model I cannot do that at all sorry", source) is None
    assert fallback_tier2("short one") == "short one"
    assert fallback_tier1("My name is Jordan and I live in Lisbon.") == (
        "name=Jordan; lives_in=Lisbon"
    )


def test_fact_keys_ignore_case_and_punctuation_and_similar_facts_match():
    assert fact_key("Lives in LISBON!") == fact_key("lives in lisbon")
    assert similarity("User lives in Lisbon", "lives in Lisbon") > 0.5
    assert similarity("likes tea", "owns a boat") == 0


def test_exchanges_pair_user_and_assistant_messages():
    history = [message(i) for i in range(5)]
    assert [len(e) for e in group_exchanges(history)] == [2, 2, 1]
