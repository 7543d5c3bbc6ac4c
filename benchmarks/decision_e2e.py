"""The decision step end to end: each labelled message of one half, each from a new user
in a new session, through the real API (gunicorn) and the real engine with the local model
and MiniLM, web search on a fake SearXNG; then the facts the background capture stored.

    .venv/bin/python benchmarks/decision_e2e.py --engine-url http://127.0.0.1:6301 \\
        --half heldout [--per-label 6] [--labels remember,correct] [--max-answer-tokens 64] \\
        [--json FILE]

(``--engine-url`` must serve the local model and all-MiniLM-L6-v2: ``python
llm_Engine/llm_api_server.py``.) Measures, over the messages run:

* per tool precision / recall and accuracy of the decision the turn ran (``done.decision``);
* needless web searches: messages labelled ``none`` for which SearXNG was queried;
* arithmetic exact: ``calculate`` messages whose answer contains the labelled result;
* facts: ``remember``/``correct`` messages (the personal-fact messages) with a stored fact
  holding the labelled value as whole words (stored right); facts stored wrong: a fact
  holding the old value a correction replaces (``data/capture_old_values.tsv``), and every
  fact stored from a message of any other label; every fact is in ``--json`` for reading;
* decision latency p50/p99 (``done.decision.ms``: parser, embedding call, classifier) and
  turn time p50."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from decision_data import LABELS, load  # noqa: E402
from decision_eval import percentile  # noqa: E402

from RAI_Chat.tests.chat_helpers import new_user, stream_turn, tokens  # noqa: E402
from RAI_Chat.tests.conftest import start_api_server, stop_api_server  # noqa: E402
from RAI_Chat.tests.fakes.search_servers import FakeSearxng  # noqa: E402


def queue_empty(http) -> bool:
    text = http.get("/metrics").text
    depth = [ln for ln in text.splitlines() if ln.startswith("rai_job_queue_depth")]
    return not depth or float(depth[0].split()[-1]) == 0


def settle(http, users, timeout: float) -> None:
    """Until the job queue is empty and no fact changed for 30 s (a capture may be running)."""
    deadline, last, quiet_since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        counts = tuple(len(facts_of(u)) for u in users)
        if counts != last or not queue_empty(http):
            last, quiet_since = counts, time.monotonic()
        elif time.monotonic() - quiet_since > 30:
            return
        time.sleep(3)


def facts_of(user) -> list[dict]:
    return user.http.get("/api/memory/facts", headers=user.headers).json()["facts"]


OLD_VALUES = dict(
    line.split("\t")
    for line in (ROOT / "benchmarks" / "data" / "capture_old_values.tsv")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
)


def holds(text: str, value: str) -> bool:
    """``value`` as whole words in ``text``, case aside."""
    return bool(re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE))


def exact_in(answer: str, expected: str) -> bool:
    plain = answer.replace(",", "").replace("\u202f", "").replace(" ", "")
    number = expected.rstrip("0").rstrip(".") if "." in expected else expected
    return bool(re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", plain))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine-url", required=True)
    parser.add_argument("--half", choices=["tuning", "heldout"], default="heldout")
    parser.add_argument("--per-label", type=int, default=0, help="0: every message")
    parser.add_argument("--labels", default="", help="only these labels, e.g. remember,correct")
    parser.add_argument("--max-answer-tokens", type=int, default=64)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = load(args.half)
    if args.labels:
        rows = [r for r in rows if r["label"] in args.labels.split(",")]
    if args.per_label:
        rows = [
            r
            for label in LABELS
            for r in [x for x in rows if x["label"] == label][: args.per_label]
        ]
    searxng = FakeSearxng().start()
    workdir = Path(tempfile.mkdtemp(prefix="decision-e2e-"))
    api = start_api_server(
        {
            "DATABASE_URL": f"sqlite:///{workdir / f'e2e-{uuid.uuid4().hex[:6]}.db'}",
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
    results, users = [], []
    try:
        with api.client(timeout=600) as http:
            for i, row in enumerate(rows):
                user = new_user(http)
                users.append(user)
                before = len(searxng.requests)
                started = time.monotonic()
                events = stream_turn(user, row["text"])
                done = events[-1][1]
                results.append(
                    {
                        **row,
                        "decision": (done.get("decision") or {}).get("tool", "none"),
                        "decision_ms": (done.get("decision") or {}).get("ms"),
                        "turn_s": time.monotonic() - started,
                        "searches": len(searxng.requests) - before,
                        "answer": tokens(events),
                        "end": done["type"],
                    }
                )
                print(
                    f"{i + 1}/{len(rows)} {row['label']} -> {results[-1]['decision']}", flush=True
                )
            settle(http, users, timeout=1800)
            for result, user in zip(results, users, strict=True):
                result["facts"] = [f["fact"] for f in facts_of(user)]
    finally:
        stop_api_server(api)
        searxng.stop()
    report = summarise(results)
    report.update(half=args.half, per_label=args.per_label, results=results)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "results"}, indent=1))


def summarise(results: list[dict]) -> dict:
    out: dict = {"messages": len(results)}
    out["accuracy"] = sum(r["decision"] == r["label"] for r in results) / len(results)
    out["per_tool"] = {}
    for label in LABELS:
        tp = sum(r["decision"] == label == r["label"] for r in results)
        predicted = sum(r["decision"] == label for r in results)
        actual = sum(r["label"] == label for r in results)
        out["per_tool"][label] = {
            "precision": round(tp / predicted, 3) if predicted else None,
            "recall": round(tp / actual, 3) if actual else None,
        }
    nones = [r for r in results if r["label"] == "none"]
    out["needless_web_searches"] = f"{sum(r['searches'] > 0 for r in nones)}/{len(nones)}"
    sums = [r for r in results if r["label"] == "calculate"]
    exact = sum(exact_in(r["answer"], r["expected"]) for r in sums)
    out["arithmetic_exact"] = f"{exact}/{len(sums)}"
    stating = [r for r in results if r["label"] in ("remember", "correct")]
    right = sum(any(holds(f, r["expected"]) for f in r["facts"]) for r in stating)
    out["personal_fact_messages_with_the_fact_stored"] = f"{right}/{len(stating)}"
    old = [
        f
        for r in stating
        for f in r["facts"]
        if OLD_VALUES.get(r["text"]) and holds(f, OLD_VALUES[r["text"]])
    ]
    others = [r for r in results if r["label"] not in ("remember", "correct")]
    stored = sum(len(r["facts"]) for r in results)
    wrong = len(old) + sum(len(r["facts"]) for r in others)
    out["facts_stored"] = stored
    out["facts_stored_wrong"] = f"{wrong}/{stored} (old values {len(old)}, from messages "
    out["facts_stored_wrong"] += f"stating none {wrong - len(old)} of {len(others)} messages)"
    ms = [r["decision_ms"] for r in results if r["decision_ms"] is not None]
    out["decision_ms_p50"], out["decision_ms_p99"] = percentile(ms, 50), percentile(ms, 99)
    out["turn_s_p50"] = percentile([r["turn_s"] for r in results], 50)
    out["errors"] = sum(r["end"] != "done" for r in results)
    return out


if __name__ == "__main__":
    main()
