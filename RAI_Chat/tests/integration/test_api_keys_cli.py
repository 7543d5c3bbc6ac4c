"""``rai-admin list-keys`` and ``revoke-key`` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid

import pytest

from RAI_Chat.backend import cli
from RAI_Chat.backend.core.auth.admin import UserAdmin
from RAI_Chat.backend.core.auth.api_keys import ApiKeys
from RAI_Chat.backend.core.database.migrate import upgrade
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.core.errors import Unauthorized


@pytest.fixture
def database(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    db = Database(db_url)
    upgrade(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def admin(database, capsys):
    def run(*args: str):
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def user_with_key(database: Database, key_name: str) -> tuple[str, dict, str]:
    username = f"k_{uuid.uuid4().hex[:8]}"
    user = UserAdmin(database.unit_of_work()).create_user(username, "correct horse 1")
    key, secret = ApiKeys(database.unit_of_work()).create(user["id"], key_name, None, None)
    return username, key, secret


def test_the_operator_lists_keys_without_secrets_and_revokes_one(database, admin):
    alice, alice_key, alice_secret = user_with_key(database, "alice's script")
    bob, bob_key, _ = user_with_key(database, "bob's plugin")
    code, out, _ = admin("list-keys", "--json")
    assert code == 0
    listed = {k["id"]: k for k in json.loads(out)}
    assert listed[alice_key["id"]]["username"] == alice
    assert listed[bob_key["id"]]["active"] is True
    assert alice_secret not in out and "key_hash" not in out
    code, out, _ = admin("list-keys", "--user", bob)
    assert code == 0 and bob_key["prefix"] in out and alice_key["prefix"] not in out

    code, out, _ = admin("revoke-key", alice_key["id"])
    assert code == 0 and "revoked" in out
    with pytest.raises(Unauthorized, match="revoked"):
        ApiKeys(database.unit_of_work()).authenticate(alice_secret)
    code, out, _ = admin("list-keys", "--user", alice)
    assert "revoked" in out


def test_revoking_an_unknown_key_fails_with_a_message(admin):
    code, _, err = admin("revoke-key", str(uuid.uuid4()))
    assert code == 1 and "API key not found" in err
