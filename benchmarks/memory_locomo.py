"""Episodic recall on long real conversations (LoCoMo), through the API: full text only,
vectors only and the hybrid, in one run.

    .venv/bin/python benchmarks/memory_locomo.py            # the tuning half, SQLite
    .venv/bin/python benchmarks/memory_locomo.py --db postgres --json /tmp/locomo.json

Stack: the real LLM Engine (all-MiniLM-L6-v2 for ``/v1/embeddings``; its local chat model
is loaded only to count tokens with ``/tokenize`` — ``--no-chat-model`` estimates 4
characters a token instead) → the real API (``python -m RAI_Chat.backend.wsgi``, gunicorn +
gevent, in-process jobs) on a throwaway database.

For each conversation (a JSON file of ``--data``, see its README): one new user imports it
with ``POST /api/session/import`` (our JSON export format; ``speaker_a``'s turns as the
user's messages, ``speaker_b``'s as the assistant's, each ``"<speaker>: <text>"`` dated
with its session's date and time, a second apart). The benchmark then waits until every
archived entry of that user has its vector: it reads the throwaway database itself
(``episodic_entries`` rows of the user whose ``embedding`` is NULL; the API has no endpoint
for it), until none is left. Then, for every question but the adversarial ones (category 5),
``GET /api/memory/search?q=<question>&k=10&mode=<text|vector|hybrid>``; a question counts
as found at k when any (all) of its evidence turns is among the message ids of the first k
entries. Tokens = the returned entries' text at k=10, counted with the engine's tokenizer.
Latency = the HTTP round trip of the search (query embedding through the engine included),
after one untimed warm-up search per user and mode; the tokens are counted after all of a
conversation's searches (a ``/tokenize`` call between two searches slowed the next one).
The modes run hybrid, vector, text: the API keeps the vectors of short queries
(``EngineClient.embed``), so only the hybrid pays for embedding each question; the vector
mode's latency is that of a query embedded before.

``--split`` names the conversations tuned on; the others are reported apart as a check.
Not a test: it prints a table (``--json FILE`` writes every figure)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conftest import start_engine, wait_for_health  # noqa: E402  the repository-root conftest
from llm_Engine.testing.server_thread import free_port  # noqa: E402
from RAI_Chat.tests.chat_helpers import new_user, stop_process  # noqa: E402
from RAI_Chat.tests.conftest import (  # noqa: E402
    PG_ADMIN_DSN,
    create_pg_database,
    drop_pg_database,
    start_api_server,
    stop_api_server,
)

DEFAULT_DATA = Path("/work/shared/data/locomo-tuning")
# The hybrid runs first: its latency includes embedding each question for the first time
# (the API keeps query vectors, so the vector mode after it finds them known).
MODES = ("hybrid", "vector", "text")
KS = (5, 10)


def log(*args) -> None:
    print(*args, flush=True)


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def session_time(value: str) -> datetime:
    """LoCoMo's "1:56 pm on 8 May, 2023" (taken as UTC)."""
    return datetime.strptime(value.strip(), "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def conversation(path: Path) -> dict:
    """{name, speakers, turns: [{dia_id, speaker, text, at}], questions}"""
    data = json.loads(path.read_text())
    c = data.get("conversation", data)
    turns = []
    n = 1
    while f"session_{n}" in c:
        at = session_time(c[f"session_{n}_date_time"])
        turns += [  # a second apart, as a chat's export would have them
            {
                "dia_id": t["dia_id"],
                "speaker": t["speaker"],
                "text": t["text"],
                "at": at + timedelta(seconds=i),
            }
            for i, t in enumerate(c[f"session_{n}"])
        ]
        n += 1
    questions = [q for q in data["qa"] if q.get("category") != 5]
    return {
        "name": path.stem,
        "speakers": (c["speaker_a"], c["speaker_b"]),
        "turns": turns,
        "questions": questions,
    }


def transcript(conv: dict) -> dict:
    first = conv["speakers"][0]
    return {
        "format": "rai-chat-session",
        "version": 1,
        "session": {"title": f"LoCoMo {conv['name']}"},
        "messages": [
            {
                "role": "user" if t["speaker"] == first else "assistant",
                "content": f"{t['speaker']}: {t['text']}",
                "created_at": t["at"].isoformat(),
            }
            for t in conv["turns"]
        ],
    }


class Stack:
    def __init__(self, workdir: Path, db: str, chat_model: bool):
        port = free_port()
        env = {"LLM_EMBEDDING_MODEL": "true", "LLM_LOCAL_MODEL": "true" if chat_model else "false"}
        self.engine = start_engine(port, env)
        self.engine_url = f"http://127.0.0.1:{port}"
        wait_for_health(self.engine, self.engine_url, timeout=300)
        self.pg_name = None
        if db == "postgres":
            self.pg_name, self.db_url = create_pg_database(PG_ADMIN_DSN)
        else:
            self.db_url = f"sqlite:///{workdir / f'locomo-{uuid.uuid4().hex[:6]}.db'}"
        self.api = start_api_server(
            {
                "DATABASE_URL": self.db_url,
                "LLM_API_URL": self.engine_url,
                "RATELIMIT_ENABLED": "false",
                "REFINE_TITLES": "false",
                "RAI_API_WORKERS": "1",
            },
            workdir,
        )
        self.http = self.api.client(timeout=120)
        self.db = create_engine(self.db_url.replace("postgresql://", "postgresql+psycopg://"))
        self.chat_model = chat_model
        self.tokens_memo: dict[str, int] = {}

    def close(self) -> None:
        self.http.close()
        self.db.dispose()
        stop_api_server(self.api)
        stop_process(self.engine)
        if self.pg_name:
            drop_pg_database(PG_ADMIN_DSN, self.pg_name)

    def tokens(self, entry_id: str, body: str) -> int:
        if entry_id not in self.tokens_memo:
            if self.chat_model:
                r = httpx.post(
                    f"{self.engine_url}/tokenize", json={"model": "default", "input": body}
                )
                self.tokens_memo[entry_id] = r.json()["count"]
            else:
                self.tokens_memo[entry_id] = max(1, len(body) // 4)
        return self.tokens_memo[entry_id]

    def missing_vectors(self, user_id: str) -> tuple[int, int]:
        """(entries of the user, those still without a vector), read from the database."""
        with self.db.connect() as c:
            row = c.execute(
                text(
                    "SELECT count(*), sum(CASE WHEN embedding IS NULL THEN 1 ELSE 0 END) "
                    "FROM episodic_entries WHERE user_id = :u"
                ),
                {"u": user_id},
            ).one()
        return int(row[0]), int(row[1] or 0)


def import_conversation(stack: Stack, conv: dict) -> dict:
    user = new_user(stack.http)
    me = stack.http.get("/api/auth/me", headers=user.headers).json()["user"]
    t0 = time.perf_counter()
    r = stack.http.post("/api/session/import", json=transcript(conv), headers=user.headers)
    assert r.status_code == 201, r.text[:300]
    import_s = time.perf_counter() - t0
    session_id = r.json()["session"]["id"]
    ids: list[str] = []
    contents: list[str] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = stack.http.get(
            f"/api/session/{session_id}", params=params, headers=user.headers
        ).json()
        ids += [m["id"] for m in page["messages"]]
        contents += [m["content"] for m in page["messages"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    ids.reverse()  # the API lists newest first
    contents.reverse()
    sent = [m["content"] for m in transcript(conv)["messages"]]
    assert contents == sent, "the session does not list the messages in the file's order"
    dia = {mid: t["dia_id"] for mid, t in zip(ids, conv["turns"], strict=True)}
    t0 = time.perf_counter()
    while True:
        total, missing = stack.missing_vectors(me["id"])
        if total and not missing:
            break
        if time.perf_counter() - t0 > 1800:
            raise RuntimeError(f"{missing} of {total} entries still without a vector")
        time.sleep(0.5)
    embed_s = time.perf_counter() - t0
    log(
        f"  {conv['name']}: {len(conv['turns'])} turns → {total} entries; import "
        f"{import_s:.2f}s, every vector {embed_s:.0f}s later (load {load()})"
    )
    return {"user": user, "dia": dia, "entries": total, "import_s": import_s, "embed_s": embed_s}


def ask(stack: Stack, conv: dict, imported: dict) -> list[dict]:
    user, dia = imported["user"], imported["dia"]
    rows = []
    for mode in MODES:
        q0 = conv["questions"][0]["question"]
        stack.http.get(  # warm-up: loads the user's vector matrix
            "/api/memory/search", params={"q": q0, "k": 10, "mode": mode}, headers=user.headers
        )
        for q in conv["questions"]:
            t0 = time.perf_counter()
            r = stack.http.get(
                "/api/memory/search",
                params={"q": q["question"], "k": 10, "mode": mode},
                headers=user.headers,
            )
            ms = (time.perf_counter() - t0) * 1000
            assert r.status_code == 200, r.text[:300]
            hits = r.json()["results"]
            found = [{dia.get(m) for m in h["message_ids"]} for h in hits]
            evidence = set(q["evidence"])
            row = {"conversation": conv["name"], "mode": mode, "ms": ms}
            for k in KS:
                seen = set().union(*found[:k]) if hits else set()
                row[f"any@{k}"] = bool(evidence & seen)
                row[f"all@{k}"] = evidence <= seen
            row["hits"] = hits
            rows.append(row)
    # Counted after every search is timed: the engine's /tokenize calls in between would
    # be work the searches wait behind.
    for row in rows:
        row["tokens"] = sum(stack.tokens(h["id"], h["text"]) for h in row.pop("hits"))
    return rows


def summary(rows: list[dict]) -> dict:
    out = {"questions": len(rows)}
    for k in KS:
        out[f"any@{k}"] = sum(r[f"any@{k}"] for r in rows) / len(rows)
        out[f"all@{k}"] = sum(r[f"all@{k}"] for r in rows) / len(rows)
    out["tokens"] = statistics.mean(r["tokens"] for r in rows)
    out["p50_ms"] = pct([r["ms"] for r in rows], 50)
    out["p99_ms"] = pct([r["ms"] for r in rows], 99)
    return out


def table(title: str, rows: list[dict]) -> dict:
    log(f"\n{title}")
    log("| mode | questions | any@5 | any@10 | all@5 | all@10 | tokens/query | p50 / p99 ms |")
    log("|---|---|---|---|---|---|---|---|")
    out = {}
    for mode in MODES:
        s = summary([r for r in rows if r["mode"] == mode])
        out[mode] = s
        log(
            f"| {mode} | {s['questions']} | {s['any@5']:.3f} | {s['any@10']:.3f} | "
            f"{s['all@5']:.3f} | {s['all@10']:.3f} | {s['tokens']:.0f} | "
            f"{s['p50_ms']:.1f} / {s['p99_ms']:.1f} |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LoCoMo JSON files")
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument(
        "--split", default="26,30,41", help="conversations tuned on (the rest: the check)"
    )
    parser.add_argument("--no-chat-model", action="store_true", help="estimate tokens")
    parser.add_argument("--json", help="write the results there")
    args = parser.parse_args()
    tuned = set(filter(None, args.split.split(",")))
    convs = [conversation(p) for p in sorted(args.data.glob("*.json"))]
    log(f"machine: {os.cpu_count()} cores, load average {load()}; {len(convs)} conversations")
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "load_start": load()}
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="rai-locomo-") as tmp:
        stack = Stack(Path(tmp), args.db, not args.no_chat_model)
        try:
            imported = {c["name"]: import_conversation(stack, c) for c in convs}
            total = sum(i["entries"] for i in imported.values())
            log(f"  {total} entries in the database (all users) (load {load()})")
            for c in convs:
                rows += ask(stack, c, imported[c["name"]])
        finally:
            stack.close()
    names = [c["name"] for c in convs]
    results["entries"] = total
    results["all"] = table(f"all {len(names)} conversations ({args.db})", rows)
    if tuned & set(names) and set(names) - tuned:
        inside = [r for r in rows if r["conversation"] in tuned]
        outside = [r for r in rows if r["conversation"] not in tuned]
        results["tuned_on"] = table(f"tuned on {sorted(tuned & set(names))}", inside)
        results["check"] = table(f"check {sorted(set(names) - tuned)}", outside)
    results["load_end"] = load()
    log(f"\nload average at the end {load()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
