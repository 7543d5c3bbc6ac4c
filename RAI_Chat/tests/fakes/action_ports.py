"""In-memory ActionPorts for tests: records every call, holds facts in a list."""

from __future__ import annotations

from dataclasses import dataclass, field

from RAI_Chat.backend.modules.web_search import SearchOutcome, WebSearch
from RAI_Chat.backend.services.actions.handler import Correction


@dataclass
class FakePorts:
    search: WebSearch | None = None  # None: web search is not configured
    episodes: list[str] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)
    facts: list[str] = field(default_factory=list)
    calls: list[tuple] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)  # names of ports that raise

    def _call(self, name: str, *args) -> None:
        self.calls.append((name, *args))
        if name in self.fail:
            raise RuntimeError(f"{name} is broken")

    def web_search(self, query: str) -> SearchOutcome:
        self._call("web_search", query)
        if self.search is None:
            return SearchOutcome(query, error="web search is not configured", unavailable=True)
        return self.search.search(query)

    def search_episodic(self, query: str) -> list[str]:
        self._call("search_episodic", query)
        words = query.casefold().split()
        return [e for e in self.episodes if any(w in e.casefold() for w in words)]

    def request_tier(self, n: int, message_id: str) -> str | None:
        self._call("request_tier", n, message_id)
        return self.messages.get(message_id)

    def remember(self, fact: str) -> None:
        self._call("remember", fact)
        self.facts.append(fact)

    def correct(self, old: str, new: str) -> Correction:
        self._call("correct", old, new)
        for i, fact in enumerate(self.facts):
            if old.casefold() in fact.casefold():
                self.facts[i] = new
                return Correction(new, fact)
        self.facts.append(new)
        return Correction(new, None)

    def active_facts(self) -> list[str]:
        self._call("active_facts")
        return list(self.facts)

    def embed_facts(self, texts: list[str]) -> list[list[float]]:
        """No embedding model here, as when the engine serves none."""
        from RAI_Chat.backend.services.llm_client import EngineError

        raise EngineError("no embedding model in these tests")

    def forget(self, fact: str) -> bool:
        self._call("forget", fact)
        before = len(self.facts)
        self.facts = [f for f in self.facts if f.casefold() != fact.casefold()]
        return len(self.facts) < before


class ListProvider:
    """A WebSearchProvider answering from a list (or raising ``error``)."""

    name = "list"

    def __init__(self, results=None, error: Exception | None = None):
        self.results = results or []
        self.error = error
        self.queries: list[str] = []

    def search(self, query: str, max_results: int):
        self.queries.append(query)
        if self.error is not None:
            raise self.error
        return self.results[:max_results]
