"""A stated fact is stored even when the model's structured extraction gives nothing usable:
through the real API (gunicorn, in-process job consumer) and the real engine, whose MiniLM
serves the decision step's classifier, with a scripted model behind it that answers the
turn and then the capture call."""

from __future__ import annotations

import json
import time

import pytest

from conftest import start_engine, wait_for_health
from llm_Engine.testing.server_thread import free_port

from ..chat_helpers import engine_env, new_user, stop_process, stream_turn
from ..conftest import start_api_server, stop_api_server
from ..fakes.scripted_openai import ScriptedOpenAI


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("capture_api")
    model = ScriptedOpenAI().start()
    port = free_port()
    engine = start_engine(port, {**engine_env(model), "LLM_EMBEDDING_MODEL": "true"})
    engine_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(engine, engine_url, timeout=180)
        api = start_api_server(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'capture.db'}",
                "LLM_API_URL": engine_url,
                "RATELIMIT_ENABLED": "false",
                "REFINE_TITLES": "false",
                "JOBS_MODE": "inprocess",
                "RAI_API_WORKERS": "1",  # one consumer: jobs run in the order of the turns
            },
            tmp_path,
            timeout=180,
        )
        yield model, api
        stop_api_server(api)
    finally:
        stop_process(engine)
        model.stop()


@pytest.fixture
def model(stack):
    return stack[0]


@pytest.fixture
def user(stack):
    with stack[1].client() as http:
        yield new_user(http)


def facts(user, history: bool = False) -> list[dict]:
    params = {"include_history": "true"} if history else {}
    response = user.http.get("/api/memory/facts", params=params, headers=user.headers)
    return response.json()["facts"]


def captured(user, expected: list[str], timeout: float = 120) -> list[dict]:
    """The user's active facts once they are ``expected`` (the background job stores them
    after the turn)."""
    deadline = time.monotonic() + timeout
    while True:
        found = facts(user)
        if [f["fact"] for f in found] == expected:
            return found
        assert time.monotonic() < deadline, facts(user, history=True)
        time.sleep(0.2)


def capture_calls(model) -> list[dict]:
    return [r for r in model.chat_requests if r.get("response_format")]


def capture_answer(raw_facts: list[dict]) -> str:
    return json.dumps({"facts": raw_facts, "summary": "The user talks about their car."})


LONG = " The long road along the coast is lovely in summer, with the windows down." * 2


def test_a_stated_fact_is_stored_with_its_source_when_the_models_extraction_is_empty(model, user):
    # A long message: the model is asked (for its summary) and names no fact.
    model.play("Nice, a Volvo!", capture_answer([]))
    events = stream_turn(user, "I drive a blue Volvo." + LONG)
    done = events[-1][1]
    assert done["type"] == "done" and done["decision"]["tool"] == "remember"
    (fact,) = captured(user, ["The user drives a blue Volvo."])
    assert fact["source_message_id"] == done["user_message_id"]
    assert fact["source_session_id"] == done["session_id"]
    (call,) = capture_calls(model)
    schema = call["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["facts"]["minItems"] == 1  # the model was asked for one


def test_a_short_statement_is_stored_without_a_model_call(model, user):
    model.play("Nice, a Volvo!", capture_answer([{"about": "car", "value": "blue Volvo"}]))
    done = stream_turn(user, "I drive a blue Volvo.")[-1][1]
    (fact,) = captured(user, ["The user drives a blue Volvo."])
    assert fact["source_message_id"] == done["user_message_id"]
    assert capture_calls(model) == []  # only the answer was asked of the model


def test_a_correction_supersedes_by_subject_and_its_old_value_is_never_stored(model, user):
    model.play("Nice, a Volvo!")
    stream_turn(user, "I drive a blue Volvo.")
    captured(user, ["The user drives a blue Volvo."])
    model.play("Got it.")
    done = stream_turn(user, "Actually I drive a red Volvo, not a blue one.")[-1][1]
    assert done["decision"]["tool"] == "correct"
    captured(user, ["The user drives a red Volvo."])
    history = {f["fact"]: f["status"] for f in facts(user, history=True)}
    assert history == {
        "The user drives a red Volvo.": "active",
        "The user drives a blue Volvo.": "superseded",
    }


def test_a_question_or_a_request_about_the_user_stores_nothing(model, user):
    # The model names a "fact" for each; the statement reader finds none to keep.
    for message in ("What car do I drive? I wonder if it is a Volvo.", "Name my new Volvo."):
        model.play("Sure.", capture_answer([{"about": "car", "value": "Volvo"}]))
        assert stream_turn(user, message)[-1][1]["type"] == "done"
    # One job consumer: once the fact of a later statement is stored, both earlier
    # messages have been captured.
    model.play("Noted.")
    stream_turn(user, "I live in Ghent.")
    captured(user, ["The user lives in Ghent."])
