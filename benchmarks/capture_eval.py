"""Fact capture alone, without whole turns: the background capture path (``make_tiers``:
the decision step's classifier, the one grammar-constrained model call, the checks and the
exact reading of the user's statements) on each labelled message of one half, through a
running engine with the local model and MiniLM.

    .venv/bin/python benchmarks/capture_eval.py --url http://127.0.0.1:6301 \\
        --half tuning [--labels remember,correct,none] [--limit N] [--json FILE]

Measures, over the messages run:

* stored right: ``remember``/``correct`` messages with a fact holding the labelled value as
  whole words; also how many of them the model's kept facts hold (none when the classifier
  reads a statement: then the statements as read are the facts);
* wrong facts: a fact holding the old value a correction replaces
  (``data/capture_old_values.tsv``), and every fact from a message of another label
  (questions, requests, forget and episodic messages: they state nothing to store);
* latency p50/p99 of the capture of one message (decision, model call, checks).

The figures to quote are those of ``--half heldout``; every rule was written on the tuning
half. ``--half fresh`` runs ``data/capture_fresh.jsonl`` (40 remember, 30 correct, 30 none,
old values in ``data/capture_fresh_old_values.tsv``): a second held-out set, written by
hand after the capture rules were frozen, by someone who had not seen them. ``--half final``
runs ``data/capture_final.jsonl`` (the same shape), written the same way a session later;
``--half blind`` runs ``data/capture_blind.jsonl``, written the same way in the fifth session
(first run in the sixth); ``--half seventh`` runs ``data/capture_seventh.jsonl``, written the
same way in the seventh session by a helper that read no code and no other data."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from decision_data import load  # noqa: E402
from decision_e2e import OLD_VALUES, holds  # noqa: E402
from decision_eval import percentile  # noqa: E402

from RAI_Chat.backend.services.llm_client import EngineClient  # noqa: E402
from RAI_Chat.backend.services.memory.capture import fact_sentence  # noqa: E402
from RAI_Chat.backend.services.memory.maintenance import make_tiers  # noqa: E402

FACT_LABELS = ("remember", "correct")
# Sets written by hand apart from the decision set: data/capture_<name>.jsonl.
HAND_WRITTEN = ("fresh", "final", "blind", "seventh", "eighth", "ninth")
DATA = ROOT / "benchmarks" / "data"


def old_values(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line.strip())


def load_half(half: str) -> list[dict]:
    if half not in HAND_WRITTEN:
        return load(half)
    OLD_VALUES.update(old_values(DATA / f"capture_{half}_old_values.tsv"))
    text = (DATA / f"capture_{half}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def captured(engine: EngineClient, text: str) -> dict:
    started = time.perf_counter()
    _, _, capture = make_tiers(engine, "user", text)
    seconds = time.perf_counter() - started
    model = [fact_sentence(a, v) for a, v in capture.facts] if capture else []
    exact = [sentence for _, sentence in capture.stated] if capture else []
    return {"model_facts": model, "exact_facts": exact, "seconds": seconds}


def score(rows: list[dict], results: list[dict]) -> dict:
    pairs = list(zip(rows, results, strict=True))
    fact_rows = [(r, c) for r, c in pairs if r["label"] in FACT_LABELS]
    other_rows = [(r, c) for r, c in pairs if r["label"] not in FACT_LABELS]

    def right(r, facts):
        return any(holds(f, r["expected"]) for f in facts)

    def old_kept(r, facts):
        old = OLD_VALUES.get(r["text"], "").strip()
        return [f for f in facts if old and holds(f, old)]

    stored = sum(right(r, c["model_facts"] + c["exact_facts"]) for r, c in fact_rows)
    model_only = sum(right(r, c["model_facts"]) for r, c in fact_rows)
    facts = sum(len(c["model_facts"]) + len(c["exact_facts"]) for _, c in pairs)
    wrong_old = sum(len(old_kept(r, c["model_facts"] + c["exact_facts"])) for r, c in fact_rows)
    wrong_other = sum(len(c["model_facts"]) + len(c["exact_facts"]) for _, c in other_rows)
    seconds = [c["seconds"] for c in results]
    return {
        "messages": len(rows),
        "fact_messages": len(fact_rows),
        "stored_right": stored,
        "stored_right_by_model_alone": model_only,
        "facts_stored": facts,
        "wrong_old_values": wrong_old,
        "facts_from_no_fact_messages": wrong_other,
        "no_fact_messages": len(other_rows),
        "seconds_p50": percentile(seconds, 50) if seconds else None,
        "seconds_p99": percentile(seconds, 99) if seconds else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="engine base URL (local model + MiniLM)")
    parser.add_argument("--half", choices=("tuning", "heldout", *HAND_WRITTEN), required=True)
    parser.add_argument("--labels", default="remember,correct,none")
    parser.add_argument("--limit", type=int, help="at most this many messages per label")
    parser.add_argument("--json", help="write every message's facts here")
    args = parser.parse_args()
    labels = args.labels.split(",")
    rows, per_label = [], {}
    for row in load_half(args.half):
        if row["label"] in labels and per_label.get(row["label"], 0) < (args.limit or 10**9):
            per_label[row["label"]] = per_label.get(row["label"], 0) + 1
            rows.append(row)
    engine = EngineClient(args.url, read_timeout=600)
    results = []
    for i, row in enumerate(rows, 1):
        result = captured(engine, row["text"])
        results.append(result)
        facts = result["model_facts"] + [f"[exact] {f}" for f in result["exact_facts"]]
        print(
            f"{i:3}/{len(rows)} {row['label']:8} {result['seconds']:6.1f}s "
            f"{row['text']!r} -> {facts}",
            flush=True,
        )
    summary = score(rows, results)
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "summary": summary,
                    "messages": [{**r, **c} for r, c in zip(rows, results, strict=True)],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
