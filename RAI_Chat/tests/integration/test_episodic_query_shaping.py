"""The episodic search on a real database (SQLite and PostgreSQL): the meaning half embeds
the question without the speakers' names that label the archived lines (found among the
full-text half's candidates; the question as asked is embedded ahead, while the text half
reads, and used when it names no speaker); the full-text half alone embeds nothing."""

from __future__ import annotations

import hashlib
import uuid

import numpy as np
import pytest

from RAI_Chat.backend.app import create_app
from RAI_Chat.backend.core.database.models import User
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.services.memory.episodic import ArchivedExchange, EpisodicArchive

from ..conftest import make_settings

IMPORTED = [
    "User: Caroline: I researched adoption agencies last week.\n"
    "Assistant: Melanie: That is a big step!",
    "Assistant: Melanie: We went camping with the kids.\nUser: Caroline: Sounds lovely.",
    "User: Caroline: My painting of a sunset is finished.\nAssistant: Melanie: Show me!",
]


class RecordingEmbedder:
    """``embed`` of the engine client: a fixed random vector per text; remembers the texts."""

    def __init__(self):
        self.asked: list[str] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.asked += texts
        return [
            np.random.default_rng(int(hashlib.sha256(t.encode()).hexdigest()[:12], 16))
            .normal(size=16)
            .tolist()
            for t in texts
        ]


@pytest.fixture
def archive(db_url, tmp_path):
    app = create_app(make_settings(db_url, tmp_path))  # migrates
    app.extensions["rai_database"].dispose()
    database = Database(db_url)
    user_id = str(uuid.uuid4())
    with database.unit_of_work() as uow:
        name = f"u_{user_id[:8]}"
        uow.session.add(User(id=user_id, username=name, username_key=name, password_hash="x"))
        uow.commit()
    embedder = RecordingEmbedder()
    archive = EpisodicArchive(user_id, database, embedder)
    archive.add([ArchivedExchange(None, [], t) for t in IMPORTED])
    embedder.asked.clear()
    yield archive, embedder
    database.dispose()


def same_direction(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool(np.isclose(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), 1.0))


def searched_with(archive, monkeypatch) -> list[np.ndarray]:
    """The query vectors the meaning half searches with."""
    used: list[np.ndarray] = []
    semantic = archive._semantic

    def spy(session, query_vector, limit):
        used.append(query_vector)
        return semantic(session, query_vector, limit)

    monkeypatch.setattr(archive, "_semantic", spy)
    return used


def test_the_meaning_half_embeds_the_question_without_the_speakers_names(archive, monkeypatch):
    archive, embedder = archive
    used = searched_with(archive, monkeypatch)
    hits = archive.search("What did Caroline research?", k=3)
    # The question as asked was embedded ahead, while the text half read; the names it
    # found make the meaning half embed it again without them, and search with that.
    assert sorted(embedder.asked) == ["What did Caroline research?", "What did research?"]
    assert len(used) == 1 and same_direction(used[0], embedder.embed(["What did research?"])[0])
    assert IMPORTED[0] in [hit["text"] for hit in hits]


def test_a_question_naming_no_speaker_is_embedded_as_it_is_once(archive, monkeypatch):
    archive, embedder = archive
    used = searched_with(archive, monkeypatch)
    archive.search("Who painted a sunset?", k=3, mode="vector")
    assert embedder.asked == ["Who painted a sunset?"]
    assert len(used) == 1 and same_direction(used[0], embedder.embed(["Who painted a sunset?"])[0])


def test_the_text_half_alone_embeds_nothing(archive):
    archive, embedder = archive
    hits = archive.search("When did Melanie go camping?", k=3, mode="text")
    assert embedder.asked == []
    assert hits[0]["text"] == IMPORTED[1]
