"""Fixtures shared by the unit tests of the turn services."""

from __future__ import annotations

import pytest

from RAI_Chat.backend.core.database.migrate import upgrade
from RAI_Chat.backend.core.database.session import Database


@pytest.fixture
def database(tmp_path):
    """A migrated SQLite database in the test's folder."""
    db = Database(f"sqlite:///{tmp_path / 'rai.db'}")
    upgrade(db.engine)
    yield db
    db.dispose()
