"""The ports through which a turn's actions reach memory and the web (see
``actions/handler.py``): each acts for the turn's user only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import NotFound
from ..modules.web_search import SearchOutcome
from .actions.handler import Correction
from .memory.contextual import ContextualMemory
from .memory.episodic import EpisodicArchive
from .memory.facts import UserFacts
from .memory.recalled import recalled

if TYPE_CHECKING:
    from ..core.database.session import Database
    from .llm_client import EngineClient
    from .turn import Turn, TurnSettings

EPISODIC_RESULTS = 5


class TurnPorts:
    def __init__(
        self,
        user_id: str,
        database: Database,
        engine: EngineClient,
        turn: Turn,
        settings: TurnSettings,
    ):
        self.user_id = user_id
        self.database = database
        self.engine = engine
        self.turn = turn
        self.settings = settings
        self.facts = UserFacts(user_id, database)

    def web_search(self, query: str) -> SearchOutcome:
        if self.settings.web_search is None:
            return SearchOutcome(query, error="web search is not configured", unavailable=True)
        return self.settings.web_search.search(query)

    def search_episodic(self, query: str) -> list[str]:
        archive = EpisodicArchive(self.user_id, self.database, self.engine)
        return [
            recalled(hit["text"], hit["created_at"])
            for hit in archive.search(query, EPISODIC_RESULTS)
        ]

    def request_tier(self, n: int, message_id: str) -> str | None:
        contextual = ContextualMemory(self.user_id, self.database)
        try:
            message = contextual.raise_tier(self.turn.session_id, message_id, n)
        except NotFound:
            return None
        return message.text_at(n)

    def remember(self, fact: str) -> None:
        self.facts.remember(fact, source_message_id=self.turn.user_message_id)

    def correct(self, old: str, new: str) -> Correction:
        fact, replaced, changed = self.facts.correct(
            old, new, source_message_id=self.turn.user_message_id
        )
        return Correction(fact["fact"], replaced["fact"] if replaced else None, changed)

    def active_facts(self) -> list[str]:
        return self.facts.active_texts()

    def embed_facts(self, texts: list[str]) -> list[list[float]]:
        return self.engine.embed_known(texts)

    def forget(self, fact: str) -> bool:
        return self.facts.forget(fact) is not None
