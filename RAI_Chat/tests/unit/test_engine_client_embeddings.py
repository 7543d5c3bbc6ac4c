"""``EngineClient.embed`` answers a short text asked for again from memory (a turn embeds
its message for the decision step, memory recall and documents), never for a health check."""

from __future__ import annotations

import json

import httpx

from RAI_Chat.backend.services.llm_client import QUERY_VECTORS_KEPT, EngineClient


def client_counting() -> tuple[EngineClient, list[dict]]:
    seen: list[dict] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        texts = body["input"]
        data = [{"index": i, "embedding": [float(len(t)), 1.0]} for i, t in enumerate(texts)]
        return httpx.Response(200, json={"data": data})

    engine = EngineClient("http://engine.invalid")
    engine._http = httpx.Client(transport=httpx.MockTransport(answer))
    return engine, seen


def test_a_short_text_is_embedded_once():
    engine, seen = client_counting()
    first = engine.embed(["how often is the pump checked?"])
    first[0].append(99.0)  # a caller's change never reaches the kept vector
    again = engine.embed(["how often is the pump checked?"])
    assert again == [[30.0, 1.0]] and len(seen) == 1
    engine.embed(["how often is the pump checked?"], model="other")
    engine.embed(["a", "b"])  # batches are not kept
    engine.embed(["a", "b"])
    assert len(seen) == 4


def test_a_health_check_always_asks_the_model():
    engine, seen = client_counting()
    engine.embed(["health"])
    engine.embed(["health"], fresh=True)
    engine.embed(["health"], fresh=True)
    assert len(seen) == 3


def test_only_the_latest_texts_are_kept():
    engine, seen = client_counting()
    for i in range(QUERY_VECTORS_KEPT + 1):
        engine.embed([f"text {i}"])
    engine.embed([f"text {QUERY_VECTORS_KEPT}"])  # kept
    engine.embed(["text 0"])  # the oldest went
    assert len(seen) == QUERY_VECTORS_KEPT + 2
