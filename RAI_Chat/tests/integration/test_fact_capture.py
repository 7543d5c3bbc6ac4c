"""Facts captured in the background from what the user says (SQLite and PostgreSQL through
``db_url``): one structured call per message gives its tiers and its facts; each fact is
checked against the message, deduplicated, superseded by a new value with history kept,
and linked to the message it came from."""

from __future__ import annotations

import json
import uuid

import pytest

from RAI_Chat.backend.core.auth.service import add_user
from RAI_Chat.backend.core.database.migrate import upgrade
from RAI_Chat.backend.core.database.models import ChatSession, Message
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.services.llm_client import EngineError
from RAI_Chat.backend.services.memory.capture import CAPTURE_SCHEMA, checked_facts
from RAI_Chat.backend.services.memory.facts import UserFacts
from RAI_Chat.backend.services.memory.maintenance import add_tiers


class JsonModel:
    """An engine whose model answers, for each message, the JSON scripted for it (messages
    are not taken in a fixed order)."""

    def __init__(self):
        self.answers: dict[str, str] = {}  # message id -> answer
        self.texts: dict[str, str] = {}  # message id -> text
        self.requests: list[dict] = []

    def complete(self, messages, *, max_tokens, temperature=None, json_schema=None, model=None):
        self.requests.append({"messages": messages, "json_schema": json_schema})
        prompt = messages[-1]["content"]
        (message_id,) = [i for i, t in self.texts.items() if f"Message: {t}\n" in prompt]
        answer = self.answers[message_id]
        if answer == "fail":
            raise EngineError("down")
        return answer

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)


@pytest.fixture
def world(db_url):
    database = Database(db_url)
    upgrade(database.engine)
    with database.unit_of_work() as uow:
        user = add_user(uow, f"capture_{uuid.uuid4().hex[:8]}", "correct horse 1", is_admin=False)
        chat = ChatSession(user_id=user.id, title="t")
        uow.session.add(chat)
        uow.commit()
        ids = (user.id, chat.id)
    yield database, *ids
    database.dispose()


def said(world, text: str, role: str = "user", model: JsonModel | None = None) -> str:
    database, user_id, session_id = world
    with database.unit_of_work() as uow:
        message = Message(session_id=session_id, user_id=user_id, role=role, content=text)
        uow.session.add(message)
        uow.commit()
        if model is not None:
            model.texts[message.id] = text
        return message.id


def answer(facts: list[tuple[str, str]], summary: str = "The user says something.") -> str:
    return json.dumps({"facts": [{"about": a, "value": v} for a, v in facts], "summary": summary})


def active(world) -> dict[str, str]:
    database, user_id, _ = world
    return {f["fact"]: f["source_message_id"] for f in UserFacts(user_id, database).list()}


def test_stated_facts_are_stored_with_their_source_message_and_the_tiers_come_along(world):
    database, user_id, _ = world
    model = JsonModel()
    first = said(
        world, "Hi! My name is Alice and I live in Lyon. I have a cat called Miso.", model=model
    )
    model.answers[first] = answer([("name", "Alice"), ("city", "Lyon"), ("cat's name", "Miso")])
    add_tiers(database, model, [first], user_id)
    assert active(world) == {
        "The user's name: Alice": first,
        "The user's city: Lyon": first,
        "The user's cat's name: Miso": first,
    }
    assert len(model.requests) == 1  # one call for tier 1, tier 2 and the facts
    schema = model.requests[0]["json_schema"]  # at least one fact from a first-person message
    assert schema["properties"]["facts"]["minItems"] == 1
    assert schema["required"] == CAPTURE_SCHEMA["required"]
    with database.unit_of_work() as uow:
        tier1 = uow.session.get(Message, first).tier1_content
    assert tier1 == "name=Alice; city=Lyon; cat_s_name=Miso"


def test_a_new_value_supersedes_the_old_fact_and_history_is_kept(world):
    database, user_id, _ = world
    model = JsonModel()
    first, second, third = (
        said(world, "I live in Lisbon.", model=model),
        said(world, "Correction: I live in Porto now, not Lisbon.", model=model),
        said(world, "I live in Porto, as I said.", model=model),
    )
    model.answers[first] = answer([("city", "Lisbon")])
    model.answers[second] = model.answers[third] = answer([("city", "Porto")])
    for message_id in (first, second, third):  # one message after the other, as in turns
        add_tiers(database, model, [message_id], user_id)
    assert active(world) == {"The user's city: Porto": second}  # no duplicate from the third
    history = UserFacts(user_id, database).list(include_history=True)
    assert {f["fact"]: f["status"] for f in history} == {
        "The user's city: Porto": "active",
        "The user's city: Lisbon": "superseded",
    }


def test_invented_facts_and_facts_of_questions_are_not_stored(world):
    database, user_id, _ = world
    model = JsonModel()
    statement = said(world, "I work as a nurse.", model=model)
    question = said(
        world, "Do you know what my job is? " + "I wonder about Portugal. " * 6, model=model
    )
    model.answers[statement] = answer(
        [("job", "nurse"), ("age", "25"), ("name", "Jordan"), ("pet", "cat")]
    )
    model.answers[question] = answer([("job", "Portugal")])
    add_tiers(database, model, [statement, question], user_id)
    assert active(world) == {"The user's job: nurse": statement}


def test_an_assistant_message_stores_no_fact_and_a_failed_call_keeps_the_users_words(world):
    database, user_id, _ = world
    model = JsonModel()
    long_reply = "Nice to meet you, my name is RAI. " + "I can help with many things. " * 6
    reply = said(world, long_reply, role="assistant", model=model)
    failed = said(world, "My name is Bob.", model=model)
    question = said(world, "What is the capital of Portugal?", model=model)  # no call
    model.answers[reply] = answer([("name", "RAI")])
    model.answers[failed] = "fail"
    add_tiers(database, model, [reply, failed, question], user_id)
    assert len(model.requests) == 2
    # The model failed; the statement is read exactly from the user's own words.
    assert active(world) == {"The user's name is Bob.": failed}
    with database.unit_of_work() as uow:
        assert uow.session.get(Message, failed).tier1_content == "name=The user's name is Bob."


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ([{"about": "my city", "value": "Lyon."}], [("city", "Lyon")]),
        ([{"about": "city", "value": "Paris"}], []),
        ([{"about": "", "value": "Lyon"}], []),
        ([{"about": "name", "value": "I"}], []),
        ([{"about": "name", "value": "forget my name"}], []),
        (["not an object"], []),
    ],
)
def test_a_fact_is_kept_only_as_the_message_supports_it(raw, kept):
    assert checked_facts(raw, "I live in Lyon and my name is Al. Forget my name.") == kept


@pytest.mark.parametrize(
    ("message", "raw", "kept"),
    [
        (
            "My surname is Okafor, not Okafo.",
            [{"about": "surname", "value": "Okafor"}, {"about": "surname", "value": "Okafo"}],
            [("surname", "Okafor")],
        ),
        (
            "I no longer live in Quito, I live in Cuenca now.",
            [{"about": "city", "value": "Quito"}, {"about": "city", "value": "Cuenca"}],
            [("city", "Cuenca")],
        ),
        (
            "I wrote Bruno by mistake, my dog is called Bruna.",
            [{"about": "dog's name", "value": "Bruno"}, {"about": "dog", "value": "Bruna"}],
            [("dog", "Bruna")],
        ),
        (
            "I don't play rugby anymore; these days I row.",
            [{"about": "sport", "value": "rugby"}],
            [],
        ),
        (
            "I stopped learning Dutch, I'm no longer learning it.",
            [
                {"about": "hobby", "value": "no longer learning it"},
                {"about": "language", "value": "Dutch"},
                {"about": "dates", "value": "Dutch"},
            ],
            [("language", "Dutch")],
        ),
        (
            "I teach physics rather than chemistry.",
            [{"about": "subject", "value": "physics"}, {"about": "subject", "value": "chemistry"}],
            [("subject", "physics")],
        ),
    ],
)
def test_the_old_value_of_a_correction_is_not_a_fact(message, raw, kept):
    assert checked_facts(raw, message) == kept


def test_synonymous_subjects_supersede_each_other(world):
    database, user_id, _ = world
    model = JsonModel()
    first = said(world, "I live in Quito.", model=model)
    model.answers[first] = answer([("home", "Quito")])
    add_tiers(database, model, [first], user_id)
    second = said(world, "I moved, my city is Cuenca now.", model=model)
    model.answers[second] = answer([("city", "Cuenca")])
    add_tiers(database, model, [second], user_id)
    assert list(active(world)) == ["The user's city: Cuenca"]
    history = {f["fact"]: f["status"] for f in UserFacts(user_id, database).list(True)}
    assert history == {"The user's city: Cuenca": "active", "The user's city: Quito": "superseded"}
