"""How often the local model emits the right action marker with ACTIONS_PROMPT.

50 prompts that should trigger an action (with the expected kind) and 50 that should not,
none of them among the prompt's own examples. Reports, per prompt set, the raw behaviour of
the model (any marker of the right kind) and what would actually run after the guards
(``search_skip_reason``, ``fact_supported_by``, ``forget_requested``).

Usage: .venv/bin/python benchmarks/marker_following.py [--url http://127.0.0.1:6301]
(without --url it starts the engine with the local model on a free port)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conftest import start_engine, wait_for_health  # noqa: E402
from llm_Engine.testing.server_thread import free_port  # noqa: E402
from RAI_Chat.backend.core.markers import parse_markers  # noqa: E402
from RAI_Chat.backend.services.actions.guards import (  # noqa: E402
    fact_supported_by,
    forget_requested,
    search_skip_reason,
)
from RAI_Chat.backend.services.prompts import ACTIONS_PROMPT, SYSTEM_PROMPT  # noqa: E402

SHOULD_ACT = [
    ("web_search", "Who won the Formula 1 race last weekend?"),
    ("web_search", "What is the current price of bitcoin?"),
    ("web_search", "Any news about the Mars mission this week?"),
    ("web_search", "What's the weather forecast for Berlin tomorrow?"),
    ("web_search", "What is the latest version of Django released?"),
    ("web_search", "Search the web for reviews of the Framework 16 laptop."),
    ("web_search", "Who is the prime minister of Japan right now?"),
    ("web_search", "What was the score of yesterday's Lakers game?"),
    ("web_search", "Look up today's exchange rate from euro to dollar."),
    ("web_search", "What movies are playing in cinemas this week?"),
    ("web_search", "Is there a train strike in France today?"),
    ("web_search", "What are the top headlines today?"),
    ("web_search", "How much does a Tesla Model 3 cost now in Germany?"),
    ("web_search", "When is the next SpaceX launch?"),
    ("web_search", "Find recent news about the Python 3.14 release."),
    ("remember", "My name is Priya."),
    ("remember", "I live in Lisbon."),
    ("remember", "I work as a nurse at the city hospital."),
    ("remember", "I have two cats called Miso and Tofu."),
    ("remember", "I'm allergic to peanuts."),
    ("remember", "My favourite colour is green."),
    ("remember", "I am vegetarian."),
    ("remember", "My daughter is called Ana and she is 7."),
    ("remember", "I'm learning Japanese."),
    ("remember", "My birthday is on March 3rd."),
    ("remember", "I prefer short answers."),
    ("remember", "I drive a blue Volvo."),
    ("calculate", "What is 123 * 456?"),
    ("calculate", "How much is 15% of 240?"),
    ("calculate", "Calculate 2 to the power of 20."),
    ("calculate", "What's 1234 divided by 7?"),
    ("calculate", "What is 99 + 377 + 1024?"),
    ("calculate", "What is the square root of 1764?"),
    ("calculate", "Compute 3.5 * 12.25."),
    ("calculate", "How much is 7 times 8 times 9?"),
    ("correct", "Actually my name isn't Priya, it's Priyanka."),
    ("correct", "I no longer work as a nurse, I'm a doctor now."),
    ("correct", "Correction: I live in Porto, not Lisbon."),
    ("correct", "My cat is called Miso, not Mochi."),
    ("correct", "I'm not 30, I'm 31."),
    ("forget", "Forget that I'm allergic to peanuts."),
    ("forget", "Please forget where I live."),
    ("forget", "Delete what you know about my daughter."),
    ("forget", "Forget my birthday."),
    ("forget", "Don't remember my car anymore, forget it."),
    ("search_episodic", "What did we talk about yesterday regarding my trip?"),
    ("search_episodic", "Remember the recipe we discussed last month? What was it?"),
    ("search_episodic", "In our earlier conversation you suggested a book. Which one?"),
    ("search_episodic", "What was the name of the restaurant I told you about before?"),
    ("search_episodic", "Last time we spoke about my job interview. How did I say it went?"),
]

SHOULD_NOT = [
    "Hello!",
    "How are you today?",
    "Thanks, that was helpful.",
    "What is a prime number?",
    "Explain what a hash map is.",
    "Write a Python function that reverses a string.",
    "What is the difference between a list and a tuple?",
    "Tell me a joke about programmers.",
    "Write a short poem about autumn.",
    "What is the capital of France?",
    "Who wrote Romeo and Juliet?",
    "How does photosynthesis work?",
    "Translate 'good morning' into Spanish.",
    "What does HTTP stand for?",
    "Give me three tips for better sleep.",
    "Summarise the plot of Cinderella in two sentences.",
    "What is recursion?",
    "How do I make a cup of tea?",
    "Explain the Pythagorean theorem.",
    "What is the boiling point of water at sea level?",
    "Can you help me write an email asking for a day off?",
    "What is a binary search?",
    "Why is the sky blue?",
    "What are the primary colours?",
    "How do I create a virtual environment in Python?",
    "What is the plural of mouse?",
    "Name three planets in the solar system.",
    "What is SQL used for?",
    "Explain what an API is to a child.",
    "What is the opposite of 'ancient'?",
    "Write a SQL query that counts rows in a table called users.",
    "Good night!",
    "What is a search engine?",
    "How do I remember things better when studying?",
    "What does the word 'forget' mean?",
    "Explain how calculators work.",
    "What is machine learning?",
    "Suggest a name for a cat.",
    "What is the chemical symbol for gold?",
    "How many days are there in a week?",
    "What is a noun?",
    "Describe the water cycle.",
    "Write a limerick about a frog.",
    "What is the difference between weather and climate?",
    "Is a tomato a fruit or a vegetable?",
    "How do I sort a list in Python?",
    "What is JSON?",
    "Who painted the Mona Lisa?",
    "What is a good way to start learning guitar?",
    "Explain what a variable is in programming.",
]


def ask(http: httpx.Client, url: str, prompt: str, max_tokens: int) -> str:
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT + "\n\n" + ACTIONS_PROMPT},
        {"role": "user", "content": prompt},
    ]
    body = {"model": "default", "messages": messages, "temperature": 0, "max_tokens": max_tokens}
    response = http.post(f"{url}/v1/chat/completions", json=body, timeout=300)
    response.raise_for_status()
    return response.json()["choices"][0]["message"]["content"] or ""


def would_run(kind: str, marker, prompt: str) -> bool:
    """Whether the handler's guards let this marker run for this message."""
    if kind == "web_search":
        return search_skip_reason(marker.args[0], prompt) is None
    if kind == "remember":
        return fact_supported_by(marker.args[0], prompt)
    if kind == "correct":
        return fact_supported_by(marker.args[1], prompt)
    if kind == "forget":
        return forget_requested(marker.args[0], prompt)
    return True


def score(rows: list[dict], field: str) -> dict:
    """Precision/recall over prompts: a prompt 'fires' when it has any marker in `field`."""
    act = [r for r in rows if r["expected"]]
    fired = [r for r in rows if r[field]]
    right = [r for r in act if r["expected"] in r[field]]
    precise = [r for r in fired if r["expected"] in r[field]]
    quiet = [r for r in rows if not r["expected"] and not r[field]]
    return {
        "recall": len(right) / len(act),
        "precision": len(precise) / len(fired) if fired else 0.0,
        "should_act_right": len(right),
        "should_not_quiet": len(quiet),
        "fired": len(fired),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="a running engine (default: start one)")
    parser.add_argument("--max-tokens", type=int, default=60)
    parser.add_argument("--out", help="write every answer to this JSON file")
    parser.add_argument("--rescore", help="score the answers saved by --out (no model)")
    args = parser.parse_args()
    if args.rescore:
        rows = json.loads(Path(args.rescore).read_text())
        for row in rows:
            markers = parse_markers(row["answer"])
            row["raw"] = sorted({m.kind for m in markers})
            row["guarded"] = sorted(
                {m.kind for m in markers if would_run(m.kind, m, row["prompt"])}
            )
        print(json.dumps(summary(rows, None), indent=2))
        return
    process = None
    url = args.url
    if not url:
        port = free_port()
        process = start_engine(port, {"LLM_EMBEDDING_MODEL": "false"})
        url = f"http://127.0.0.1:{port}"
        wait_for_health(process, url, timeout=300)
    rows = []
    started = time.monotonic()
    try:
        with httpx.Client() as http:
            cases = [(k, p) for k, p in SHOULD_ACT] + [(None, p) for p in SHOULD_NOT]
            for expected, prompt in cases:
                answer = ask(http, url, prompt, args.max_tokens)
                markers = parse_markers(answer)
                print(f"{len(rows) + 1:3d} {expected or '-':16} {answer[:70]!r}", file=sys.stderr)
                rows.append(
                    {
                        "expected": expected,
                        "prompt": prompt,
                        "answer": answer,
                        "raw": sorted({m.kind for m in markers}),
                        "guarded": sorted(
                            {m.kind for m in markers if would_run(m.kind, m, prompt)}
                        ),
                    }
                )
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    print(json.dumps(summary(rows, time.monotonic() - started), indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=2))


def summary(rows: list[dict], seconds: float | None) -> dict:
    report = {"raw": score(rows, "raw"), "guarded": score(rows, "guarded")}
    kinds = sorted({k for k, _ in SHOULD_ACT})
    report["recall_by_kind"] = {
        k: sum(1 for r in rows if r["expected"] == k and k in r["raw"])
        / sum(1 for r in rows if r["expected"] == k)
        for k in kinds
    }
    report["false_alarms_raw"] = [
        (r["prompt"], r["raw"]) for r in rows if not r["expected"] and r["raw"]
    ]
    report["false_alarms_guarded"] = [
        (r["prompt"], r["guarded"]) for r in rows if not r["expected"] and r["guarded"]
    ]
    wrong: dict[str, list[int]] = {}  # kind -> [emitted, would run], on the wrong prompt
    for row in rows:
        for marker in parse_markers(row["answer"]):
            if marker.kind != row["expected"]:
                counts = wrong.setdefault(marker.kind, [0, 0])
                counts[0] += 1
                counts[1] += would_run(marker.kind, marker, row["prompt"])
    report["wrong_kind_emitted_and_run"] = wrong
    report["seconds"] = round(seconds, 1) if seconds else None
    return report


if __name__ == "__main__":
    main()
