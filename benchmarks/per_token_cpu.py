"""Worker CPU per relayed token, stage by stage, in one process (no server, no network).

What the API runs for each token of an answer, as in a turn: the engine client reads the
engine's SSE lines (``EngineClient.stream_chat`` over an in-memory httpx transport that
replays a real OpenAI chunk stream), the marker filter, the echo filter (with a turn's own
instruction phrases), the token event, ``TurnStream.append``, and a follower turning the
events into SSE frames (``TurnStream.follow`` + ``api.sse.format_events``). Each stage is
timed with ``time.process_time`` over many tokens (cumulative: each row includes the rows
above it), and ``--profile`` prints the cProfile of the whole path.

CPU time, not wall time: figures hold on a loaded machine better than latencies do, but
still read them as upper bounds when the load average is high (it is printed).

    .venv/bin/python benchmarks/per_token_cpu.py [--tokens 20000] [--profile]"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from RAI_Chat.backend.api.sse import format_events  # noqa: E402
from RAI_Chat.backend.schemas.events import token_event  # noqa: E402
from RAI_Chat.backend.services.actions.echo_filter import EchoFilter, phrases_of  # noqa: E402
from RAI_Chat.backend.services.actions.stream_filter import MarkerStreamFilter  # noqa: E402
from RAI_Chat.backend.services.llm_client import EngineClient  # noqa: E402
from RAI_Chat.backend.services.prompts import ANSWER_PROMPT  # noqa: E402
from RAI_Chat.backend.services.turn_decision import ABOUT_THE_USER, ANSWER_FROM_DATA, DATA_HEADER  # noqa: E402
from RAI_Chat.backend.services.turn_stream import TurnStream  # noqa: E402

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "Lyon",
    "sleeps",
    "1979",
    "[ok]",
    "well",
]


def engine_body(n: int) -> bytes:
    """An OpenAI chat-completion stream of ``n`` one-word chunks, as llama.cpp sends it."""
    out = []
    for i in range(n):
        chunk = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "fake",
            "choices": [{"index": 0, "delta": {"content": WORDS[i % len(WORDS)] + " "}}],
        }
        out.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def engine(n: int) -> EngineClient:
    body = engine_body(n)
    client = EngineClient("http://engine.invalid")
    client._http = httpx.Client(
        transport=httpx.MockTransport(
            lambda request: httpx.Response(
                200, content=body, headers={"content-type": "text/event-stream"}
            )
        )
    )
    return client


def echoes() -> list:
    return phrases_of([ABOUT_THE_USER, ANSWER_FROM_DATA, DATA_HEADER, ANSWER_PROMPT])


def run(n: int, stages: int) -> float:
    """CPU seconds for ``n`` tokens through the first ``stages`` stages."""
    client = engine(n)
    stream = TurnStream("m")
    marker_filter = MarkerStreamFilter(render=lambda marker: None)
    echo_filter = EchoFilter(echoes())
    started = time.process_time()
    for piece in client.stream_chat([{"role": "user", "content": "hi"}]):
        if stages < 2:
            continue
        text = marker_filter.feed(piece)
        if stages < 3:
            continue
        text = echo_filter.feed(text)
        if stages < 4 or not text:
            continue
        event = token_event(text)
        if stages < 5:
            continue
        stream.append(event)
    if stages >= 6:
        stream.append({"type": "done"})
        for _ in format_events(stream.follow(0)):
            pass
    return time.process_time() - started


STAGES = [
    "engine client: SSE lines + JSON chunks",
    "+ marker filter",
    "+ echo filter",
    "+ token event",
    "+ TurnStream.append",
    "+ follower: SSE frames",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.tokens} tokens per row")
    run(2000, 6)  # warm up
    for i, name in enumerate(STAGES, start=1):
        best = min(run(args.tokens, i) for _ in range(3))
        print(f"  {name:<42} {best / args.tokens * 1e6:7.1f} µs/token (cumulative)")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        run(args.tokens, 6)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
