"""WSGI entry point.

``gunicorn 'RAI_Chat.backend.wsgi:app'`` serves it; ``python -m RAI_Chat.backend.wsgi``
starts the production server itself: gunicorn with gevent workers on Linux (many long-lived
SSE streams per worker), waitress elsewhere.

Start-up touches the database once, in a child of the master (``--check``: migrations and a
connection check, waiting while the database is unreachable). A worker never does: gunicorn
stops the whole server when a worker fails to boot, so a worker recycled during a database
outage must boot without it (its requests answer 503 until the database is back).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def __getattr__(name: str):
    # ``app`` (for another WSGI server: ``gunicorn 'RAI_Chat.backend.wsgi:app'``) is created
    # on first access, after gevent has patched a worker. It migrates the database first, so
    # there each worker's start-up does need the database: prefer ``python -m`` below.
    if name == "app":
        from .app import create_app

        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)


def serve_with_gunicorn(host: str, port: int, workers: int, worker_connections: int) -> None:
    from gunicorn.app.base import BaseApplication

    class RaiGunicorn(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gevent")
            self.cfg.set("worker_connections", worker_connections)
            self.cfg.set("timeout", 120)
            self.cfg.set("limit_request_line", 8190)  # gunicorn's largest bounded value
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("accesslog", None)
            # No control socket: gunicorn's default is one path per user's home, shared by
            # every instance on the machine, and nothing here uses it.
            self.cfg.set("control_socket_disable", True)
            self.cfg.set("post_worker_init", announce_ready_worker)

        def load(self):
            from .app import create_app

            # The master's ``--check`` has migrated: nothing in a worker's start-up needs
            # the database.
            return create_app(auto_migrate=False)

    RaiGunicorn().run()


def main() -> None:
    # psycopg picks how it waits for the server when it is imported: here, before gevent
    # patches the workers. Waiting with poll() lets gevent switch to other streams.
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_poll")
    settings = validated_settings()  # the settings only: this process never imports the app
    host, port = settings.rai_api_host, settings.rai_api_port
    workers, worker_connections = settings.rai_api_workers, settings.rai_api_worker_connections
    if sys.platform.startswith("linux") and settings.rai_api_server != "waitress":
        # Start (and migrate) the app once in a child process, so a bad DATABASE_URL fails
        # here, clearly -- and so this master process never imports the app: its workers
        # must import it after gevent has patched them (locks, sockets, psycopg's waits).
        check = subprocess.run([sys.executable, "-m", "RAI_Chat.backend.wsgi", "--check"])
        if check.returncode != 0:
            sys.exit(check.returncode)
        print(f"RAI API Server is running at http://{host}:{port}", flush=True)
        serve_with_gunicorn(host, port, workers, worker_connections)
        return
    app = checked_app(settings)
    print(f"RAI API Server is running at http://{host}:{port}", flush=True)
    from waitress import serve

    serve(app, host=host, port=port, threads=16)


def announce_ready_worker(worker) -> None:
    """gunicorn's ``post_worker_init``: one line once a worker has loaded the app."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


def checked_app(settings):
    """The app (migrated, once the database answers), or one clear line and exit 1."""
    from .app import create_app

    try:
        wait_for_database(settings.database_url, settings.database_wait_seconds)
        return create_app(settings)
    except Exception as exc:
        print(f"RAI API cannot start: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)


def wait_for_database(url: str, timeout: float) -> None:
    """Return once the database accepts a connection. While it is unreachable (restarting,
    failing over, not up yet) retry with backoff for ``timeout`` seconds, saying so; a
    refusal that waiting cannot fix (bad password, no such database) raises at once."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from .core.database.session import make_engine

    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        timeout = 0  # a file that cannot be opened will not open later either
    deadline = time.monotonic() + timeout
    delay = 0.5
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError as exc:
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                if not is_transient(reason) or time.monotonic() + delay > deadline:
                    raise
                print(
                    f"RAI API: waiting for the database ({reason}); retrying in {delay:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
    finally:
        engine.dispose()


PERMANENT_REFUSALS = ("authentication failed", "does not exist", "password", "permission")


def is_transient(reason: str) -> bool:
    """Whether a connection failure may go away by itself (the server is down or starting),
    as opposed to a configuration error."""
    lowered = reason.lower()
    return not any(word in lowered for word in PERMANENT_REFUSALS)


def validated_settings():
    """The settings, or one line saying which variable to set and exit 2."""
    from .config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        print(f"RAI API cannot start: {exc}", file=sys.stderr)
        sys.exit(2)


def check() -> None:
    """``--check``: create the app once (applying migrations) and exit."""
    checked_app(validated_settings())


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        check()
    else:
        main()
