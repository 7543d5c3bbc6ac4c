"""How well the decision step picks the tool: each design over one half of the labelled
set, through a running engine (embeddings and, for ``model``, the chat model).

    .venv/bin/python benchmarks/decision_eval.py --url http://127.0.0.1:6301 \\
        --design classifier --half heldout [--json FILE]

Reports: accuracy; per tool precision and recall; needless web searches (messages labelled
``none`` decided ``web_search``); arithmetic exact (``calculate`` messages whose calculated
result equals the labelled answer); decision latency p50/p99 (the whole ``Decider.decide``,
engine calls included). The figures to quote are those of ``--half heldout``; the
classifier was trained and every rule written on the tuning half."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from decision_data import LABELS, load  # noqa: E402

from RAI_Chat.backend.services.actions.calculator import calculate  # noqa: E402
from RAI_Chat.backend.services.decision.decide import Decider  # noqa: E402
from RAI_Chat.backend.services.llm_client import EngineClient  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def score(rows: list[dict], decided: list[dict]) -> dict:
    out: dict = {"messages": len(rows)}
    pairs = list(zip(rows, decided, strict=True))
    out["accuracy"] = sum(d["tool"] == r["label"] for r, d in pairs) / len(rows)
    per_tool = {}
    for label in LABELS:
        tp = sum(d["tool"] == label == r["label"] for r, d in pairs)
        predicted = sum(d["tool"] == label for d in decided)
        actual = sum(r["label"] == label for r in rows)
        per_tool[label] = {
            "precision": tp / predicted if predicted else None,
            "recall": tp / actual if actual else None,
            "predicted": predicted,
            "actual": actual,
        }
    out["per_tool"] = per_tool
    nones = [(r, d) for r, d in pairs if r["label"] == "none"]
    out["needless_web_searches"] = sum(d["tool"] == "web_search" for _, d in nones)
    out["none_messages"] = len(nones)
    sums = [(r, d) for r, d in pairs if r["label"] == "calculate"]
    exact = 0
    for r, d in sums:
        value = calculate(d["expression"]).value if d["expression"] else None
        exact += value is not None and float(value) == float(r["expected"])
    out["arithmetic_exact"] = exact
    out["arithmetic_messages"] = len(sums)
    ms = [d["seconds"] * 1000 for d in decided]
    out["latency_ms_p50"], out["latency_ms_p99"] = percentile(ms, 50), percentile(ms, 99)
    out["errors"] = [
        {"text": r["text"], "label": r["label"], "decided": d["tool"]}
        for r, d in pairs
        if d["tool"] != r["label"]
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:6301")
    parser.add_argument("--design", choices=["classifier", "model"], default="classifier")
    parser.add_argument("--half", choices=["tuning", "heldout"], default="heldout")
    parser.add_argument("--per-label", type=int, default=0, help="0: every message")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = load(args.half)
    if args.per_label:  # the first N of each label, in the half's fixed order
        rows = [
            r
            for label in LABELS
            for r in [x for x in rows if x["label"] == label][: args.per_label]
        ]
    decider = Decider(EngineClient(args.url), args.design)
    decider.decide("warm up")
    decided = []
    for row in rows:
        d = decider.decide(row["text"])
        decided.append({"tool": d.tool, "expression": d.expression, "seconds": d.seconds})
        print(f"{len(decided)}/{len(rows)} {row['label']} -> {d.tool}", flush=True)
    result = {"design": args.design, "half": args.half, "per_label": args.per_label}
    result.update(score(rows, decided))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{args.design} on the {args.half} half ({len(rows)} messages)")
    print(f"accuracy {result['accuracy']:.3f}")
    for label, s in result["per_tool"].items():
        p = "-" if s["precision"] is None else f"{s['precision']:.2f}"
        print(f"  {label:11} precision {p:>4}  recall {s['recall']:.2f}  ({s['actual']})")
    print(f"needless web searches {result['needless_web_searches']}/{result['none_messages']}")
    print(f"arithmetic exact {result['arithmetic_exact']}/{result['arithmetic_messages']}")
    print(f"latency p50 {result['latency_ms_p50']:.1f} ms, p99 {result['latency_ms_p99']:.1f} ms")
    for e in result["errors"]:
        print(f"  wrong: {e['label']} -> {e['decided']}: {e['text']}")


if __name__ == "__main__":
    main()
