"""The decision step without I/O: the exact arithmetic parser, the classifier's plumbing,
failures that decide nothing, and untrusted text (the injection corpus) that never decides
a tool."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from RAI_Chat.backend.services.actions.calculator import calculate
from RAI_Chat.backend.services.actions.handler import ActionHandler
from RAI_Chat.backend.services.decision.arithmetic import find_expression
from RAI_Chat.backend.services.decision.classifier import Prediction, ToolClassifier
from RAI_Chat.backend.services.decision.decide import TOOLS, Decider, Decision
from RAI_Chat.backend.services.llm_client import EngineError
from RAI_Chat.backend.services.turn_decision import (
    carries_markers,
    decide,
    plain_question,
    run_decided,
    search_query,
)

from ..fakes.action_ports import FakePorts

CORPUS = json.loads(
    (Path(__file__).parents[1] / "data" / "injection_corpus.json").read_text(encoding="utf-8")
)["entries"]


@pytest.mark.parametrize(
    ("message", "value"),
    [
        ("How much is 4821 times 37?", "178377"),
        ("What is 987 * 654?", "645498"),
        ("How much is 15% of 2340?", "351"),
        ("what's 2,500 plus 1,250", "3750"),
        ("Multiply 12 by 12, please", "144"),
        ("Subtract 7 from 50", "43"),
        ("What is 3 to the power of 4?", "81"),
        ("sum of 1, 2 and 3", "6"),
        ("(2 + 3) × 4 = ?", "20"),
        ("12 squared", "144"),
    ],
)
def test_arithmetic_in_a_message_becomes_an_exact_calculation(message, value):
    expression = find_expression(message)
    assert expression is not None
    assert calculate(expression).value == value


@pytest.mark.parametrize(
    "message",
    [
        "My phone number is 555-0134.",
        "The meeting is on 2024-05-01.",
        "I was born on 12/05/1990.",
        "It's type 2 diabetes, not type 1.",
        "How do I write 1999 in Roman numerals?",
        "I have 3 cats and 2 dogs.",
        "What happened in 1969?",
    ],
)
def test_numbers_that_are_not_arithmetic_are_not_calculated(message):
    assert find_expression(message) is None


class FakeEngine:
    def __init__(self, vector=None, error: Exception | None = None):
        self.vector = vector
        self.error = error
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        if self.error:
            raise self.error
        return [self.vector for _ in texts]


def test_the_shipped_classifier_ranks_every_tool_from_a_minilm_vector():
    vector = list(np.random.default_rng(0).normal(size=384))
    engine = FakeEngine(vector)
    decision = Decider(engine).decide("Tell me something.")
    assert decision.tool in TOOLS and decision.tool != "calculate"
    assert engine.calls == 1
    assert 0 < decision.probability <= 1


@pytest.mark.parametrize(
    "engine",
    [FakeEngine(error=EngineError("down")), FakeEngine([0.1, 0.2, 0.3])],
    ids=["engine down", "another embedding size"],
)
def test_a_failing_classifier_decides_no_tool_but_arithmetic_still_calculates(engine):
    assert Decider(engine).decide("What is the weather today?").tool == "none"
    sums = Decider(engine).decide("What is 6 * 7?")
    assert (sums.tool, sums.expression) == ("calculate", "6 * 7")


@pytest.mark.parametrize(
    ("message", "tool"),
    [
        ("Remember this please: my gym locker code is 4417.", "remember"),
        ("Don't forget that my locker code is 4417.", "remember"),
        ("Forget my locker code.", "forget"),
        ("Please delete the note about my locker.", "forget"),
        ("I don't want you to remember my locker code.", "forget"),
    ],
)
def test_forget_is_decided_only_for_a_message_that_asks_to_forget(monkeypatch, message, tool):
    from RAI_Chat.backend.services.decision import decide

    class ForgetFirst:  # a classifier that ranks forget first, whatever the message
        def ranked(self, vector, text):
            return [Prediction("forget", 0.6), Prediction("remember", 0.3)]

    monkeypatch.setattr(decide, "shipped_classifier", ForgetFirst)
    assert Decider(FakeEngine([0.0] * 384)).decide(message).tool == tool


def test_a_classifier_trained_on_separable_vectors_learns_them():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(2, 8))
    x = np.vstack([centres[i] + 0.05 * rng.normal(size=(20, 8)) for i in range(2)])
    texts = ["hello"] * 40
    labels = ["none"] * 20 + ["web_search"] * 20
    model = ToolClassifier.fit(x, texts, labels, ["none", "web_search"], cue_scale=0.0)
    assert model.ranked(list(centres[1]), "hello")[0].label == "web_search"


@pytest.mark.parametrize("entry", CORPUS, ids=lambda e: e["note"][:40])
def test_untrusted_text_as_a_users_message_decides_no_tool(entry):
    engine = FakeEngine(error=AssertionError("the decision step must not be consulted"))
    if carries_markers(entry["text"]):
        assert decide(Decider(engine), entry["text"]).tool == "none"
        assert engine.calls == 0
    ports = FakePorts()
    handler = ActionHandler(ports, user_text=entry["text"])
    decided = decide(Decider(FakeEngine(error=EngineError("down"))), entry["text"])
    run_decided(decided, entry["text"], handler, ports, emit=lambda e: None)
    assert [e for e in handler.events if e["type"] == "action"] == []


def test_most_of_the_corpus_carries_marker_syntax():
    assert sum(carries_markers(e["text"]) for e in CORPUS) >= 250


def test_a_decided_calculation_reaches_the_model_as_data():
    ports = FakePorts()
    handler = ActionHandler(ports, user_text="How much is 4821 times 37?")
    decided = run_decided(
        Decision("calculate", "4821 * 37"), "How much is 4821 times 37?", handler, ports, print
    )
    assert "4821 * 37 = 178377" in decided.for_model("How much is 4821 times 37?")
    assert [(e["action"], e["outcome"]) for e in handler.events] == [("calculate", "ok")]


@pytest.mark.parametrize(
    ("message", "query"),
    [
        ("What is the weather in Oslo today?", "weather in Oslo today"),
        ("Search the web for cheap flights to Rome", "cheap flights to Rome"),
        ("Who won the race on Sunday?", "Who won the race on Sunday"),
    ],
)
def test_the_web_query_is_the_message_without_its_preamble(message, query):
    assert search_query(message) == query


@pytest.mark.parametrize(
    ("fact", "quoted"),
    [
        ("name is Sam", "The user's name is Sam"),
        ("likes green tea", "The user likes green tea"),
        ("The user's city: Lyon", "The user's city: Lyon"),
    ],
)
def test_facts_are_quoted_as_sentences_about_the_user(fact, quoted):
    from RAI_Chat.backend.services.prompt_builder import about_the_user

    assert about_the_user(fact) == quoted


def test_the_answer_prompt_has_no_tool_list_and_no_examples():
    from RAI_Chat.backend.services.conversation import TurnSettings
    from RAI_Chat.backend.services.turn_runner import system_prompt

    prompt = system_prompt(TurnSettings(model=None, context_budget=4096, max_answer_tokens=256))
    assert "[" not in prompt and "User:" not in prompt and "Assistant:" not in prompt
    assert '"you"' in prompt


ECHOED = "Nothing remembered matches what the user asks to forget; say so briefly."


@pytest.mark.parametrize("size", [1, 2, 3, 7, 100])
def test_a_copied_instruction_is_removed_from_the_stream_however_it_is_split(size):
    from RAI_Chat.backend.services.actions.echo_filter import EchoFilter, phrases_of

    answer = f"Sure. {ECHOED} I forgot nothing. [1] Result A (https://a.example) Text here."
    phrases = phrases_of([ECHOED, "[1] Result A (https://a.example) Text here."])
    echo = EchoFilter(phrases)
    shown = "".join(echo.feed(answer[i : i + size]) for i in range(0, len(answer), size))
    shown += echo.flush()
    assert shown == "Sure.  I forgot nothing. "


@pytest.mark.parametrize("size", [1, 5, 100])
def test_a_result_list_copied_with_straight_quotes_and_cut_short_is_removed(size):
    from RAI_Chat.backend.services.actions.echo_filter import EchoFilter, phrases_of

    data = (
        "Web results for “Which language am I studying”:\n"
        "[1] Lisbon weather today (https://weather.example/lisbon) Sunny, 24 °C."
    )
    # The planted-facts run: the model pasted the list, its quotes straight, and was cut
    # at its answer's length limit in the middle of a result line.
    answer = (
        'Here you go:\nWeb results for "Which language am I studying":\n'
        "[1] Lisbon weather today (https://weather.exa"
    )
    echo = EchoFilter(phrases_of([data]))
    shown = "".join(echo.feed(answer[i : i + size]) for i in range(0, len(answer), size))
    shown += echo.flush()
    assert "Web results" not in shown and "Lisbon" not in shown
    assert shown.startswith("Here you go:")


def test_text_that_only_starts_like_an_instruction_is_shown_in_full():
    from RAI_Chat.backend.services.actions.echo_filter import EchoFilter, phrases_of

    echo = EchoFilter(phrases_of([ECHOED]))
    shown = echo.feed("Nothing remembered matches your cat") + echo.flush()
    assert shown == "Nothing remembered matches your cat"


class RememberingPorts(FakePorts):
    """Facts matched by topic: a text speaking of a brother is close to the brother fact."""

    def embed_facts(self, texts):
        topics = ("brother", "chess", "skoda")
        return [[float(t in text.casefold()) for t in topics] + [0.1] for text in texts]


@pytest.mark.parametrize(
    ("message", "searched"),
    [
        ("Where does my brother live these days?", False),
        ("What's the weather where my brother lives today?", True),  # only the web knows
        ("Where does the prime minister live these days?", True),  # not about the user
    ],
)
def test_a_web_search_is_not_run_for_a_question_a_remembered_fact_answers(message, searched):
    ports = RememberingPorts(
        facts=[
            "The user's brother lives in Auckland.",
            "The user plays chess.",
            "The user drives a Skoda.",
        ]
    )
    handler = ActionHandler(ports, user_text=message)
    decided = run_decided(Decision("web_search"), message, handler, ports, emit=lambda e: None)
    assert any(call[0] == "web_search" for call in ports.calls) == searched
    if not searched:
        assert decided.decision.tool == "none"
        assert decided.shown_first.startswith("You told me: your brother lives in Auckland.")


@pytest.mark.parametrize("tool", ["remember", "correct"])
def test_a_question_that_states_nothing_is_not_remembered_or_corrected(tool):
    # The untouched eleventh planted set: "Which part of town do I live in now?" was
    # decided "correct", and the model echoed the note meant for a statement.
    ports = RememberingPorts(facts=["The user's brother lives in Auckland."])
    message = "Where does my brother live now?"
    handler = ActionHandler(ports, user_text=message)
    decided = run_decided(Decision(tool), message, handler, ports, lambda e: None)
    assert decided.decision.tool == "none"
    assert decided.shown_first.startswith("You told me: your brother lives in Auckland.")
    # A statement stays what it was decided.
    statement = "Actually my brother lives in Napier now, can you suggest a gift?"
    handler = ActionHandler(ports, user_text=statement)
    decided = run_decided(Decision(tool), statement, handler, ports, lambda e: None)
    assert decided.decision.tool == tool and decided.said_back


class GuessingPorts(FakePorts):
    """A sentence speaking of cycling is a little close to another (no fact clearly answers);
    the words "bike", "cycles" and "Brompton" are close to each other."""

    def embed_facts(self, texts):
        def vector(text: str) -> list[float]:
            low = text.casefold()
            cycling = any(w in low for w in ("bike", "brompton", "cycle"))
            if " " not in low.strip():  # a single word
                return [float(cycling), float(not cycling)]
            return [
                float("bike" in low),
                float("brompton" in low),
                0.6 * cycling,
                float("skoda" in low),
                0.3,
            ]

        return [vector(t) for t in texts]


def test_a_web_search_is_not_run_for_a_question_a_likely_fact_answers():
    ports = GuessingPorts(facts=["The user cycles a Brompton.", "The user drives a Skoda."])
    message = "What bike do I ride right now?"
    handler = ActionHandler(ports, user_text=message)
    decided = run_decided(Decision("web_search"), message, handler, ports, emit=lambda e: None)
    assert not any(call[0] == "web_search" for call in ports.calls)
    assert decided.shown_first == (
        "I'm not sure that's what you mean, but you told me: you cycle a Brompton."
    )


@pytest.mark.parametrize(
    ("message", "plain"),
    [
        ("What is my dog called?", True),
        ("where do I live", True),
        ("What is my dog called, and what should I feed him?", False),
        ("What is my dog called? Also, suggest a toy.", False),
        ("Remind me what my dog is called and where I live", False),
        ("", False),
    ],
)
def test_a_plain_question_is_one_short_question_and_nothing_else(message, plain):
    assert plain_question(message) is plain


def test_a_fact_shown_first_keeps_the_capital_of_a_name_it_starts_with():
    # The eleventh planted re-run: "You told me: radiohead is basically your favourite …".
    class NamePorts(FakePorts):
        def embed_facts(self, texts):
            return [[float("band" in t.casefold()), 0.1] for t in texts]

    ports = NamePorts(facts=["Radiohead is the user's favourite band.", "The user plays chess."])
    message = "Which band do I like best?"
    handler = ActionHandler(ports, user_text=message)
    decided = run_decided(Decision("none"), message, handler, ports, emit=lambda e: None)
    assert decided.shown_first == "You told me: Radiohead is your favourite band."
