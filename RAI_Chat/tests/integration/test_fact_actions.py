"""CORRECT and FORGET_THIS on a user's real facts (SQLite and PostgreSQL through
``db_url``): they change only what they name and report what they changed."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from RAI_Chat.backend.core.auth.service import add_user
from RAI_Chat.backend.core.database.migrate import upgrade
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.core.markers import parse_markers
from RAI_Chat.backend.services.actions.handler import ActionHandler
from RAI_Chat.backend.services.memory.facts import UserFacts
from RAI_Chat.backend.services.turn_actions import TurnPorts


@pytest.fixture
def facts(db_url):
    database = Database(db_url)
    upgrade(database.engine)
    with database.unit_of_work() as uow:
        user = add_user(uow, f"facts_{uuid.uuid4().hex[:8]}", "correct horse 1", is_admin=False)
    yield UserFacts(user.id, database)
    database.dispose()


def run(facts: UserFacts, user_text: str, answer: str) -> list[dict]:
    turn = SimpleNamespace(user_message_id=None, session_id=None)
    ports = TurnPorts(facts.user_id, facts.database, None, turn, None)
    handler = ActionHandler(ports, user_text=user_text)
    return [e for e in handler.run(parse_markers(answer)).events if e["type"] == "action"]


def remembered(facts: UserFacts) -> dict[str, str]:
    return {f["fact"]: f["status"] for f in facts.list(include_history=True)}


def test_forget_this_forgets_only_the_fact_it_names_and_the_user_asked_about(facts):
    for fact in ["lives in Lisbon", "phone is 555", "name is Sam"]:
        facts.remember(fact)
    # A trigger word in an unrelated request forgets nothing.
    (event,) = run(facts, "Can you remove the onions?", "[FORGET_THIS: lives in Lisbon]")
    assert event["outcome"] == "skipped"
    # A marker naming no remembered fact forgets nothing, even when the user asks.
    (event,) = run(facts, "Please forget my email.", "[FORGET_THIS: email]")
    assert (event["outcome"], event["detail"]) == ("skipped", "no remembered fact matches “email”")
    assert set(facts.active_texts()) == {"lives in Lisbon", "phone is 555", "name is Sam"}
    (event,) = run(facts, "Please forget my phone number.", "[FORGET_THIS: phone]")
    assert (event["outcome"], event["fact"]) == ("ok", "phone is 555")
    assert remembered(facts) == {
        "lives in Lisbon": "active",
        "phone is 555": "forgotten",
        "name is Sam": "active",
    }


def test_correct_reports_what_it_corrected_or_that_there_was_nothing_to_correct(facts):
    facts.remember("lives in Rome")
    (moved,) = run(facts, "I moved to Oslo.", "[CORRECT: lives in Rome: lives in Oslo]")
    assert (moved["outcome"], moved["corrected"], moved["fact"]) == (
        "ok",
        "lives in Rome",
        "lives in Oslo",
    )
    assert moved["detail"] == "“lives in Rome” → “lives in Oslo”"
    (new,) = run(facts, "My name is Jordy, not Jordan.", "[CORRECT: name is Jordan: name is Jordy]")
    assert (new["outcome"], new["corrected"], new["fact"]) == ("ok", None, "name is Jordy")
    assert new["detail"].startswith("nothing to correct")
    (same,) = run(facts, "My name is Jordy.", "[CORRECT: name is jordy: Name is Jordy]")
    assert (same["outcome"], same["corrected"]) == ("skipped", None)
    assert remembered(facts) == {
        "lives in Rome": "superseded",
        "lives in Oslo": "active",
        "name is Jordy": "active",
    }
