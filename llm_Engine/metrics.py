"""Prometheus metrics: requests, tokens in and out, time to first token, queue depth."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class EngineMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "llm_requests",
            "Requests served, by endpoint, model and HTTP status.",
            ["endpoint", "model", "status"],
            registry=self.registry,
        )
        self.prompt_tokens = Counter(
            "llm_prompt_tokens", "Prompt tokens read.", ["model"], registry=self.registry
        )
        self.completion_tokens = Counter(
            "llm_completion_tokens", "Completion tokens written.", ["model"], registry=self.registry
        )
        self.time_to_first_token = Histogram(
            "llm_time_to_first_token_seconds",
            "Seconds from request to the first token.",
            ["model"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "llm_queue_depth",
            "Requests waiting for a busy local model.",
            ["model"],
            registry=self.registry,
        )
