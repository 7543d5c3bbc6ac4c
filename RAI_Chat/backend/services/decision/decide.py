"""Decide, before the answer, which tool the user's message needs: ``web_search``,
``calculate``, ``remember``, ``correct``, ``forget``, ``episodic`` or ``none``.

Designs (measured on the held-out half by ``benchmarks/decision_eval.py``):

* ``classifier`` (shipped): an arithmetic expression in the message means ``calculate``
  (exact parser); otherwise the logistic-regression classifier over the message's MiniLM
  embedding picks the tool. One embedding call, milliseconds.
* ``model``: the chat model answers a JSON object ``{"tool": ...}`` held to a JSON schema
  (llama.cpp grammar through the engine's ``response_format``); the same parser for
  ``calculate``. One short model call.

Only the user's own message is ever decided on: text from the web, memories, documents or
imports never reaches this step. Nothing here raises: when the engine fails, the decision
is the parser's (``calculate`` or ``none``)."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from functools import cache

from ..llm_client import EngineClient, EngineError
from .arithmetic import find_expression
from .classifier import CUES, ToolClassifier

logger = logging.getLogger(__name__)
TOOLS = ("web_search", "calculate", "remember", "correct", "forget", "episodic", "none")
MAX_DECIDED_CHARS = 1000  # longer messages are decided on their start
DECISION_SCHEMA = {
    "type": "object",
    "properties": {"tool": {"type": "string", "enum": list(TOOLS)}},
    "required": ["tool"],
}
DECISION_PROMPT = """\
Pick the one tool this user message needs. Answer with JSON only.
- web_search: it asks about news, prices, weather, scores or anything recent or changing.
- calculate: it asks for the result of arithmetic with given numbers.
- remember: the user states a fact about themselves (name, home, job, family, likes, dates).
- correct: the user says a fact about themselves changed or was wrong.
- forget: the user asks you to forget or delete something you know about them.
- episodic: the user asks what they told you or discussed in an earlier conversation.
- none: anything else (general knowledge, writing, code, chit-chat).

Message: {message}"""


@dataclass(frozen=True)
class Decision:
    tool: str
    expression: str | None = None  # for calculate
    design: str = "parser"
    probability: float | None = None
    seconds: float = 0.0


@cache
def shipped_classifier() -> ToolClassifier:
    return ToolClassifier.load()


# A message asks to forget only in so many words; "don't forget …" asks the opposite. (The
# classifier once read "Remember this please: my gym locker code is 4417." as forget.)
_FORGET_WORDS = re.compile(CUES["forget"], re.IGNORECASE)
_KEEP_IT = re.compile(r"\b(?:don'?t|do not|never) forget\b", re.IGNORECASE)


def allowed(tool: str, text: str) -> bool:
    """Whether the classifier's ``tool`` can be what ``text`` asks for: forget needs words
    that ask to forget."""
    if tool == "forget":
        return bool(_FORGET_WORDS.search(_KEEP_IT.sub("", text)))
    return True


class Decider:
    def __init__(self, engine: EngineClient, design: str = "classifier"):
        if design not in ("classifier", "model"):
            raise ValueError(f"unknown decision design {design!r}")
        self.engine = engine
        self.design = design

    def decide(self, message: str) -> Decision:
        started = time.perf_counter()
        text = " ".join(message.split())[:MAX_DECIDED_CHARS]
        expression = find_expression(text)
        if expression is not None:
            return Decision("calculate", expression, "parser", 1.0, time.perf_counter() - started)
        try:
            tool, probability = (
                self._classify(text) if self.design == "classifier" else self._ask_model(text)
            )
        except (EngineError, ValueError) as exc:  # no engine, or no MiniLM behind it
            logger.info("Decision step unavailable (%s); no tool decided", exc)
            tool, probability = "none", None
        except Exception:  # e.g. an embedding model of another size: never fail the turn
            logger.exception("Decision step failed; no tool decided")
            tool, probability = "none", None
        if tool == "calculate":  # nothing to calculate without an expression
            tool = "none"
        return Decision(tool, None, self.design, probability, time.perf_counter() - started)

    def _classify(self, text: str) -> tuple[str, float]:
        (vector,) = self.engine.embed([text])
        ranked = shipped_classifier().ranked(vector, text)
        best = next(p for p in ranked if p.label != "calculate" and allowed(p.label, text))
        return best.label, best.probability

    def _ask_model(self, text: str) -> tuple[str, None]:
        raw = self.engine.complete(
            [{"role": "user", "content": DECISION_PROMPT.format(message=text)}],
            max_tokens=16,
            temperature=0,
            json_schema=DECISION_SCHEMA,
        )
        try:
            tool = json.loads(raw)["tool"]
        except (ValueError, KeyError, TypeError):
            return "none", None
        return (tool if tool in TOOLS else "none"), None
