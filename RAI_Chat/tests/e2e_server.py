"""The whole system for the browser tests: a fake OpenAI-compatible upstream (deterministic,
paced text), the real engine routed to it, and the real API (gunicorn) serving the built
page, on free ports with a throwaway SQLite database. Prints ``READY <url>`` and runs until
SIGTERM/SIGINT.

``--local-model`` routes the engine to the real local model instead of the fake."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path

from conftest import start_engine, wait_for_health  # the repository-root conftest
from llm_Engine.testing.fake_upstreams import FakeOpenAI
from llm_Engine.testing.server_thread import free_port
from RAI_Chat.tests.chat_helpers import engine_env, stop_process
from RAI_Chat.tests.conftest import start_api_server, stop_api_server

E2E_REPLY = (
    "Here is **bold** text and a list:\n\n- one\n- two\n\n```python\nprint('hello')\n```\n\n"
    # An answer with an XSS attempt in it: the page must render it inert.
    '<img src=x onerror="window.__xss=3"> ' + " ".join(f"word{i}" for i in range(80))
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--local-model", action="store_true")
    parser.add_argument("--chunk-delay", type=float, default=0.05)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rai-e2e-"))
    fake = FakeOpenAI(reply=E2E_REPLY, chunk_delay=args.chunk_delay).start()
    port = free_port()
    env = {} if args.local_model else engine_env(fake)
    engine = start_engine(port, env)
    engine_url = f"http://127.0.0.1:{port}"
    wait_for_health(engine, engine_url, timeout=300)
    api = start_api_server(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
            "LLM_API_URL": engine_url,
            "RATELIMIT_ENABLED": "false",
            "CORS_ORIGINS": "http://127.0.0.1",
        },
        workdir,
    )
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    print(f"READY {api.url}", flush=True)
    try:
        stopping.wait()
    finally:
        stop_api_server(api)
        stop_process(engine)
        fake.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
