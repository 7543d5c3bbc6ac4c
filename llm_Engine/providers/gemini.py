"""Google Gemini through the official `google-genai` SDK."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from llm_Engine.errors import EngineError
from llm_Engine.providers.base import (
    ChatDelta,
    ChatParams,
    Embeddings,
    Provider,
    TokenCount,
    Usage,
    retry_before_first_token,
)
from llm_Engine.providers.upstream_errors import from_status, unreachable


def _transport_errors() -> tuple[type[BaseException], ...]:
    """The HTTP client errors google-genai may raise (it uses httpx, httpx2 or aiohttp)."""
    errors: list[type[BaseException]] = [httpx.HTTPError, OSError]
    for module, name in (("httpx2", "HTTPError"), ("aiohttp", "ClientError")):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(importlib.import_module(module), name))
    return tuple(errors)


UPSTREAM_ERRORS = (genai_errors.APIError, *_transport_errors())

_FINISH = {"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter"}


def map_gemini_error(exc: Exception, base_url: str | None) -> EngineError:
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, genai_errors.APIError):
        headers = getattr(getattr(exc, "response", None), "headers", None) or {}
        return from_status(
            "gemini", int(exc.code or 502), str(exc.message or exc), headers.get("retry-after")
        )
    return unreachable("gemini", base_url, exc)


def to_contents(messages: list[dict[str, str]]) -> tuple[str, list[types.Content]]:
    system = "\n\n".join(m["content"] for m in messages if m["role"] in ("system", "developer"))
    contents = [
        types.Content(
            role="model" if m["role"] == "assistant" else "user",
            parts=[types.Part(text=m["content"])],
        )
        for m in messages
        if m["role"] not in ("system", "developer")
    ]
    return system, contents


class GeminiProvider(Provider):
    kind = "gemini"

    def __init__(
        self, base_url: str | None, api_key: str | None, timeout: float, retries: int
    ) -> None:
        self.base_url = base_url
        self.retries = retries
        options: dict[str, Any] = {"timeout": int(timeout * 1000)}
        if base_url:
            options["base_url"] = base_url
        self.client = genai.Client(
            api_key=api_key or "missing", http_options=types.HttpOptions(**options)
        )

    def stream_chat(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        return retry_before_first_token(lambda: self._stream_once(params), self.retries)

    def _config(self, params: ChatParams, system: str) -> types.GenerateContentConfig:
        return types.GenerateContentConfig(
            system_instruction=system or None,
            temperature=params.temperature,
            top_p=params.top_p,
            max_output_tokens=params.max_tokens,
            stop_sequences=params.stop or None,
            seed=params.seed,
        )

    async def _stream_once(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        system, contents = to_contents(params.messages)
        usage = Usage()
        finish = "stop"
        try:
            stream = await self.client.aio.models.generate_content_stream(
                model=params.model, contents=contents, config=self._config(params, system)
            )
            async for chunk in stream:
                meta = chunk.usage_metadata
                if meta is not None:
                    usage = Usage(meta.prompt_token_count or 0, meta.candidates_token_count or 0)
                for candidate in chunk.candidates or []:
                    if candidate.finish_reason:
                        finish = _FINISH.get(str(candidate.finish_reason.value), "stop")
                text = chunk.text if chunk.candidates else None
                if text:
                    yield ChatDelta(text=text)
        except UPSTREAM_ERRORS as exc:
            raise map_gemini_error(exc, self.base_url) from exc
        yield ChatDelta(finish_reason=finish, usage=usage)

    async def embed(self, model: str, inputs: list[str]) -> Embeddings:
        try:
            result = await self.client.aio.models.embed_content(model=model, contents=inputs)
        except UPSTREAM_ERRORS as exc:
            raise map_gemini_error(exc, self.base_url) from exc
        vectors = [list(e.values or []) for e in result.embeddings or []]
        return Embeddings(vectors=vectors, prompt_tokens=sum(len(t) // 4 for t in inputs))

    async def count_tokens(
        self, model: str, text: str | None, messages: list[dict[str, str]] | None
    ) -> TokenCount:
        _, contents = to_contents(messages or [{"role": "user", "content": text or ""}])
        try:
            result = await self.client.aio.models.count_tokens(model=model, contents=contents)
        except UPSTREAM_ERRORS as exc:
            raise map_gemini_error(exc, self.base_url) from exc
        return TokenCount(count=result.total_tokens or 0)

    async def aclose(self) -> None:
        await self.client.aio.aclose()
