"""Back up and restore the database: SQLite through its online backup API (safe while the
API runs), PostgreSQL through ``pg_dump`` / ``pg_restore`` (custom format)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from .session import normalise_url


class BackupError(RuntimeError):
    """The backup or restore failed; the message says why."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq_url(url: str) -> str:
    """``postgresql+psycopg://...`` → ``postgresql://...`` (what pg_dump understands)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return path


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: " + " / ".join(detail[-5:]))


def backup(url: str, destination: Path) -> None:
    url = normalise_url(url)
    destination.parent.mkdir(parents=True, exist_ok=True)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        source = _sqlite_path(url)
        if not source.is_file():
            raise BackupError(f"no database at {source}")
        with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
            src.backup(dst)
        return
    if backend == "postgresql":
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(destination)]
            + ["--dbname", _libpq_url(url)]
        )
        return
    raise BackupError(f"backups of {backend} databases are not supported")


def _check_sqlite_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from exc
    if "users" not in tables:
        raise BackupError(f"{path} is not a RAI Chat backup (no users table)")


def restore(url: str, source: Path) -> None:
    """Replace the database's contents with the backup's."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        _check_sqlite_backup(source)
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    if backend == "postgresql":
        _run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
            + ["--exit-on-error", "--dbname", _libpq_url(url), str(source)]
        )
        return
    raise BackupError(f"restoring {backend} databases is not supported")
