"""Two API processes on one PostgreSQL (and Redis for limits and jobs) serve one user
interchangeably: a turn streamed from one is resumed and listed from the other."""

import pytest

from llm_Engine.testing.fake_upstreams import FakeOpenAI

from ..chat_helpers import new_user, sse_events, start_fake_engine, stop_process, tokens
from ..conftest import create_pg_database, drop_pg_database, start_api_server, stop_api_server

REPLY = " ".join(f"piece{i}" for i in range(50))


@pytest.fixture
def redis_url(redis_server):
    return redis_server


@pytest.mark.postgres
def test_a_turn_streamed_from_one_process_resumes_and_lists_from_another(
    postgres_server, redis_url, tmp_path
):
    name, db_url = create_pg_database(postgres_server)
    fake = FakeOpenAI(reply=REPLY, chunk_delay=0.05).start()
    engine, engine_url = start_fake_engine(fake)
    env = {
        "DATABASE_URL": db_url,
        "LLM_API_URL": engine_url,
        "REDIS_URL": redis_url,
        "RAI_API_WORKERS": "1",
    }
    first = start_api_server(env, tmp_path / "a")
    second = start_api_server(env, tmp_path / "b")
    try:
        with first.client() as a, second.client() as b:
            user = new_user(a)
            seen = []
            with a.stream(
                "POST",
                "/api/chat/",
                json={"message": "hello", "streaming": True},
                headers=user.headers,
            ) as response:
                for item in sse_events(response):
                    seen.append(item)
                    if sum(e["type"] == "token" for _, e in seen) >= 5:
                        break
            answer_id, session_id = seen[0][1]["assistant_message_id"], seen[0][1]["session_id"]
            with b.stream(
                "GET",
                f"/api/chat/stream/{answer_id}",
                headers={**user.headers, "Last-Event-ID": str(seen[-1][0])},
            ) as response:
                rest = list(sse_events(response))
            events = seen + rest
            assert [i for i, _ in events] == list(range(1, len(events) + 1))
            assert tokens(events) == REPLY
            assert events[-1][1]["type"] == "done"
            listed = b.get("/api/session/", headers=user.headers).json()["sessions"]
            assert [s["id"] for s in listed] == [session_id]
            messages = b.get(f"/api/session/{session_id}", headers=user.headers).json()
            assert messages["messages"][0]["content"] == REPLY
            # The token from one process is good on the other; a turn from b continues it.
            again = b.post(
                "/api/chat/",
                json={"message": "more", "session_id": session_id},
                headers=user.headers,
            )
            assert again.status_code == 200
    finally:
        stop_api_server(first)
        stop_api_server(second)
        stop_process(engine)
        fake.stop()
        drop_pg_database(postgres_server, name)
