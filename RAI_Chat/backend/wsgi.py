"""WSGI entry point.

``gunicorn 'RAI_Chat.backend.wsgi:app'`` serves it; ``python -m RAI_Chat.backend.wsgi``
starts the production server itself: gunicorn with gevent workers on Linux (many long-lived
SSE streams per worker), waitress elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import sys


def __getattr__(name: str):
    # ``app`` is created on first access, so gunicorn's workers create it after gevent has
    # patched the standard library, not in the master process.
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

        def load(self):
            from .wsgi import app

            return app

    RaiGunicorn().run()


def main() -> None:
    # psycopg picks how it waits for the server when it is imported: here, before gevent
    # patches the workers. Waiting with poll() lets gevent switch to other streams.
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_poll")
    config = validated_config()
    host = os.environ.get("RAI_API_HOST", "127.0.0.1")
    port = int(os.environ.get("RAI_API_PORT", 6102))
    workers = int(os.environ.get("RAI_API_WORKERS", 2))
    worker_connections = int(os.environ.get("RAI_API_WORKER_CONNECTIONS", 4000))
    if sys.platform.startswith("linux") and os.environ.get("RAI_API_SERVER") != "waitress":
        # Start (and migrate) the app once in a child process, so a bad DATABASE_URL fails
        # here, clearly -- and so this master process never imports the app: its workers
        # must import it after gevent has patched them (locks, sockets, psycopg's waits).
        check = subprocess.run([sys.executable, "-m", "RAI_Chat.backend.wsgi", "--check"])
        if check.returncode != 0:
            sys.exit(check.returncode)
        print(f"RAI API Server is running at http://{host}:{port}", flush=True)
        serve_with_gunicorn(host, port, workers, worker_connections)
        return
    app = checked_app(config)
    print(f"RAI API Server is running at http://{host}:{port}", flush=True)
    from waitress import serve

    serve(app, host=host, port=port, threads=16)


def checked_app(config):
    """The app, or one clear line and exit 1."""
    from .app import create_app

    try:
        return create_app(config)
    except Exception as exc:
        print(f"RAI API cannot start: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)


def validated_config():
    """The configuration, or one line saying which variable to set and exit 2."""
    from .config import ConfigError, get_config

    try:
        config = get_config()
        config.validate()
    except ConfigError as exc:
        print(f"RAI API cannot start: {exc}", file=sys.stderr)
        sys.exit(2)
    return config


def check() -> None:
    """``--check``: create the app once (applying migrations) and exit."""
    checked_app(validated_config())


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        check()
    else:
        main()
