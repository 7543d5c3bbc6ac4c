"""Apply the Alembic migrations, once, even when several API processes start together."""

from __future__ import annotations

import fcntl
import logging
from contextlib import contextmanager

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from ...config import INSTANCE_DIR
from ...utils.path import MIGRATIONS_DIR

logger = logging.getLogger(__name__)
PG_MIGRATION_LOCK = 610_261_02  # an arbitrary, fixed advisory-lock key


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _sqlite_lock(engine: Engine):
    database = make_url(str(engine.url)).database or "memory"
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    lock_path = f"{database}.migrate.lock" if database != ":memory:" else None
    if lock_path is None:
        yield
        return
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (no-op when it already is)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            try:
                _upgrade_with(connection, str(engine.url))
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                connection.commit()
        return
    with _sqlite_lock(engine), engine.connect() as connection:
        _upgrade_with(connection, str(engine.url))


def _upgrade_with(connection, url: str) -> None:
    if MigrationContext.configure(connection).get_current_revision() == head_revision():
        return
    logger.info("Applying database migrations")
    cfg = alembic_config(url)
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")
    connection.commit()
