"""Web search: Tavily or a self-hosted SearXNG, chosen by the configuration."""

from __future__ import annotations

from collections.abc import Mapping

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


def _setting(config: object, name: str, default=None):
    if isinstance(config, Mapping):  # Flask's app.config
        return config.get(name, default)
    return getattr(config, name, default)


def get_web_search(config: object) -> WebSearchProvider | None:
    """Tavily when TAVILY_API_KEY is set, else SearXNG when SEARXNG_URL is set, else None
    (web search is off and the model is told so)."""
    timeout = float(_setting(config, "WEB_SEARCH_TIMEOUT", 10.0))
    key = _setting(config, "TAVILY_API_KEY")
    if key:
        return TavilySearch(key, timeout=timeout, api_base_url=_setting(config, "TAVILY_API_URL"))
    url = _setting(config, "SEARXNG_URL")
    if url:
        return SearxngSearch(url, timeout=timeout)
    return None
