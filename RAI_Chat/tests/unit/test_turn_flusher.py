"""The turn flusher (``services/turn_stream.LiveTurns``): one per process, it writes every
live turn's new events and partial answer in one transaction, reads their stop flags, beats
their heartbeat and publishes their events to Redis; a follower in another process replays
the database, then reads the turn's Redis Stream. A real SQLite database (migrated), a real
Redis for the Redis tests; ``flush_once`` is called by hand (no thread, no sleeps)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from RAI_Chat.backend.core.database.migrate import upgrade
from RAI_Chat.backend.core.database.models import (
    ChatSession,
    Message,
    StreamChunk,
    User,
    new_id,
    utcnow,
)
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.schemas.events import MessageStatus, done_event, token_event
from RAI_Chat.backend.services.conversation import ConversationManager
from RAI_Chat.backend.services.turn_stream import (
    REDIS_KEY,
    LiveTurns,
    TurnStream,
    follow_stored,
    stored_events,
)

from ..conftest import BOTH_DATABASES, fresh_database
from .test_turn_services import SETTINGS, WAIT_S, FakeEngine


def running_answer(database: Database) -> str:
    """A user, a session and an answer in progress; the answer's id."""
    with database.unit_of_work() as uow:
        name = new_id()[:12]
        user = User(username=name, username_key=name, password_hash="x")
        uow.session.add(user)
        uow.session.flush()
        chat = ChatSession(user_id=user.id, title="t")
        uow.session.add(chat)
        uow.session.flush()
        answer = Message(
            id=new_id(),
            session_id=chat.id,
            user_id=user.id,
            role="assistant",
            content="",
            status=MessageStatus.in_progress,
        )
        uow.session.add(answer)
        uow.commit()
        return answer.id


def live_stream(live: LiveTurns, database: Database) -> TurnStream:
    stream = TurnStream(running_answer(database))
    stream.answer = []
    live.add(stream, database)
    return stream


def say(stream: TurnStream, *pieces: str) -> None:
    """What the runner does per token: the visible answer, then the event."""
    for piece in pieces:
        stream.answer.append(piece)
        stream.append(token_event(piece))


def done(stream: TurnStream, text: str) -> dict:
    return done_event(
        response=text,
        status=MessageStatus.complete,
        usage={},
        session_id="s",
        assistant_message_id=stream.message_id,
    )


def answer_of(database: Database, message_id: str) -> Message:
    with database.unit_of_work() as uow:
        return uow.session.get(Message, message_id)


def test_the_flusher_stores_each_turns_events_in_order_with_its_partial_answer(database):
    live = LiveTurns(interval=None)
    one, two = live_stream(live, database), live_stream(live, database)
    say(one, "a", "b", "c")
    say(two, "x")
    live.flush_once()
    say(one, "d")
    say(two, "y", "z")
    live.flush_once()
    live.flush_once()  # nothing new: nothing stored twice

    for stream, text in ((one, "abcd"), (two, "xyz")):
        stored = stored_events(database, stream.message_id, 0)
        assert [seq for seq, _ in stored] == list(range(1, len(text) + 1))
        assert "".join(e["content"] for _, e in stored) == text
        assert answer_of(database, stream.message_id).content == text
        assert stream.flushed == len(text)
    with database.unit_of_work() as uow:
        assert len(uow.session.scalars(select(StreamChunk)).all()) == 4
    assert stored_events(database, one.message_id, 2) == [
        (3, token_event("c")),
        (4, token_event("d")),
    ]


@pytest.fixture(params=BOTH_DATABASES)
def any_database(request, tmp_path):
    """A migrated database: SQLite, or a throwaway PostgreSQL one."""
    with fresh_database(request, tmp_path) as url:
        db = Database(url)
        upgrade(db.engine)
        yield db
        db.dispose()


def answer_writes(database: Database) -> list[list]:
    """The UPDATEs of ``messages.content`` that flushes send from now on: each one's
    parameter values (SQLite binds them by position, PostgreSQL by name)."""
    seen: list[list] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE MESSAGES") and "content" in statement:
            rows = parameters if executemany else [parameters]
            seen.append(
                [v for row in rows for v in (row.values() if isinstance(row, dict) else row)]
            )

    event.listen(database.engine, "before_cursor_execute", before)
    return seen


def test_a_growing_partial_answer_is_appended_not_rewritten(any_database):
    database = any_database
    live = LiveTurns(interval=None)
    stream = live_stream(live, database)
    writes = answer_writes(database)
    say(stream, "Héllo", ", ")
    live.flush_once()  # the first flush writes it in full
    say(stream, "wörld")
    live.flush_once()
    say(stream, "!", " ✓")
    live.flush_once()
    live.flush_once()  # nothing new: no write

    assert answer_of(database, stream.message_id).content == "Héllo, wörld! ✓"
    assert len(writes) == 3
    assert "Héllo, " in writes[0]
    # Each later flush sent only what was new, never the text already stored.
    for values, new in zip(writes[1:], ("wörld", "! ✓"), strict=True):
        assert new in values
        assert not any(isinstance(v, str) and "Héllo" in v for v in values)


def test_a_replaced_partial_answer_is_written_in_full(any_database):
    """Not a pure extension of what is stored (the runner assigned a new list, e.g. text
    taken back): the next flush rewrites the partial answer, then appends again."""
    database = any_database
    live = LiveTurns(interval=None)
    stream = live_stream(live, database)
    say(stream, "The answer is ", "[secret]")
    live.flush_once()
    stream.answer = ["The answer is ", "hidden"]
    stream.append(token_event("hidden"))
    live.flush_once()
    assert answer_of(database, stream.message_id).content == "The answer is hidden"
    say(stream, ".")
    live.flush_once()
    assert answer_of(database, stream.message_id).content == "The answer is hidden."


def test_a_continued_answer_keeps_what_it_held_before_the_turn(any_database):
    database = any_database
    live = LiveTurns(interval=None)
    stream = live_stream(live, database)
    stream.answer_before = "Once upon a time"
    say(stream, ", a fox")
    live.flush_once()
    say(stream, " sang.")
    live.flush_once()
    assert answer_of(database, stream.message_id).content == "Once upon a time, a fox sang."


def test_after_a_failed_flush_the_partial_answer_is_written_in_full(any_database):
    """A flush that failed may or may not have been stored: the next one does not append
    (which could repeat text) but writes the whole partial answer."""
    database = any_database
    live = LiveTurns(interval=None)
    stream = live_stream(live, database)
    say(stream, "one ")
    live.flush_once()
    say(stream, "two ")

    def fail(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE MESSAGES"):
            raise RuntimeError("the database went away")

    event.listen(database.engine, "before_cursor_execute", fail)
    live.flush_once()  # fails (logged), nothing stored
    event.remove(database.engine, "before_cursor_execute", fail)
    assert answer_of(database, stream.message_id).content == "one "
    assert stream.stored_answer is None
    writes = answer_writes(database)
    say(stream, "three")
    live.flush_once()
    assert answer_of(database, stream.message_id).content == "one two three"
    assert len(writes) == 1
    assert "one two three" in writes[0]  # in full, not "two three" appended
    assert [e["content"] for _, e in stored_events(database, stream.message_id, 0)] == [
        "one ",
        "two ",
        "three",
    ]


def test_one_transaction_writes_several_turns(database):
    live = LiveTurns(interval=None)
    streams = [live_stream(live, database) for _ in range(3)]
    for i, stream in enumerate(streams):
        say(stream, f"t{i}")
    commits = []
    event.listen(database.engine, "commit", lambda conn: commits.append(conn))
    live.flush_once()
    assert len(commits) == 1
    assert all(stored_events(database, s.message_id, 0) for s in streams)


def test_a_stop_requested_in_the_database_reaches_the_turns_stream(database):
    live = LiveTurns(interval=None)
    stopped, going = live_stream(live, database), live_stream(live, database)
    live.flush_once()  # nothing new, nothing requested
    assert not stopped.stop_requested.is_set()
    with database.unit_of_work() as uow:  # as a stop from another process does
        uow.session.get(Message, stopped.message_id).stop_requested = True
        uow.commit()
    live.flush_once()
    assert stopped.stop_requested.is_set()
    assert not going.stop_requested.is_set()


def test_the_flusher_never_writes_over_a_saved_answer_nor_a_turn_being_ended(database):
    live = LiveTurns(interval=None)
    saved, ending = live_stream(live, database), live_stream(live, database)
    say(saved, "partial")
    say(ending, "partial")
    with database.unit_of_work() as uow:  # the runner saved it meanwhile
        answer = uow.session.get(Message, saved.message_id)
        answer.content, answer.status = "final", MessageStatus.complete
        uow.commit()
    with ending.store_lock:  # the runner is saving its end right now
        live.flush_once()
    assert answer_of(database, saved.message_id).content == "final"
    assert stored_events(database, ending.message_id, 0) == []
    assert answer_of(database, ending.message_id).content == ""
    ending.closed = True  # its end was the runner's: the flusher leaves it alone for good
    live.flush_once()
    assert stored_events(database, ending.message_id, 0) == []


def test_the_heartbeat_keeps_a_silent_turn_fresh(database):
    live = LiveTurns(interval=None, heartbeat_interval=0)
    stream = live_stream(live, database)
    old = utcnow() - timedelta(minutes=5)
    with database.unit_of_work() as uow:
        uow.session.get(Message, stream.message_id).updated_at = old
        uow.commit()
    live.flush_once()
    assert answer_of(database, stream.message_id).updated_at.replace(tzinfo=None) > old.replace(
        tzinfo=None
    )
    assert stored_events(database, stream.message_id, 0) == []


def test_a_turn_holds_no_database_connection_while_the_model_streams(database):
    """Connections checked out by the turn's own thread: none left open while the engine
    streams (the flusher writes for it)."""
    with database.unit_of_work() as uow:
        user = User(username="ada", username_key="ada", password_hash="x")
        uow.session.add(user)
        uow.commit()
    held: dict[str, int] = {}
    checkouts: list[str] = []

    def checkout(*_):
        name = threading.current_thread().name
        held[name] = held.get(name, 0) + 1
        checkouts.append(name)

    def checkin(*_):
        name = threading.current_thread().name
        held[name] = held.get(name, 0) - 1

    event.listen(database.engine, "checkout", checkout)
    event.listen(database.engine, "checkin", checkin)
    engine = FakeEngine(answer="one two three", hold=True)
    manager = ConversationManager(user.id, database, engine)
    turn = manager.start_turn("hello", None, SETTINGS)
    assert engine.first_piece.wait(WAIT_S)
    try:
        assert "turn" in checkouts  # it did use the database (to build the prompt)
        assert held["turn"] == 0
    finally:
        engine.release.set()
    events = [item[1] for item in turn.stream.follow(0) if item is not None]
    assert events[-1]["type"] == "done"


# --- Redis -------------------------------------------------------------------------------


@pytest.fixture
def redis_url(redis_server):
    return redis_server


def test_a_follower_replays_the_database_then_reads_the_rest_from_redis(database, redis_url):
    owner = LiveTurns(redis_url, interval=None)  # the process that runs the turn
    follower = LiveTurns(redis_url, interval=None)  # another process
    stream = live_stream(owner, database)
    owner.redis().delete(REDIS_KEY.format(stream.message_id))
    say(stream, "a", "b")
    owner.flush_once()  # stored and published
    say(stream, "c", "d")
    with stream.store_lock:  # published only (as if the database write were slower)
        owner.publish([stream])
    assert stored_events(database, stream.message_id, 0)[-1][0] == 2
    stream.append(done(stream, "abcd"))
    owner.flush_once()

    got = list(follow_stored(database, stream.message_id, 1, lambda: True, follower))
    assert [seq for seq, _ in got] == [2, 3, 4, 5]
    assert [e["type"] for _, e in got] == ["token", "token", "token", "done"]
    assert "".join(e.get("content", "") for _, e in got) == "bcd"


def test_a_follower_reads_live_events_as_they_are_published(database, redis_url):
    owner = LiveTurns(redis_url, interval=None)
    follower = LiveTurns(redis_url, interval=None)
    stream = live_stream(owner, database)
    owner.redis().delete(REDIS_KEY.format(stream.message_id))
    say(stream, "a")
    owner.flush_once()
    following = follow_stored(database, stream.message_id, 0, lambda: True, follower)
    assert next(following)[0] == 1  # from the database
    # Published while the follower waits in its blocking read: not in the database.
    published = threading.Event()

    def owner_goes_on():
        say(stream, "b")
        stream.append(done(stream, "ab"))
        with stream.store_lock:
            owner.publish([stream])
        published.set()

    threading.Thread(target=owner_goes_on).start()
    rest = list(following)
    assert published.is_set()
    assert [(seq, e["type"]) for seq, e in rest] == [(2, "token"), (3, "done")]
    assert stored_events(database, stream.message_id, 1) == []  # it came from Redis


def test_without_redis_the_follower_polls_the_database(database):
    owner = LiveTurns("redis://127.0.0.1:9/0", interval=None)  # nothing listens there
    stream = live_stream(owner, database)
    say(stream, "a", "b")
    stream.append(done(stream, "ab"))
    owner.flush_once()  # stored; Redis refused
    assert owner.redis() is None  # backing off after the error
    follower = LiveTurns("redis://127.0.0.1:9/0", interval=None)
    got = list(follow_stored(database, stream.message_id, 0, lambda: True, follower))
    assert [seq for seq, _ in got] == [1, 2, 3]


def test_a_follower_gets_the_last_events_of_a_turn_that_ends_between_its_reads(database):
    """The follower read nothing new, then the turn ended (its last events saved with its
    end) before the follower asked whether it still runs: it reads once more."""
    owner = LiveTurns(interval=None)
    stream = live_stream(owner, database)
    say(stream, "a")
    owner.flush_once()

    def ends_now() -> bool:
        say(stream, "b")
        stream.append(done(stream, "ab"))
        owner.flush_once()
        return False

    follower = LiveTurns(interval=None)
    got = list(follow_stored(database, stream.message_id, 0, ends_now, follower))
    assert [(seq, e["type"]) for seq, e in got] == [(1, "token"), (2, "token"), (3, "done")]
