"""Which remembered fact answers a question about the user (``services/memory/
fact_answers.py``), without the chat model: each planted statement is read as the capture
reads it (``statements``), the facts are spread over users as in ``planted_facts.py``
(fact i to user i mod 5), and each question is matched against its user's facts twice:

* with its fact there: right = the matcher picks the fact holding the planted value;
  wrong = it picks another fact (the user would be shown a wrong fact); none = no answer;
* with its fact removed (a question about something never said): any answer is wrong.

    .venv/bin/python benchmarks/fact_answer_tuning.py --url http://127.0.0.1:6301 \\
        [--data benchmarks/data/planted_facts.tsv] [--sweep]

Also: every message of the decision set's tuning half that states no fact (questions,
requests, forget, episodic…) matched against each user's facts — a fact shown there is
shown to a message that asked for none (or, for an episodic question, a fact that may
well answer it).

``--sweep`` prints the grid of thresholds (tune on ``planted_facts.tsv`` only); without
it, the shipped thresholds. Needs an engine serving all-MiniLM-L6-v2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from decision_data import load  # noqa: E402
from decision_e2e import holds  # noqa: E402
from planted_facts import DATA, load_facts  # noqa: E402

from RAI_Chat.backend.services.llm_client import EngineClient  # noqa: E402
from RAI_Chat.backend.services.memory import fact_answers  # noqa: E402
from RAI_Chat.backend.services.memory.statements import statements  # noqa: E402

USERS = 5


def cases(rows: list[dict]) -> list[tuple[dict, list[str], list[str]]]:
    """(row, the user's facts, the same without the facts holding the row's value)."""
    facts: dict[int, list[str]] = {}
    for i, row in enumerate(rows):
        row["user"] = i % USERS
        row["read"] = [sentence for _, sentence in statements(row["statement"])]
        facts.setdefault(row["user"], []).extend(row["read"])
    return [
        (row, facts[row["user"]], [f for f in facts[row["user"]] if f not in row["read"]])
        for row in rows
    ]


def run(all_cases, embed, min_similarity, min_margin, pick=None) -> dict:
    """``pick(question, facts)``: the fact shown when no one fact answers clearly."""
    tally = {"right": 0, "wrong": 0, "none": 0, "absent_answered": 0, "not_a_question": 0}
    misses = []

    def answer(question, facts):
        found = fact_answers.answering_fact(question, facts, embed, min_similarity, min_margin)
        return found if found is not None or pick is None else pick(question, facts)

    for row, facts, without in all_cases:
        if not fact_answers.asks_about_the_user(row["question"]):
            tally["not_a_question"] += 1
        found = answer(row["question"], facts)
        if found is None:
            tally["none"] += 1
            misses.append((row["question"], None))
        elif holds(found.fact, row["value"]):
            tally["right"] += 1
        else:
            tally["wrong"] += 1
            misses.append((row["question"], found.fact))
        absent = answer(row["question"], without)
        if absent is not None:
            tally["absent_answered"] += 1
            misses.append((row["question"], "(absent) " + absent.fact))
    return {**tally, "cases": len(all_cases), "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument(
        "--likely", action="store_true", help="also the likely fact when none is clear"
    )
    args = parser.parse_args()
    engine = EngineClient(args.url)
    memo: dict[str, list[float]] = {}

    def embed(texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        if missing:
            memo.update(zip(missing, engine.embed(missing), strict=True))
        return [memo[t] for t in texts]

    all_cases = cases(load_facts(args.data))
    unread = [row["statement"] for row, _, _ in all_cases if not row["read"]]
    print(f"{args.data.name}: {len(all_cases)} questions; statements read as no fact: {unread}")
    if args.sweep:
        print("min_similarity min_margin right wrong none absent_answered")
        for sim in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
            for margin in (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12):
                r = run(all_cases, embed, sim, margin)
                print(sim, margin, r["right"], r["wrong"], r["none"], r["absent_answered"])
        return
    pick = None
    if args.likely:

        def pick(question, facts):
            return fact_answers.likely_fact(question, facts, embed)

    result = run(all_cases, embed, fact_answers.MIN_SIMILARITY, fact_answers.MIN_MARGIN, pick)
    result["other_messages"] = others(all_cases, embed, pick)
    print(json.dumps(result, indent=1, ensure_ascii=False))


def others(all_cases, embed, pick=None) -> dict:
    users = {row["user"]: facts for row, facts, _ in all_cases}
    shown = []
    rows = [r for r in load("tuning") if r["label"] not in ("remember", "correct")]
    for row in rows:
        for facts in users.values():
            found = fact_answers.answering_fact(row["text"], facts, embed)
            if found is None and pick is not None:
                found = pick(row["text"], facts)
            if found is not None:
                shown.append((row["label"], row["text"], found.fact))
    return {"messages": len(rows), "users": len(users), "shown": len(shown), "which": shown}


if __name__ == "__main__":
    main()
