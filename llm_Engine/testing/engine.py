"""Serve an engine app (built from a given registry) in a thread, for tests and benchmarks."""

from __future__ import annotations

from llm_Engine.app import create_app
from llm_Engine.providers.registry import ProviderRegistry
from llm_Engine.settings import EngineSettings
from llm_Engine.testing.server_thread import ServerThread


def engine_thread(registry: ProviderRegistry, **settings: object) -> ServerThread:
    options = {"local_model": False, "embedding_model": False, **settings}
    app = create_app(EngineSettings(**options), registry)
    return ServerThread(app)
