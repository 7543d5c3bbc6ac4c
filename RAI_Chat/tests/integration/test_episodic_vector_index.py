"""The episodic archive on a real database (SQLite and PostgreSQL). Its vector index finds
what the exact product finds, follows entries added, embedded later and deleted (also by
another process), and never mixes users. Vectors come from a deterministic embedder (a
hash of the text), so that the expected neighbours are known; the index is forced on
at a small size. And a live exchange is archived with its own time."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete

from RAI_Chat.backend.app import create_app
from RAI_Chat.backend.core.database.models import ChatSession, EpisodicEntry, Message, User
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.services.memory import vector_index
from RAI_Chat.backend.services.memory.episodic import ArchivedExchange, EpisodicArchive, to_blob
from RAI_Chat.backend.services.memory.maintenance import index_exchange
from RAI_Chat.backend.services.memory.ranking import dated
from RAI_Chat.backend.services.memory.vector_index import VECTOR_INDEXES, UserVectors

from ..conftest import make_settings

DIM = 48


class HashEmbedder:
    """``embed`` of the engine client: a fixed random unit vector per text."""

    def embed(self, texts: list[str]) -> list[list[float]]:
        out = []
        for t in texts:
            seed = int(hashlib.sha256(t.encode()).hexdigest()[:12], 16)
            out.append(np.random.default_rng(seed).normal(size=DIM).tolist())
        return out


@pytest.fixture
def database(db_url, tmp_path):
    app = create_app(make_settings(db_url, tmp_path))  # migrates
    app.extensions["rai_database"].dispose()
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def small_index(monkeypatch):
    """The index from 40 vectors on (instead of tens of thousands), built before the search
    returns; pending vectors re-read and entries counted at every search."""
    monkeypatch.setattr(vector_index, "EXACT_BELOW", 40)
    monkeypatch.setattr(vector_index, "BACKGROUND", False)
    monkeypatch.setattr(vector_index, "PENDING_TTL_S", 0.0)
    monkeypatch.setattr(vector_index, "COUNT_TTL_S", 0.0)


def make_user(database: Database) -> str:
    user_id = str(uuid.uuid4())
    with database.unit_of_work() as uow:
        name = f"u_{user_id[:8]}"
        uow.session.add(User(id=user_id, username=name, username_key=name, password_hash="x"))
        uow.commit()
    return user_id


def archive_texts(archive: EpisodicArchive, texts: list[str], embed: bool = True) -> list[str]:
    return archive.add([ArchivedExchange(None, [], t) for t in texts], embed=embed)


def vector_of(text: str) -> np.ndarray:
    return np.frombuffer(to_blob(HashEmbedder().embed([text])[0]), np.float32)


def exact_top(texts: dict[str, str], query: np.ndarray, k: int) -> list[str]:
    ids = list(texts)
    scores = np.vstack([vector_of(texts[i]) for i in ids]) @ query
    return [ids[i] for i in np.argsort(-scores)[:k]]


def synced(database: Database, user_id: str, vectors: UserVectors) -> UserVectors:
    with database.unit_of_work() as uow:
        vectors.sync(uow.session, user_id)
    return vectors


def test_the_index_finds_what_the_exact_product_finds_and_follows_changes(database, small_index):
    alice, bob = make_user(database), make_user(database)
    archive = EpisodicArchive(alice, database, HashEmbedder())
    texts = [f"alice entry {i}" for i in range(120)]
    ids = archive_texts(archive, texts)
    by_id = dict(zip(ids, texts, strict=True))
    archive_texts(EpisodicArchive(bob, database, HashEmbedder()), [f"bob {i}" for i in range(60)])

    vectors = synced(database, alice, UserVectors(background=False))
    assert vectors.index is not None and vectors.indexed == 120

    agree = 0
    for text in texts[:30]:
        query = vector_of(text)
        found = [i for i, _ in vectors.search(query, 10, -1.0)]
        assert found[0] == ids[texts.index(text)]  # an entry is its own nearest neighbour
        agree += len(set(found) & set(exact_top(by_id, query, 10)))
    assert agree / 300 >= 0.9

    # Added after the index was built: found at once (searched beside the index).
    new_ids = archive_texts(archive, ["alice later 1", "alice later 2"])
    synced(database, alice, vectors)
    assert vectors.search(vector_of("alice later 2"), 1, -1.0)[0][0] == new_ids[1]

    # Archived without a vector, embedded later by another process: found once embedded.
    waiting = archive_texts(archive, ["alice waiting"], embed=False)[0]
    synced(database, alice, vectors)
    assert waiting in vectors.pending
    assert EpisodicArchive(alice, database, HashEmbedder()).embed_missing() == 1
    synced(database, alice, vectors)
    assert vectors.search(vector_of("alice waiting"), 1, -1.0)[0][0] == waiting

    # Deleted by another process (not through this one's archive): gone at the next sync.
    gone = [ids[0], new_ids[0]]
    with database.unit_of_work() as uow:
        uow.session.execute(delete(EpisodicEntry).where(EpisodicEntry.id.in_(gone)))
        uow.commit()
    synced(database, alice, vectors)
    for entry_id in gone:
        query = vector_of(by_id.get(entry_id, "alice later 1"))
        assert entry_id not in [i for i, _ in vectors.search(query, 10, -1.0)]

    # Only Alice's entries, even for a query that is exactly one of Bob's.
    found = {i for i, _ in vectors.search(vector_of("bob 3"), 200, -1.0)}
    assert found <= set(ids) | set(new_ids) | {waiting}
    assert len(found) == 120 - 1 + 2 - 1 + 1


def test_when_many_entries_are_deleted_the_rows_are_dropped_and_the_index_rebuilt(
    database, small_index
):
    user_id = make_user(database)
    archive = EpisodicArchive(user_id, database, HashEmbedder())
    texts = [f"entry {i}" for i in range(100)]
    ids = archive_texts(archive, texts)
    vectors = synced(database, user_id, UserVectors(background=False))
    first_index = vectors.index
    assert first_index is not None and vectors.size == 100
    with database.unit_of_work() as uow:  # another process deletes 40 of them
        uow.session.execute(delete(EpisodicEntry).where(EpisodicEntry.id.in_(ids[:40])))
        uow.commit()
    synced(database, user_id, vectors)
    assert vectors.size == 60 and vectors.indexed == 60 and vectors.index is not first_index
    for text, entry_id in list(zip(texts, ids, strict=True))[::7]:
        found = vectors.search(vector_of(text), 5, -1.0)
        assert all(i in ids[40:] for i, _ in found)
        if entry_id in ids[40:]:
            assert found[0][0] == entry_id
    second_index = vectors.index
    synced(database, user_id, vectors)  # nothing changed: no new build
    assert vectors.index is second_index


def test_search_by_meaning_is_per_user_and_forgets_deleted_entries(database, small_index):
    alice, bob = make_user(database), make_user(database)
    alices = EpisodicArchive(alice, database, HashEmbedder())
    bobs = EpisodicArchive(bob, database, HashEmbedder())
    alice_ids = archive_texts(alices, [f"alice says {i}" for i in range(80)])
    bob_ids = archive_texts(bobs, [f"bob says {i}" for i in range(80)])

    for _ in range(2):  # the first search builds the index; the second uses it
        hits = alices.search("bob says 7", 10, mode="vector")
        assert hits and {h["id"] for h in hits} <= set(alice_ids)
    assert VECTOR_INDEXES.get(database.url, alice).index is not None
    assert bobs.search("bob says 7", 1, mode="vector")[0]["id"] == bob_ids[7]

    # An entry of an abandoned branch is never returned, by either half.
    assert alices.search("alice says 3", 1, mode="vector")[0]["id"] == alice_ids[3]
    with database.unit_of_work() as uow:
        uow.session.get(EpisodicEntry, alice_ids[3]).abandoned_branch = True
        uow.commit()
    for mode in ("text", "vector", "hybrid"):
        assert alice_ids[3] not in {h["id"] for h in alices.search("alice says 3", 10, mode=mode)}

    alices.delete(alice_ids[5])
    assert all(h["id"] != alice_ids[5] for h in alices.search("alice says 5", 10, mode="vector"))
    assert alices.delete_all() == 79
    assert alices.search("alice says 6", 10, mode="vector") == []
    assert bobs.search("bob says 9", 1, mode="vector")[0]["id"] == bob_ids[9]


def test_a_live_exchange_is_archived_with_the_time_it_was_said(database):
    """The job that archives a finished exchange may run late (a busy queue): the entry is
    dated by its first message, not by when the job ran."""
    user_id = make_user(database)
    said = datetime(2026, 3, 8, 14, 30, tzinfo=UTC)
    with database.unit_of_work() as uow:
        chat = ChatSession(user_id=user_id, title="t")
        uow.session.add(chat)
        uow.session.flush()
        messages = [
            Message(session_id=chat.id, user_id=user_id, role=role, content=text, created_at=at)
            for role, text, at in (
                ("user", "The plumber comes on Friday.", said),
                ("assistant", "Noted.", said + timedelta(seconds=4)),
            )
        ]
        uow.session.add_all(messages)
        uow.commit()
        chat_id, ids = chat.id, [m.id for m in messages]
    index_exchange(database, HashEmbedder(), user_id, chat_id, ids)
    [hit] = EpisodicArchive(user_id, database, HashEmbedder()).search("plumber", 1, mode="text")
    assert hit["message_ids"] == ids
    assert datetime.fromisoformat(hit["created_at"]) == said
    assert dated(hit["text"], hit["created_at"]).startswith("On 8 March 2026: User: The plumber")
