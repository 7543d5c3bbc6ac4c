"""Builds the messages sent to the model: system prompt + the most recent history that fits
the token budget + the new message. (The tiered-memory issue adds tiers and recall.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .prompts import SYSTEM_PROMPT

MESSAGE_OVERHEAD_TOKENS = 4  # role markers of the chat template, per message


@dataclass(frozen=True)
class HistoryItem:
    role: str
    content: str
    tokens: int


def build_prompt(
    history: Sequence[HistoryItem],
    new_message: str,
    *,
    budget: int,
    count_tokens: Callable[[str], int],
    system_prompt: str = SYSTEM_PROMPT,
) -> list[dict]:
    """``history`` is oldest first. The newest messages that fit ``budget`` are kept whole;
    older ones are left out (never cut in the middle)."""
    used = count_tokens(system_prompt) + count_tokens(new_message) + 2 * MESSAGE_OVERHEAD_TOKENS
    kept: list[HistoryItem] = []
    for item in reversed(history):
        cost = item.tokens + MESSAGE_OVERHEAD_TOKENS
        if used + cost > budget:
            break
        kept.append(item)
        used += cost
    kept.reverse()
    # A chat template expects user/assistant alternation to start with a user turn.
    while kept and kept[0].role != "user":
        kept.pop(0)
    return [
        {"role": "system", "content": system_prompt},
        *({"role": item.role, "content": item.content} for item in kept),
        {"role": "user", "content": new_message},
    ]
