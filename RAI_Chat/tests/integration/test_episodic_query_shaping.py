"""The episodic search on a real database (SQLite and PostgreSQL): the meaning half embeds
the question without the speakers' names that label the archived lines (found among the
full-text half's candidates); the full-text half alone embeds nothing."""

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


def test_the_meaning_half_embeds_the_question_without_the_speakers_names(archive):
    archive, embedder = archive
    hits = archive.search("What did Caroline research?", k=3)
    assert embedder.asked == ["What did research?"]
    assert IMPORTED[0] in [hit["text"] for hit in hits]


def test_a_question_naming_no_speaker_is_embedded_as_it_is(archive):
    archive, embedder = archive
    archive.search("Who painted a sunset?", k=3, mode="vector")
    assert embedder.asked == ["Who painted a sunset?"]


def test_the_text_half_alone_embeds_nothing(archive):
    archive, embedder = archive
    hits = archive.search("When did Melanie go camping?", k=3, mode="text")
    assert embedder.asked == []
    assert hits[0]["text"] == IMPORTED[1]
