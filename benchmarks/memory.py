"""Memory: prompt size over a long conversation, planted-fact recall, episodic search
latency at 1k/10k/100k archived exchanges, import speed.

The stack is the one of ``RAI_Chat/tests/integration/test_memory.py``: a fake OpenAI upstream
(fixed reply) → the real LLM Engine with the real all-MiniLM-L6-v2 embeddings → the real
API (``python -m RAI_Chat.backend.wsgi``: gunicorn + gevent, in-process job consumer),
default budgets (``CONTEXT_TOKEN_BUDGET`` 4096, ``MAX_ANSWER_TOKENS`` 1024, facts 300,
recall 400). Tokens are counted with the engine's ``/tokenize`` as the tests do: each
message's content + 6.

1. **Prompt tokens per turn**: one 300-turn scripted conversation; the prompt the fake
   received at turns 10, 50, 100, 200, 300 vs the full history (system prompt + every
   earlier user message and reply + the new message).
2. **Planted-fact recall**: distinct facts planted at early turns of the long conversation
   and of three earlier sessions of the same user; at the end each is asked for (the long
   session's facts in that session, the earlier sessions' facts in a new one). A fact is
   recalled when its distinctive value is in the prompt sent to the model. Memory tokens =
   the facts + recalled-memories + window-summary blocks of the system message.
3. **Episodic search latency**: one user's archive filled through ``EpisodicArchive.add`` to
   1k, 10k and 100k exchanges (realistic text from templates; a base set of texts is
   embedded with the real MiniLM through the engine and larger archives reuse those vectors
   with small Gaussian noise, renormalised); ``EpisodicArchive.search`` (query embedding
   through the engine included) timed on SQLite and PostgreSQL: first search after the
   archive grew (loads the vector matrix), then p50/p99 of warm searches.
4. **Import**: ``POST /api/session/import`` of a 2,000-message transcript, then a full-text
   search for a word of an early message (no embedding needed).

    .venv/bin/python benchmarks/memory.py            # everything (≈ 15-20 min on 2 cores)
    .venv/bin/python benchmarks/memory.py --quick    # ≤ 10 min: 1k/10k on both DBs, 100k on SQLite

Not a test: it prints its figures (``--json FILE`` writes them)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conftest import start_engine, wait_for_health  # noqa: E402  the repository-root conftest
from llm_Engine.testing.fake_upstreams import FakeOpenAI  # noqa: E402
from llm_Engine.testing.server_thread import free_port  # noqa: E402
from RAI_Chat.tests.chat_helpers import engine_env, new_user, stop_process  # noqa: E402
from RAI_Chat.tests.conftest import (  # noqa: E402
    PG_ADMIN_DSN,
    create_pg_database,
    drop_pg_database,
    start_api_server,
    stop_api_server,
)

REPLY = (
    "That is a good question. Here are a few thoughts on it, with one or two practical "
    "suggestions you could try this week, and a short note on what to watch out for."
)
TOPICS = [
    "gardening tomatoes on a balcony",
    "cooking fresh pasta",
    "train timetables in Switzerland",
    "chess openings for beginners",
    "why it rains more in autumn",
    "learning to play the ukulele",
    "fixing a squeaky door hinge",
    "the history of the printing press",
    "how to keep sourdough starter alive",
    "planning a budget for the month",
    "stretching after running",
    "choosing a used bicycle",
]
# (what the user says, how they ask later, the value that must be in the prompt)
FACTS = [
    (
        "My locker combination at the gym is PELICAN-4711.",
        "What is my gym locker combination?",
        "PELICAN-4711",
    ),
    ("My sister Marguerite lives in Valparaíso.", "Where does my sister live?", "Valparaíso"),
    ("I am allergic to hazelnuts, please remember that.", "What am I allergic to?", "hazelnuts"),
    ("My cat is called Professor Whiskerton.", "What is my cat's name?", "Whiskerton"),
    (
        "The wifi password at the cabin is bluefinch88.",
        "What is the cabin wifi password?",
        "bluefinch88",
    ),
    (
        "My dentist appointment is on the 14th of March at 9:40.",
        "When is my dentist appointment?",
        "9:40",
    ),
    ("I drive a dark green 2009 Subaru Forester.", "What car do I drive?", "Forester"),
    (
        "My favourite composer is Hildegard von Bingen.",
        "Who is my favourite composer?",
        "Hildegard",
    ),
    ("My employee number at work is 55-2931-K.", "What is my employee number?", "55-2931-K"),
    ("I was born in the town of Zwettl in Austria.", "Where was I born?", "Zwettl"),
    (
        "My running personal best for 10k is 47 minutes 12 seconds.",
        "What is my 10k personal best?",
        "47 minutes",
    ),
    (
        "My grandmother's secret ingredient was cardamom.",
        "What was my grandmother's secret ingredient?",
        "cardamom",
    ),
    ("The name of my boat is Saltwater Serenade.", "What is my boat called?", "Saltwater Serenade"),
    (
        "I keep the spare house key under the blue ceramic frog.",
        "Where is my spare house key?",
        "ceramic frog",
    ),
    (
        "My daughter's piano teacher is Mrs Okonkwo.",
        "Who is my daughter's piano teacher?",
        "Okonkwo",
    ),
    ("My blood type is B negative.", "What is my blood type?", "B negative"),
    ("My first concert was Radiohead in 1997.", "What was my first concert?", "Radiohead"),
    (
        "I store my passport in the grey filing cabinet, second drawer.",
        "Where is my passport?",
        "filing cabinet",
    ),
    ("My favourite tea is lapsang souchong.", "What is my favourite tea?", "lapsang"),
    ("My bike lock code is 3-8-1-6.", "What is my bike lock code?", "3-8-1-6"),
    ("My landlord is called Mr Vasquez-Trent.", "What is my landlord's name?", "Vasquez-Trent"),
    ("The plumber I trust is Ferdinand from Aquafix.", "Which plumber do I trust?", "Aquafix"),
    ("My flight to Reykjavík is FI 455.", "What is my flight number to Reykjavík?", "FI 455"),
    ("My son is learning the bassoon.", "What instrument is my son learning?", "bassoon"),
]
MARKS = (10, 50, 100, 200, 300)


def log(*args) -> None:
    print(*args, flush=True)


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


class Counter:
    """The engine's /tokenize, memoised (as the tests count: content + 6 per message)."""

    def __init__(self, engine_url: str):
        self.http = httpx.Client(base_url=engine_url, timeout=30)
        self.memo: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        if text not in self.memo:
            r = self.http.post("/tokenize", json={"model": "default", "input": text})
            self.memo[text] = r.json()["count"]
        return self.memo[text]

    def messages(self, messages: list[dict]) -> int:
        return sum(self(m["content"]) + 6 for m in messages)


# --- the stack --------------------------------------------------------------------------


class Stack:
    def __init__(self, workdir: Path, db: str, api: bool = True):
        self.fake = FakeOpenAI(reply=REPLY).start()
        port = free_port()
        self.engine = start_engine(port, {**engine_env(self.fake), "LLM_EMBEDDING_MODEL": "true"})
        self.engine_url = f"http://127.0.0.1:{port}"
        wait_for_health(self.engine, self.engine_url, timeout=180)
        self.pg_name = None
        if db == "postgres":
            self.pg_name, self.db_url = create_pg_database(PG_ADMIN_DSN)
        else:
            self.db_url = f"sqlite:///{workdir / f'memory-{uuid.uuid4().hex[:6]}.db'}"
        self.api = self.http = None  # part 3 alone needs only the engine
        if api:
            self.api = start_api_server(
                {
                    "DATABASE_URL": self.db_url,
                    "LLM_API_URL": self.engine_url,
                    "RATELIMIT_ENABLED": "false",
                    "REFINE_TITLES": "false",
                    "METRICS_ENABLED": "true",
                },
                workdir,
            )
            self.http = self.api.client(timeout=120)
        self.count = Counter(self.engine_url)

    def close(self) -> None:
        if self.api:
            self.http.close()
            stop_api_server(self.api)
        stop_process(self.engine)
        self.fake.stop()
        if self.pg_name:
            drop_pg_database(PG_ADMIN_DSN, self.pg_name)

    def sent(self, message: str) -> list[dict]:
        """The messages of the last request the fake received whose last message is this."""
        for r in reversed(self.fake.requests):
            msgs = r.get("messages") or []
            if msgs and msgs[-1].get("content") == message and r.get("stream"):
                return msgs
        for r in reversed(self.fake.requests):
            msgs = r.get("messages") or []
            if msgs and msgs[-1].get("content") == message:
                return msgs
        raise LookupError(message)

    def wait_jobs(self, timeout: float = 300) -> float:
        """Until the background queue (tiers, archiving) is empty twice in a row."""
        start = time.monotonic()
        zero = 0
        while time.monotonic() - start < timeout:
            text = self.http.get("/metrics").text
            depth = next(
                (
                    float(line.split()[-1])
                    for line in text.splitlines()
                    if line.startswith("rai_job_queue_depth")
                ),
                0.0,
            )
            zero = zero + 1 if depth == 0 else 0
            if zero >= 3:
                return time.monotonic() - start
            time.sleep(0.5)
        return time.monotonic() - start


def memory_blocks(system: str) -> dict[str, str]:
    import RAI_Chat.backend.services.memory  # noqa: F401  (prompt_builder imports it)
    from RAI_Chat.backend.services.prompt_builder import (
        FACTS_HEADER,
        RECALL_HEADER,
        WINDOW_HEADER,
    )

    out = {}
    for name, header in (("facts", FACTS_HEADER), ("recalled", RECALL_HEADER)):
        if header in system:
            out[name] = system.split(header, 1)[1].split("\n\n", 1)[0]
    if WINDOW_HEADER in system:
        out["window"] = system.split(WINDOW_HEADER, 1)[1]
    return out


def filler(turn: int, rng: random.Random) -> str:
    topic = TOPICS[turn % len(TOPICS)]
    tails = [
        "What would you suggest?",
        "I keep getting it wrong.",
        "Any tips for a beginner?",
        "My friend said something different, who is right?",
        "Keep it short please.",
    ]
    return f"Turn {turn}: tell me something about {topic}. {rng.choice(tails)}"


# --- 1 and 2: long conversation, recall -------------------------------------------------


def conversation(stack: Stack, turns: int, plant_main: int, plant_old: int, old_turns: int):
    rng = random.Random(7)
    user = new_user(stack.http)
    facts = list(FACTS)
    main_facts = facts[:plant_main]
    old_facts = facts[plant_main : plant_main + plant_old]

    # Earlier sessions of the same user: facts planted at early turns of each.
    per_session = [old_facts[i::3] for i in range(3)]
    t0 = time.perf_counter()
    for s, planted in enumerate(per_session):
        session_id = None
        at = {2 + 3 * i: f for i, f in enumerate(planted)}
        for turn in range(1, old_turns + 1):
            message = at[turn][0] if turn in at else filler(turn, rng) + f" (chat {s})"
            r = stack.log_chat(user, message, session_id)
            session_id = r["session_id"]
    old_s = time.perf_counter() - t0
    log(f"  3 earlier sessions × {old_turns} turns in {old_s:.0f}s (load {load()})")

    # The long conversation: facts at early turns spread over the first ~60.
    spots = sorted(rng.sample(range(2, 61), len(main_facts)))
    at = dict(zip(spots, main_facts, strict=True))
    history: list[dict] = []
    session_id = None
    rows = []
    t0 = time.perf_counter()
    turn_times = []
    for turn in range(1, turns + 1):
        message = at[turn][0] if turn in at else filler(turn, rng)
        t = time.perf_counter()
        r = stack.log_chat(user, message, session_id)
        turn_times.append(time.perf_counter() - t)
        session_id = r["session_id"]
        if turn in MARKS:
            sent = stack.sent(message)
            system = sent[0]["content"]
            full = [{"role": "system", "content": system.split("\n\n")[0]}, *history]
            full.append({"role": "user", "content": message})
            rows.append(
                {
                    "turn": turn,
                    "prompt_tokens": stack.count.messages(sent),
                    "full_history_tokens": stack.count.messages(full),
                    "messages_sent": len(sent),
                    "load": load(),
                }
            )
            log(
                f"  turn {turn:>3}: prompt {rows[-1]['prompt_tokens']:>6} tokens "
                f"({len(sent)} messages), full history {rows[-1]['full_history_tokens']:>7} "
                f"tokens (load {load()})"
            )
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": REPLY}]
    main_s = time.perf_counter() - t0
    drained = stack.wait_jobs()
    log(
        f"  {turns} turns in {main_s:.0f}s (turn p50 {statistics.median(turn_times) * 1000:.0f} "
        f"ms); background queue drained {drained:.0f}s later"
    )

    def ask(items, session):
        out = []
        for fact, question, value in items:
            r = stack.log_chat(user, question, session)
            session = r["session_id"]
            system = stack.sent(question)[0]["content"]
            prompt = "\n".join(m["content"] for m in stack.sent(question))
            blocks = memory_blocks(system)
            tokens = {k: stack.count(v) for k, v in blocks.items()}
            out.append(
                {
                    "fact": fact,
                    "value": value,
                    "recalled": value.casefold() in prompt.casefold(),
                    "where": [k for k, v in blocks.items() if value.casefold() in v.casefold()],
                    "memory_tokens": sum(tokens.values()),
                    "blocks": tokens,
                    "prompt_tokens": stack.count.messages(stack.sent(question)),
                }
            )
        return out

    same = ask(main_facts, session_id)
    other = ask(old_facts, None)
    return {
        "turn_table": rows,
        "turn_p50_ms": statistics.median(turn_times) * 1000,
        "recall_same_session": same,
        "recall_new_session": other,
    }


def log_chat(stack: Stack, user, message: str, session_id: str | None) -> dict:
    body = {"session_id": session_id} if session_id else {}
    r = user.chat(message, **body)
    if r.status_code != 200:
        raise RuntimeError(f"chat failed: {r.status_code} {r.text[:300]}")
    return r.json()


Stack.log_chat = log_chat


def print_recall(result: dict) -> None:
    for name in ("recall_same_session", "recall_new_session"):
        items = result[name]
        hits = sum(1 for x in items if x["recalled"])
        mem = [x["memory_tokens"] for x in items]
        log(
            f"  {name}: {hits}/{len(items)} recalled; memory tokens per turn median "
            f"{statistics.median(mem):.0f}, max {max(mem)}"
        )
        for x in items:
            if not x["recalled"]:
                log(f"    missed: {x['fact']!r}")
    every = result["recall_same_session"] + result["recall_new_session"]
    hits = sum(1 for x in every if x["recalled"])
    log(f"  overall: {hits}/{len(every)} = {100 * hits / len(every):.0f}%")


# --- 3: episodic search latency ---------------------------------------------------------

SUBJECTS = [
    "my landlord", "the plumber", "our team lead", "my neighbour", "the vet", "my cousin",
    "the bank", "my sister", "the school", "my doctor", "the garage", "our book club",
]  # fmt: skip
VERBS = [
    "asked about", "forgot", "rescheduled", "complained about", "recommended", "paid for",
    "cancelled", "booked", "fixed", "talked about", "wrote to me about", "reminded me of",
]  # fmt: skip
OBJECTS = [
    "the heating bill", "a trip to Lisbon", "the broken dishwasher", "a birthday dinner",
    "the car insurance", "a new running plan", "the garden fence", "a vegetarian recipe",
    "the tax return", "a concert in June", "the leaking roof", "a chess tournament",
    "the kid's swimming lessons", "a hiking route", "the photo album", "a job interview",
]  # fmt: skip


def exchange_texts(n: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(n):
        s, v, o = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
        detail = rng.choice(TOPICS)
        out.append(
            f"User: Yesterday {s} {v} {o}; I also wanted to ask about {detail}. "
            f"(note {i}, code {rng.randrange(10**6):06d})\n"
            f"Assistant: Thanks for the update on {o}. About {detail}: start small, keep notes, "
            f"and check back with {s} next week."
        )
    return out


def embed_texts(engine_url: str, texts: list[str], batch: int = 64) -> np.ndarray:
    from RAI_Chat.backend.services.llm_client import EngineClient

    client = EngineClient(engine_url)
    vectors = []
    for i in range(0, len(texts), batch):
        vectors += client.embed(texts[i : i + batch])
    client.close()
    m = np.asarray(vectors, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def search_latency(db: str, engine_url: str, sizes: list[int], base_n: int, queries: int):
    from RAI_Chat.backend.app import create_app
    from RAI_Chat.backend.core.database.models import User
    from RAI_Chat.backend.core.database.session import Database
    from RAI_Chat.backend.services.llm_client import EngineClient
    from RAI_Chat.backend.services.memory.episodic import (
        ArchivedExchange,
        EpisodicArchive,
        to_blob,
    )
    from RAI_Chat.backend.services.memory.vector_index import VECTOR_INDEXES
    from RAI_Chat.tests.conftest import make_settings

    rng = random.Random(11)
    np_rng = np.random.default_rng(11)
    pg_name = None
    tmp = Path(tempfile.mkdtemp(prefix="rai-mem-"))
    if db == "postgres":
        pg_name, url = create_pg_database(PG_ADMIN_DSN)
    else:
        url = f"sqlite:///{tmp / 'search.db'}"
    app = create_app(make_settings(url, tmp))  # migrates
    app.extensions["rai_database"].dispose()
    for noisy in ("httpx", "huey", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    database = Database(url)
    engine = EngineClient(engine_url)
    user_id = str(uuid.uuid4())
    with database.unit_of_work() as uow:
        name = f"bench_{user_id[:8]}"
        uow.session.add(
            User(id=user_id, username=name, username_key=name, password_hash=uuid.uuid4().hex)
        )
        uow.commit()

    t0 = time.perf_counter()
    base_texts = exchange_texts(base_n, rng)
    base_vectors = embed_texts(engine_url, base_texts)
    embed_s = time.perf_counter() - t0
    log(f"  [{db}] embedded {base_n} base texts in {embed_s:.1f}s ({base_n / embed_s:.0f}/s)")

    class Prefilled(EpisodicArchive):
        """add() as is; the vectors come from the base set (+ noise), not the engine."""

        pending: list[bytes] = []

        def _embed(self, texts):
            out, self.pending[:] = self.pending[: len(texts)], self.pending[len(texts) :]
            return out

    archive = Prefilled(user_id, database, engine)
    plain = EpisodicArchive(user_id, database, engine)
    question_pool = [
        f"What did {rng.choice(SUBJECTS)} say about {rng.choice(OBJECTS)}?" for _ in range(200)
    ]
    rows = []
    have = 0
    for size in sizes:
        t0 = time.perf_counter()
        chunk = 2000
        while have < size:
            n = min(chunk, size - have, *([base_n - have] if have < base_n else []))
            texts = exchange_texts(n, rng) if have >= base_n else base_texts[have : have + n]
            if have >= base_n:
                pick = np_rng.integers(0, base_n, n)
                noisy = base_vectors[pick] + np_rng.normal(0, 0.02, (n, base_vectors.shape[1]))
                Prefilled.pending[:] = [to_blob(v) for v in noisy.astype(np.float32)]
            else:
                Prefilled.pending[:] = [to_blob(v) for v in base_vectors[have : have + n]]
            archive.add([ArchivedExchange(str(uuid.uuid4()), [], t) for t in texts])
            have += n
        fill_s = time.perf_counter() - t0
        t = time.perf_counter()
        plain.search(question_pool[0], 5)
        first = time.perf_counter() - t
        # The first search loads the vectors; from EXACT_BELOW on it also starts building
        # the index in the background (searches are exact until it is there).
        vectors = VECTOR_INDEXES.get(database.url, user_id)
        t = time.perf_counter()
        while vectors.building:
            time.sleep(0.2)
        index_s = time.perf_counter() - t if vectors.index is not None else None
        row = {"db": db, "archived": size, "fill_s": fill_s, "first_search_ms": first * 1000}
        row["index_wait_s"] = index_s
        if vectors.index is not None:  # index + exact re-scoring against the exact top 50
            agree = 0.0
            for q in question_pool[1 : queries + 1]:
                qv = np.frombuffer(to_blob(engine.embed([q])[0]), np.float32)
                got = {i for i, _ in vectors.search(qv, 50, -1.0)}
                scores = np.where(
                    vectors.alive[: vectors.size], vectors.matrix[: vectors.size] @ qv, -np.inf
                )
                agree += len(got & {vectors.ids[i] for i in np.argsort(-scores)[:50]}) / 50
            row["index_agreement_top50"] = agree / queries
        for mode in ("hybrid", "text", "vector"):
            times = []
            for q in question_pool[1 : queries + 1]:
                t = time.perf_counter()
                hits = plain.search(q, 5, mode)
                times.append(time.perf_counter() - t)
            row[f"{mode}_p50_ms"] = pct(times, 50) * 1000
            row[f"{mode}_p99_ms"] = pct(times, 99) * 1000
            if mode == "hybrid":
                row["hits"] = len(hits)
        embed_times = []
        for q in question_pool[1 : queries + 1]:
            t = time.perf_counter()
            engine.embed([q], fresh=True)  # past the client's cache of short texts
            embed_times.append(time.perf_counter() - t)
        row["p50_ms"], row["p99_ms"] = row["hybrid_p50_ms"], row["hybrid_p99_ms"]
        row |= {
            "query_embed_p50_ms": pct(embed_times, 50) * 1000,
            "queries": queries,
            "indexed": vectors.indexed,
            "load": load(),
        }
        rows.append(row)
        index = "no index"
        if index_s is not None:
            index = (
                f"index built {index_s:.0f}s after it; it finds "
                f"{row['index_agreement_top50']:.3f} of the exact top 50"
            )
        log(
            f"  [{db}] {size:>7} archived (filled in {fill_s:.0f}s): first search "
            f"{row['first_search_ms']:.0f} ms ({index}); warm p50 / p99 ms: hybrid "
            f"{row['hybrid_p50_ms']:.1f} / {row['hybrid_p99_ms']:.1f}, text "
            f"{row['text_p50_ms']:.1f} / {row['text_p99_ms']:.1f}, vector "
            f"{row['vector_p50_ms']:.1f} / {row['vector_p99_ms']:.1f} (query embedding alone "
            f"p50 {row['query_embed_p50_ms']:.1f} ms) load {load()}"
        )
    engine.close()
    database.dispose()
    if pg_name:
        drop_pg_database(PG_ADMIN_DSN, pg_name)
    return rows


# --- 4: import --------------------------------------------------------------------------


def import_speed(stack: Stack, n: int) -> dict:
    rng = random.Random(5)
    user = new_user(stack.http)
    texts = exchange_texts(n // 2, rng)
    messages = []
    for t in texts:
        u, a = t.split("\nAssistant: ")
        messages += [
            {"role": "user", "content": u.removeprefix("User: ")},
            {"role": "assistant", "content": a},
        ]
    messages[16]["content"] += " The magic word is QUETZALCOATLUS."
    transcript = {
        "format": "rai-chat-session",
        "version": 1,
        "session": {"title": "Imported"},
        "messages": messages,
    }
    t0 = time.perf_counter()
    r = stack.http.post("/api/session/import", json=transcript, headers=user.headers)
    took = time.perf_counter() - t0
    assert r.status_code == 201, r.text[:300]
    t1 = time.perf_counter()
    found = stack.http.get(
        "/api/memory/search", params={"q": "quetzalcoatlus"}, headers=user.headers
    ).json()["results"]
    search_ms = (time.perf_counter() - t1) * 1000
    ok = bool(found) and "QUETZALCOATLUS" in found[0]["text"]
    row = {
        "messages": len(messages),
        "seconds": took,
        "messages_per_s": len(messages) / took,
        "found_by_text_at_once": ok,
        "search_ms": search_ms,
        "load": load(),
    }
    log(
        f"  import of {len(messages)} messages: {took:.2f}s = {row['messages_per_s']:.0f} "
        f"messages/s; searchable by text at once: {ok} ({search_ms:.0f} ms) load {load()}"
    )
    return row


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="≤ 10 minutes")
    parser.add_argument("--db", default="sqlite", help="database of parts 1, 2 and 4")
    parser.add_argument("--search-db", default="sqlite,postgres")
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--base", type=int, default=5000, help="texts embedded for real (3)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--skip", default="", help="parts to skip: conversation,search,import")
    parser.add_argument("--json", help="write the results there")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(x) for x in args.sizes.split(",")]
    big = {"sqlite": sizes, "postgres": sizes}
    if args.quick:
        args.base, args.queries = 2000, 50
        big["postgres"] = [s for s in sizes if s <= 10000]
    results: dict = {"load_start": load(), "args": vars(args)}
    log(f"machine: {os.cpu_count()} cores, load average {load()}")
    with tempfile.TemporaryDirectory(prefix="rai-memory-") as tmp:
        stack = Stack(Path(tmp), args.db, api=not {"conversation", "import"} <= skip)
        try:
            if "conversation" not in skip:
                log(f"[1+2] {args.turns}-turn conversation and planted facts ({args.db})")
                plant_main, plant_old = 12, 12
                old_turns = 15 if args.quick else 40
                results["conversation"] = conversation(
                    stack, args.turns, plant_main, plant_old, old_turns
                )
                print_recall(results["conversation"])
            if "import" not in skip:
                log(f"[4] import ({args.db})")
                results["import"] = import_speed(stack, 2000)
            if "search" not in skip:
                log("[3] episodic search latency")
                results["search"] = []
                for db in args.search_db.split(","):
                    results["search"] += search_latency(
                        db, stack.engine_url, big[db], args.base, args.queries
                    )
        finally:
            stack.close()
    results["load_end"] = load()
    log(f"load average at the end {load()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
