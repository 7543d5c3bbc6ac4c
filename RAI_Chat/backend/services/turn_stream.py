"""The events of a chat turn: kept in memory by the process that runs the turn (so its own
clients follow with no delay), written to the database by one flusher per process (so a
client that reconnects to any process can replay what it missed) and, with ``REDIS_URL``
set, published to a Redis Stream per turn (so a client following from another process gets
them live, with blocking reads, instead of polling the database).

The per-token path (``TurnStream.append``) touches neither: the flusher (``LiveTurns``)
wakes every ``FLUSH_INTERVAL_S`` and, for all the live turns of the process, writes their
new events and partial answers in one transaction per database, reads their stop flags in
the same query, keeps their ``updated_at`` fresh (the heartbeat) and publishes the new
events to Redis in one pipeline. A database connection is held only during that write.

The end of a turn is not the flusher's: the runner saves the answer with its last events in
one transaction (``TurnStream.store_lock`` keeps the flusher out meanwhile) before the end is
announced."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator

from sqlalchemy import Text, bindparam, insert, select, update

from ..config import current_settings
from ..core.database.models import Message, StreamChunk, utcnow
from ..core.database.session import Database
from ..extensions import metrics
from ..schemas.events import TERMINAL_EVENTS, MessageStatus

logger = logging.getLogger(__name__)
POLL_INTERVAL_S = 0.2  # a follower without Redis polls the database this often
HEARTBEAT_S = 15.0  # a follower's SSE comment when nothing happened this long
FLUSH_INTERVAL_S = 0.25
# Redis: one stream per turn, entry id ``0-<last event id>`` (so a follower that holds
# events up to n reads from ``0-n``); each entry is a batch of events.
REDIS_KEY = "rai:turn:{}"
REDIS_MAXLEN = 10_000  # entries (batches) kept per turn: about 40 minutes of flushes
REDIS_TTL_S = 600  # a turn's stream expires this long after its last batch
REDIS_BLOCK_MS = 2_000  # a follower's blocking read; then it checks the turn in the database
WARN_EVERY_S = 10.0  # the flusher's warnings while the database is away
REDIS_RETRY_S = 5.0  # after a Redis error, this process uses the database alone this long


class TurnStream:
    """The events of one turn running in this process; event ``n`` has id ``n`` (from 1)."""

    def __init__(self, message_id: str):
        self.message_id = message_id
        self.events: list[dict] = []
        self.flushed = 0  # events stored in the database
        self.published = 0  # events published to Redis
        # The visible answer so far (the runner's list of pieces): the flusher stores it as
        # the partial answer with the events. Pieces are only ever appended to it; to change
        # what it says, assign a new list (the flusher then writes it in full again).
        self.answer: list[str] | None = None
        # What the answer held before this turn (a stopped answer it continues): stored in
        # front of the pieces, never sent again.
        self.answer_before = ""
        # What the database holds of ``answer``: (that list, how many of its pieces). The
        # flusher appends only the pieces after them; None: the next flush writes it in full.
        self.stored_answer: tuple[list[str], int] | None = None
        # A failed turn's HTTP status, for the JSON answer of the request that started it:
        # kept beside the events (never stored with them, never sent in them).
        self.http_status: int | None = None
        self.stop_requested = threading.Event()
        self._cond = threading.Condition()
        # Held by whoever writes this turn's events to the database (the flusher, or the
        # runner saving the end); ``closed`` once the end is the runner's alone.
        self.store_lock = threading.Lock()
        self.closed = False

    @property
    def finished(self) -> bool:
        return bool(self.events) and self.events[-1]["type"] in TERMINAL_EVENTS

    def append(self, event: dict) -> int:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()
            return len(self.events)

    def wait_after(self, seq: int, timeout: float) -> list[tuple[int, dict]]:
        """Events with id > ``seq`` (waits up to ``timeout`` for the first one)."""
        with self._cond:
            if len(self.events) <= seq and not self.finished:
                self._cond.wait(timeout)
            return [(i + 1, e) for i, e in enumerate(self.events[seq:], start=seq)]

    def unflushed(self) -> tuple[int, list[dict]]:
        start = self.flushed
        return start, self.events[start:]

    def follow(self, after: int) -> Iterator[tuple[int, dict] | None]:
        """Yield (id, event) until the terminal event; ``None`` as a heartbeat."""
        for batch in self.follow_batches(after):
            if batch is None:
                yield None
                continue
            yield from batch

    def follow_batches(self, after: int) -> Iterator[list[tuple[int, dict]] | None]:
        """As ``follow``, the events that were waiting together in one list (so a client's
        frames for tokens that arrived together go out in one write; no event waits for
        another: each wake takes what is there)."""
        seq = after
        while True:
            batch = self.wait_after(seq, HEARTBEAT_S)
            if not batch:
                if self.finished:
                    return
                yield None
                continue
            for i, (_, event) in enumerate(batch):
                if event["type"] in TERMINAL_EVENTS:
                    yield batch[: i + 1]
                    return
            seq = batch[-1][0]
            yield batch


# A third of the stale window (TURN_STALE_SECONDS): a live turn always beats in time.
HEARTBEAT_INTERVAL_S = min(10.0, current_settings().turn_stale_seconds / 3)


class LiveTurns:
    """The turns this process is running, by assistant message id, and their flusher: one
    thread per process, started with the first turn (so after gevent patched the worker:
    nothing here creates a lock or a thread at import)."""

    def __init__(
        self,
        redis_url: str | None = None,
        interval: float | None = FLUSH_INTERVAL_S,  # None: no thread (``flush_once`` by hand)
        heartbeat_interval: float = HEARTBEAT_INTERVAL_S,
    ):
        self._turns: dict[str, tuple[TurnStream, Database | None]] = {}
        self.redis_url = redis_url
        self.interval = interval
        self.heartbeat_interval = heartbeat_interval
        self._flusher: threading.Thread | None = None
        self._last_beat = time.monotonic()
        self._redis = None
        self._redis_down_until = 0.0
        self._warned_at = -WARN_EVERY_S

    def add(self, stream: TurnStream, database: Database | None = None) -> None:
        self._turns[stream.message_id] = (stream, database)
        if self._flusher is None and self.interval:
            # No lock: under gevent nothing runs between the test and the assignment, and a
            # second flusher (threads) would only find the streams' store locks taken.
            self._flusher = threading.Thread(target=self._run, name="turn-flusher", daemon=True)
            self._flusher.start()

    def get(self, message_id: str) -> TurnStream | None:
        entry = self._turns.get(message_id)
        return entry[0] if entry else None

    def remove(self, message_id: str) -> None:
        """The turn ended (its end is stored): publish its last events, forget it."""
        entry = self._turns.pop(message_id, None)
        if entry is not None:
            with entry[0].store_lock:
                self.publish([entry[0]])

    def __len__(self) -> int:
        return len(self._turns)

    # --- the flusher ------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            try:
                self.flush_once()
            except Exception:  # never let the flusher die
                logger.exception("Turn flusher failed")

    def flush_once(self) -> None:
        """Write every live turn's new events (and the heartbeat when due), read their stop
        flags, publish the new events to Redis."""
        now = time.monotonic()
        beat = now - self._last_beat >= self.heartbeat_interval
        by_database: dict[int, tuple[Database, list[TurnStream]]] = {}
        for stream, database in list(self._turns.values()):
            if database is not None:
                by_database.setdefault(id(database), (database, []))[1].append(stream)
        for database, streams in by_database.values():
            held = [s for s in streams if s.store_lock.acquire(blocking=False)]
            try:
                open_ = [s for s in held if not s.closed]
                try:
                    store(database, open_, streams, beat)
                except Exception as exc:  # the database may be briefly away: next time
                    if now - self._warned_at >= WARN_EVERY_S:
                        self._warned_at = now
                        logger.warning(
                            "Could not save live turns' progress: %s", type(exc).__name__
                        )
                self.publish(open_)
            finally:
                for s in held:
                    s.store_lock.release()
        if beat:
            self._last_beat = now

    # --- Redis ------------------------------------------------------------------------
    def redis(self):
        """This process's Redis client, or None (no ``REDIS_URL``, or Redis failed lately)."""
        if not self.redis_url or time.monotonic() < self._redis_down_until:
            return None
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(
                self.redis_url,
                socket_connect_timeout=1.0,
                socket_timeout=REDIS_BLOCK_MS / 1000 + 5,
                decode_responses=True,
            )
        return self._redis

    def redis_failed(self, exc: Exception) -> None:
        if time.monotonic() >= self._redis_down_until:
            logger.warning("Redis unavailable for turn streams: %s", type(exc).__name__)
        self._redis_down_until = time.monotonic() + REDIS_RETRY_S

    def publish(self, streams: list[TurnStream]) -> None:
        """XADD each stream's events not yet published, in one pipeline (caller holds their
        store locks)."""
        client = self.redis()
        if client is None:
            return
        sent = []
        pipe = client.pipeline(transaction=False)
        for stream in streams:
            start = stream.published
            events = stream.events[start:]
            if events:
                key = REDIS_KEY.format(stream.message_id)
                last = start + len(events)
                fields = {"from": start + 1, "events": json.dumps(events)}
                pipe.xadd(key, fields, id=f"0-{last}", maxlen=REDIS_MAXLEN, approximate=True)
                pipe.expire(key, REDIS_TTL_S)
                sent.append((stream, last))
        if not sent:
            return
        try:
            results = pipe.execute(raise_on_error=False)
        except Exception as exc:
            self.redis_failed(exc)
            return
        for (stream, last), added in zip(sent, results[::2], strict=True):
            # "equal or smaller than the target stream top item": already there.
            if not isinstance(added, Exception) or "equal or smaller" in str(added):
                stream.published = last


# The flusher's statements, built once (a flush only binds its rows).
_MESSAGES = Message.__table__
_IN_PROGRESS = (  # never over a saved answer: only while the turn is in progress
    _MESSAGES.c.id == bindparam("b_id"),
    _MESSAGES.c.status == MessageStatus.in_progress,
)
STOP_FLAGS = select(_MESSAGES.c.id, _MESSAGES.c.stop_requested).where(
    _MESSAGES.c.id.in_(bindparam("ids", expanding=True))
)
ADD_CHUNKS = insert(StreamChunk.__table__)
WRITE_ANSWER = (
    update(_MESSAGES)
    .where(*_IN_PROGRESS)
    .values(content=bindparam("b_content"), updated_at=bindparam("b_now"))
)
APPEND_ANSWER = (
    update(_MESSAGES)
    .where(*_IN_PROGRESS)
    .values(
        content=_MESSAGES.c.content.concat(bindparam("b_suffix", type_=Text)),
        updated_at=bindparam("b_now"),
    )
)
BEAT = update(_MESSAGES).where(*_IN_PROGRESS).values(updated_at=bindparam("b_now"))


def store(database: Database, streams: list[TurnStream], live: list[TurnStream], beat: bool):
    """One transaction for several turns: the new events and partial answers of
    ``streams`` (whose store locks the caller holds), the stop flags of every ``live``
    turn, and their ``updated_at`` when ``beat``. On a connection of its own, no ORM
    session: the flusher's cost is per flush, so its fixed part is kept small.

    A partial answer is appended to (``content || :suffix``: only its pieces since the last
    flush travel and are bound), and written in full on a turn's first flush, when the
    runner replaced its list, and after a failed flush (whose outcome is unknown)."""
    ids = [s.message_id for s in live]
    if not ids:
        return
    batches = [(s, *s.unflushed()) for s in streams]
    with database.engine.connect() as conn:  # leaving it without a commit rolls back
        existing = set()
        for message_id, stop in conn.execute(STOP_FLAGS, {"ids": ids}):
            existing.add(message_id)
            if stop:
                for s in live:
                    if s.message_id == message_id:
                        s.stop_requested.set()
        now = utcnow()
        chunks, answers, suffixes, beats = [], [], [], []
        stored: list[tuple[TurnStream, tuple[list[str], int]]] = []
        for stream, start, events in batches:
            message_id = stream.message_id
            if message_id not in existing:  # deleted meanwhile
                continue
            if events:
                chunks.append(
                    {
                        "message_id": message_id,
                        "seq_from": start + 1,
                        "seq_to": start + len(events),
                        "events": events,
                        "created_at": now,
                    }
                )
                answer = stream.answer
                if answer is not None:
                    size = len(answer)  # the runner may append meanwhile (threads)
                    held, stream.stored_answer = stream.stored_answer, None  # until committed
                    stored.append((stream, (answer, size)))
                    if held is not None and held[0] is answer and held[1] <= size:
                        if held[1] < size:
                            suffix = "".join(answer[held[1] : size])
                            suffixes.append({"b_id": message_id, "b_suffix": suffix, "b_now": now})
                            continue
                    else:
                        text = stream.answer_before + "".join(answer[:size])
                        answers.append({"b_id": message_id, "b_content": text, "b_now": now})
                        continue
            if events or beat:
                beats.append({"b_id": message_id, "b_now": now})
        if chunks:
            conn.execute(ADD_CHUNKS, chunks)
        if answers:
            conn.execute(WRITE_ANSWER, answers)
        if suffixes:
            conn.execute(APPEND_ANSWER, suffixes)
        if beats:
            conn.execute(BEAT, beats)
        if chunks or answers or suffixes or beats:  # else it only read the stop flags
            conn.commit()
    for stream, start, events in batches:
        stream.flushed = start + len(events)
    for stream, held in stored:
        stream.stored_answer = held


LIVE_TURNS = LiveTurns(current_settings().redis_url)


def add_unflushed(session, stream: TurnStream, last: dict | None = None) -> int:
    """Add the events not yet in the database (and ``last``, the event that will follow
    them) to ``session``; return how many events the stream has stored once it commits."""
    start, batch = stream.unflushed()
    events = batch + ([last] if last is not None else [])
    if events:
        session.add(
            StreamChunk(
                message_id=stream.message_id,
                seq_from=start + 1,
                seq_to=start + len(events),
                events=events,
            )
        )
    return start + len(events)


def stored_events(database: Database, message_id: str, after: int) -> list[tuple[int, dict]]:
    with database.unit_of_work() as uow:
        chunks = uow.session.scalars(
            select(StreamChunk)
            .where(StreamChunk.message_id == message_id, StreamChunk.seq_to > after)
            .order_by(StreamChunk.seq_from)
        ).all()
        out = []
        for chunk in chunks:
            for offset, event in enumerate(chunk.events):
                seq = chunk.seq_from + offset
                if seq > after:
                    out.append((seq, event))
        return out


def follow_stored(
    database: Database,
    message_id: str,
    after: int,
    is_alive,
    live_turns: LiveTurns | None = None,
) -> Iterator[tuple[int, dict] | None]:
    """Replay and follow a turn run by another process: what the database holds, then
    (with Redis) the turn's Redis Stream from the right id, live; without Redis, or while it
    is unreachable, by polling the database.

    ``is_alive()`` says whether the turn is still running somewhere; when it is not and no
    terminal event was stored, the caller decides how the turn ended."""
    live_turns = live_turns if live_turns is not None else LIVE_TURNS
    seq = after
    last_event_at = time.monotonic()
    alive = True
    while True:
        batch = stored_events(database, message_id, seq)
        if batch:
            metrics.followed_events.labels("database").inc(len(batch))
        for seq, event in batch:
            yield seq, event
            if event["type"] in TERMINAL_EVENTS:
                return
        if not alive:
            return
        if batch:
            last_event_at = time.monotonic()
        elif not is_alive():
            # Read once more: a turn that ended between the two reads saved its last
            # events with its end.
            alive = False
            continue
        elif time.monotonic() - last_event_at > HEARTBEAT_S:
            last_event_at = time.monotonic()
            yield None
        client = live_turns.redis()
        if client is None:
            time.sleep(POLL_INTERVAL_S)
            continue
        # Live from Redis until a blocking read times out (then the database says whether
        # the turn still runs and holds anything Redis missed), a gap, an error or the end.
        began = time.monotonic()
        for item in follow_redis(client, live_turns, message_id, seq):
            if item is None:
                break
            seq, event = item
            last_event_at = time.monotonic()
            yield seq, event
            if event["type"] in TERMINAL_EVENTS:
                return
        # A gap or an error at once: not faster than polling.
        time.sleep(max(0.0, POLL_INTERVAL_S - (time.monotonic() - began)))


def follow_redis(
    client, live_turns: LiveTurns, message_id: str, seq: int
) -> Iterator[tuple[int, dict] | None]:
    """Events with id > ``seq`` from the turn's Redis Stream, as they come; ``None`` when
    the caller should look at the database (a read timed out, or events are missing: the
    stream was trimmed, or the owner could not publish them) and on a Redis error."""
    key = REDIS_KEY.format(message_id)
    while True:
        try:
            reply = client.xread({key: f"0-{seq}"}, block=REDIS_BLOCK_MS, count=100)
        except Exception as exc:
            live_turns.redis_failed(exc)
            yield None
            return
        if not reply:
            yield None
            return
        for _, fields in reply[0][1]:
            first = int(fields["from"])
            if first > seq + 1:  # a gap: the database has them
                yield None
                return
            events = json.loads(fields["events"])
            fresh = [(first + i, e) for i, e in enumerate(events) if first + i > seq]
            metrics.followed_events.labels("redis").inc(len(fresh))
            for item in fresh:
                seq = item[0]
                yield item
