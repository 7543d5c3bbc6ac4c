"""Google Gemini through the official `google-genai` SDK."""

from __future__ import annotations

import contextlib
import importlib
import json
import uuid
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
    ToolCallDelta,
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


def _arguments(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _parts(message: dict) -> list[types.Part]:
    """A message's parts: its text, its function calls, or (role tool) a function response."""
    if message["role"] == "tool":
        response = types.FunctionResponse(
            id=message.get("tool_call_id"),
            name=message.get("name") or "tool",
            response={"result": message["content"]},
        )
        return [types.Part(function_response=response)]
    parts = [types.Part(text=message["content"])] if message["content"] else []
    for call in message.get("tool_calls") or []:
        function_call = types.FunctionCall(
            id=call["id"], name=call["name"], args=_arguments(call["arguments"])
        )
        parts.append(types.Part(function_call=function_call))
    return parts or [types.Part(text="")]


def to_contents(messages: list[dict]) -> tuple[str, list[types.Content]]:
    system = "\n\n".join(m["content"] for m in messages if m["role"] in ("system", "developer"))
    contents = [
        types.Content(role="model" if m["role"] == "assistant" else "user", parts=_parts(m))
        for m in messages
        if m["role"] not in ("system", "developer")
    ]
    return system, contents


def gemini_tools(params: ChatParams) -> dict[str, Any]:
    """``tools`` and ``tool_config`` of a request with tools (functionDeclarations)."""
    if not params.tools:
        return {}
    declarations = [
        types.FunctionDeclaration(
            name=t["name"],
            description=t.get("description") or None,
            parameters_json_schema=t.get("parameters") or {"type": "object"},
        )
        for t in params.tools
    ]
    choice = params.tool_choice
    if isinstance(choice, dict):
        config = types.FunctionCallingConfig(mode="ANY", allowed_function_names=[choice["name"]])
    else:
        mode = {"required": "ANY", "none": "NONE"}.get(choice or "", "AUTO")
        config = types.FunctionCallingConfig(mode=mode)
    return {
        "tools": [types.Tool(function_declarations=declarations)],
        "tool_config": types.ToolConfig(function_calling_config=config),
    }


class GeminiProvider(Provider):
    kind = "gemini"
    supports_tools = True

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
            **gemini_tools(params),
        )

    async def _stream_once(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        system, contents = to_contents(params.messages)
        usage = Usage()
        finish = "stop"
        calls = 0
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
                content = chunk.candidates[0].content if chunk.candidates else None
                for part in (content.parts if content else None) or []:
                    if part.text and not part.thought:
                        yield ChatDelta(text=part.text)
                    if part.function_call is not None:
                        call = part.function_call
                        arguments = json.dumps(call.args or {})
                        call_id = call.id or f"call_{uuid.uuid4().hex[:24]}"
                        piece = ToolCallDelta(calls, call_id, call.name, arguments)
                        calls += 1
                        yield ChatDelta(tool_calls=[piece])
        except UPSTREAM_ERRORS as exc:
            raise map_gemini_error(exc, self.base_url) from exc
        yield ChatDelta(finish_reason="tool_calls" if calls else finish, usage=usage)

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
