"""Answer quality on planted facts: 50 personal facts (benchmarks/data/planted_facts.tsv,
written for this benchmark; none of them is in the decision set), each stated in its own
earlier session, then each asked in a new session of the same user, through the real API
(gunicorn, SQLite, in-process jobs) and the real engine with the local model and MiniLM,
web search on a fake SearXNG. The facts are spread over ``--users`` users (fact i belongs to
user i mod users), so that each user has several facts, as a real user would.

    .venv/bin/python benchmarks/planted_facts.py --engine-url http://127.0.0.1:6301 \\
        [--users 5] [--max-answer-tokens 48] [--limit N] [--json FILE] [--data TSV]

``--data`` takes another set of the same form (``statement<TAB>question<TAB>value``):
``data/planted_facts_fresh.tsv`` is the held-out set, written after the answer path was
tuned on ``planted_facts.tsv`` (``fact_answer_tuning.py``).

(``--engine-url`` must serve the local model and all-MiniLM-L6-v2: ``python
llm_Engine/llm_api_server.py``.) Between the two phases the job queue drains (background
capture of every statement). A fact is answered right when its planted value is in the
answer as whole words (case aside): exact match, no judge. Also printed: the facts the
capture stored, and whether one of them holds the value."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from decision_e2e import facts_of, holds, settle  # noqa: E402

from RAI_Chat.tests.chat_helpers import new_user, stream_turn, tokens  # noqa: E402
from RAI_Chat.tests.conftest import start_api_server, stop_api_server  # noqa: E402
from RAI_Chat.tests.fakes.search_servers import FakeSearxng  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "planted_facts.tsv"


def load_facts(path: Path = DATA) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            statement, question, value = line.split("\t")
            rows.append({"statement": statement, "question": question, "value": value})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine-url", required=True)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--max-answer-tokens", type=int, default=48)
    parser.add_argument("--limit", type=int, default=0, help="only the first N facts")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--data", type=Path, default=DATA, help="statement, question, value")
    args = parser.parse_args()
    rows = load_facts(args.data)[: args.limit or None]
    searxng = FakeSearxng().start()
    workdir = Path(tempfile.mkdtemp(prefix="planted-"))
    api = start_api_server(
        {
            "DATABASE_URL": f"sqlite:///{workdir / f'planted-{uuid.uuid4().hex[:6]}.db'}",
            "LLM_API_URL": args.engine_url,
            "SEARXNG_URL": searxng.base_url,
            "RATELIMIT_ENABLED": "false",
            "REFINE_TITLES": "false",
            "METRICS_ENABLED": "true",
            "MAX_ANSWER_TOKENS": str(args.max_answer_tokens),
        },
        workdir,
        timeout=120,
    )
    started = time.monotonic()
    try:
        with api.client(timeout=600) as http:
            users = [new_user(http) for _ in range(args.users)]
            for i, row in enumerate(rows):  # phase 1: each fact in its own session
                row["user"] = i % args.users
                events = stream_turn(users[row["user"]], row["statement"])
                row["ack"] = tokens(events)
                print(f"stated {i + 1}/{len(rows)}: {row['statement']}", flush=True)
            settle(http, users, timeout=1800)
            stored = [[f["fact"] for f in facts_of(u)] for u in users]
            for i, row in enumerate(rows):  # phase 2: each asked in a new session
                events = stream_turn(users[row["user"]], row["question"])
                done = events[-1][1]
                row["answer"] = tokens(events)
                row["decision"] = (done.get("decision") or {}).get("tool")
                row["right"] = holds(" ".join(row["answer"].split()), row["value"])
                row["facts"] = stored[row["user"]]
                row["stored"] = any(holds(f, row["value"]) for f in row["facts"])
                print(
                    f"asked {i + 1}/{len(rows)}: {row['question']} -> {row['answer']!r} "
                    f"({'right' if row['right'] else 'WRONG'})",
                    flush=True,
                )
    finally:
        stop_api_server(api)
        searxng.stop()
    report = {
        "data": args.data.name,
        "facts": len(rows),
        "answered_right": f"{sum(r['right'] for r in rows)}/{len(rows)}",
        "value_in_a_stored_fact": f"{sum(r['stored'] for r in rows)}/{len(rows)}",
        "users": args.users,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "load_average": "/".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    if args.json:
        args.json.write_text(json.dumps({**report, "rows": rows}, indent=1, ensure_ascii=False))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
