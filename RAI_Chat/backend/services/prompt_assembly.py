"""A turn's prompt: the user's facts, recalled memories, the session's window and the new
message, within the token budget (``prompt_builder`` decides what fits)."""

from __future__ import annotations

from ..core.database.session import Database
from .llm_client import EngineClient
from .memory.contextual import ContextualMemory
from .memory.episodic import EpisodicArchive
from .memory.facts import UserFacts
from .memory.recalled import recalled as recalled_entry
from .prompt_builder import BuiltPrompt, PromptParts, build_prompt

RECALL_RESULTS = 3


def assemble_prompt(
    user_id: str,
    database: Database,
    engine: EngineClient,
    *,
    session_id: str,
    new_message: str,
    exclude: set[str],
    budget: int,
    facts_budget: int,
    recall_budget: int,
    system_prompt: str | None = None,
    only_facts: list[str] | None = None,
) -> BuiltPrompt:
    """The prompt of a turn: facts, recalled memories, the window, the new message.

    Token counts are asked of the engine only for what is new: a window message's counts
    are stored with it (by the turn that first counted it; the turn's own message is stored
    with ``new_message_tokens`` when the turn saves its answer), and the engine client keeps
    the counts of the texts it was asked about (system prompt, headers, facts)."""
    contextual = ContextualMemory(user_id, database)
    window = contextual.window(session_id, exclude)
    # What the window already shows is not recalled twice.
    in_window = {m.id for m in window} | exclude
    hits = EpisodicArchive(user_id, database, engine).search(new_message, 4 * RECALL_RESULTS)
    recalled = [
        recalled_entry(hit["text"], hit["created_at"])
        for hit in hits
        if not in_window.intersection(hit["message_ids"])
    ][:RECALL_RESULTS]
    parts = PromptParts(
        new_message=new_message,
        window=window,
        facts=(
            only_facts if only_facts is not None else UserFacts(user_id, database).active_texts()
        ),
        recalled=recalled,
    )
    if system_prompt is not None:
        parts.system_prompt = system_prompt
    built = build_prompt(
        parts,
        budget=budget,
        count_tokens=engine.count_tokens,
        facts_budget=facts_budget,
        recall_budget=recall_budget,
    )
    contextual.save_counts(window)
    return built
