"""A fake Tavily (``POST /search``) and a fake SearXNG (``GET /search?format=json``).

Each records its requests and can be told how to answer: ``mode`` is "ok", "slow" (waits
``delay`` seconds first), "error" (HTTP ``status``), "garbage" (not JSON) or "wrong_shape"
(JSON without a result list)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from llm_Engine.testing.server_thread import ServerThread

DEFAULT_RESULTS = [
    {
        "title": "Lisbon weather today",
        "url": "https://weather.example/lisbon",
        "content": "Sunny, 24 °C, light wind from the north.",
    },
    {
        "title": "Lisbon forecast",
        "url": "https://forecast.example/lisbon",
        "content": "The week stays dry with highs of 25 °C.",
    },
]


class FakeSearchServer:
    def __init__(self, results: list[dict] | None = None):
        self.results: list[dict] = list(results or DEFAULT_RESULTS)
        self.mode = "ok"
        self.status = 500
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()
        self._routes()
        self._server = ServerThread(self.app)

    def reset(self) -> None:
        self.results, self.mode, self.status, self.delay = list(DEFAULT_RESULTS), "ok", 500, 0.0
        self.requests.clear()

    def start(self):
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def _routes(self) -> None:
        raise NotImplementedError

    async def _answer(self, body: dict[str, Any]) -> Response:
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
        if self.mode == "error":
            return JSONResponse({"detail": {"error": "fake failure"}}, status_code=self.status)
        if self.mode == "garbage":
            return PlainTextResponse("<html>not json at all", media_type="application/json")
        if self.mode == "wrong_shape":
            return JSONResponse({"results": "none today"})
        return JSONResponse(body)


class FakeTavily(FakeSearchServer):
    def _routes(self) -> None:
        @self.app.post("/search")
        async def search(request: Request) -> Response:
            body = await request.json()
            self.requests.append({"headers": dict(request.headers), **body})
            results = self.results[: body.get("max_results") or len(self.results)]
            return await self._answer(
                {"query": body.get("query"), "results": results, "response_time": 0.01}
            )


class FakeSearxng(FakeSearchServer):
    def _routes(self) -> None:
        @self.app.get("/search")
        async def search(request: Request) -> Response:
            params = dict(request.query_params)
            self.requests.append(params)
            if params.get("format") != "json":
                return PlainTextResponse("Forbidden", status_code=403)
            return await self._answer({"query": params.get("q"), "results": self.results})
