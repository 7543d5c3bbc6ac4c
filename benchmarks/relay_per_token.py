"""CPU per relayed token of the API's own per-token code, without I/O: the marker and echo
filters, the token event, ``TurnStream.append``, a follower's ``wait_after`` and the SSE
frame (what a turn does per token since the flusher took the database off that path).

    .venv/bin/python benchmarks/relay_per_token.py [--tokens 50000]

The worker's whole CPU per relayed token (reading the engine's stream, gevent, sockets) is
measured by ``benchmarks/chat_streams.py`` (``API worker CPU``); this prints the part that is
the API's own Python code. Not a test: it prints its figures."""

from __future__ import annotations

import argparse
import os
import time

from RAI_Chat.backend.api.sse import format_events
from RAI_Chat.backend.schemas.events import token_event
from RAI_Chat.backend.services.actions.echo_filter import EchoFilter, phrases_of
from RAI_Chat.backend.services.actions.stream_filter import MarkerStreamFilter
from RAI_Chat.backend.services.prompts import ANSWER_PROMPT
from RAI_Chat.backend.services.turn_stream import TurnStream


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=50_000)
    n = parser.parse_args().tokens
    pieces = [f"{time.perf_counter():.6f} " for _ in range(n)]  # as the benchmark's fake
    markers = MarkerStreamFilter(render=lambda marker: "")
    echoes = EchoFilter(phrases_of([ANSWER_PROMPT]))
    stream = TurnStream("bench")

    t0 = time.process_time()
    for piece in pieces:  # the runner, per piece (turn_runner._model_round)
        text = echoes.feed(markers.feed(piece))
        if text:
            stream.append(token_event(text))
    t1 = time.process_time()
    follower, seq = TurnStream("follower"), 0
    for event in stream.events:  # a follower that keeps up: one event per wake
        follower.append(event)
        seq += len(follower.wait_after(seq, 0))
    t2 = time.process_time()
    frames = sum(1 for _ in format_events((i + 1, e) for i, e in enumerate(stream.events)))
    t3 = time.process_time()

    def us(seconds: float) -> str:
        return f"{seconds / n * 1e6:.1f} µs"

    load = os.getloadavg()[0]
    print(f"{n} tokens, {len(stream.events)} events, {frames} frames, load {load:.2f}")
    print(f"  filters + token event + append: {us(t1 - t0)} per token")
    print(f"  append + follower wake (wait_after): {us(t2 - t1)} per token")
    print(f"  SSE frame: {us(t3 - t2)} per token")
    print(f"  total: {us(t3 - t0)} per token")


if __name__ == "__main__":
    main()
