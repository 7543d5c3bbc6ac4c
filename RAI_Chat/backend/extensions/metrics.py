"""Prometheus metrics of the RAI API, served at ``/metrics`` when ``METRICS_ENABLED``.

Chat code records its own measurements through the objects defined here::

    from ..extensions import metrics

    metrics.active_streams.inc()        # a stream starts ... .dec() when it ends
    with metrics.turn_latency.time():   # one chat turn, request to final token
        ...
    metrics.engine_errors.inc()         # the LLM engine failed or was unreachable
    metrics.set_job_queue_depth_source(lambda: huey.pending_count())

Several gunicorn workers: each worker counts on its own. When ``PROMETHEUS_MULTIPROC_DIR``
names an empty directory (the launcher and docker-compose set one), prometheus-client
writes every worker's values there and ``/metrics`` adds them up; without it a scrape sees
only the worker that answered it.
"""

from __future__ import annotations

import atexit
import hmac
import os
import time
from collections.abc import Callable

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from ..config import current_settings
from ..core.app_state import app_settings

MULTIPROC_DIR = current_settings().prometheus_multiproc_dir

http_requests = Counter(
    "rai_http_requests",
    "HTTP requests answered, by route template, method and status code.",
    ["route", "method", "status"],
)
http_request_duration = Histogram(
    "rai_http_request_duration_seconds",
    "Time to produce a response (for a stream: until its first byte), by route template.",
    ["route"],
)
active_streams = Gauge(
    "rai_active_streams",
    "Chat answers being streamed right now.",
    multiprocess_mode="livesum",
)
turn_latency = Histogram(
    "rai_chat_turn_latency_seconds",
    "Time of one chat turn, from the request to the last token.",
    buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300),
)
engine_errors = Counter(
    "rai_engine_errors",
    "Calls to the LLM engine that failed (unreachable, error status, broken stream).",
)
followed_events = Counter(
    "rai_followed_events",
    "Events of a turn run by another process sent to its followers, by where they were read "
    "(database: replayed or polled; redis: the turn's Redis Stream).",
    ["source"],
)
job_queue_depth = Gauge(
    "rai_job_queue_depth",
    "Background jobs waiting to run (tier summaries, archiving).",
    multiprocess_mode="max",
)


def _no_jobs() -> int:
    return 0


_job_queue_depth_source: Callable[[], int] = _no_jobs


def set_job_queue_depth_source(source: Callable[[], int]) -> None:
    """Where ``rai_job_queue_depth`` comes from; read at each scrape. Until the job queue
    registers one, the gauge reads 0."""
    global _job_queue_depth_source
    _job_queue_depth_source = source


def render() -> bytes:
    """The exposition text of every metric (of every worker, in multiprocess mode)."""
    try:
        job_queue_depth.set(_job_queue_depth_source())
    except Exception:  # a broken source must not break the scrape
        job_queue_depth.set(-1)
    if MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def metrics_view():
    settings = app_settings()
    if not settings.metrics_enabled:
        abort(404)
    token = settings.metrics_token
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
            response = Response("metrics need 'Authorization: Bearer <METRICS_TOKEN>'\n", 401)
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    return Response(render(), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    @app.before_request
    def start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count_request(response):
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        if route != "/metrics":
            http_requests.labels(route, request.method, str(response.status_code)).inc()
            started = g.get("metrics_started")
            if started is not None:
                http_request_duration.labels(route).observe(time.perf_counter() - started)
        return response

    app.add_url_rule("/metrics", "metrics", metrics_view)
    if MULTIPROC_DIR:
        atexit.register(multiprocess.mark_process_dead, os.getpid())
