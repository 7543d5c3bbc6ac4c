"""Builds the messages sent to the model, never over the token budget:

system prompt + what we know about the user (facts, within their own budget) + relevant
memories from earlier conversations (episodic recall, within theirs) + this session's window
(older messages summarised at their tier, the newest in full; it fills what is left) + the
new message. When even that is over the budget, recall goes first, then facts, then the
window; a new message that cannot fit on its own is refused (PromptTooLong, 413)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..config import default
from ..core.errors import RaiError
from ..core.markers import neutralise
from .memory.contextual import MESSAGE_OVERHEAD, WindowMessage, plan_window
from .memory.facts import about_the_user, similarity
from .prompts import SYSTEM_PROMPT

FACTS_HEADER = "What you know about the user, the person you are talking to:"
RECALL_HEADER = "Possibly relevant memories from earlier conversations:"
WINDOW_HEADER = (
    "Earlier in this conversation (summaries; the id in brackets identifies each message):"
)


class PromptTooLong(RaiError):
    """The system prompt and the new message alone do not fit the model's context."""

    status_code = 413

    def __init__(self, tokens: int, budget: int):
        super().__init__(
            f"The message is too long for the model's context: the prompt needs about "
            f"{tokens} tokens and at most {budget} fit (CONTEXT_TOKEN_BUDGET minus "
            f"MAX_ANSWER_TOKENS). Shorten the message or raise CONTEXT_TOKEN_BUDGET."
        )


@dataclass
class PromptParts:
    new_message: str
    window: list[WindowMessage] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    recalled: list[str] = field(default_factory=list)
    system_prompt: str = SYSTEM_PROMPT


@dataclass
class BuiltPrompt:
    messages: list[dict]
    tokens: int
    left_out: list[str]  # window messages that did not fit
    facts_used: int
    recalled_used: int
    new_message_tokens: int | None = None  # of the new message as sent (kept with it)


def neutral_window_message(m: WindowMessage) -> WindowMessage:
    return WindowMessage(
        m.id,
        m.role,
        neutralise(m.content),
        neutralise(m.tier1) if m.tier1 else m.tier1,
        neutralise(m.tier2) if m.tier2 else m.tier2,
        m.required_tier,
        m.tokens,
    )


def _fit_block(
    items: list[str], budget: int, count: Callable[[str], int], rank_for: str | None = None
) -> list[str]:
    if rank_for:
        order = sorted(range(len(items)), key=lambda i: -similarity(items[i], rank_for))
    else:
        order = list(range(len(items)))
    chosen, used = [], 0
    for i in order:
        cost = count(items[i]) + 3
        if used + cost > budget:
            continue
        chosen.append(i)
        used += cost
    return [items[i] for i in sorted(chosen)]


def build_prompt(
    parts: PromptParts,
    *,
    budget: int,
    count_tokens: Callable[[str], int],
    facts_budget: int = default("facts_token_budget"),
    recall_budget: int = default("recall_token_budget"),
) -> BuiltPrompt:
    memo: dict[str, int] = {}

    def count(text: str) -> int:
        if text not in memo:
            memo[text] = count_tokens(text)
        return memo[text]

    # Everything below came from users, the web or memory: markers in it are made inert.
    parts = PromptParts(
        new_message=neutralise(parts.new_message),
        window=[neutral_window_message(m) for m in parts.window],
        facts=[neutralise(f) for f in parts.facts],
        recalled=[neutralise(r) for r in parts.recalled],
        system_prompt=parts.system_prompt,
    )
    # A window message's counts came with it (stored by an earlier turn): never asked again.
    for m in parts.window:
        for tier, tokens in m.tokens.items():
            memo.setdefault(m.text_at(tier), tokens)
    facts = list(parts.facts)
    if sum(count(f) + 3 for f in facts) > facts_budget:
        facts = _fit_block(facts, facts_budget, count, rank_for=parts.new_message)
    recalled = _fit_block(parts.recalled, recall_budget, count)

    def system_text(lines: list[str]) -> str:
        blocks = [parts.system_prompt]
        if facts:
            blocks.append(FACTS_HEADER + "\n" + "\n".join(f"- {about_the_user(f)}" for f in facts))
        if recalled:
            blocks.append(RECALL_HEADER + "\n" + "\n".join(f"- {r}" for r in recalled))
        if lines:
            blocks.append(WINDOW_HEADER + "\n" + "\n".join(lines))
        return "\n\n".join(blocks)

    fixed = count(system_text([])) + count(parts.new_message) + 2 * MESSAGE_OVERHEAD
    window = plan_window(parts.window, max(0, budget - fixed - count(WINDOW_HEADER)), count)
    lines, recent = list(window.summary_lines), list(window.recent)

    while True:
        system = system_text(lines)
        total = count(system) + count(parts.new_message) + 2 * MESSAGE_OVERHEAD
        total += sum(count(m["content"]) + MESSAGE_OVERHEAD for m in recent)
        if total <= budget:
            break
        # Over (a long new message, or a rounding): drop the recalled memories, then the
        # facts, then the window's oldest summary, then its oldest full message.
        if recalled:
            recalled.pop()
        elif facts:  # the one least like the new message goes first
            facts.remove(min(facts, key=lambda f: similarity(f, parts.new_message)))
        elif lines:
            lines.pop(0)
        elif recent:
            recent.pop(0)
            while recent and recent[0]["role"] != "user":
                recent.pop(0)
        else:
            raise PromptTooLong(total, budget)
    messages = [
        {"role": "system", "content": system},
        *recent,
        {"role": "user", "content": parts.new_message},
    ]
    return BuiltPrompt(
        messages,
        total,
        window.left_out,
        len(facts),
        len(recalled),
        count(parts.new_message),
    )
