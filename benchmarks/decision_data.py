"""The labelled message set of the decision step (benchmarks/data/decision_messages.tsv:
label, message, expected value) and its one fixed split into a tuning half and a held-out
half. The split is made once with ``SPLIT_SEED``, stratified by label, and written to
``benchmarks/data/decision_{tuning,heldout}.jsonl``; nothing (prompt, rule, classifier) is
tuned on the held-out half.

    .venv/bin/python benchmarks/decision_data.py   # (re)writes the two halves
"""

from __future__ import annotations

import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SOURCE = DATA / "decision_messages.tsv"
SPLIT_SEED = 1414
LABELS = ("web_search", "calculate", "remember", "correct", "forget", "episodic", "none")


def read_source() -> list[dict]:
    rows = []
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        label, text, expected = (line.split("\t") + ["", ""])[:3]
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r} in {line!r}")
        rows.append({"label": label, "text": text, "expected": expected or None})
    return rows


def split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    rng = random.Random(SPLIT_SEED)
    tuning, heldout = [], []
    for label in LABELS:
        group = [r for r in rows if r["label"] == label]
        rng.shuffle(group)
        half = len(group) // 2
        tuning += group[:half]
        heldout += group[half:]
    return tuning, heldout


def load(half: str) -> list[dict]:
    """``half`` is "tuning" or "heldout"."""
    path = DATA / f"decision_{half}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def main() -> None:
    tuning, heldout = split(read_source())
    for name, rows in (("tuning", tuning), ("heldout", heldout)):
        with (DATA / f"decision_{name}.jsonl").open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} messages")


if __name__ == "__main__":
    main()
