"""The learned part of the decision step: multinomial logistic regression over the
all-MiniLM-L6-v2 embedding of the user's message (the engine's ``/v1/embeddings``) plus a
few word cues (below). The weights are trained on the tuning half of the labelled set only
(``benchmarks/train_decision_classifier.py``) and kept in ``classifier_weights.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).resolve().parent / "classifier_weights.json"
# Generic English cues, each one feature (0 or 1) next to the embedding: a sentence's
# meaning is in the embedding, but "actually", "forget" or "today" decide the tool.
CUES = {
    "correction": r"\b(actually|not|no longer|anymore|any more|instead|correct(ion)?|wrong|"
    r"mistake|update|changed?|switched|moved|now|rather)\b",
    "forget": r"\b(forget|forgotten|delete|remove|erase|wipe|drop|stop (remembering|storing)|"
    r"don'?t (want you to )?(remember|keep)|unremember)\b",
    "past": r"\b(earlier|before|previous(ly)?|last (time|week|month)|the other day|remind me|"
    r"recall|told you|mentioned|(we|i) (talked|discussed|said|decided|shared|described|pasted)|"
    r"our (old|past|previous|earlier|last)|past (chats|conversations))\b",
    "fresh": r"\b(today|tonight|tomorrow|now|current(ly)?|latest|this (week|month|year|morning|"
    r"weekend|evening)|news|headlines|price|weather|forecast|score|search|look up|google|"
    r"online|internet|recent|yesterday|last night|at the moment|these days|next)\b",
    "first_person": r"^\W*(i|i'm|i've|my|our|just so you know|note that|remember that|"
    r"please remember|call me)\b",
    "question": r"\?",
    "asks_about_what_i_said": r"\b(i told you|i said|i mentioned|did i)\b",
}
_CUE_PATTERNS = [re.compile(pattern, re.IGNORECASE) for pattern in CUES.values()]


def cue_vector(text: str) -> list[float]:
    return [1.0 if pattern.search(text) else 0.0 for pattern in _CUE_PATTERNS]


def features(vectors: np.ndarray, texts: list[str], cue_scale: float) -> np.ndarray:
    cues = np.array([cue_vector(t) for t in texts]) * cue_scale
    return np.hstack([np.atleast_2d(vectors), cues])


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float


class ToolClassifier:
    def __init__(
        self, labels: list[str], weights: np.ndarray, bias: np.ndarray, cue_scale: float = 0.0
    ):
        self.labels = labels
        self.weights = weights  # (features, labels)
        self.bias = bias
        self.cue_scale = cue_scale

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> ToolClassifier:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            data["labels"], np.array(data["weights"]), np.array(data["bias"]), data["cue_scale"]
        )

    def save(self, path: Path, **about) -> None:
        data = {
            **about,
            "labels": self.labels,
            "cue_scale": self.cue_scale,
            "weights": np.round(self.weights, 6).tolist(),
            "bias": np.round(self.bias, 6).tolist(),
        }
        path.write_text(json.dumps(data) + "\n", encoding="utf-8")

    def probabilities(self, vectors: np.ndarray, texts: list[str]) -> np.ndarray:
        x = features(np.asarray(vectors, dtype=float), texts, self.cue_scale)
        return softmax(x @ self.weights + self.bias)

    def ranked(self, vector: list[float], text: str) -> list[Prediction]:
        """Every label, most probable first."""
        if len(vector) != self.weights.shape[0] - len(CUES):
            raise ValueError(f"expected a MiniLM embedding, got {len(vector)} dimensions")
        p = self.probabilities(np.asarray([vector]), [text])[0]
        return [Prediction(self.labels[i], float(p[i])) for i in np.argsort(-p)]

    @classmethod
    def fit(
        cls,
        vectors: np.ndarray,
        texts: list[str],
        labels: list[str],
        classes: list[str],
        *,
        cue_scale: float = 0.3,
        l2: float = 1e-4,
        steps: int = 3000,
        rate: float = 2.0,
    ) -> ToolClassifier:
        """Full-batch gradient descent on the cross-entropy with an L2 penalty."""
        x = features(np.asarray(vectors, dtype=float), texts, cue_scale)
        y = np.zeros((len(labels), len(classes)))
        y[np.arange(len(labels)), [classes.index(label) for label in labels]] = 1.0
        w = np.zeros((x.shape[1], len(classes)))
        b = np.zeros(len(classes))
        for _ in range(steps):
            grad = (softmax(x @ w + b) - y) / len(x)
            w -= rate * (x.T @ grad + l2 * w)
            b -= rate * grad.sum(axis=0)
        return cls(list(classes), w, b, cue_scale)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
