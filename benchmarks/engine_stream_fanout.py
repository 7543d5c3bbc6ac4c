"""Latency the engine adds to each streamed chunk, with a fake upstream, 64 streams at once.

The fake OpenAI upstream (its own process) writes its send time into each chunk; the
client measures arrival minus send time, first straight from the fake, then through the
engine (its own process, remote provider only). Added latency = engine - direct.
Usage: .venv/bin/python benchmarks/engine_stream_fanout.py [--streams 64] [--chunks 50]"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conftest import start_engine, wait_for_health  # noqa: E402
from llm_Engine.testing.server_thread import free_port  # noqa: E402


async def one_stream(client: httpx.AsyncClient, url: str, model: str) -> list[float]:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": True}
    delays = []
    async with client.stream("POST", url, json=body) as response:
        async for line in response.aiter_lines():
            if not line.startswith("data: {"):
                continue
            choices = json.loads(line[6:]).get("choices") or []
            content = choices[0]["delta"].get("content") if choices else None
            if content:
                now = time.perf_counter()
                delays.extend(now - float(t) for t in content.split())
    return delays


async def fan_out(url: str, model: str, streams: int) -> list[float]:
    limits = httpx.Limits(max_connections=streams + 8)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        results = await asyncio.gather(*(one_stream(client, url, model) for _ in range(streams)))
    return [d for r in results for d in r]


def describe(name: str, delays: list[float]) -> dict:
    ms = sorted(d * 1000 for d in delays)
    row = {
        "what": name,
        "chunks": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(len(ms) * 0.95)], 2),
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--chunks", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.02)
    args = parser.parse_args()
    fake_port, engine_port = free_port(), free_port()
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llm_Engine.testing.fake_upstreams",
            "--port",
            str(fake_port),
            "--chunks",
            str(args.chunks),
            "--delay",
            str(args.delay),
        ],
        cwd=ROOT,
    )
    engine = start_engine(
        engine_port,
        {
            "LLM_LOCAL_MODEL": "false",
            "LLM_EMBEDDING_MODEL": "false",
            "OPENAI_BASE_URL": f"http://127.0.0.1:{fake_port}/v1",
            "OPENAI_API_KEY": "fake",
        },
    )
    try:
        wait_for_health(engine, f"http://127.0.0.1:{engine_port}")
        direct_url = f"http://127.0.0.1:{fake_port}/v1/chat/completions"
        engine_url = f"http://127.0.0.1:{engine_port}/v1/chat/completions"
        asyncio.run(fan_out(engine_url, "openai", 4))  # warm up both
        direct = describe(
            "fake upstream direct", asyncio.run(fan_out(direct_url, "m", args.streams))
        )
        via = describe(
            "through the engine", asyncio.run(fan_out(engine_url, "openai", args.streams))
        )
        added = via["median_ms"] - direct["median_ms"]
        print(
            f"added latency per chunk at {args.streams} streams: median {added:.2f} ms, "
            f"p95 {via['p95_ms'] - direct['p95_ms']:.2f} ms"
        )
    finally:
        for process in (engine, fake):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
