"""Train the decision step's classifier on the TUNING half of the labelled set only and
write RAI_Chat/backend/services/decision/classifier_weights.json.

    .venv/bin/python benchmarks/train_decision_classifier.py --url http://127.0.0.1:6301

Embeddings come from the engine's /v1/embeddings (all-MiniLM-L6-v2). Prints a 5-fold
cross-validated accuracy on the tuning half for each weight of the word cues (used to choose
``cue_scale``); the held-out half is never read here. ``calculate`` is learnt too, but the
decision step only takes it from the exact parser, as scored here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from decision_data import LABELS, SPLIT_SEED, load  # noqa: E402

from RAI_Chat.backend.services.decision.arithmetic import find_expression  # noqa: E402
from RAI_Chat.backend.services.decision.classifier import WEIGHTS, ToolClassifier  # noqa: E402
from RAI_Chat.backend.services.llm_client import EngineClient  # noqa: E402


def embed_all(engine: EngineClient, texts: list[str]) -> np.ndarray:
    vectors: list[list[float]] = []
    for start in range(0, len(texts), 64):
        vectors += engine.embed(texts[start : start + 64])
    return np.array(vectors)


def decided(model: ToolClassifier, vector, text: str) -> str:
    """As the decision step decides (decide.py): the parser for calculate, else the class."""
    if find_expression(text):
        return "calculate"
    return next(p.label for p in model.ranked(vector, text) if p.label != "calculate")


def cross_validated(
    x: np.ndarray, texts: list[str], y: list[str], cue_scale: float, folds: int = 5
) -> float:
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    right = 0
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        model = ToolClassifier.fit(
            x[train],
            [texts[i] for i in train],
            [y[i] for i in train],
            list(LABELS),
            cue_scale=cue_scale,
        )
        right += sum(decided(model, x[i], texts[i]) == y[i] for i in test)
    return right / len(y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:6301")
    parser.add_argument("--cue-scale", type=float, nargs="*", default=[0.0, 0.2, 0.3, 0.5, 1.0])
    args = parser.parse_args()
    rows = load("tuning")
    texts = [r["text"] for r in rows]
    x = embed_all(EngineClient(args.url), texts)
    y = [r["label"] for r in rows]
    scores = {scale: cross_validated(x, texts, y, scale) for scale in args.cue_scale}
    for scale, score in scores.items():
        print(f"cue_scale={scale:g}: 5-fold decision accuracy on the tuning half {score:.3f}")
    best = max(scores, key=scores.get)
    model = ToolClassifier.fit(x, texts, y, list(LABELS), cue_scale=best)
    model.save(
        WEIGHTS,
        trained_on="benchmarks/data/decision_tuning.jsonl",
        examples=len(rows),
        embedding_model="all-MiniLM-L6-v2",
        cv_accuracy_tuning=round(scores[best], 4),
        split_seed=SPLIT_SEED,
    )
    print(f"wrote {WEIGHTS.relative_to(ROOT)} (cue_scale={best:g})")


if __name__ == "__main__":
    main()
