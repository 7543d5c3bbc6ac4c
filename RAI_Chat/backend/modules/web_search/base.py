"""Web search providers behind one small interface, and what the turn does with results."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from ...core.markers import neutralise

logger = logging.getLogger(__name__)
MAX_TITLE_CHARS = 200
MAX_QUERY_CHARS = 300
MAX_URL_CHARS = 2000


class WebSearchError(RuntimeError):
    """A search failed; the message says why, in words fit for the user."""


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    content: str


class WebSearchProvider(ABC):
    """One web search service."""

    name = "web"

    @abstractmethod
    def search(self, query: str, max_results: int) -> list[SearchResult]:
        """The results for ``query``, best first. Raises WebSearchError."""


def clean_results(items: object, max_results: int) -> list[SearchResult]:
    """The well-formed results of a provider's JSON list (http(s) URL, some text)."""
    if not isinstance(items, list):
        raise WebSearchError("the search service sent an answer in an unknown format")
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        url = item.get("url")
        title = item.get("title") or url
        content = item.get("content") or ""
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            continue
        if len(url) > MAX_URL_CHARS or any(c.isspace() for c in url):
            continue
        if not isinstance(title, str) or not isinstance(content, str):
            continue
        out.append(SearchResult(" ".join(title.split())[:MAX_TITLE_CHARS], url, content))
        if len(out) >= max_results:
            break
    return out


def format_results(
    results: list[SearchResult], token_budget: int, count_tokens: Callable[[str], int]
) -> tuple[str, list[SearchResult]]:
    """The results as text for the model, within ``token_budget`` tokens, with any
    marker-looking text neutralised; and the results that made it in (the sources)."""
    lines: list[str] = []
    used: list[SearchResult] = []
    spent = 0
    for number, result in enumerate(results, start=1):
        head = f"[{number}] {neutralise(result.title)} ({neutralise(result.url)})\n"
        body = neutralise(" ".join(result.content.split()))
        head_cost = count_tokens(head)
        room = token_budget - spent - head_cost
        if room <= 8:
            break
        cost = count_tokens(body)
        if cost > room:
            body = _trim(body, room, count_tokens)
            cost = count_tokens(body)
        lines.append(head + body)
        used.append(result)
        spent += head_cost + cost
    return "\n\n".join(lines), used


def _trim(text: str, tokens: int, count_tokens: Callable[[str], int]) -> str:
    """The longest prefix of ``text`` (cut at a word) that fits ``tokens``, with "…"."""
    low, high = 0, len(text)
    while low < high:  # binary search on characters
        mid = (low + high + 1) // 2
        if count_tokens(text[:mid] + "…") <= tokens:
            low = mid
        else:
            high = mid - 1
    cut = text[:low]
    if low < len(text) and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…" if cut else ""


@dataclass
class SearchOutcome:
    """What one web search gave the turn. ``context`` is the text for the model (trimmed,
    neutralised); ``error`` a note for the user and the model when it failed."""

    query: str
    context: str = ""
    sources: list[dict] = field(default_factory=list)
    error: str | None = None
    unavailable: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.unavailable


class WebSearch:
    """The web search of a turn: a provider (or none), a result count and a token budget.
    ``search`` never raises."""

    def __init__(
        self,
        provider: WebSearchProvider | None,
        *,
        max_results: int,
        token_budget: int,
        count_tokens: Callable[[str], int],
    ):
        self.provider = provider
        self.max_results = max_results
        self.token_budget = token_budget
        self.count_tokens = count_tokens

    @property
    def available(self) -> bool:
        return self.provider is not None

    def search(self, query: str) -> SearchOutcome:
        query = " ".join(query.split())[:MAX_QUERY_CHARS]
        if self.provider is None:
            return SearchOutcome(query, error="web search is not configured", unavailable=True)
        try:
            results = self.provider.search(query, self.max_results)
        except WebSearchError as exc:
            return SearchOutcome(query, error=str(exc))
        except Exception:  # a provider bug must not break the turn
            logger.exception("Web search provider %s failed", self.provider.name)
            return SearchOutcome(query, error="the search service failed unexpectedly")
        if not results:
            return SearchOutcome(query, context="No results.")
        context, used = format_results(results, self.token_budget, self.count_tokens)
        sources = [{"title": r.title, "url": r.url} for r in used]
        return SearchOutcome(query, context=context, sources=sources)
