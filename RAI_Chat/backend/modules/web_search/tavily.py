"""Tavily (https://tavily.com) through tavily-python."""

from __future__ import annotations

import requests
from tavily import TavilyClient
from tavily import errors as tavily_errors

from .base import SearchResult, WebSearchError, WebSearchProvider, clean_results


class TavilySearch(WebSearchProvider):
    name = "tavily"

    def __init__(self, api_key: str, *, timeout: float = 10.0, api_base_url: str | None = None):
        if not api_key:
            raise ValueError("TavilySearch needs an API key (TAVILY_API_KEY)")
        self.timeout = timeout
        self.client = TavilyClient(api_key=api_key, api_base_url=api_base_url or None)

    def search(self, query: str, max_results: int) -> list[SearchResult]:
        try:
            answer = self.client.search(query, max_results=max_results, timeout=self.timeout)
        except tavily_errors.TimeoutError as exc:
            raise WebSearchError(f"Tavily did not answer within {self.timeout:g} s") from exc
        except requests.Timeout as exc:
            raise WebSearchError(f"Tavily did not answer within {self.timeout:g} s") from exc
        except tavily_errors.InvalidAPIKeyError as exc:
            raise WebSearchError("Tavily refused the API key (check TAVILY_API_KEY)") from exc
        except tavily_errors.UsageLimitExceededError as exc:
            raise WebSearchError("Tavily's usage limit is reached") from exc
        except (tavily_errors.ForbiddenError, tavily_errors.BadRequestError) as exc:
            raise WebSearchError(f"Tavily refused the search ({exc or 'no reason given'})") from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise WebSearchError(f"Tavily failed (HTTP {status})") from exc
        except requests.ConnectionError as exc:
            raise WebSearchError("Tavily is unreachable") from exc
        except (ValueError, requests.RequestException) as exc:  # JSON garbage and the rest
            raise WebSearchError("Tavily sent an answer that could not be read") from exc
        if not isinstance(answer, dict):
            raise WebSearchError("Tavily sent an answer in an unknown format")
        return clean_results(answer.get("results"), max_results)

    def close(self) -> None:
        self.client.close()
