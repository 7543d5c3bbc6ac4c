"""The meaning half of the episodic search: each user's entry vectors, held by every API
process and kept fresh from the database, searched exactly while they are few and through
an approximate-nearest-neighbour index (usearch HNSW, int8) once they are many.

The database keeps the vectors (``episodic_entries.embedding``, on SQLite and PostgreSQL
alike); nothing else has to be installed in the database and every process answers the
same. Measured at 100k entries of one user (``benchmarks/memory.py``, RESULTS.md):
usearch int8 answered in well under a millisecond where the exact product took about 20 ms,
hnswlib and faiss' HNSW were as fast but slower to build or without wheels; the index is
built in a background OS thread (usearch releases the GIL), the exact product answers
meanwhile, and the index's candidates are re-scored exactly so that scores do not depend on
the index.

Staying fresh costs one index seek per search: the newest date of the user's entries (the
``(user_id, created_at)`` index); when it changed, only rows dated since the last look
are read. At most every ``COUNT_TTL_S`` the entries are counted too (a scan of the user's
part of that index, ≈ 0.1 s at 100k on a loaded machine, so not on every search), and all
ids are compared when the count disagrees (an import keeps old dates; another process
deleted an entry), and every ``FULL_SYNC_S`` anyway. Entries still waiting for their vector
(embedded later, maybe by another process) are re-read at most every ``PENDING_TTL_S``. A
deleted entry is masked at once in this process and within ``COUNT_TTL_S`` in the others
(and it is never returned meanwhile: the search reads the entries it returns)."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

import numpy as np
from sqlalchemy import func, select

from ...core.database.models import EpisodicEntry

logger = logging.getLogger(__name__)

# Under this many vectors the exact product is cheap enough (≈ 2 ms): no index is built.
EXACT_BELOW = 20_000
# The index is rebuilt when this share of the vectors came (or went) after it was built.
REBUILD_SHARE = 0.25
# The index returns this many candidates per wanted result before the exact re-scoring.
OVERFETCH = 4
PENDING_TTL_S = 5.0
COUNT_TTL_S = 5.0
FULL_SYNC_S = 300.0
ID_CHUNK = 500
USERS_KEPT = 32
# Build the index in a background thread (tests build it in the caller, to know when).
BACKGROUND = True

Ranking = list[tuple[str, float]]


def _start_os_thread(target: Callable[[], None]) -> None:
    """A real thread, also in a gevent worker (whose ``threading`` makes greenlets, which a
    long native call would block)."""
    try:
        from gevent import monkey

        if monkey.is_module_patched("threading"):
            monkey.get_original("_thread", "start_new_thread")(target, ())
            return
    except ImportError:  # pragma: no cover - gevent is a dependency
        pass
    threading.Thread(target=target, daemon=True, name="episodic-index").start()


def build_index(matrix: np.ndarray):
    """An HNSW index (cosine, int8) of the rows of ``matrix``, keyed by row number."""
    from usearch.index import Index

    index = Index(ndim=matrix.shape[1], metric="cos", dtype="i8", connectivity=16)
    if len(matrix):
        index.add(np.arange(len(matrix), dtype=np.uint64), matrix, threads=1)
    return index


class UserVectors:
    """One user's vectors in one process: rows of ``matrix`` (unit length, float32), the
    entry id of each row, which rows are still alive, and maybe an index of the first
    ``indexed`` rows."""

    def __init__(self, background: bool | None = None):
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=bool)
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.pending: set[str] = set()  # entries known to have no vector yet
        self.newest = None  # the newest entry's date at the last look
        self.counted: float | None = None  # when the entries were last counted
        self.checked_pending = 0.0
        self.full_synced = 0.0
        self.index = None
        self.indexed = 0  # rows [0, indexed) are in the index
        self.building = False
        self.background = BACKGROUND if background is None else background
        # Rows are added and masked under it (no I/O inside, so also safe under gevent).
        self._lock = threading.Lock()

    # --- keeping fresh ------------------------------------------------------------------
    @property
    def size(self) -> int:
        return len(self.ids)

    def _add(self, rows: Iterable[tuple[str, bytes | None]]) -> None:
        with self._lock:
            self._add_locked(list(rows))

    def _add_locked(self, rows: list[tuple[str, bytes | None]]) -> None:
        new_ids, vectors = [], []
        for entry_id, blob in rows:
            if entry_id in self.rows:
                continue
            if blob is None:
                self.pending.add(entry_id)
                continue
            vector = np.frombuffer(blob, dtype=np.float32)
            if self.matrix.shape[1] not in (0, vector.shape[0]):
                continue  # another embedding model's vector: never comparable
            self.pending.discard(entry_id)
            new_ids.append(entry_id)
            vectors.append(vector)
        if not vectors:
            return
        block = np.vstack(vectors)
        n, dim = self.size, block.shape[1]
        if n + len(block) > len(self.matrix):  # grow by doubling (rows [0, n) are kept)
            grown = np.zeros((max(2 * len(self.matrix), n + len(block), 64), dim), np.float32)
            if n:
                grown[:n] = self.matrix[:n]
            self.matrix = grown
            alive = np.zeros(len(grown), dtype=bool)
            alive[:n] = self.alive[:n]
            self.alive = alive
        self.matrix[n : n + len(block)] = block
        self.alive[n : n + len(block)] = True
        for i, entry_id in enumerate(new_ids):
            self.rows[entry_id] = n + i
        self.ids += new_ids

    def remove(self, entry_ids: Iterable[str]) -> None:
        """Mask deleted entries (their rows stay until the next rebuild)."""
        with self._lock:
            for entry_id in entry_ids:
                self.pending.discard(entry_id)
                row = self.rows.pop(entry_id, None)
                if row is not None:
                    self.alive[row] = False

    def _known(self) -> int:
        return len(self.rows) + len(self.pending)

    def _read(self, session, user_id: str, ids: list[str]) -> None:
        for start in range(0, len(ids), ID_CHUNK):
            self._add(
                session.execute(
                    select(EpisodicEntry.id, EpisodicEntry.embedding).where(
                        EpisodicEntry.user_id == user_id,
                        EpisodicEntry.id.in_(ids[start : start + ID_CHUNK]),
                    )
                ).all()
            )

    def _full_sync(self, session, user_id: str) -> None:
        stored = set(
            session.scalars(select(EpisodicEntry.id).where(EpisodicEntry.user_id == user_id))
        )
        self.remove([i for i in list(self.rows) + list(self.pending) if i not in stored])
        self._read(session, user_id, [i for i in stored if i not in self.rows])
        self.full_synced = time.monotonic()

    def sync(self, session, user_id: str) -> int:
        """Bring the vectors up to the database's; returns how many entries the user has
        (as far as this process knows)."""
        newest = session.scalar(  # one seek at the end of the (user_id, created_at) index
            select(func.max(EpisodicEntry.created_at)).where(EpisodicEntry.user_id == user_id)
        )
        now = time.monotonic()
        if self.counted is None:
            self._add(
                session.execute(
                    select(EpisodicEntry.id, EpisodicEntry.embedding).where(
                        EpisodicEntry.user_id == user_id
                    )
                ).all()
            )
            self.full_synced = self.checked_pending = self.counted = now
        elif newest != self.newest and self.newest is not None:
            self._add(
                session.execute(
                    select(EpisodicEntry.id, EpisodicEntry.embedding).where(
                        EpisodicEntry.user_id == user_id,
                        EpisodicEntry.created_at >= self.newest,
                    )
                ).all()
            )
        # Counting scans the user's part of the index (≈ 10 ms at 100k): not every search.
        if now - self.counted > COUNT_TTL_S or (newest != self.newest and self.newest is None):
            count = session.scalar(select(func.count()).where(EpisodicEntry.user_id == user_id))
            if count != self._known():
                self._full_sync(session, user_id)
            self.counted = now
        elif now - self.full_synced > FULL_SYNC_S:
            self._full_sync(session, user_id)
        if self.pending and now - self.checked_pending > PENDING_TTL_S:
            self._read(session, user_id, list(self.pending))
            self.checked_pending = now
        self.newest = newest
        self._maybe_index()
        return self._known()

    # --- the index ----------------------------------------------------------------------
    def _maybe_index(self) -> None:
        live = len(self.rows)
        if self.building or live < EXACT_BELOW:
            return
        behind = self.size - self.indexed + int((~self.alive[: self.indexed]).sum())
        if self.index is not None and behind <= REBUILD_SHARE * self.indexed:
            return
        if self.size - live > REBUILD_SHARE * self.size:
            self._compact()  # else the deleted rows would go into the new index again
        self.building = True
        n, matrix = self.size, self.matrix

        def build() -> None:
            try:
                started = time.monotonic()
                index = build_index(matrix[:n])
                self.index, self.indexed = index, n  # one swap: searches see old or new
                took = time.monotonic() - started
                logger.info("Episodic index of %d vectors built in %.1f s", n, took)
            except Exception:  # noqa: BLE001 - the exact product keeps answering
                logger.exception("Episodic index build failed; searching exactly")
            finally:
                self.building = False

        if self.background:
            _start_os_thread(build)
        else:
            build()

    # --- searching ----------------------------------------------------------------------
    def _compact(self) -> None:
        """Drop the rows of deleted entries (renumbering the rest); the index goes with
        them. Only while no build runs (a build numbers rows as they were)."""
        with self._lock:
            keep = np.flatnonzero(self.alive[: self.size])
            self.index, self.indexed = None, 0
            self.matrix = self.matrix[keep].copy()
            self.alive = np.ones(len(keep), dtype=bool)
            self.ids = [self.ids[i] for i in keep]
            self.rows = {entry_id: n for n, entry_id in enumerate(self.ids)}

    def search(self, query: np.ndarray, limit: int, min_score: float) -> Ranking:
        """The ``limit`` best (entry id, cosine) over ``min_score``, best first."""
        n = self.size
        if n == 0 or self.matrix.shape[1] != query.shape[0]:
            return []
        index, indexed = self.index, self.indexed
        if index is None:
            candidates = np.arange(n)
            scores = np.where(self.alive[:n], self.matrix[:n] @ query, -np.inf)
        else:
            found = index.search(query, min(indexed, OVERFETCH * limit + 16), threads=1)
            tail = np.arange(indexed, n)  # what came after the index was built
            candidates = np.concatenate([np.asarray(found.keys, dtype=np.int64), tail])
            candidates = candidates[self.alive[candidates]]
            scores = self.matrix[candidates] @ query
        if len(scores) > limit:
            top = np.argpartition(-scores, limit)[:limit]
        else:
            top = np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            (self.ids[int(candidates[i])], float(scores[i])) for i in top if scores[i] > min_score
        ]


class VectorIndexes:
    """Every process's per-user ``UserVectors``, the least recently used dropped first."""

    def __init__(self, size: int = USERS_KEPT):
        self._items: OrderedDict[tuple[str, str], UserVectors] = OrderedDict()
        self._size = size

    def get(self, database_url: str, user_id: str) -> UserVectors:
        key = (database_url, user_id)
        item = self._items.get(key)
        if item is None:
            item = self._items[key] = UserVectors()
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return item

    def forget(self, database_url: str, user_id: str, entry_ids: Iterable[str] | None) -> None:
        """Entries deleted in this process: masked at once (all of them when ``None``)."""
        key = (database_url, user_id)
        if entry_ids is None:
            self._items.pop(key, None)
        elif key in self._items:
            self._items[key].remove(entry_ids)


VECTOR_INDEXES = VectorIndexes()
