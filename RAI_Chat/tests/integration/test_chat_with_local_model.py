"""A chat turn end to end on the real local model: API (gunicorn) → engine → llama.cpp."""

import pytest

from ..chat_helpers import new_user, stream_turn, tokens
from ..conftest import start_api_server, stop_api_server


@pytest.fixture(scope="module")
def api_on_local_model(engine_server, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("local")
    api = start_api_server(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'local.db'}",
            "LLM_API_URL": engine_server,
            "MAX_ANSWER_TOKENS": "48",
        },
        tmp_path,
    )
    yield api
    stop_api_server(api)


def test_the_local_model_answers_a_question_and_streams(api_on_local_model):
    with api_on_local_model.client(timeout=120) as http:
        user = new_user(http)
        response = user.chat("What is the capital of France? Answer with one word.")
        assert response.status_code == 200, response.text
        body = response.json()
        assert "paris" in body["response"].lower()
        assert body["usage"]["prompt_tokens"] > 0
        # A sentence, so that the answer comes in several pieces (one word may be one token).
        events = stream_turn(
            user,
            "And what is the capital of Italy? Answer in one full sentence.",
            session_id=body["session_id"],
        )
        assert [e["type"] for _, e in events][-1] == "done"
        streamed = tokens(events)
        assert sum(e["type"] == "token" for _, e in events) > 1
        assert streamed == events[-1][1]["response"] and streamed.strip()
        health = http.get("/api/health").json()
        assert health == {
            "status": "ok",
            "database": "ok",
            "engine": "ok",
            "semantic_search": "on",
        }
