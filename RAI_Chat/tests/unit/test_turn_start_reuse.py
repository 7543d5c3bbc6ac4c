"""What a turn's start asks of the engine: token counts only for what is new (a window
message's counts are stored with it, the turn's own message too), whatever branch the
session shows; and the query embeddings of turns that start together go in one request.

The turns run through ``ConversationManager`` / ``BranchTurns`` on a real SQLite database
(migrated, in the test's folder) with a fake engine object that records what it is asked."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from RAI_Chat.backend.core.database.models import Message, User
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.services.branch_turns import BranchTurns
from RAI_Chat.backend.services.conversation import ConversationManager
from RAI_Chat.backend.services.llm_client import (
    EmbeddingBatcher,
    EngineClient,
    EngineError,
    StreamResult,
)
from RAI_Chat.backend.services.memory.contextual import ContextualMemory
from RAI_Chat.backend.services.turn import Turn

from .test_turn_services import SETTINGS

WAIT_S = 30  # an upper bound only: every wait ends as soon as its condition holds


class CountingEngine:
    """Answers from a script; records every text it is asked to count."""

    def __init__(self) -> None:
        self.counted: list[str] = []
        self.prompts: list[list[dict]] = []
        self.answers = iter(f"Answer number {i} about things." for i in range(100))

    def stream_chat(self, messages, *, result: StreamResult | None = None, **_) -> Iterator[str]:
        self.prompts.append(messages)
        pieces = [w + " " for w in next(self.answers).split()]
        yield from pieces
        if result is not None:
            result.prompt_tokens = 10
            result.completion_tokens = len(pieces)
            result.finish_reason = "stop"

    def complete(self, messages, **_) -> str:
        return "title"

    def count_tokens(self, text: str) -> int:
        self.counted.append(text)
        return len(text.split())

    def embed(self, texts, model=None):
        raise EngineError("no embedding model here", 503)

    def supports_tools(self, model=None) -> bool:
        return False


@pytest.fixture
def user_id(database) -> str:
    with database.unit_of_work() as uow:
        user = User(username="ada", username_key="ada", password_hash="x")
        uow.session.add(user)
        uow.commit()
        return user.id


def finish(turn: Turn) -> Turn:
    for item in turn.stream.follow(0):
        if item is not None and item[1]["type"] in ("done", "error"):
            assert item[1]["type"] == "done", item[1]
    return turn


def contents(database: Database, *ids: str) -> list[str]:
    with database.unit_of_work() as uow:
        return [uow.session.get(Message, i).content for i in ids]


def counted_since(engine: CountingEngine, mark: int) -> list[str]:
    return engine.counted[mark:]


def test_a_turn_counts_only_what_is_new(database, user_id):
    engine = CountingEngine()
    manager = ConversationManager(user_id, database, engine)
    first = finish(manager.start_turn("Where is Lyon exactly?", None, SETTINGS))
    second = finish(manager.start_turn("And how big is it?", first.session_id, SETTINGS))
    # The new question's count is stored with it; the answer's comes from the engine's usage.
    with database.unit_of_work() as uow:
        question = uow.session.get(Message, second.user_message_id)
        assert question.token_count == 5  # words: the fake counts words
        assert uow.session.get(Message, second.assistant_message_id).token_count is not None
    earlier = contents(
        database,
        first.user_message_id,
        first.assistant_message_id,
        second.user_message_id,
        second.assistant_message_id,
    )
    mark = len(engine.counted)
    third = finish(manager.start_turn("Is it near the Alps?", first.session_id, SETTINGS))
    counted = counted_since(engine, mark)
    sent = [m["content"] for m in engine.prompts[-1]]
    # The window was sent (the two earlier exchanges, in full) ...
    assert all(text in sent for text in earlier)
    # ... and none of its messages was counted again: only the new message and the prompt's
    # system text (which holds no window message: they are all sent in full).
    assert not set(counted) & set(earlier)
    assert "Is it near the Alps?" in counted
    assert len(counted) <= 3
    with database.unit_of_work() as uow:
        assert uow.session.get(Message, third.user_message_id).token_count == 5
    # Every message of the session has its count stored: a window read now writes nothing.
    contextual = ContextualMemory(user_id, database)
    window = contextual.window(first.session_id, set())
    assert len(window) == 6 and all(3 in m.tokens for m in window)
    assert contextual.save_counts(window) == 0


def test_a_branch_switch_or_an_edit_reuses_the_counts_of_the_branch_shown(database, user_id):
    engine = CountingEngine()
    manager = ConversationManager(user_id, database, engine)
    branches = BranchTurns(user_id, database, engine)
    first = finish(manager.start_turn("My cat is called Tom.", None, SETTINGS))
    second = finish(manager.start_turn("What food suits him?", first.session_id, SETTINGS))
    old_branch = contents(database, second.user_message_id, second.assistant_message_id)

    # An edit of the second question: the window follows the new branch only.
    edited = finish(branches.edit(second.user_message_id, "What toys suit him?", SETTINGS))
    sent = [m["content"] for m in engine.prompts[-1]]
    assert not set(old_branch) & set(sent)
    assert "What toys suit him?" in sent[-1]
    mark = len(engine.counted)
    finish(manager.start_turn("And a bed?", first.session_id, SETTINGS))
    sent = [m["content"] for m in engine.prompts[-1]]
    new_branch = contents(database, edited.user_message_id, edited.assistant_message_id)
    assert all(text in sent for text in new_branch) and not set(old_branch) & set(sent)
    assert not set(counted_since(engine, mark)) & set(new_branch)

    # Back to the old branch: its messages are in the window again, still not recounted.
    branches.switch(first.session_id, second.assistant_message_id)
    mark = len(engine.counted)
    finish(manager.start_turn("Thanks!", first.session_id, SETTINGS))
    sent = [m["content"] for m in engine.prompts[-1]]
    assert all(text in sent for text in old_branch) and not set(new_branch) & set(sent)
    assert not set(counted_since(engine, mark)) & set(old_branch)


# --- the embedding batcher ------------------------------------------------------------


class GatedSender:
    """An engine's ``/v1/embeddings`` that holds its first request until ``release``, so
    that callers arriving meanwhile gather in the next batch."""

    def __init__(self, fail: bool = False) -> None:
        self.requests: list[list[str]] = []
        self.release = threading.Event()
        self.first_in = threading.Event()
        self.fail = fail

    def __call__(self, texts: list[str], model: str) -> list[list[float]]:
        self.requests.append(list(texts))
        if len(self.requests) == 1:
            self.first_in.set()
            assert self.release.wait(WAIT_S)
        if self.fail:
            raise EngineError("The embedding model failed: out of memory")
        return [[float(len(t)), float(sum(map(ord, t)))] for t in texts]


def gathered(batcher: EmbeddingBatcher) -> int:
    batch = batcher._open.get("minilm")
    return batch.callers if batch else 0


def run_callers(batcher: EmbeddingBatcher, texts: list[str], sender: GatedSender):
    """The first text alone (its request held), then the others at once while it is held."""
    out: dict[int, object] = {}

    def call(i: int) -> None:
        try:
            out[i] = batcher.embed_one(texts[i], "minilm")
        except EngineError as exc:
            out[i] = exc

    threads = [threading.Thread(target=call, args=(0,))]
    threads[0].start()
    assert sender.first_in.wait(WAIT_S)
    rest = [threading.Thread(target=call, args=(i,)) for i in range(1, len(texts))]
    for t in rest:
        t.start()
    # Every other caller has joined the next batch (waiting behind the held request).
    while gathered(batcher) < len(texts) - 1:
        time.sleep(0.005)
    sender.release.set()
    for t in [*threads, *rest]:
        t.join(WAIT_S)
    return out


def test_concurrent_callers_share_one_request_and_get_their_own_vectors():
    sender = GatedSender()
    batcher = EmbeddingBatcher(sender)
    texts = ["first", "alpha", "beta", "gamma", "beta"]
    out = run_callers(batcher, texts, sender)
    # The callers gathered in any order; "beta" is asked for once.
    assert len(sender.requests) == 2 and sender.requests[0] == ["first"]
    assert sorted(sender.requests[1]) == ["alpha", "beta", "gamma"]
    for i, text in enumerate(texts):
        assert out[i] == [float(len(text)), float(sum(map(ord, text)))]


def test_a_text_asked_for_while_its_request_is_in_flight_waits_for_that_answer():
    # A turn's decision step and its memory recall ask for the message at the same time.
    sender = GatedSender()
    batcher = EmbeddingBatcher(sender)
    out: dict[int, object] = {}

    def call(i: int) -> None:
        out[i] = batcher.embed_one("where are my keys", "minilm")

    first = threading.Thread(target=call, args=(0,))
    first.start()
    assert sender.first_in.wait(WAIT_S)
    second = threading.Thread(target=call, args=(1,))
    second.start()
    while batcher._in_flight["minilm"].callers < 2:
        time.sleep(0.005)
    sender.release.set()
    for t in (first, second):
        t.join(WAIT_S)
    assert sender.requests == [["where are my keys"]]
    assert out[0] == out[1] == [17.0, float(sum(map(ord, "where are my keys")))]
    assert not batcher._in_flight and not batcher._open


def test_an_engine_error_reaches_every_waiter():
    sender = GatedSender(fail=True)
    batcher = EmbeddingBatcher(sender)
    out = run_callers(batcher, ["first", "alpha", "beta"], sender)
    assert len(sender.requests) == 2
    for i in range(3):
        assert isinstance(out[i], EngineError)
        assert out[i].message == "The embedding model failed: out of memory"


def test_the_client_embeds_a_turns_message_once_whatever_its_spacing():
    seen: list[list[str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["input"]
        seen.append(texts)
        data = [{"index": i, "embedding": [float(len(t)), 1.0]} for i, t in enumerate(texts)]
        return httpx.Response(200, json={"data": data})

    engine = EngineClient("http://engine.invalid")
    engine._http = httpx.Client(transport=httpx.MockTransport(answer))
    # The decision step embeds the message's words one space apart; the recall as written.
    assert engine.embed(["where  did I\nput the keys?"]) == engine.embed(
        ["where did I put the keys?"]
    )
    assert seen == [["where did I put the keys?"]]


def test_the_client_counts_a_text_once():
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["input"])
        return httpx.Response(200, json={"count": 7})

    engine = EngineClient("http://engine.invalid")
    engine._http = httpx.Client(transport=httpx.MockTransport(answer))
    assert engine.count_tokens("You are a helpful assistant.") == 7
    assert engine.count_tokens("You are a helpful assistant.") == 7
    assert engine.count_tokens("Something new") == 7
    assert seen == ["You are a helpful assistant.", "Something new"]
