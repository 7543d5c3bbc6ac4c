"""Worker CPU per relayed token, stage by stage, in one process (no server, no network).

What the API runs for each token of an answer, as in a turn: the engine client reads the
engine's SSE lines (``EngineClient.stream_chat`` over an in-memory httpx transport that
replays a real OpenAI chunk stream), the marker filter, the echo filter (with a turn's own
instruction phrases), the token event, ``TurnStream.append``, and a follower turning the
events into SSE frames (``TurnStream.follow`` + ``api.sse.format_events``). Each stage is
timed with ``time.process_time`` over many tokens (cumulative: each row includes the rows
above it), and ``--profile`` prints the cProfile of the whole path. The last row adds the
flusher (``LiveTurns.flush_once``) every ``--flush-every`` tokens (50: a flush every 0.25 s
at 200 tokens/s) on a migrated database (``--db sqlite``, a temporary file, or ``postgres``,
a throwaway database on ``RAI_BENCH_PG_DSN``): the turn's events and partial answer.

CPU time, not wall time: figures hold on a loaded machine better than latencies do, but
still read them as upper bounds when the load average is high (it is printed).

    .venv/bin/python benchmarks/per_token_cpu.py [--tokens 20000] [--profile]
        [--db sqlite|postgres] [--flush-every 50]"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, nullcontext
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
from RAI_Chat.backend.services.turn_stream import LiveTurns, TurnStream  # noqa: E402

PG_ADMIN_DSN = os.environ.get("RAI_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")

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


@contextmanager
def database(kind: str):
    """A migrated database of ``kind`` (sqlite, postgres), dropped afterwards."""
    from RAI_Chat.backend.core.database.migrate import upgrade
    from RAI_Chat.backend.core.database.session import Database

    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="rai-per-token-") as tmp:
            db = Database(f"sqlite:///{tmp}/rai.db")
            upgrade(db.engine)
            try:
                yield db
            finally:
                db.dispose()
        return
    import psycopg

    name = f"rai_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name)
    try:
        upgrade(db.engine)
        yield db
    finally:
        db.dispose()
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def running_answer(db) -> str:
    """A user, a session and an answer in progress (as a turn's start leaves them)."""
    from RAI_Chat.backend.core.database.models import ChatSession, Message, User, new_id

    with db.unit_of_work() as uow:
        name = new_id()[:12]
        user = User(username=name, username_key=name, password_hash="x")  # noqa: S106
        uow.session.add(user)
        uow.session.flush()
        chat = ChatSession(user_id=user.id, title="t")
        uow.session.add(chat)
        uow.session.flush()
        answer = Message(
            session_id=chat.id,
            user_id=user.id,
            role="assistant",
            content="",
            status="in_progress",
        )
        uow.session.add(answer)
        uow.commit()
        return answer.id


def run(n: int, stages: int, db=None, flush_every: int = 50) -> float:
    """CPU seconds for ``n`` tokens through the first ``stages`` stages."""
    client = engine(n)
    live = None
    if stages >= 7:
        live = LiveTurns(interval=None)
        stream = TurnStream(running_answer(db))
        live.add(stream, db)
    else:
        stream = TurnStream("m")
    visible: list[str] = []
    stream.answer = visible
    marker_filter = MarkerStreamFilter(render=lambda marker: None)
    echo_filter = EchoFilter(echoes())
    count = 0
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
        visible.append(text)
        stream.append(event)
        count += 1
        if live is not None and count % flush_every == 0:
            live.flush_once()
    if live is not None:
        live.flush_once()
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
    "+ flusher every {flush_every} tokens ({db})",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres", "none"])
    parser.add_argument("--flush-every", type=int, default=50)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.tokens} tokens per row")
    stages = STAGES if args.db != "none" else STAGES[:-1]
    with nullcontext() if args.db == "none" else database(args.db) as db:
        run(2000, len(stages), db, args.flush_every)  # warm up
        for i, name in enumerate(stages, start=1):
            best = min(run(args.tokens, i, db, args.flush_every) for _ in range(3))
            label = name.format(flush_every=args.flush_every, db=args.db)
            print(f"  {label:<42} {best / args.tokens * 1e6:7.1f} µs/token (cumulative)")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            run(args.tokens, len(stages), db, args.flush_every)
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
