"""What a turn costs besides the model: engine requests (by path) and SQL statements (reads,
writes, commits) per turn, for consecutive turns in one session and for turns that start
together. Deterministic (counts, not times): a figure that holds on a loaded machine.

The turns run through ``ConversationManager`` (the code the API runs) on a migrated SQLite
database, against the real ``EngineClient`` over an in-memory httpx transport that answers
like an OpenAI-compatible engine (``/tokenize``, ``/v1/embeddings`` with 384-d vectors
taking 10 ms a request, a short streamed answer). Memory work after the turn (jobs) is not run.

    .venv/bin/python benchmarks/turn_start_calls.py [--turns 6] [--together 16]"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from RAI_Chat.backend.core.database.migrate import upgrade  # noqa: E402
from RAI_Chat.backend.core.database.models import User  # noqa: E402
from RAI_Chat.backend.core.database.session import Database  # noqa: E402
from RAI_Chat.backend.services.conversation import ConversationManager  # noqa: E402
from RAI_Chat.backend.services.llm_client import EngineClient  # noqa: E402
from RAI_Chat.backend.services.turn import TurnSettings  # noqa: E402

EMBED_S = 0.01
SETTINGS = TurnSettings(
    model="fake",
    context_budget=4096,
    max_answer_tokens=256,
    refine_titles=False,
    decision_step="classifier",
    native_tools="off",
)


def answer_body() -> bytes:
    out = []
    for word in ["Sure", "thing", "here", "it", "is."]:
        chunk = {"choices": [{"index": 0, "delta": {"content": word + " "}}]}
        out.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    usage = {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 5}}
    out.append(b"data: " + json.dumps(usage).encode() + b"\n\ndata: [DONE]\n\n")
    return b"".join(out)


class Recorder:
    def __init__(self) -> None:
        self.engine: Counter = Counter()
        self.sql: Counter = Counter()
        self.lock = threading.Lock()

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.engine[request.url.path] += 1
            if request.url.path == "/v1/embeddings":
                self.engine["embedded texts"] += len(json.loads(request.content)["input"])
        if request.url.path == "/tokenize":
            text = json.loads(request.content)["input"]
            return httpx.Response(200, json={"count": max(1, len(text) // 4)})
        if request.url.path == "/v1/embeddings":
            time.sleep(EMBED_S)  # a small local model's time per request
            texts = json.loads(request.content)["input"]
            data = [
                {"index": i, "embedding": [((len(t) * (k + 1)) % 97) / 97 for k in range(384)]}
                for i, t in enumerate(texts)
            ]
            return httpx.Response(200, json={"data": data})
        if request.url.path == "/v1/chat/completions":
            return httpx.Response(
                200, content=answer_body(), headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(404, json={"error": {"message": "not found"}})

    def statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        with self.lock:
            self.sql[verb] += 1

    def snapshot(self) -> tuple[Counter, Counter]:
        with self.lock:
            return Counter(self.engine), Counter(self.sql)


def finish(turn) -> None:
    for item in turn.stream.follow(0):
        if item is not None and item[1]["type"] in ("done", "error"):
            return


def diff(after: Counter, before: Counter) -> dict:
    return {k: after[k] - before[k] for k in sorted(after) if after[k] - before[k]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--together", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{Path(tmp) / 'rai.db'}")
        upgrade(database.engine)
        recorder = Recorder()
        event.listen(database.engine, "before_cursor_execute", recorder.statement)
        engine = EngineClient("http://engine.invalid")
        engine._http = httpx.Client(transport=httpx.MockTransport(recorder.handler))
        with database.unit_of_work() as uow:
            users = [
                User(username=f"u{i}", username_key=f"u{i}", password_hash="x")  # noqa: S106
                for i in range(args.together)
            ]
            uow.session.add_all(users)
            uow.commit()
            user_ids = [u.id for u in users]
        manager = ConversationManager(user_ids[0], database, engine)
        session_id = None
        print("consecutive turns in one session (engine requests, SQL statements):")
        for i in range(args.turns):
            before = recorder.snapshot()
            turn = manager.start_turn(
                f"Tell me more about topic number {i}, please.", session_id, SETTINGS
            )
            finish(turn)
            session_id = turn.session_id
            after = recorder.snapshot()
            engine_calls, statements = diff(after[0], before[0]), diff(after[1], before[1])
            print(f"  turn {i + 1}: engine {engine_calls}  SQL {statements}")
        print(f"{args.together} turns started together (new sessions, one per user):")
        before = recorder.snapshot()
        turns = []
        threads = [
            threading.Thread(
                target=lambda uid=uid, k=k: turns.append(
                    ConversationManager(uid, database, engine).start_turn(
                        f"What about question {k}?", None, SETTINGS
                    )
                )
            )
            for k, uid in enumerate(user_ids)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for turn in turns:
            finish(turn)
        after = recorder.snapshot()
        print(f"  all: engine {diff(after[0], before[0])}  SQL {diff(after[1], before[1])}")
        database.dispose()


if __name__ == "__main__":
    main()
