#!/usr/bin/env python3
"""Start RAI Chat: the LLM Engine, then the RAI API (and, with ``--dev``, the web page's dev
server), each once the one before answers its health check; print the URL to open; restart
a service that crashes (with backoff); stop everything on Ctrl-C or SIGTERM.

A database outage is not a crash: the API answers 503 while its database is away (it is
"up"), its gunicorn master replaces workers without the database, and an API (re)started
during an outage waits for the database (``DATABASE_WAIT_SECONDS``) instead of exiting. A
restart with backoff is the last resort, for a process that really died.

    python RAI_Chat/scripts/launch_app.py [--dev] [--api-port 6102] [--engine-port 6301]

Ports and hosts also come from the environment (RAI_API_PORT, RAI_API_HOST, LLM_API_PORT,
LLM_HOST). Logs: ``launch_app.log`` plus one file per service (engine.log, api.log,
frontend.log) in RAI_Chat/backend/logs, or ``RAI_LOGS_DIR``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# --- Project Paths ---
SCRIPTS_DIR = Path(__file__).parent.resolve()
PROJECT_ROOT = SCRIPTS_DIR.parent.parent.resolve()
LLM_ENGINE_DIR = PROJECT_ROOT / "llm_Engine"
RAI_CHAT_DIR = PROJECT_ROOT / "RAI_Chat"
BACKEND_DIR = RAI_CHAT_DIR / "backend"
FRONTEND_DIR = RAI_CHAT_DIR / "frontend"

# --- Configuration ---
# The default ports are the services' own settings' defaults (written once, there).
sys.path.insert(0, str(PROJECT_ROOT))
from llm_Engine.settings import EngineSettings  # noqa: E402
from RAI_Chat.backend.config import default  # noqa: E402

LLM_API_PORT = EngineSettings.model_fields["api_port"].default
RAI_API_PORT = default("rai_api_port")
FRONTEND_PORT = 5173
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a service up this long has its restart backoff reset
LOG_TAIL_LINES = 15

logger = logging.getLogger("AppLauncher")


class LaunchError(Exception):
    """The launcher cannot start; the message tells the operator what to do."""


@dataclass
class Service:
    name: str
    log_name: str
    command: list[str]
    env: dict[str, str]
    host: str
    port: int
    port_setting: str  # how to choose another port, for the error message
    health_path: str
    startup_timeout: float
    cwd: Path = PROJECT_ROOT
    before_start: Callable[[], None] | None = None
    process: subprocess.Popen | None = None
    log_offset: int = 0
    started_at: float = 0.0
    healthy_since: float | None = None
    restart_at: float | None = None
    backoff: float = 1.0
    restarts: int = 0

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def answers_health(service: Service) -> bool:
    try:
        with urllib.request.urlopen(service.url + service.health_path, timeout=1) as response:  # noqa: S310
            return response.status == 200
    except urllib.error.HTTPError as exc:
        return exc.code == 503  # the API is up, its database is not: still "started"
    except (OSError, ValueError):
        return False


def exit_reason(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class Launcher:
    def __init__(self, services: list[Service], logs_dir: Path, grace: float):
        self.services = services
        self.logs_dir = logs_dir
        self.grace = grace
        self.stop_requested = False
        self.interactive = sys.stdout.isatty()

    # --- signals ---
    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, _frame) -> None:
        if not self.stop_requested:
            logger.info("Received %s: stopping RAI Chat", signal.Signals(signum).name)
        self.stop_requested = True

    # --- one service ---
    def log_path(self, service: Service) -> Path:
        return self.logs_dir / f"{service.log_name}.log"

    def start(self, service: Service) -> None:
        if port_in_use(service.host, service.port):
            raise LaunchError(self.port_message(service))
        path = self.log_path(service)
        with open(path, "ab") as log:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            log.write(f"\n===== {service.name} starting at {stamp} =====\n".encode())
            service.log_offset = log.tell()
            service.process = subprocess.Popen(
                service.command,
                cwd=service.cwd,
                env=service.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        service.started_at = time.monotonic()
        service.healthy_since = None
        service.restart_at = None
        logger.info(
            "Started %s (pid %d) on %s; log: %s",
            service.name,
            service.process.pid,
            service.url,
            path,
        )

    def port_message(self, service: Service) -> str:
        return (
            f"Port {service.port} on {service.host} (for the {service.name}) is already in use "
            f"- is RAI Chat already running? Stop whatever listens there "
            f"(`ss -ltnp 'sport = :{service.port}'` shows it) or choose another port with "
            f"{service.port_setting}."
        )

    def log_tail(self, service: Service) -> str:
        try:
            with open(self.log_path(service), "rb") as log:
                log.seek(service.log_offset)
                lines = log.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join("    | " + line for line in lines[-LOG_TAIL_LINES:])

    def kill_group(self, service: Service, sig: int) -> None:
        if service.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(service.process.pid, sig)

    def wait_until_healthy(self, service: Service) -> None:
        """Block until the service answers, showing progress; raise LaunchError if it dies or
        takes too long."""
        deadline = service.started_at + service.startup_timeout
        last_note = 0.0
        while not self.stop_requested:
            if service.process.poll() is not None:
                self.clear_progress()
                raise LaunchError(
                    f"The {service.name} stopped during start-up "
                    f"({exit_reason(service.process.returncode)}). Last lines of "
                    f"{self.log_path(service)}:\n{self.log_tail(service)}"
                )
            if answers_health(service):
                self.clear_progress()
                service.healthy_since = time.monotonic()
                logger.info(
                    "%s is ready on %s (%.1f s)",
                    service.name,
                    service.url,
                    time.monotonic() - service.started_at,
                )
                return
            now = time.monotonic()
            if now > deadline:
                self.clear_progress()
                raise LaunchError(
                    f"The {service.name} did not answer {service.url}{service.health_path} within "
                    f"{service.startup_timeout:.0f} s. Last lines of {self.log_path(service)}:\n"
                    f"{self.log_tail(service)}"
                )
            elapsed = now - service.started_at
            if self.interactive:
                print(f"\r  waiting for the {service.name}... {elapsed:4.0f} s", end="", flush=True)
            elif now - last_note >= 10:
                logger.info("Waiting for the %s (%.0f s)", service.name, elapsed)
                last_note = now
            time.sleep(0.3)

    def clear_progress(self) -> None:
        if self.interactive:
            print("\r" + " " * 60 + "\r", end="", flush=True)

    # --- supervision ---
    def supervise_once(self) -> None:
        now = time.monotonic()
        for service in self.services:
            process = service.process
            if service.restart_at is not None:
                if now >= service.restart_at:
                    self.restart(service)
                continue
            if process is None:
                continue
            if process.poll() is not None:
                self.on_crash(service, exit_reason(process.returncode))
            elif service.healthy_since is None:
                if answers_health(service):
                    service.healthy_since = now
                    logger.info("%s is back on %s", service.name, service.url)
                elif now - service.started_at > service.startup_timeout:
                    self.kill_group(service, signal.SIGKILL)
                    process.wait()
                    self.on_crash(service, "did not become healthy in time")
            elif now - service.healthy_since > STABLE_AFTER_S:
                service.backoff = 1.0

    def on_crash(self, service: Service, reason: str) -> None:
        self.kill_group(service, signal.SIGKILL)  # workers it may have left behind
        logger.error(
            "%s stopped unexpectedly (%s); restarting in %.0f s. Last lines of %s:\n%s",
            service.name,
            reason,
            service.backoff,
            self.log_path(service),
            self.log_tail(service),
        )
        service.restart_at = time.monotonic() + service.backoff
        service.backoff = min(service.backoff * 2, BACKOFF_MAX_S)

    def restart(self, service: Service) -> None:
        if port_in_use(service.host, service.port):
            logger.warning("%s: port %d still busy; retrying", service.name, service.port)
            service.restart_at = time.monotonic() + 1
            return
        service.restarts += 1
        if service.before_start:
            service.before_start()
        self.start(service)

    # --- whole system ---
    def stop_all(self) -> None:
        running = [s for s in reversed(self.services) if s.process and s.process.poll() is None]
        for service in running:
            logger.info("Stopping %s (pid %d)", service.name, service.process.pid)
            self.kill_group(service, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for service in running:
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s did not stop within %.0f s: killing it", service.name, self.grace
                )
                self.kill_group(service, signal.SIGKILL)
                service.process.wait()
        for service in self.services:  # anything left in their process groups
            self.kill_group(service, signal.SIGKILL)
        logger.info("RAI Chat stopped")

    def run(self, ready_url: str) -> int:
        self.install_signal_handlers()
        for service in self.services:
            if port_in_use(service.host, service.port):
                raise LaunchError(self.port_message(service))
        try:
            for service in self.services:
                if self.stop_requested:
                    break
                if service.before_start:
                    service.before_start()
                self.start(service)
                self.wait_until_healthy(service)
            if not self.stop_requested:
                logger.info("RAI Chat is ready: open %s (Ctrl-C stops it)", ready_url)
            while not self.stop_requested:
                self.supervise_once()
                time.sleep(0.5)
        finally:
            self.stop_all()
        return 0


def build_services(args: argparse.Namespace, metrics_dir: Path) -> list[Service]:
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1", "RAI_LOGS_DIR": str(args.logs_dir)}
    services: list[Service] = []
    engine_url = os.environ.get("LLM_API_URL", f"http://localhost:{LLM_API_PORT}")
    if not args.no_engine:
        engine = Service(
            name="LLM Engine",
            log_name="engine",
            command=[
                sys.executable,
                str(LLM_ENGINE_DIR / "llm_api_server.py"),
                "--host",
                args.engine_host,
                "--port",
                str(args.engine_port),
            ],
            env={**base_env, "LLM_HOST": args.engine_host, "LLM_API_PORT": str(args.engine_port)},
            host=args.engine_host,
            port=args.engine_port,
            port_setting="--engine-port or LLM_API_PORT",
            health_path="/health",
            startup_timeout=args.engine_timeout,
        )
        services.append(engine)
        engine_url = engine.url

    def fresh_metrics_dir() -> None:  # values of dead workers must not be added up
        for stale in metrics_dir.glob("*.db"):
            stale.unlink()

    api = Service(
        name="RAI API",
        log_name="api",
        command=[sys.executable, "-m", "RAI_Chat.backend.wsgi"],
        env={
            **base_env,
            "RAI_API_HOST": args.api_host,
            "RAI_API_PORT": str(args.api_port),
            "LLM_API_URL": engine_url,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        },
        host=args.api_host,
        port=args.api_port,
        port_setting="--api-port or RAI_API_PORT",
        health_path="/api/health",
        # It may wait for its database first (DATABASE_WAIT_SECONDS), then migrate.
        startup_timeout=float(os.environ.get("DATABASE_WAIT_SECONDS", 120)) + 120,
        before_start=fresh_metrics_dir,
    )
    services.append(api)
    if args.dev:
        npm = shutil.which("npm")
        if npm is None:
            raise LaunchError("--dev needs Node.js and npm (https://nodejs.org), not found")
        if not (FRONTEND_DIR / "node_modules").is_dir():
            raise LaunchError(f"run `npm ci` in {FRONTEND_DIR} first (or `bash rai.sh install`)")
        services.append(
            Service(
                name="web page dev server",
                log_name="frontend",
                command=[npm, "run", "dev", "--", "--host", args.api_host]
                + ["--port", str(args.frontend_port), "--strictPort"],
                env={**base_env, "RAI_API_URL": api.url},
                host=args.api_host,
                port=args.frontend_port,
                port_setting="--frontend-port",
                health_path="/",
                startup_timeout=60,
                cwd=FRONTEND_DIR,
            )
        )
    return services


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(description="Start and supervise RAI Chat.")
    parser.add_argument("--dev", action="store_true", help="also start `npm run dev`")
    parser.add_argument("--api-host", default=env.get("RAI_API_HOST", "127.0.0.1"))
    parser.add_argument("--api-port", type=int, default=int(env.get("RAI_API_PORT", RAI_API_PORT)))
    parser.add_argument("--engine-host", default=env.get("LLM_HOST", "127.0.0.1"))
    parser.add_argument(
        "--engine-port", type=int, default=int(env.get("LLM_API_PORT", LLM_API_PORT))
    )
    parser.add_argument("--frontend-port", type=int, default=FRONTEND_PORT)
    parser.add_argument(
        "--no-engine",
        action="store_true",
        help="do not start the LLM Engine; the API uses LLM_API_URL (e.g. vLLM, Ollama)",
    )
    parser.add_argument(
        "--engine-timeout",
        type=float,
        default=300,
        help="seconds the engine may take to load its model",
    )
    parser.add_argument(
        "--grace", type=float, default=5, help="seconds between SIGTERM and SIGKILL on stop"
    )
    parser.add_argument(
        "--logs-dir",
        type=Path,
        default=Path(env.get("RAI_LOGS_DIR", BACKEND_DIR / "logs")),
        help="where launch_app.log and the services' logs go (RAI_LOGS_DIR)",
    )
    return parser.parse_args(argv)


def configure_logging(logs_dir: Path) -> None:
    logs_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s - %(name)s - %(levelname)s - %(message)s",
        handlers=[
            logging.FileHandler(logs_dir / "launch_app.log", encoding="utf-8"),
            logging.StreamHandler(sys.stdout),
        ],
        force=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.logs_dir)
    metrics_dir = Path(tempfile.mkdtemp(prefix="rai-metrics-"))
    try:
        services = build_services(args, metrics_dir)
        ready_url = services[-1].url if args.dev else services[-1].url + "/"
        return Launcher(services, args.logs_dir, args.grace).run(ready_url)
    except LaunchError as exc:
        logger.error("%s", exc)
        return 1
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
