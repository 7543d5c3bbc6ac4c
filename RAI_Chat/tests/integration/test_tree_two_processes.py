"""A regenerated answer streamed from one API process is resumed from another (two API
processes on one PostgreSQL, Redis for limits and jobs), exactly as a normal turn."""

import pytest

from llm_Engine.testing.fake_upstreams import FakeOpenAI

from ..chat_helpers import new_user, sse_events, start_fake_engine, stop_process, tokens
from ..conftest import create_pg_database, drop_pg_database, start_api_server, stop_api_server

FIRST = "The first answer."
REPLY = " ".join(f"piece{i}" for i in range(50))


@pytest.mark.postgres
def test_a_regenerated_answer_resumes_from_another_process(postgres_server, redis_server, tmp_path):
    name, db_url = create_pg_database(postgres_server)
    fake = FakeOpenAI(reply=FIRST).start()
    engine, engine_url = start_fake_engine(fake)
    env = {
        "DATABASE_URL": db_url,
        "LLM_API_URL": engine_url,
        "REDIS_URL": redis_server,
        "RAI_API_WORKERS": "1",
    }
    first = start_api_server(env, tmp_path / "a")
    second = start_api_server(env, tmp_path / "b")
    try:
        with first.client() as a, second.client() as b:
            user = new_user(a)
            turn = user.chat("hello").json()
            fake.reply, fake.chunk_delay = REPLY, 0.05
            seen = []
            with a.stream(
                "POST",
                "/api/chat/regenerate",
                json={"message_id": turn["assistant_message_id"], "streaming": True},
                headers=user.headers,
            ) as response:
                assert response.status_code == 200
                for item in sse_events(response):
                    seen.append(item)
                    if sum(e["type"] == "token" for _, e in seen) >= 5:
                        break
            answer = seen[0][1]["assistant_message_id"]
            assert answer != turn["assistant_message_id"]
            with b.stream(
                "GET",
                f"/api/chat/stream/{answer}",
                headers={**user.headers, "Last-Event-ID": str(seen[-1][0])},
            ) as response:
                rest = list(sse_events(response))
            events = seen + rest
            assert [i for i, _ in events] == list(range(1, len(events) + 1))
            assert tokens(events) == REPLY
            assert events[-1][1]["type"] == "done" and events[-1][1]["response"] == REPLY
            # The other process shows the regenerated answer as the active branch, the
            # first one as its sibling.
            page = b.get(f"/api/session/{turn['session_id']}", headers=user.headers).json()
            newest = page["messages"][0]
            assert (newest["id"], newest["content"]) == (answer, REPLY)
            assert newest["sibling_ids"] == [turn["assistant_message_id"], answer]
            assert page["session"]["active_leaf_id"] == answer
    finally:
        stop_api_server(first)
        stop_api_server(second)
        stop_process(engine)
        fake.stop()
        drop_pg_database(postgres_server, name)
