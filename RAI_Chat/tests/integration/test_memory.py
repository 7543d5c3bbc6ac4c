"""Memory over real HTTP: fake upstream → real engine (with the real MiniLM embeddings) →
real API (gunicorn, in-process job consumer), on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import httpx
import pytest

from conftest import start_engine, wait_for_health
from llm_Engine.testing.fake_upstreams import FakeOpenAI
from llm_Engine.testing.server_thread import free_port
from RAI_Chat.backend.services.memory.ranking import DATE_BOOST

from ..chat_helpers import engine_env, new_user, stop_process
from ..conftest import BOTH_DATABASES, fresh_database, start_api_server, stop_api_server

CONTEXT_BUDGET = 1400
MAX_ANSWER = 200
PROMPT_BUDGET = CONTEXT_BUDGET - MAX_ANSWER
REPLY = "Noted, thanks for telling me about that."


@pytest.fixture(scope="module")
def engine(request):
    fake = FakeOpenAI(reply=REPLY).start()
    port = free_port()
    process = start_engine(port, {**engine_env(fake), "LLM_EMBEDDING_MODEL": "true"})
    url = f"http://127.0.0.1:{port}"
    wait_for_health(process, url, timeout=120)
    yield fake, url
    stop_process(process)
    fake.stop()


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def api(request, engine, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("memory")
    with fresh_database(request, tmp_path) as db_url:
        server = start_api_server(
            {
                "DATABASE_URL": db_url,
                "LLM_API_URL": engine[1],
                "RATELIMIT_ENABLED": "false",
                "CONTEXT_TOKEN_BUDGET": str(CONTEXT_BUDGET),
                "MAX_ANSWER_TOKENS": str(MAX_ANSWER),
                "REFINE_TITLES": "false",
            },
            tmp_path,
        )
        yield server
        stop_api_server(server)


@pytest.fixture
def http(api):
    with api.client() as client:
        yield client


def count(engine_url: str, text: str) -> int:
    response = httpx.post(f"{engine_url}/tokenize", json={"model": "default", "input": text})
    return response.json()["count"]


def prompt_tokens(engine_url: str, messages: list[dict]) -> int:
    return sum(count(engine_url, m["content"]) + 6 for m in messages)


def wait_until(predicate, timeout=90, interval=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


def test_a_300_turn_conversation_stays_in_budget_and_recalls_a_fact_from_turn_3(engine, http):
    fake, engine_url = engine
    user = new_user(http)
    first = user.chat("Hello there, I want to plan my week.").json()
    session_id = first["session_id"]
    user.chat("I have a lot of meetings on Monday.", session_id=session_id)
    user.chat("Remember this: my locker combination is PELICAN-4711.", session_id=session_id)
    start = len(fake.requests)
    topics = ["gardening", "cooking pasta", "train timetables", "chess openings", "rain"]
    for turn in range(4, 300):
        response = user.chat(
            f"Turn {turn}: tell me something about {topics[turn % 5]}.", session_id=session_id
        )
        assert response.status_code == 200, response.text
    chat_requests = [
        r for r in fake.requests[start:] if r["messages"][-1]["content"].startswith("Turn ")
    ]
    assert len(chat_requests) == 296
    # The full history would be far larger than the budget.
    assert len(chat_requests[-1]["messages"]) < 40

    # The exchanges that left the window were archived (in the background) ...
    wait_until(
        lambda: http.get(
            "/api/memory/search", params={"q": "locker combination"}, headers=user.headers
        ).json()["results"]
    )
    # ... and the fact comes back when it matters, at turn 300.
    # (Not a plain question: that one the remembered fact alone answers, with no model call.)
    asked = user.chat("What is my locker combination? I keep forgetting.", session_id=session_id)
    assert asked.status_code == 200
    final = next(
        r
        for r in reversed(fake.requests)
        if r["messages"][-1]["content"].startswith("What is my locker combination?")
    )
    assert "PELICAN-4711" in final["messages"][0]["content"]

    # The last five messages always stay in the session's window.
    page = http.get(f"/api/session/{session_id}", params={"limit": 5}, headers=user.headers).json()
    window_text = "\n".join(m["content"] for m in final["messages"])
    for message in page["messages"][2:]:  # the two newest are the question and its answer
        assert message["content"] in window_text

    # Prompt sizes last: counting them leaves the API connection idle for seconds, longer
    # than the server's keep-alive (2 s), and the next request could race its close.
    sizes = [prompt_tokens(engine_url, r["messages"]) for r in chat_requests[::37]]
    sizes.append(prompt_tokens(engine_url, chat_requests[-1]["messages"]))
    sizes.append(prompt_tokens(engine_url, final["messages"]))
    assert max(sizes) <= PROMPT_BUDGET, sizes


def test_facts_are_deduplicated_corrected_with_history_and_deleted(http):
    user = new_user(http)
    first = http.post("/api/memory/facts", json={"fact": "Lives in Lisbon"}, headers=user.headers)
    assert first.status_code == 201
    again = http.post("/api/memory/facts", json={"fact": "lives in LISBON."}, headers=user.headers)
    assert again.status_code == 200
    assert again.json()["fact"]["id"] == first.json()["fact"]["id"]
    fact_id = first.json()["fact"]["id"]
    corrected = http.patch(
        f"/api/memory/facts/{fact_id}", json={"fact": "Lives in Porto"}, headers=user.headers
    )
    assert corrected.status_code == 200
    active = http.get("/api/memory/facts", headers=user.headers).json()["facts"]
    assert [f["fact"] for f in active] == ["Lives in Porto"]
    history = http.get(
        "/api/memory/facts", params={"include_history": "true"}, headers=user.headers
    ).json()["facts"]
    old = next(f for f in history if f["fact"] == "Lives in Lisbon")
    assert old["status"] == "superseded"
    assert old["superseded_by_id"] == corrected.json()["fact"]["id"]
    deleted = http.delete(
        f"/api/memory/facts/{corrected.json()['fact']['id']}", headers=user.headers
    )
    assert deleted.status_code == 200
    assert http.get("/api/memory/facts", headers=user.headers).json()["facts"] == []


def test_remembered_facts_are_in_every_prompt(engine, http):
    fake, _ = engine
    user = new_user(http)
    http.post("/api/memory/facts", json={"fact": "Is allergic to peanuts"}, headers=user.headers)
    user.chat("Suggest a snack.")
    sent = next(
        r for r in reversed(fake.requests) if r["messages"][-1]["content"] == "Suggest a snack."
    )
    assert "Is allergic to peanuts" in sent["messages"][0]["content"]


def test_one_users_search_never_returns_anothers_entries(http):
    alice, bob = new_user(http), new_user(http)
    transcript = {
        "format": "rai-chat-session",
        "version": 1,
        "session": {"title": "Secret"},
        "messages": [
            {"role": "user", "content": "My bank password hint is ALBATROSS."},
            {"role": "assistant", "content": "I will keep that in mind."},
        ],
    }
    imported = http.post("/api/session/import", json=transcript, headers=alice.headers)
    assert imported.status_code == 201
    found = http.get("/api/memory/search", params={"q": "albatross"}, headers=alice.headers)
    assert found.json()["results"], found.text
    entry_id = found.json()["results"][0]["id"]
    theirs = http.get("/api/memory/search", params={"q": "albatross"}, headers=bob.headers)
    assert theirs.json()["results"] == []
    assert http.delete(f"/api/memory/episodic/{entry_id}", headers=bob.headers).status_code == 404
    # Bob forgetting everything leaves Alice's memory alone.
    assert http.delete("/api/memory/", headers=bob.headers).status_code == 200
    still = http.get("/api/memory/search", params={"q": "albatross"}, headers=alice.headers)
    assert [r["id"] for r in still.json()["results"]] == [entry_id]
    assert http.delete(f"/api/memory/episodic/{entry_id}", headers=alice.headers).status_code == 200


def test_imported_transcripts_become_searchable_by_meaning(http):
    user = new_user(http)
    transcript = {
        "format": "rai-chat-session",
        "version": 1,
        "session": {"title": "Pets"},
        "messages": [
            {"role": "user", "content": "My dog Biscuit loves to chase squirrels in the park."},
            {"role": "assistant", "content": "Biscuit sounds like an energetic pup!"},
        ],
    }
    http.post("/api/session/import", json=transcript, headers=user.headers)
    # No word in common: found by the embeddings (made by a background job).
    hits = wait_until(
        lambda: http.get(
            "/api/memory/search", params={"q": "puppy playing outdoors"}, headers=user.headers
        ).json()["results"]
    )
    assert "Biscuit" in hits[0]["text"]


DATED_CONVERSATION = [
    ("2023-05-08T13:56:00+00:00", "user", "Caroline: I went to a support group yesterday."),
    ("2023-05-08T13:56:00+00:00", "assistant", "Melanie: That sounds like it helped you."),
    ("2023-05-08T13:57:00+00:00", "user", "Caroline: It did. We talked for hours."),
    ("2023-06-20T10:02:00+00:00", "user", "Caroline: A luthier restored Nonna's violin!"),
    ("2023-06-20T10:02:00+00:00", "assistant", "Melanie: Wow, it must sound wonderful now."),
    ("2023-07-01T18:30:00+00:00", "user", "Caroline: We baked sourdough bread this weekend."),
    ("2023-07-01T18:31:00+00:00", "assistant", "Melanie: Share a slice with me next time!"),
]


def test_an_imported_conversation_keeps_its_dates_and_a_turn_is_found_by_meaning(engine, http):
    fake, _ = engine
    user = new_user(http)
    transcript = {
        "format": "rai-chat-session",
        "version": 1,
        "session": {"title": "Caroline and Melanie"},
        "messages": [
            {"role": role, "content": content, "created_at": at}
            for at, role, content in DATED_CONVERSATION
        ],
    }
    imported = http.post("/api/session/import", json=transcript, headers=user.headers)
    assert imported.status_code == 201, imported.text
    session_id = imported.json()["session"]["id"]
    page = http.get(f"/api/session/{session_id}", headers=user.headers).json()
    # Each message keeps its time (equal times keep the file's order).
    kept = [(m["created_at"][:16], m["content"]) for m in reversed(page["messages"])]
    assert kept == [(at[:16], content) for at, _, content in DATED_CONVERSATION]

    # No word in common with the violin turn: only the meaning half can find it.
    question = "fixing an old musical instrument"
    params = {"q": question, "k": 3}
    text_only = http.get(
        "/api/memory/search", params={**params, "mode": "text"}, headers=user.headers
    )
    assert not any("violin" in hit["text"] for hit in text_only.json()["results"])
    hits = wait_until(
        lambda: http.get(
            "/api/memory/search", params={**params, "mode": "vector"}, headers=user.headers
        ).json()["results"]
    )
    assert "violin" in hits[0]["text"]
    best = http.get("/api/memory/search", params=params, headers=user.headers).json()["results"]
    assert "violin" in best[0]["text"]
    assert best[0]["created_at"].startswith("2023-06-20")

    # A date the question names is taken out of both halves' queries, and the entries of
    # that time get DATE_BOOST more: the scores of the same question without the date,
    # 1 July's entry raised ("we" is said on 8 May and on 1 July).
    def scores(question):
        found = http.get(
            "/api/memory/search", params={"q": question, "k": 10}, headers=user.headers
        ).json()["results"]
        return {hit["id"]: (hit["score"], hit["created_at"][:10]) for hit in found}

    plain, dated = scores("What did we do?"), scores("What did we do on 1 July, 2023?")
    assert "2023-07-01" in {day for _, day in dated.values()}
    assert dated.keys() == plain.keys()
    for entry_id, (score, day) in plain.items():
        raised = score + (DATE_BOOST if day == "2023-07-01" else 0.0)
        assert dated[entry_id][0] == pytest.approx(raised, abs=1e-5), (entry_id, day)

    # Recalled in a new conversation with its date, so "when …?" can be answered.
    user.chat("When was the old musical instrument fixed?")
    sent = next(
        r
        for r in reversed(fake.requests)
        if r["messages"][-1]["content"] == "When was the old musical instrument fixed?"
    )
    assert "On 20 June 2023: " in sent["messages"][0]["content"]
    assert "violin" in sent["messages"][0]["content"]


def test_a_fact_from_a_short_earlier_session_is_recalled_in_a_new_one(engine, http):
    fake, _ = engine
    user = new_user(http)
    first = user.chat("My boat is called Saltwater Serenade.").json()
    user.chat("It is moored in Falmouth harbour.", session_id=first["session_id"])
    # Indexed in the background right after the turn, while still in its session's window.
    wait_until(
        lambda: http.get("/api/memory/search", params={"q": "boat"}, headers=user.headers).json()[
            "results"
        ]
    )
    user.chat("What is the name of my boat? I forgot.")  # a new session; not a plain question
    sent = next(
        r
        for r in reversed(fake.requests)
        if r["messages"][-1]["content"].startswith("What is the name of my boat?")
    )
    assert "Saltwater Serenade" in sent["messages"][0]["content"]
    assert len(sent["messages"]) == 2  # nothing else of the old session is in the window


def test_health_says_whether_semantic_search_is_on_and_why_not(engine, http, tmp_path):
    assert http.get("/api/health").json()["semantic_search"] == "on"
    # An embedding model the server does not have: search falls back to full text, and
    # /api/health says so and why.
    server = start_api_server(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'no-vectors.db'}",
            "LLM_API_URL": engine[1],
            "EMBEDDING_MODEL": "no-such-embedder",
            "RATELIMIT_ENABLED": "false",
            "REFINE_TITLES": "false",
        },
        tmp_path,
    )
    try:
        with server.client() as other:
            status = other.get("/api/health").json()["semantic_search"]
            assert status.startswith("off: ") and "no-such-embedder" in status
            user = new_user(other)
            imported = other.post(
                "/api/session/import",
                headers=user.headers,
                json={
                    "format": "rai-chat-session",
                    "version": 1,
                    "session": {"title": "Boats"},
                    "messages": [
                        {"role": "user", "content": "My sailing boat is called Tern."},
                        {"role": "assistant", "content": "A fine name for a boat."},
                    ],
                },
            )
            assert imported.status_code == 201, imported.text
            found = other.get(
                "/api/memory/search", params={"q": "sailing boat Tern"}, headers=user.headers
            )
            assert found.status_code == 200, found.text
            assert any("Tern" in hit["text"] for hit in found.json()["results"])
    finally:
        stop_api_server(server)
