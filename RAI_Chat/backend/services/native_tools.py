"""Native tool calling for models that can (OpenAI-compatible, Anthropic, Gemini routes with
tools turned on in the engine: ``capabilities.tools`` in its /v1/models).

Such a model gets the tools below (JSON-schema arguments) with every call of the turn and
chooses them itself, in place of the decision step the local model needs. Each call it
makes is turned into the marker of the same action and run through the turn's
``ActionHandler``: the same guards (a fact is stored, changed or forgotten only when the
user's own message supports it; no web search for a message that asks nothing), the same
round limit, events and sources as markers. The results go back to the model as ``tool``
messages (untrusted text, neutralised by the handler); markers the model writes in its
text still run as before."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from ..core.markers import Marker
from .actions.handler import ActionHandler, Emit
from .decision.decide import Decision
from .llm_client import EngineClient
from .turn_decision import DecidedTools, marker

logger = logging.getLogger(__name__)


def _function(name: str, description: str, **properties: str) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {
                    key: {"type": "string", "description": text} for key, text in properties.items()
                },
                "required": list(properties),
                "additionalProperties": False,
            },
        },
    }


TOOLS = [
    _function(
        "web_search",
        "Search the web for news, prices, weather, results or anything recent or changing.",
        query="What to search for.",
    ),
    _function(
        "calculate",
        "Evaluate an arithmetic expression exactly (+ - * / ** % and parentheses).",
        expression="The expression, e.g. 4821 * 37 or 15 / 100 * 2340.",
    ),
    _function(
        "remember",
        "Remember a fact the user states about themselves, in the third person.",
        fact="The fact, e.g. 'The user lives in Lyon.'",
    ),
    _function(
        "correct",
        "Replace a remembered fact the user says has changed or was wrong.",
        old="The remembered fact that is no longer true.",
        new="The fact that is true now.",
    ),
    _function(
        "forget",
        "Forget a remembered fact the user asks you to forget.",
        fact="The remembered fact to forget.",
    ),
    _function(
        "episodic_search",
        "Search earlier conversations with the user for what they told you before.",
        query="What to look for.",
    ),
]
# tool name → (marker kind, argument names in the marker's order)
MARKERS = {
    "web_search": ("web_search", ("query",)),
    "calculate": ("calculate", ("expression",)),
    "remember": ("remember", ("fact",)),
    "correct": ("correct", ("old", "new")),
    "forget": ("forget", ("fact",)),
    "episodic_search": ("search_episodic", ("query",)),
}
MAX_ARGUMENT_CHARS = 1000


def call_marker(call: dict) -> Marker | str:
    """The marker a tool call stands for, or why it is not valid (said to the model)."""
    function = call.get("function") or {}
    name = function.get("name") or ""
    if name not in MARKERS:
        return f"there is no tool called {name!r}"
    try:
        arguments = json.loads(function.get("arguments") or "{}")
    except ValueError:
        return "the arguments are not valid JSON"
    if not isinstance(arguments, dict):
        return "the arguments must be a JSON object"
    kind, names = MARKERS[name]
    values = []
    for key in names:
        value = arguments.get(key)
        if not isinstance(value, str | int | float) or not str(value).strip():
            return f"the argument {key!r} is missing"
        values.append(" ".join(str(value).split())[:MAX_ARGUMENT_CHARS])
    return marker(kind, *values)


def _outcome(events: list[dict]) -> str:
    """What the handler did, in a few words, for the model."""
    actions = [e for e in events if e.get("type") == "action"]
    if not actions:
        return "Already done in this turn."
    parts = []
    for event in actions:
        detail = f": {event['detail']}" if event.get("detail") else ""
        parts.append(f"{event['action']} {event['outcome']}{detail}")
    return "; ".join(parts)


@dataclass
class NativeRound:
    """The messages to append after a model call that called tools."""

    messages: list[dict] = field(default_factory=list)
    results: list[str] = field(default_factory=list)  # data the model saw (never echoed)
    notes: list[str] = field(default_factory=list)  # for the user: what failed


@dataclass
class NativeTools:
    """Native tool calling for one turn."""

    handler: ActionHandler
    max_calls: int  # model calls that may call tools, per turn
    calls_made: int = 0
    called: list[str] = field(default_factory=list)

    @classmethod
    def for_turn(
        cls, engine: EngineClient, model: str | None, setting: str, handler: ActionHandler
    ) -> NativeTools | None:
        """Native tools when the setting allows them and the engine says the model can."""
        if setting == "off" or not engine.supports_tools(model):
            return None
        return cls(handler, max_calls=handler.max_rounds + 1)

    @property
    def more_allowed(self) -> bool:
        """Whether tool calls are still run (an upstream that ignores ``tool_choice: none``
        cannot keep a turn going)."""
        return self.calls_made <= self.max_calls

    def decided(self) -> DecidedTools:
        """Nothing decided before the answer: the model chooses its tools itself."""
        return DecidedTools(Decision("none", design="native"))

    def request_options(self) -> dict:
        """``tools``/``tool_choice`` for the next model call: tools stay offered (the
        conversation holds tool calls), but once the lookups are used up none is chosen."""
        exhausted = self.calls_made >= self.max_calls or self.handler.rounds_left == 0
        return {"tools": TOOLS, "tool_choice": "none" if exhausted else "auto"}

    def run(self, calls: list[dict], text: str, emit: Emit) -> NativeRound:
        """Run the tool calls of one model answer through the handler (its guards judge
        each against the user's message); returns the assistant and tool messages."""
        self.calls_made += 1
        out = NativeRound()
        calls = [c for c in calls if c.get("function", {}).get("name")]
        for i, call in enumerate(calls):
            call["id"] = call.get("id") or f"call_{self.calls_made}_{i}"
        out.messages.append({"role": "assistant", "content": text or None, "tool_calls": calls})
        for call in calls:
            found = call_marker(call)
            if isinstance(found, str):
                content = f"Tool call refused: {found}."
            else:
                self.called.append(found.kind)
                done = self.handler.run([found], emit=emit)
                out.notes.extend(done.notes)
                content = "\n\n".join(done.results_for_model) or _outcome(done.events)
                out.results.extend(done.results_for_model)
            out.messages.append({"role": "tool", "tool_call_id": call["id"], "content": content})
        return out

    def summary(self) -> str:
        """The tools the model called (for the turn's ``decision``), or ``none``."""
        return ",".join(dict.fromkeys(self.called)) or "none"
