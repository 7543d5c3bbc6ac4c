"""The events of a chat turn: kept in memory by the process that runs the turn (so its own
clients follow with no delay) and written to the database in small batches (so a client that
reconnects to any process can replay what it missed and follow the rest)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

from sqlalchemy import select

from ..config import current_settings
from ..core.database.models import Message, StreamChunk, utcnow
from ..core.database.session import Database
from ..schemas.events import TERMINAL_EVENTS, MessageStatus

logger = logging.getLogger(__name__)
POLL_INTERVAL_S = 0.2
HEARTBEAT_S = 15.0


class TurnStream:
    """The events of one turn running in this process; event ``n`` has id ``n`` (from 1)."""

    def __init__(self, message_id: str):
        self.message_id = message_id
        self.events: list[dict] = []
        self.flushed = 0
        # A failed turn's HTTP status, for the JSON answer of the request that started it:
        # kept beside the events (never stored with them, never sent in them).
        self.http_status: int | None = None
        self.stop_requested = threading.Event()
        self._cond = threading.Condition()

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
        with self._cond:
            start = self.flushed
            batch = self.events[start:]
            return start, batch

    def follow(self, after: int) -> Iterator[tuple[int, dict] | None]:
        """Yield (id, event) until the terminal event; ``None`` as a heartbeat."""
        seq = after
        while True:
            batch = self.wait_after(seq, HEARTBEAT_S)
            if not batch:
                if self.finished:
                    return
                yield None
                continue
            for seq, event in batch:
                yield seq, event
                if event["type"] in TERMINAL_EVENTS:
                    return


# A third of the stale window (TURN_STALE_SECONDS): a live turn always beats in time.
HEARTBEAT_INTERVAL_S = min(10.0, current_settings().turn_stale_seconds / 3)


class LiveTurns:
    """The turns this process is running, by assistant message id. A heartbeat thread keeps
    their ``updated_at`` fresh while the engine is silent (e.g. queued), so other processes
    do not take them for dead."""

    def __init__(self):
        self._turns: dict[str, TurnStream] = {}
        self._databases: dict[str, Database] = {}
        self._lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None

    def add(self, stream: TurnStream, database: Database | None = None) -> None:
        with self._lock:
            self._turns[stream.message_id] = stream
            if database is not None:
                self._databases[stream.message_id] = database
            start = self._heartbeat is None
            if start:
                self._heartbeat = threading.Thread(
                    target=self._beat, name="turn-heartbeat", daemon=True
                )
        # Started outside the lock: under gevent, starting a thread lets other requests run.
        if start:
            self._heartbeat.start()

    def _beat(self) -> None:
        while True:
            time.sleep(HEARTBEAT_INTERVAL_S)
            with self._lock:
                by_database: dict[int, tuple[Database, list[str]]] = {}
                for message_id, database in self._databases.items():
                    by_database.setdefault(id(database), (database, []))[1].append(message_id)
            for database, ids in by_database.values():
                try:
                    with database.unit_of_work() as uow:
                        for row in uow.session.scalars(
                            select(Message).where(
                                Message.id.in_(ids),
                                Message.status == MessageStatus.in_progress,
                            )
                        ):
                            row.updated_at = utcnow()
                        uow.commit()
                except Exception as exc:  # the database may be briefly away; try again later
                    logger.warning("Turn heartbeat failed: %s", type(exc).__name__)

    def get(self, message_id: str) -> TurnStream | None:
        return self._turns.get(message_id)

    def remove(self, message_id: str) -> None:
        with self._lock:
            self._turns.pop(message_id, None)
            self._databases.pop(message_id, None)

    def __len__(self) -> int:
        return len(self._turns)


LIVE_TURNS = LiveTurns()


def flush(database: Database, stream: TurnStream, partial: str | None = None) -> bool:
    """Write the events not yet in the database (and the partial answer), in one
    transaction; return whether a stop was requested there."""
    with database.unit_of_work() as uow:
        if partial is not None:
            answer = uow.session.get(Message, stream.message_id)
            if answer is not None:
                answer.content = partial
                answer.updated_at = utcnow()
        flushed = add_unflushed(uow.session, stream)
        stop = uow.session.scalar(
            select(Message.stop_requested).where(Message.id == stream.message_id)
        )
        uow.commit()
    stream.flushed = flushed
    return bool(stop)


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
    database: Database, message_id: str, after: int, is_alive
) -> Iterator[tuple[int, dict] | None]:
    """Replay and follow a turn run by another process, through the database.

    ``is_alive()`` says whether the turn is still running somewhere; when it is not and no
    terminal event was stored, the caller decides how the turn ended."""
    seq = after
    last_event_at = time.monotonic()
    while True:
        batch = stored_events(database, message_id, seq)
        for seq, event in batch:
            yield seq, event
            if event["type"] in TERMINAL_EVENTS:
                return
        if batch:
            last_event_at = time.monotonic()
        elif not is_alive():
            return
        elif time.monotonic() - last_event_at > HEARTBEAT_S:
            last_event_at = time.monotonic()
            yield None
        time.sleep(POLL_INTERVAL_S)
