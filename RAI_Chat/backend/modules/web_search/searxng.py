"""A self-hosted SearXNG instance through its JSON API (``format=json`` must be enabled in
its settings.yml: ``search: formats: [html, json]``)."""

from __future__ import annotations

import httpx

from .base import SearchResult, WebSearchError, WebSearchProvider, clean_results


class SearxngSearch(WebSearchProvider):
    name = "searxng"

    def __init__(self, base_url: str, *, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True)

    def search(self, query: str, max_results: int) -> list[SearchResult]:
        try:
            response = self.http.get(
                f"{self.base_url}/search", params={"q": query, "format": "json"}
            )
        except httpx.TimeoutException as exc:
            raise WebSearchError(f"SearXNG did not answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise WebSearchError(f"SearXNG is unreachable at {self.base_url}") from exc
        if response.status_code == 403:
            raise WebSearchError("SearXNG refused the search (is format=json enabled?)")
        if response.status_code >= 400:
            raise WebSearchError(f"SearXNG failed (HTTP {response.status_code})")
        try:
            answer = response.json()
        except ValueError as exc:
            raise WebSearchError("SearXNG sent an answer that could not be read") from exc
        if not isinstance(answer, dict):
            raise WebSearchError("SearXNG sent an answer in an unknown format")
        return clean_results(answer.get("results"), max_results)

    def close(self) -> None:
        self.http.close()
