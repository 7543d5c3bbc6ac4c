"""A chat turn: the saved question and answer it writes (``Turn``) and what it may use
(``TurnSettings``, built per request from the settings). Imported by the services that start
turns and by the runner that writes them, so neither imports the other for them."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import default
from ..modules.web_search import WebSearch
from .turn_stream import TurnStream


@dataclass(frozen=True)
class TurnSettings:
    model: str | None
    context_budget: int
    max_answer_tokens: int
    refine_titles: bool = True
    facts_budget: int = default("facts_token_budget")
    recall_budget: int = default("recall_token_budget")
    web_search: WebSearch | None = None
    max_action_rounds: int = default("action_max_rounds")
    # The decision step before the answer: "classifier", "model" or "off" (DECISION_STEP).
    decision_step: str = default("decision_step")
    # Native tool calling when the engine says the model can ("auto") or never ("off").
    native_tools: str = default("native_tools")
    # What an OpenAI-compatible client asked for in its ``system`` messages: kept inside
    # RAI's own system prompt, never instead of it.
    client_instructions: str | None = None
    # The personal API key the turn came through (its usage is counted against it).
    api_key_id: str | None = None
    # Tokens of document passages per prompt (DOCUMENT_TOKEN_BUDGET), and the documents
    # the request attaches to the session when the turn starts (checked: the user's own).
    document_budget: int = default("document_token_budget")
    document_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Turn:
    session_id: str
    user_message_id: str
    assistant_message_id: str
    stream: TurnStream
