"""CPU per token of reading the engine's stream alone, by how far apart the tokens come.

``EngineClient.stream_chat`` (httpx, httpcore, h11, a real loopback socket) reads N tokens
from ``chat_streams.py``'s fake engine (own process) sent back to back, 1 ms apart and 5 ms
apart; CPU time of this process per token (``/proc/self/schedstat``: time on a CPU, to the
nanosecond). Optionally under gevent (``--gevent``: monkey-patched, as the API's workers).
The floor beside it: the same streams read from a bare socket (``recv`` and a count, no
HTTP client, no JSON).

What it shows: the same code per token costs several times more CPU when each token wakes
the process alone (caches cold, a scheduler wake-up) than when tokens come together — so a
worker's CPU per relayed token at one stream depends on the pace more than on the code.

    .venv/bin/python benchmarks/engine_read_cpu.py [--tokens 2000] [--gevent]
        (RAI_BENCH_PORTS=first-last: the fake's port from that range)"""

from __future__ import annotations

import sys

if "--gevent" in sys.argv:
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.chat_streams import free_port, start_fake  # noqa: E402
from RAI_Chat.backend.services.llm_client import EngineClient  # noqa: E402


def cpu_s() -> float:
    return int(Path(f"/proc/self/task/{os.getpid()}/schedstat").read_text().split()[0]) / 1e9


def bare_read(port: int, model: str) -> int:
    """The stream read from a bare socket: ``recv`` until ``[DONE]``; how many tokens."""
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "x"}]})
    head = "POST /v1/chat/completions HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
    n = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n{body}".encode())
        while data := sock.recv(65536):
            n += data.count(b'"content"')
            if b"[DONE]" in data:
                break
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--gevent", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; gevent {args.gevent}; {args.tokens} tokens")
    with tempfile.TemporaryDirectory(prefix="rai-engine-read-") as tmp:
        port = free_port()
        fake = start_fake(port, 0.005, args.tokens, Path(tmp) / "fake.stderr")
        try:
            client = EngineClient(f"http://127.0.0.1:{port}")
            for delay in (0.0, 0.001, 0.005):
                model = f"pace-{delay}-{args.tokens}"
                before = cpu_s()
                n = sum(
                    1 for _ in client.stream_chat([{"role": "user", "content": "x"}], model=model)
                )
                used = cpu_s() - before
                before = cpu_s()
                bare = bare_read(port, model)
                floor = cpu_s() - before
                print(
                    f"  tokens {delay * 1000:g} ms apart: {used / n * 1e6:6.0f} µs/token ({n}); "
                    f"bare socket {floor / bare * 1e6:4.0f} µs/token ({bare})"
                )
        finally:
            fake.terminate()
            fake.wait(10)


if __name__ == "__main__":
    main()
