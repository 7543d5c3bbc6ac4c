"""``rai-admin`` on a real database (SQLite and PostgreSQL through ``db_url``)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid

import pytest

from RAI_Chat.backend import cli
from RAI_Chat.backend.core.auth.service import AuthService
from RAI_Chat.backend.core.database.migrate import current_revision, head_revision
from RAI_Chat.backend.core.database.session import Database
from RAI_Chat.backend.core.errors import Unauthorized

from ..conftest import PROJECT_ROOT

SECRET = "cli-test-secret-" + "c" * 40


@pytest.fixture
def admin(db_url, monkeypatch, capsys):
    """``rai-admin`` in-process on ``db_url``: ``admin(*args, stdin=) -> (code, out, err)``."""
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*args: str, stdin: str = ""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def auth_service(db_url):
    database = Database(db_url)
    yield AuthService(database.unit_of_work(), SECRET, 3600)
    database.dispose()


def name() -> str:
    return f"cli_{uuid.uuid4().hex[:8]}"


def listed(admin) -> dict[str, dict]:
    code, out, _ = admin("list-users", "--json")
    assert code == 0
    return {u["username"]: u for u in json.loads(out)}


def test_migrate_brings_an_empty_database_to_head_and_then_does_nothing(admin, db_url):
    code, out, _ = admin("migrate")
    assert code == 0 and "migrated from empty" in out
    database = Database(db_url)
    assert current_revision(database.engine) == head_revision()
    database.dispose()
    code, out, _ = admin("migrate")
    assert code == 0 and "already at revision" in out


def test_create_user_and_admin_then_list_them(admin):
    alice, bob = name(), name()
    code, out, _ = admin(
        "create-user", alice, "--admin", "--password-stdin", stdin="alice pw 123\n"
    )
    assert code == 0 and "administrator" in out
    assert admin("create-user", bob, "--password-stdin", stdin="bob pw 1234\n")[0] == 0
    users = listed(admin)
    assert users[alice]["is_admin"] is True and users[alice]["is_active"] is True
    assert users[bob]["is_admin"] is False
    code, out, _ = admin("list-users")
    assert alice in out and "admin" in out


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("bad name!", "long enough 1", "Username must be"),
        ("okname", "short", "at least 8"),
        ("okname", "", "no password"),
    ],
)
def test_create_user_rejects_bad_input_with_exit_1(admin, username, password, message):
    code, out, err = admin("create-user", username, "--password-stdin", stdin=password + "\n")
    assert code == 1
    assert message in err and not out


def test_a_taken_username_is_refused(admin):
    user = name()
    assert admin("create-user", user, "--password-stdin", stdin="first pw 123\n")[0] == 0
    code, _, err = admin("create-user", user.upper(), "--password-stdin", stdin="other pw 123\n")
    assert code == 1 and "already taken" in err


def test_without_a_terminal_the_password_must_come_from_stdin(admin):
    code, _, err = admin("create-user", name())
    assert code == 1 and "--password-stdin" in err


def test_reset_password_revokes_existing_tokens(admin, auth_service):
    user = name()
    admin("create-user", user, "--password-stdin", stdin="old password 1\n")
    token = auth_service.login(user, "old password 1")["access_token"]
    assert auth_service.authenticate(token).username == user
    code, out, _ = admin("reset-password", user, "--password-stdin", stdin="new password 2\n")
    assert code == 0 and "reset" in out
    with pytest.raises(Unauthorized):
        auth_service.authenticate(token)
    assert auth_service.login(user, "new password 2")["user"]["username"] == user


def test_reset_password_of_an_unknown_user_fails(admin):
    code, _, err = admin("reset-password", name(), "--password-stdin", stdin="new password 2\n")
    assert code == 1 and "No user named" in err


def test_disable_and_enable_a_user(admin, auth_service):
    user = name()
    admin("create-user", user, "--password-stdin", stdin="some password 1\n")
    token = auth_service.login(user, "some password 1")["access_token"]
    assert admin("disable-user", user)[0] == 0
    assert listed(admin)[user]["is_active"] is False
    with pytest.raises(Unauthorized):
        auth_service.authenticate(token)
    with pytest.raises(Unauthorized, match="disabled"):
        auth_service.login(user, "some password 1")
    assert admin("enable-user", user)[0] == 0
    assert auth_service.authenticate(token).username == user
    code, _, err = admin("disable-user", name())
    assert code == 1 and "No user named" in err


def test_backup_then_restore_brings_the_database_back(admin, tmp_path):
    kept, later = name(), name()
    admin("create-user", kept, "--password-stdin", stdin="kept password\n")
    backup = tmp_path / "backups" / "rai.backup"
    code, out, _ = admin("backup", str(backup))
    assert code == 0 and backup.stat().st_size > 0, out
    admin("create-user", later, "--password-stdin", stdin="later password\n")
    admin("disable-user", kept)
    code, _, err = admin("restore", str(backup))
    assert code == 1 and "--yes" in err
    code, out, err = admin("restore", str(backup), "--yes")
    assert code == 0, err
    users = listed(admin)
    assert kept in users and later not in users
    assert users[kept]["is_active"] is True


def test_backup_refuses_to_overwrite_and_restore_needs_a_real_backup(admin, tmp_path):
    admin("migrate")
    existing = tmp_path / "exists.backup"
    existing.write_text("not a backup")
    code, _, err = admin("backup", str(existing))
    assert code == 1 and "--force" in err
    code, _, err = admin("restore", str(existing), "--yes")
    assert code == 1 and err.startswith("rai-admin:")
    code, _, err = admin("restore", str(tmp_path / "missing.backup"), "--yes")
    assert code == 1 and "no backup file" in err


def test_an_unreachable_database_gives_a_clear_error_and_exit_1(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    assert cli.main(["list-users"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rai-admin: OperationalError") and "Traceback" not in err


def test_the_module_entry_point_runs_and_bad_usage_exits_2(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'entry.db'}", "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(
        [sys.executable, "-m", "RAI_Chat.backend.cli", "list-users"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and "No users yet" in ok.stdout, ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "RAI_Chat.backend.cli", "no-such-command"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
