"""Chat streaming through the RAI API: added latency and how many streams one process holds.

One run, three processes besides this one (the client):

* a minimal OpenAI-compatible fake engine (``--serve-fake``, a raw ASGI app under uvicorn in
  its own process) that streams N tokens at a fixed rate; each token's text is the time at
  which the fake sent it (``time.perf_counter``, CLOCK_MONOTONIC, comparable across
  processes), so the client measures each token's delivery latency directly. The model name
  chosen by the client sets the pace: ``pace-<seconds>-<tokens>``;
* the RAI API as in production (``python -m RAI_Chat.backend.wsgi``: gunicorn + gevent),
  ``RAI_API_WORKERS=1``, rate limits off, a throwaway PostgreSQL database (or SQLite);
  ``LLM_API_URL`` points straight at the fake.

(a) For 1, 64 and 512 concurrent streams: time to first token (TTFT) and per-token delivery
latency calling the fake directly, then through the API (``POST /api/chat/`` streaming, a new
session per turn), p50/p99, and the difference = what the API adds.

(b) Ramps of long slow streams (fresh API process per level, same database): how many are
served with no error, how many receive tokens at the same time, and the worker's memory.

    .venv/bin/python benchmarks/chat_streams.py            # the full run (≈ 8-10 min)
    .venv/bin/python benchmarks/chat_streams.py --quick    # a smoke run (≈ 1-2 min)

Not a test: it prints its figures (and ``--json`` writes them)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
API_START_S = 240  # a loaded machine boots the API slowly
PG_ADMIN_DSN = os.environ.get("RAI_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")

# --- the fake engine (runs in its own process) ------------------------------------------


def parse_pace(model: str, default_delay: float, default_n: int) -> tuple[float, int]:
    if model.startswith("pace-"):
        _, delay, n = model.split("-")
        return float(delay), int(n)
    return default_delay, default_n


EMBEDDING_DIM = 384  # MiniLM's: the decision step's classifier takes these


def fake_vector(text: str) -> list[float]:
    """A deterministic unit-ish vector for ``text`` (no meaning: only the cost of a call)."""
    seed = sum(map(ord, text)) or 1
    return [((seed * (i + 1)) % 97) / 97.0 - 0.5 for i in range(EMBEDDING_DIM)]


def make_fake_app(default_delay: float, default_n: int, embeddings: bool = False):
    # What the fake was asked for /v1/embeddings: requests and texts (GET /stats).
    asked = {"embedding_requests": 0, "embedding_texts": 0}

    def chunk(model: str, delta: dict, finish: str | None = None, **extra) -> bytes:
        body = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return b"data: " + json.dumps(body).encode() + b"\n\n"

    async def respond_json(send, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def app(scope, receive, send):  # noqa: ANN202
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope["path"]
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        if path in ("/health", "/api/health"):
            return await respond_json(send, 200, {"status": "ok"})
        if path == "/v1/models":
            return await respond_json(send, 200, {"object": "list", "data": [{"id": "fake"}]})
        if path == "/stats":
            return await respond_json(send, 200, asked)
        if path == "/v1/embeddings" and embeddings:
            texts = json.loads(raw or b"{}").get("input", [])
            texts = [texts] if isinstance(texts, str) else texts
            asked["embedding_requests"] += 1
            asked["embedding_texts"] += len(texts)
            data = [
                {"object": "embedding", "index": i, "embedding": fake_vector(t)}
                for i, t in enumerate(texts)
            ]
            return await respond_json(send, 200, {"object": "list", "data": data})
        if path == "/tokenize":
            text = json.loads(raw or b"{}").get("input", "")
            return await respond_json(send, 200, {"count": max(1, len(str(text)) // 4)})
        if path != "/v1/chat/completions":
            return await respond_json(send, 404, {"error": {"message": "not found"}})
        body = json.loads(raw)
        model = body.get("model", "fake")
        if not model.startswith("pace-"):
            # The API's own background calls (tier 1/2 of each message, titles) use the
            # default model: answered at once, so they do not hold the fake's pace.
            delay, n = 0.0, 1
        else:
            delay, n = parse_pace(model, default_delay, default_n)
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.create_task(watch())
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        start = time.perf_counter()
        try:
            for i in range(n):
                wait = start + (i + 1) * delay - time.perf_counter()  # fixed rate, no drift
                if wait > 0:
                    await asyncio.sleep(wait)
                if gone.is_set():
                    return
                delta = {"content": f"{time.perf_counter():.6f} "}
                if i == 0:
                    delta["role"] = "assistant"
                await send(
                    {"type": "http.response.body", "body": chunk(model, delta), "more_body": True}
                )
            usage = {"prompt_tokens": 7, "completion_tokens": n, "total_tokens": 7 + n}
            tail = chunk(model, {}, "stop") + chunk(model, {}, None, usage=usage)
            tail += b"data: [DONE]\n\n"
            await send({"type": "http.response.body", "body": tail, "more_body": False})
        finally:
            watcher.cancel()

    return app


def serve_fake(port: int, delay: float, n: int, embeddings: bool = False) -> None:
    import uvicorn

    uvicorn.run(
        make_fake_app(delay, n, embeddings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        backlog=4096,
        http="h11",
    )


# --- processes ------------------------------------------------------------------------


def free_port() -> int:
    """A free port: any, or the next free one of ``RAI_BENCH_PORTS`` (``first-last``) when
    set (a shared machine where each person has a range)."""
    first, _, last = os.environ.get("RAI_BENCH_PORTS", "").partition("-")
    for port in range(int(first), int(last) + 1) if first else [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in RAI_BENCH_PORTS={first}-{last}")


def wait_healthy(process: subprocess.Popen, url: str, timeout: float, log: Path | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{url} exited with {process.returncode}: {detail}")
        try:
            if httpx.get(url, timeout=2).status_code in (200, 503):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{url} did not become healthy in time")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_fake(
    port: int, delay: float, n: int, log: Path, embeddings: bool = False
) -> subprocess.Popen:
    args = [sys.executable, __file__, "--serve-fake", str(port), "--delay", str(delay)]
    args += ["--tokens", str(n)] + (["--embeddings"] if embeddings else [])
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "wb"),  # noqa: SIM115
    )
    wait_healthy(process, f"http://127.0.0.1:{port}/health", 30, log)
    return process


@dataclass
class Api:
    url: str
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def worker_memory(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) of the worker(s) in MiB, summed."""
        rss = hwm = 0.0
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) / 1024
                    elif line.startswith("VmHWM:"):
                        hwm += int(line.split()[1]) / 1024
            except OSError:
                pass
        return rss, hwm

    def worker_cpu_seconds(self) -> float:
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                pass
        return total


def start_api(db_url: str, fake_url: str, workdir: Path, workers: int) -> Api:
    port = free_port()
    log = workdir / f"api-{port}.stderr"
    env = {
        **os.environ,
        "FLASK_ENV": "production",
        # One random pair per run: tokens stay valid across the API's restarts.
        "SECRET_KEY": SECRETS[0],
        "JWT_SECRET_KEY": SECRETS[1],
        "CORS_ORIGINS": "http://bench.example",
        "RAI_API_HOST": "127.0.0.1",
        "RAI_API_PORT": str(port),
        "RAI_API_WORKERS": str(workers),
        "RAI_LOGS_DIR": str(workdir / "logs"),
        "RAI_INSTANCE_DIR": str(workdir / "instance"),
        "DATABASE_URL": db_url,
        "LLM_API_URL": fake_url,
        "RATELIMIT_ENABLED": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "RAI_Chat.backend.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "wb"),  # noqa: SIM115
    )
    url = f"http://127.0.0.1:{port}"
    wait_healthy(process, url + "/api/health", API_START_S, log)
    deadline = time.monotonic() + 20
    api = Api(url, process, log)
    while len(api.worker_pids()) < workers and time.monotonic() < deadline:
        time.sleep(0.1)
    return api


SECRETS = (secrets.token_urlsafe(48), secrets.token_urlsafe(48))


# --- the client -----------------------------------------------------------------------


@dataclass
class StreamStats:
    requested: float = 0.0
    first_token: float | None = None
    ended: float | None = None
    tokens: int = 0
    latencies: list[float] = field(default_factory=list)  # receive time - fake's send time
    gaps: list[float] = field(default_factory=list)  # between consecutive token receipts
    error: str | None = None
    done: bool = False

    def token(self, stamp: str, now: float) -> None:
        if self.first_token is None:
            self.first_token = now
        elif self.gaps is not None:
            self.gaps.append(now - self._last)
        self._last = now
        self.tokens += 1
        with contextlib.suppress(ValueError):
            self.latencies.append(now - float(stamp))


async def sse_payloads(response: httpx.Response):
    """The ``data:`` payloads of an event stream, with the time each chunk arrived."""
    buffer = b""
    async for raw in response.aiter_raw():
        now = time.perf_counter()
        buffer += raw
        *events, buffer = buffer.split(b"\n\n")
        for event in events:
            for line in event.split(b"\n"):
                if line.startswith(b"data:"):
                    yield line[5:].strip(), now


async def direct_stream(http: httpx.AsyncClient, fake: str, model: str, stats: StreamStats):
    payload = {
        "model": model,
        "messages": [{"role": "user", "content": "benchmark"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    stats.requested = time.perf_counter()
    try:
        async with http.stream("POST", fake + "/v1/chat/completions", json=payload) as response:
            if response.status_code != 200:
                stats.error = f"HTTP {response.status_code}"
                return
            async for data, now in sse_payloads(response):
                if data == b"[DONE]":
                    stats.done = True
                    break
                for choice in json.loads(data).get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        stats.token(piece, now)
    except (httpx.HTTPError, OSError) as exc:
        stats.error = type(exc).__name__
    finally:
        stats.ended = time.perf_counter()


async def api_stream(http: httpx.AsyncClient, token: str, model: str, stats: StreamStats):
    body = {"message": "benchmark " + uuid.uuid4().hex[:6], "streaming": True, "model": model}
    headers = {"Authorization": f"Bearer {token}"}
    stats.requested = time.perf_counter()
    try:
        async with http.stream("POST", "/api/chat/", json=body, headers=headers) as response:
            if response.status_code != 200:
                stats.error = f"HTTP {response.status_code}"
                await response.aread()
                return
            async for data, now in sse_payloads(response):
                event = json.loads(data)
                kind = event["type"]
                if kind == "token":
                    stats.token(event["content"], now)
                elif kind == "done":
                    stats.done = True
                    break
                elif kind == "error":
                    stats.error = "error event: " + str(event.get("error"))[:120]
                    break
    except (httpx.HTTPError, OSError) as exc:
        stats.error = type(exc).__name__
    finally:
        stats.ended = time.perf_counter()


async def register_users(api_url: str, count: int) -> list[str]:
    tokens: list[str] = []
    sem = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:

        async def one() -> None:
            async with sem:
                name = f"bench_{uuid.uuid4().hex[:10]}"
                r = await http.post(
                    "/api/auth/register", json={"username": name, "password": "bench pass 123"}
                )
                r.raise_for_status()
                tokens.append(r.json()["access_token"])

        await asyncio.gather(*(one() for _ in range(count)))
    return tokens


def client(base_url: str = "", read: float | None = 180.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(30.0, read=read),
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=None),
    )


# --- statistics -----------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.1f}"


def summarise(streams: list[StreamStats], n_tokens: int) -> dict:
    ttft = [s.first_token - s.requested for s in streams if s.first_token is not None]
    lat = [x for s in streams for x in s.latencies]
    gaps = [x for s in streams for x in s.gaps]
    complete = sum(1 for s in streams if s.done and s.tokens == n_tokens and not s.error)
    errors: dict[str, int] = {}
    for s in streams:
        if s.error:
            errors[s.error] = errors.get(s.error, 0) + 1
    return {
        "streams": len(streams),
        "tokens": sum(s.tokens for s in streams),
        "complete": complete,
        "errors": errors,
        "ttft_p50": pct(ttft, 50),
        "ttft_p99": pct(ttft, 99),
        "ttft_max": max(ttft) if ttft else None,
        "token_latency_p50": pct(lat, 50),
        "token_latency_p99": pct(lat, 99),
        "gap_p50": pct(gaps, 50),
        "gap_p99": pct(gaps, 99),
        "wall_s": max((s.ended or 0) for s in streams) - min(s.requested for s in streams),
        "load_1m": os.getloadavg()[0],
    }


# --- (a) added latency ----------------------------------------------------------------


async def part_a(api: Api, fake: str, tokens: list[str], args) -> list[dict]:
    model = f"pace-{args.delay}-{args.tokens}"
    rows = []
    for concurrency in args.levels:
        rounds = args.c1_streams if concurrency == 1 else 1
        result = {"concurrency": concurrency}
        for side in ("direct", "api"):
            streams: list[StreamStats] = []
            cpu0 = api.worker_cpu_seconds()
            async with client(api.url if side == "api" else "") as http:
                for _ in range(rounds):
                    batch = [StreamStats() for _ in range(concurrency)]
                    streams += batch
                    if side == "direct":
                        jobs = [direct_stream(http, fake, model, s) for s in batch]
                    else:
                        jobs = [
                            api_stream(http, tokens[i % len(tokens)], model, s)
                            for i, s in enumerate(batch)
                        ]
                    await asyncio.gather(*jobs)
            result[side] = summarise(streams, args.tokens)
            result[side]["api_worker_cpu_s"] = api.worker_cpu_seconds() - cpu0
            # Per token relayed, the turns' starts included (an upper bound of the token path).
            relayed = result[side]["tokens"] if side == "api" else 0
            result[side]["api_worker_cpu_us_per_token"] = (
                result[side]["api_worker_cpu_s"] / relayed * 1e6 if relayed else None
            )
            await asyncio.sleep(1.0)
        d, a = result["direct"], result["api"]
        result["added"] = {
            key: (a[key] - d[key]) if a[key] is not None and d[key] is not None else None
            for key in ("ttft_p50", "ttft_p99", "token_latency_p50", "token_latency_p99")
        }
        rows.append(result)
        print_a_row(result)
    return rows


def print_a_row(r: dict) -> None:
    c = r["concurrency"]
    for side in ("direct", "api"):
        s = r[side]
        print(
            f"  c={c:<4} {side:<6} streams {s['streams']:>4} complete {s['complete']:>4} "
            f"errors {s['errors'] or 0}  TTFT p50/p99/max {ms(s['ttft_p50'])}/"
            f"{ms(s['ttft_p99'])}/{ms(s['ttft_max'])} ms  token latency p50/p99 "
            f"{ms(s['token_latency_p50'])}/{ms(s['token_latency_p99'])} ms  gap p50/p99 "
            f"{ms(s['gap_p50'])}/{ms(s['gap_p99'])} ms  wall {s['wall_s']:.1f}s "
            f"API worker CPU {s['api_worker_cpu_s']:.1f}s  load {s['load_1m']:.2f}",
            flush=True,
        )
    a = r["added"]
    if r["api"].get("api_worker_cpu_us_per_token") is not None:
        print(
            f"  c={c:<4} API worker CPU per relayed token (turn starts included) "
            f"{r['api']['api_worker_cpu_us_per_token']:.0f} µs",
            flush=True,
        )
    print(
        f"  c={c:<4} added  TTFT p50 {ms(a['ttft_p50'])} ms, p99 {ms(a['ttft_p99'])} ms; "
        f"per-token p50 {ms(a['token_latency_p50'])} ms, p99 {ms(a['token_latency_p99'])} ms",
        flush=True,
    )


# --- (b) concurrent open streams -------------------------------------------------------


async def hold_level(api: Api, tokens: list[str], n: int, args) -> dict:
    model = f"pace-{args.slow_delay}-{args.slow_tokens}"
    duration = args.slow_delay * args.slow_tokens
    window = args.ramp + duration + args.grace
    streams = [StreamStats() for _ in range(n)]
    for s in streams:
        s.gaps = None  # not needed here
    samples: list[dict] = []
    started = time.perf_counter()
    cpu0 = api.worker_cpu_seconds()
    async with client(api.url, read=None) as http:

        async def launch(i: int, s: StreamStats) -> None:
            await asyncio.sleep(args.ramp * i / n)
            await api_stream(http, tokens[i % len(tokens)], model, s)

        tasks = [asyncio.create_task(launch(i, s)) for i, s in enumerate(streams)]
        while time.perf_counter() - started < window and not all(t.done() for t in tasks):
            await asyncio.sleep(1.0)
            now = time.perf_counter()
            rss, hwm = api.worker_memory()
            samples.append(
                {
                    "t": now - started,
                    "open": sum(1 for s in streams if s.requested and s.ended is None),
                    "receiving": sum(
                        1
                        for s in streams
                        if s.first_token is not None and s.ended is None and s.tokens
                    ),
                    "rss_mib": rss,
                    "hwm_mib": hwm,
                }
            )
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    ttft = [s.first_token - s.requested for s in streams if s.first_token is not None]
    complete = sum(1 for s in streams if s.done and s.tokens == args.slow_tokens and not s.error)
    errors: dict[str, int] = {}
    for s in streams:
        if s.error:
            errors[s.error] = errors.get(s.error, 0) + 1
    starved = sum(1 for s in streams if s.first_token is None and not s.error)
    late = sum(1 for t in ttft if t > args.late_s)
    rss, hwm = api.worker_memory()
    return {
        "streams": n,
        "complete": complete,
        "errors": errors,
        "never_got_a_token": starved,
        f"first_token_later_than_{args.late_s:g}s": late,
        "ttft_p50": pct(ttft, 50),
        "ttft_p99": pct(ttft, 99),
        "peak_open": max((x["open"] for x in samples), default=0),
        "peak_receiving": max((x["receiving"] for x in samples), default=0),
        "rss_peak_mib": max((x["rss_mib"] for x in samples), default=rss),
        "hwm_mib": hwm,
        "worker_cpu_s": api.worker_cpu_seconds() - cpu0,
        "window_s": time.perf_counter() - started,
        "load_1m": os.getloadavg()[0],
    }


def print_b_row(r: dict, late_s: float) -> None:
    print(
        f"  {r['streams']:>5} streams: complete {r['complete']:>5}  errors {r['errors'] or 0}  "
        f"never got a token {r['never_got_a_token']}  first token > {late_s:g}s "
        f"{r[f'first_token_later_than_{late_s:g}s']}  TTFT p50/p99 {ms(r['ttft_p50'])}/"
        f"{ms(r['ttft_p99'])} ms  peak open {r['peak_open']}  peak receiving "
        f"{r['peak_receiving']}  worker RSS peak {r['rss_peak_mib']:.0f} MiB (HWM "
        f"{r['hwm_mib']:.0f})  worker CPU {r['worker_cpu_s']:.0f}s in {r['window_s']:.0f}s  "
        f"load {r['load_1m']:.2f}",
        flush=True,
    )


# --- orchestration ----------------------------------------------------------------------


def create_pg() -> tuple[str, str]:
    import psycopg

    name = f"rai_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name


def drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine() -> str:
    load = os.getloadavg()
    cores = os.cpu_count()
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {cores} cores, "
        f"{int(mem) // 1024} MiB RAM, load average {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}"
    )


async def run_db(db: str, fake_url: str, workdir: Path, args) -> dict:
    pg_name = None
    if db == "postgres":
        pg_name, db_url = create_pg()
    else:
        db_url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    out: dict = {"db": db}
    try:
        api = start_api(db_url, fake_url, workdir, args.workers)
        try:
            t0 = time.perf_counter()
            tokens = await register_users(api.url, args.users)
            print(f"[{db}] {len(tokens)} users in {time.perf_counter() - t0:.1f}s", flush=True)
            if not args.skip_a:
                print(
                    f"[{db}] (a) {args.tokens} tokens every {args.delay * 1000:g} ms, "
                    f"API workers {args.workers}",
                    flush=True,
                )
                out["a"] = await part_a(api, fake_url, tokens, args)
        finally:
            stop(api.process)
        if not args.skip_b:
            print(
                f"[{db}] (b) {args.slow_tokens} tokens every {args.slow_delay:g}s, "
                f"ramp {args.ramp:g}s, fresh API process (1 worker) per level",
                flush=True,
            )
            out["b"] = []
            for n in args.hold:
                api = start_api(db_url, fake_url, workdir, 1)
                try:
                    await asyncio.sleep(1.0)
                    idle_rss, _ = api.worker_memory()
                    row = await hold_level(api, tokens, n, args)
                    row["idle_rss_mib"] = idle_rss
                finally:
                    stop(api.process)
                out["b"].append(row)
                print_b_row(row, args.late_s)
    finally:
        if pg_name:
            drop_pg(pg_name)
    return out


async def main_async(args) -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 20000)), hard))
    results = {"machine_before": machine(), "args": vars(args), "runs": []}
    print("machine:", results["machine_before"], flush=True)
    with tempfile.TemporaryDirectory(prefix="rai-bench-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        fake = start_fake(port, args.delay, args.tokens, workdir / "fake.stderr", args.embeddings)
        try:
            fake_url = f"http://127.0.0.1:{port}"
            for db in args.db:
                results["runs"].append(await run_db(db, fake_url, workdir, args))
            if args.embeddings:
                results["fake_stats"] = httpx.get(fake_url + "/stats", timeout=10).json()
                print("fake engine:", results["fake_stats"], flush=True)
        finally:
            stop(fake)
            if args.keep_logs:
                for log in workdir.glob("*.stderr"):
                    (Path(args.keep_logs) / log.name).write_bytes(log.read_bytes())
    results["machine_after"] = machine()
    print("machine:", results["machine_after"], flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve-fake", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="a small, fast run")
    parser.add_argument("--db", default="postgres", help="postgres, sqlite or postgres,sqlite")
    parser.add_argument("--workers", type=int, default=1, help="API workers for (a)")
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds between tokens (a)")
    parser.add_argument("--levels", default="1,64,512", help="concurrent streams for (a)")
    parser.add_argument("--c1-streams", type=int, default=8, help="sequential streams at c=1")
    parser.add_argument("--hold", default="250,500,1000,1500", help="stream counts for (b)")
    parser.add_argument("--slow-tokens", type=int, default=30)
    parser.add_argument("--slow-delay", type=float, default=1.0)
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds to open the streams")
    parser.add_argument("--grace", type=float, default=10.0)
    parser.add_argument("--late-s", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--skip-a", action="store_true")
    parser.add_argument("--skip-b", action="store_true")
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="the fake answers /v1/embeddings (384-d vectors): the decision step's classifier "
        "and the memory recall's meaning half run as with a real engine (without it, both "
        "get a 404 and fall back: memory recall by text only)",
    )
    parser.add_argument("--json", help="write the results there")
    parser.add_argument("--keep-logs", help="copy the servers' stderr to this directory")
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.serve_fake, args.delay, args.tokens, args.embeddings)
        return
    if args.quick:
        args.levels, args.c1_streams, args.hold = "1,16", 2, "100,200"
        args.slow_tokens, args.ramp, args.grace, args.users = 10, 3.0, 10.0, 8
    args.levels = [int(x) for x in args.levels.split(",")]
    args.hold = [int(x) for x in args.hold.split(",") if x]
    args.db = [x.strip() for x in args.db.split(",")]
    results = asyncio.run(main_async(args))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
