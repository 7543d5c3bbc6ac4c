"""The first account is the administrator, even when two registrations arrive together
(SQLite and PostgreSQL through ``db_url``)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from RAI_Chat.backend.core.auth import service
from RAI_Chat.backend.core.auth.service import AuthService
from RAI_Chat.backend.core.database.migrate import upgrade
from RAI_Chat.backend.core.database.models import User
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.core.errors import RegistrationClosed

SECRET = "first-account-secret-" + "f" * 40


@pytest.fixture
def database(db_url):
    database = Database(db_url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def both_counted_before_either_inserts(monkeypatch):
    """Hold each registration after it has counted the accounts and checked the name
    (``add_user`` hashes the password next) until the other has done the same."""
    barrier = threading.Barrier(2, timeout=30)
    waited = threading.local()
    hash_password = service.hash_password

    def held(password: str) -> str:
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return hash_password(password)

    monkeypatch.setattr(service, "hash_password", held)


def register_together(database: Database, registration_enabled: bool) -> list:
    def register(username: str):
        auth = AuthService(database.unit_of_work(), SECRET, 3600)
        try:
            return auth.register(
                username, "correct horse 1", registration_enabled=registration_enabled
            )["user"]
        except RegistrationClosed as exc:
            return exc

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(register, ["racer_one", "racer_two"]))


@pytest.mark.usefixtures("both_counted_before_either_inserts")
def test_two_simultaneous_first_registrations_make_one_administrator(database):
    results = register_together(database, registration_enabled=True)
    assert sorted(user["is_admin"] for user in results) == [False, True]
    with database.unit_of_work() as uow:
        admins = uow.session.scalars(select(User.username).where(User.is_admin)).all()
    assert len(admins) == 1


@pytest.mark.usefixtures("both_counted_before_either_inserts")
def test_with_registration_closed_the_loser_of_the_first_account_race_is_refused(database):
    results = register_together(database, registration_enabled=False)
    admins = [r for r in results if isinstance(r, dict)]
    assert len(admins) == 1 and admins[0]["is_admin"] is True
    assert sum(isinstance(r, RegistrationClosed) for r in results) == 1
