"""Load and soak: N users chatting at once through the RAI API (2 gunicorn workers,
PostgreSQL) with a fast fake engine, for a bounded time (≤ 10 minutes).

Records throughput (turns/s), turn latency p50/p99 (request → ``done``), errors, and the
workers' memory (RSS) sampled every few seconds, with its growth per minute over the second
half of the run (a leak shows as steady growth). The fake engine and the API launcher are
those of ``chat_streams.py``.

    .venv/bin/python benchmarks/load_soak.py                       # 16 users, 5 minutes
    .venv/bin/python benchmarks/load_soak.py --users 8 --duration 20 --json out.json  # CI form
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chat_streams import create_pg, drop_pg, free_port, serve_fake, start_api, start_fake, stop  # noqa: E402

MAX_DURATION_S = 600


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def user_loop(http, token, model, deadline, latencies, errors) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    session_id = None
    while time.monotonic() < deadline:
        body = {"message": f"hello {uuid.uuid4().hex[:6]}", "streaming": True, "model": model}
        if session_id:
            body["session_id"] = session_id
        started = time.monotonic()
        ok = False
        try:
            async with http.stream("POST", "/api/chat/", json=body, headers=headers) as r:
                if r.status_code != 200:
                    errors.append(f"HTTP {r.status_code}")
                    continue
                async for line in r.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    event = json.loads(line[5:])
                    if event["type"] == "session":
                        session_id = event["session_id"]
                    elif event["type"] == "done":
                        ok = event["status"] == "complete"
                    elif event["type"] == "error":
                        errors.append(event["error"][:80])
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        if ok:
            latencies.append(time.monotonic() - started)


async def sample_memory(api, deadline, samples) -> None:
    start = time.monotonic()
    while time.monotonic() < deadline:
        samples.append((time.monotonic() - start, api.worker_memory()[0]))
        await asyncio.sleep(2.0)


def growth_per_minute(samples: list[tuple[float, float]]) -> float | None:
    half = [s for s in samples if s[0] >= samples[-1][0] / 2] if samples else []
    if len(half) < 3:
        return None
    xs, ys = [s[0] for s in half], [s[1] for s in half]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else None


async def run(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="rai-soak-"))
    fake_port = free_port()
    fake = start_fake(fake_port, args.delay, args.tokens, workdir / "fake.log")
    pg_name, db_url = create_pg()
    # chat_streams.start_api may take extra options (e.g. ``what_if``); their defaults are off.
    extra = {p: False for p in inspect.signature(start_api).parameters if p == "what_if"}
    api = start_api(db_url, f"http://127.0.0.1:{fake_port}", workdir, workers=2, **extra)
    try:
        async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
            tokens = []
            for _ in range(args.users):
                r = await http.post(
                    "/api/auth/register",
                    json={"username": f"soak_{uuid.uuid4().hex[:10]}", "password": "x" * 12},
                )
                tokens.append(r.json()["access_token"])
            model = f"pace-{args.delay}-{args.tokens}"
            latencies: list[float] = []
            errors: list[str] = []
            samples: list[tuple[float, float]] = []
            started = time.monotonic()
            deadline = started + args.duration
            await asyncio.gather(
                sample_memory(api, deadline, samples),
                *(user_loop(http, t, model, deadline, latencies, errors) for t in tokens),
            )
            elapsed = time.monotonic() - started
    finally:
        stop(api.process)
        stop(fake)
        drop_pg(pg_name)
    return {
        "users": args.users,
        "duration_s": round(elapsed, 1),
        "tokens_per_answer": args.tokens,
        "turns": len(latencies),
        "turns_per_s": round(len(latencies) / elapsed, 2),
        "latency_p50_ms": round(1000 * pct(latencies, 0.5), 1) if latencies else None,
        "latency_p99_ms": round(1000 * pct(latencies, 0.99), 1) if latencies else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
        "rss_start_mib": round(samples[0][1], 1) if samples else None,
        "rss_end_mib": round(samples[-1][1], 1) if samples else None,
        "rss_peak_mib": round(max(s[1] for s in samples), 1) if samples else None,
        "rss_growth_mib_per_min_second_half": (
            round(g, 2) if (g := growth_per_minute(samples)) is not None else None
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve-fake", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--tokens", type=int, default=20, help="tokens per answer")
    parser.add_argument("--delay", type=float, default=0.005, help="seconds between tokens")
    parser.add_argument("--json", help="write the results there")
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.serve_fake, args.delay, args.tokens)
        return
    args.duration = min(args.duration, MAX_DURATION_S)
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
