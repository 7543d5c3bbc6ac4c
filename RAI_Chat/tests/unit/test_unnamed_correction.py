"""A correction that names no subject ("Actually it's Lisbon, not Madrid."): the one stored
fact that holds the old value takes the new one, the old fact staying in the history; no
guess when no fact or several hold it, or when the decision step does not call the message
a correction. Through the after-turn capture (``maintenance.add_tiers``) on SQLite."""

from __future__ import annotations

import pytest

from RAI_Chat.backend.core.database.models import ChatSession, Message, User, new_id
from RAI_Chat.backend.schemas.events import MessageStatus
from RAI_Chat.backend.services.memory import capture as capture_module
from RAI_Chat.backend.services.memory.facts import UserFacts
from RAI_Chat.backend.services.memory.maintenance import add_tiers
from RAI_Chat.backend.services.memory.statements import replaced_value

from .test_stated_facts import FakeEngine


class Engine(FakeEngine):
    """The capture's model fails (the exact reading is used); tokens are words."""

    def __init__(self) -> None:
        super().__init__("fail")

    def count_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.mark.parametrize(
    ("message", "replaced"),
    [
        ("Actually it's Lisbon, not Madrid.", ("Lisbon", "Madrid")),
        ("I meant Thursday, not Tuesday", ("Thursday", "Tuesday")),
        ("Sorry — it's São Paulo, not Rio.", ("São Paulo", "Rio")),
        ("it should be Kowalczyk not Kowalski", ("Kowalczyk", "Kowalski")),
        ("That's not right.", None),
        ("It is not Madrid.", None),
        ("My cat is Luna, not Lola.", None),  # has its subject: read by ``statements``
        ("Paris, not London, is the capital of France.", None),
        ("It's Lisbon, not Madrid. And book a table.", None),  # one sentence only
        ("Zara, Sara was a typo", ("Zara", "Sara")),
        ("Sara was a mistake - it's Zara.", ("Zara", "Sara")),
        ("that was wrong, it's Rex", None),  # "that" is no value to look for
        ("It's the blue one, not the red one.", None),
    ],
)
def test_the_new_and_old_value_of_a_correction_with_no_subject(message, replaced):
    assert replaced_value(message) == replaced


def said(database, facts: list[str], message: str) -> tuple[str, str]:
    """A user with these facts stored, and their message; (user id, message id)."""
    with database.unit_of_work() as uow:
        name = new_id()[:12]
        user = User(username=name, username_key=name, password_hash="x")
        uow.session.add(user)
        uow.session.flush()
        chat = ChatSession(user_id=user.id, title="t")
        uow.session.add(chat)
        uow.session.flush()
        row = Message(
            id=new_id(),
            session_id=chat.id,
            user_id=user.id,
            role="user",
            content=message,
            status=MessageStatus.complete,
        )
        uow.session.add(row)
        uow.commit()
        user_id, message_id = user.id, row.id
    for fact in facts:
        UserFacts(user_id, database).remember(fact)
    return user_id, message_id


def test_the_fact_holding_the_old_value_takes_the_new_one(database, monkeypatch):
    monkeypatch.setattr(capture_module, "decided_tool", lambda engine, text: "correct")
    user_id, message_id = said(
        database,
        ["The user lives in Madrid.", "The user has a cat called Miso."],
        "Actually it's Lisbon, not Madrid.",
    )
    add_tiers(database, Engine(), [message_id], user_id)
    facts = UserFacts(user_id, database)
    assert sorted(facts.active_texts()) == [
        "The user has a cat called Miso.",
        "The user lives in Lisbon.",
    ]
    history = {f["fact"]: f for f in facts.list(include_history=True)}
    assert history["The user lives in Madrid."]["status"] == "superseded"
    assert history["The user lives in Lisbon."]["source_message_id"] == message_id


@pytest.mark.parametrize(
    ("tool", "stored"),
    [
        ("none", ["The user lives in Madrid."]),  # not called a correction: no change
        ("correct", ["The user lives in Madrid.", "The user's sister lives in Madrid."]),
    ],
)
def test_nothing_is_guessed(database, monkeypatch, tool, stored):
    monkeypatch.setattr(capture_module, "decided_tool", lambda engine, text: tool)
    user_id, message_id = said(database, stored, "Actually it's Lisbon, not Madrid.")
    add_tiers(database, Engine(), [message_id], user_id)
    assert sorted(UserFacts(user_id, database).active_texts()) == sorted(stored)
