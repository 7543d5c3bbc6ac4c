"""A turn's prompt: the user's facts, recalled memories, the session's window and the new
message, within the token budget (``prompt_builder`` decides what fits).

Two steps, so that the turn can read its memory while it decides which tools the message
needs: ``gather_memory`` reads (database, one query embedding), ``assemble_prompt`` counts
and fits."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.database.session import Database
from .llm_client import EngineClient
from .memory.contextual import ContextualMemory, WindowMessage
from .memory.episodic import EpisodicArchive
from .memory.facts import UserFacts
from .memory.recalled import recalled as recalled_entry
from .prompt_builder import BuiltPrompt, PromptParts, build_prompt

RECALL_RESULTS = 3


@dataclass
class Memory:
    """What a turn's prompt may hold besides the new message, as read from the database."""

    contextual: ContextualMemory
    window: list[WindowMessage]
    recalled: list[str]
    facts: list[str]


def gather_memory(
    user_id: str,
    database: Database,
    engine: EngineClient,
    *,
    session_id: str,
    new_message: str,
    exclude: set[str],
) -> Memory:
    """The session's window, the memories recalled for ``new_message`` (none already in the
    window) and the user's facts."""
    contextual = ContextualMemory(user_id, database)
    window, path = contextual.window_on_path(session_id, exclude)
    # What the window already shows is not recalled twice.
    in_window = {m.id for m in window} | exclude
    hits = EpisodicArchive(user_id, database, engine).search(new_message, 4 * RECALL_RESULTS)
    hits = [hit for hit in hits if not in_window.intersection(hit["message_ids"])]
    # An exchange this session has left for another branch (a question edited, an answer
    # regenerated) is not recalled, even before the background job marks it.
    hits = [
        hit
        for hit in hits
        if hit["session_id"] != session_id or path.issuperset(hit["message_ids"])
    ]
    recalled = [recalled_entry(hit["text"], hit["created_at"]) for hit in hits][:RECALL_RESULTS]
    return Memory(contextual, window, recalled, UserFacts(user_id, database).active_texts())


def assemble_prompt(
    memory: Memory,
    engine: EngineClient,
    *,
    new_message: str,
    budget: int,
    facts_budget: int,
    recall_budget: int,
    system_prompt: str | None = None,
    only_facts: list[str] | None = None,
) -> BuiltPrompt:
    """The prompt of a turn from its memory (``gather_memory``): facts, recalled memories,
    the window, the new message.

    Token counts are asked of the engine only for what is new: a window message's counts
    are stored with it (by the turn that first counted it; the turn's own message is stored
    with ``new_message_tokens`` when the turn saves its answer), and the engine client keeps
    the counts of the texts it was asked about (system prompt, headers, facts)."""
    parts = PromptParts(
        new_message=new_message,
        window=memory.window,
        facts=only_facts if only_facts is not None else memory.facts,
        recalled=memory.recalled,
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
    memory.contextual.save_counts(memory.window)
    return built
