"""Start the LLM Engine: `python llm_Engine/llm_api_server.py --port 6301`.

Also `python -m llm_Engine.llm_api_server`. Settings come from the environment (see
llm_Engine/README.md); `--port`/`--host` override LLM_API_PORT/LLM_HOST."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `llm_Engine` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from llm_Engine.gate import GenerationGate  # noqa: E402
from llm_Engine.metrics import EngineMetrics  # noqa: E402
from llm_Engine.providers.registry import ProviderRegistry, build_remote  # noqa: E402
from llm_Engine.settings import (  # noqa: E402
    DEFAULT_EMBEDDING_ALIAS,
    EngineSettings,
    load_providers_file,
    routes_from_environment,
)

log = logging.getLogger("llm_Engine")


class StartupError(RuntimeError):
    """The engine cannot start; the message tells the operator what to fix."""


def _local_model(settings: EngineSettings, metrics: EngineMetrics, path: Path):  # noqa: ANN202
    from llm_Engine.providers.llama_local import LlamaProvider, ModelLoadError, load_llama

    alias = settings.model_alias
    try:
        llm = load_llama(path, settings.n_ctx, settings.n_threads, settings.n_batch)
        gate = GenerationGate(
            settings.queue_size,
            settings.retry_after_seconds,
            metrics.queue_depth.labels(alias).set,
        )
        return LlamaProvider(llm, gate)
    except ModelLoadError as exc:
        raise StartupError(str(exc)) from exc


def build_registry(settings: EngineSettings, metrics: EngineMetrics) -> ProviderRegistry:
    """Load the local models and connect the remote providers named in the settings."""
    registry = ProviderRegistry()
    if settings.local_model:
        provider = _local_model(settings, metrics, settings.model_path)
        registry.add(settings.model_alias, provider, settings.model_alias)
    routes = routes_from_environment()
    if settings.providers_file is not None:
        if not settings.providers_file.is_file():
            raise StartupError(f"providers file not found: {settings.providers_file}")
        try:
            routes.update(load_providers_file(settings.providers_file))
        except Exception as exc:
            raise StartupError(
                f"cannot read providers file {settings.providers_file}: {exc}"
            ) from exc
    for alias, route in routes.items():
        model = route.model or alias
        if route.provider == "llama":
            path = Path(route.path or settings.model_path)
            registry.add(alias, _local_model(settings, metrics, path), model)
        elif route.provider == "minilm":
            continue  # the built-in embedding model is added below
        else:
            provider = build_remote(route, settings.upstream_timeout, settings.upstream_retries)
            registry.add(alias, provider, model, route.kind, tools=route.tools)
    if settings.embedding_model:
        from llm_Engine import paths
        from llm_Engine.providers.minilm import EmbeddingModelMissing, MiniLMProvider

        try:
            embedder = MiniLMProvider(paths.embedding_dir(), settings.n_threads)
        except EmbeddingModelMissing as exc:
            raise StartupError(str(exc)) from exc
        registry.add(DEFAULT_EMBEDDING_ALIAS, embedder, DEFAULT_EMBEDDING_ALIAS, "embedding")
    if not registry.routes:
        raise StartupError("no model configured: enable the local model or add a provider")
    return registry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="RAI Chat LLM Engine (OpenAI-compatible)")
    parser.add_argument("--host", help="interface to listen on (LLM_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (LLM_API_PORT)")
    args = parser.parse_args(argv)
    settings = EngineSettings()
    if args.host:
        settings.host = args.host
    if args.port:
        settings.api_port = args.port
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    metrics = EngineMetrics()
    try:
        registry = build_registry(settings, metrics)
    except StartupError as exc:
        print(f"LLM Engine cannot start: {exc}", file=sys.stderr)
        return 1

    import uvicorn

    from llm_Engine.app import create_app

    app = create_app(settings, registry, metrics)
    log.info(
        "LLM Engine on http://%s:%d (models: %s)",
        settings.host,
        settings.api_port,
        ", ".join(registry.routes),
    )
    uvicorn.run(app, host=settings.host, port=settings.api_port, log_level=settings.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
