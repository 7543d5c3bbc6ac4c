"""Web search: Tavily or a self-hosted SearXNG, chosen by the configuration."""

from __future__ import annotations

from ...config import Settings
from .base import (
    SearchOutcome,
    SearchResult,
    WebSearch,
    WebSearchError,
    WebSearchProvider,
    format_results,
)
from .searxng import SearxngSearch
from .tavily import TavilySearch

__all__ = [
    "SearchOutcome",
    "SearchResult",
    "SearxngSearch",
    "TavilySearch",
    "WebSearch",
    "WebSearchError",
    "WebSearchProvider",
    "format_results",
    "get_web_search",
]


def get_web_search(settings: Settings) -> WebSearchProvider | None:
    """Tavily when TAVILY_API_KEY is set, else SearXNG when SEARXNG_URL is set, else None
    (web search is off and the model is told so)."""
    timeout = settings.web_search_timeout
    if settings.tavily_api_key:
        return TavilySearch(
            settings.tavily_api_key, timeout=timeout, api_base_url=settings.tavily_api_url
        )
    if settings.searxng_url:
        return SearxngSearch(settings.searxng_url, timeout=timeout)
    return None
