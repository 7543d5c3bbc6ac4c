"""TavilySearch (tavily-python) and SearxngSearch (httpx) over real HTTP against fake
servers on loopback: results, timeouts, HTTP errors, garbage, unreachable."""

from __future__ import annotations

import time

import pytest

from llm_Engine.testing.server_thread import free_port
from RAI_Chat.backend.config import Settings
from RAI_Chat.backend.modules.web_search import (
    SearxngSearch,
    TavilySearch,
    WebSearch,
    WebSearchError,
    get_web_search,
)

from ..fakes.search_servers import FakeSearxng, FakeTavily


@pytest.fixture(scope="module")
def tavily_server():
    server = FakeTavily().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def searxng_server():
    server = FakeSearxng().start()
    yield server
    server.stop()


@pytest.fixture(params=["tavily", "searxng"])
def provider(request, tavily_server, searxng_server):
    """(provider, its fake server)."""
    if request.param == "tavily":
        tavily_server.reset()
        search = TavilySearch("tvly-test", timeout=1.0, api_base_url=tavily_server.base_url)
        yield search, tavily_server
    else:
        searxng_server.reset()
        search = SearxngSearch(searxng_server.base_url, timeout=1.0)
        yield search, searxng_server
    search.close()


def test_a_search_returns_the_results_of_the_service(provider):
    search, server = provider
    results = search.search("weather in Lisbon", max_results=5)
    assert [r.url for r in results] == [
        "https://weather.example/lisbon",
        "https://forecast.example/lisbon",
    ]
    assert results[0].title == "Lisbon weather today"
    assert "24 °C" in results[0].content
    request = server.requests[-1]
    assert request.get("query", request.get("q")) == "weather in Lisbon"


def test_tavily_sends_the_key_and_the_result_count(tavily_server):
    tavily_server.reset()
    TavilySearch("tvly-secret", api_base_url=tavily_server.base_url).search("q", max_results=1)
    request = tavily_server.requests[-1]
    assert request["headers"]["authorization"] == "Bearer tvly-secret"
    assert request["max_results"] == 1


def test_searxng_asks_for_json(searxng_server):
    searxng_server.reset()
    SearxngSearch(searxng_server.base_url).search("q", max_results=3)
    assert searxng_server.requests[-1] == {"q": "q", "format": "json"}


def test_results_without_a_web_url_are_dropped(provider):
    search, server = provider
    server.results = [
        {"title": "no url"},
        {"title": "ftp", "url": "ftp://x.example/file", "content": "x"},
        {"title": "spaces", "url": "https://x.example/a b", "content": "x"},
        "not an object",
        {"title": "good", "url": "https://ok.example/", "content": "fine"},
    ]
    assert [r.url for r in search.search("q", max_results=5)] == ["https://ok.example/"]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("slow", "did not answer within 1 s"),
        ("error", r"failed \(HTTP 500\)"),
        ("garbage", "could not be read"),
        ("wrong_shape", "unknown format"),
    ],
)
def test_a_failing_service_raises_one_clear_error(provider, mode, message):
    search, server = provider
    server.mode, server.delay = mode, 3.0
    started = time.monotonic()
    with pytest.raises(WebSearchError, match=message):
        search.search("q", max_results=5)
    assert time.monotonic() - started < 2.9


@pytest.mark.parametrize("status", [401, 429, 432, 400])
def test_tavily_refusals_are_explained(tavily_server, status):
    tavily_server.reset()
    tavily_server.mode, tavily_server.status = "error", status
    search = TavilySearch("tvly-test", api_base_url=tavily_server.base_url)
    with pytest.raises(WebSearchError, match="Tavily"):
        search.search("q", max_results=5)


@pytest.mark.parametrize("kind", ["tavily", "searxng"])
def test_an_unreachable_service_raises_one_clear_error(kind):
    url = f"http://127.0.0.1:{free_port()}"
    search = (
        TavilySearch("tvly-test", api_base_url=url, timeout=1.0)
        if kind == "tavily"
        else SearxngSearch(url, timeout=1.0)
    )
    with pytest.raises(WebSearchError, match="unreachable"):
        search.search("q", max_results=5)


def test_the_turn_gets_a_note_not_an_exception_when_the_service_fails(provider):
    search, server = provider
    server.mode = "error"
    outcome = WebSearch(search, max_results=5, token_budget=300, count_tokens=len).search("q")
    assert outcome.error and "HTTP 500" in outcome.error
    assert outcome.sources == []


def test_the_factory_picks_tavily_then_searxng_then_nothing(tavily_server, searxng_server):
    both = Settings(
        tavily_api_key="k",
        tavily_api_url=tavily_server.base_url,
        searxng_url=searxng_server.base_url,
        web_search_timeout=2,
    )
    tavily = get_web_search(both)
    assert isinstance(tavily, TavilySearch) and tavily.timeout == 2
    assert tavily.client.base_url == tavily_server.base_url
    searx = get_web_search(both.model_copy(update={"tavily_api_key": ""}))
    assert isinstance(searx, SearxngSearch)
    assert get_web_search(Settings(tavily_api_key=None, searxng_url="")) is None
