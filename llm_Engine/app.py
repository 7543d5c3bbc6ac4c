"""The engine's FastAPI application: `create_app(settings, registry)`."""

from __future__ import annotations

import base64
import hmac
import time
from contextlib import asynccontextmanager

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from llm_Engine.chat_routes import router as chat_router
from llm_Engine.errors import InvalidApiKey, error_response, install_error_handlers
from llm_Engine.metrics import EngineMetrics
from llm_Engine.providers.registry import ProviderRegistry, Route
from llm_Engine.schemas import EmbeddingRequest, TokenizeRequest
from llm_Engine.settings import EngineSettings

OPEN_PATHS = {"/health", "/metrics"}


def _base64_floats(vector: list[float]) -> str:
    """OpenAI's `encoding_format: base64`: little-endian float32, base64-encoded."""
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def _capabilities(route: Route) -> dict:
    """What a model can do: chat or embeddings, and native tool calling (``tools``)."""
    chat = route.kind == "chat"
    return {"chat": chat, "embeddings": not chat, "tools": route.tools}


def create_app(
    settings: EngineSettings, registry: ProviderRegistry, metrics: EngineMetrics | None = None
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        await registry.aclose()

    app = FastAPI(title="RAI Chat LLM Engine", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.registry = registry
    app.state.metrics = metrics or EngineMetrics()
    app.state.started = time.time()
    install_error_handlers(app)

    if settings.api_key:
        expected = f"Bearer {settings.api_key}".encode()

        @app.middleware("http")
        async def require_api_key(request: Request, call_next):  # noqa: ANN001, ANN202
            if request.url.path not in OPEN_PATHS:
                given = request.headers.get("authorization", "").encode()
                if not hmac.compare_digest(given, expected):
                    return error_response(
                        InvalidApiKey("Incorrect or missing API key (Authorization: Bearer ...).")
                    )
            return await call_next(request)

    app.include_router(chat_router)

    @app.get("/health")
    async def health() -> dict:
        return {
            "status": "ok",
            "models": sorted(registry.routes),
            "default_model": registry.default_chat,
            "uptime_seconds": round(time.time() - app.state.started, 1),
        }

    @app.get("/v1/models")
    async def list_models() -> dict:
        created = int(app.state.started)
        data = [
            {
                "id": alias,
                "object": "model",
                "created": created,
                "owned_by": route.provider.kind,
                "capabilities": _capabilities(route),
            }
            for alias, route in registry.routes.items()
        ]
        return {"object": "list", "data": data}

    @app.get("/v1/models/{model_id:path}")
    async def get_model(model_id: str) -> dict:
        route = registry.resolve_any(model_id)
        created = int(app.state.started)
        return {
            "id": model_id,
            "object": "model",
            "created": created,
            "owned_by": route.provider.kind,
            "capabilities": _capabilities(route),
        }

    @app.post("/v1/embeddings")
    async def embeddings(body: EmbeddingRequest, request: Request) -> JSONResponse:
        route = registry.resolve(body.model, "embedding")
        result = await route.provider.embed(route.upstream_model, body.inputs())
        m = request.app.state.metrics
        encode = _base64_floats if body.encoding_format == "base64" else list
        m.requests.labels("embeddings", route.alias, "200").inc()
        m.prompt_tokens.labels(route.alias).inc(result.prompt_tokens)
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"object": "embedding", "index": i, "embedding": encode(vector)}
                    for i, vector in enumerate(result.vectors)
                ],
                "model": body.model,
                "usage": {
                    "prompt_tokens": result.prompt_tokens,
                    "total_tokens": result.prompt_tokens,
                },
            }
        )

    @app.post("/tokenize")
    async def tokenize(body: TokenizeRequest) -> dict:
        route = registry.resolve_any(body.model)
        messages = (
            [{"role": m.role, "content": m.text()} for m in body.messages]
            if body.messages
            else None
        )
        count = await route.provider.count_tokens(route.upstream_model, body.input, messages)
        return {"model": body.model, "count": count.count, "exact": count.exact}

    @app.get("/metrics")
    async def metrics_endpoint(request: Request) -> Response:
        return Response(
            generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
        )

    return app
