"""Any OpenAI-compatible upstream (OpenAI, Ollama, vLLM, LM Studio, OpenRouter)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import openai

from llm_Engine.errors import EngineError
from llm_Engine.providers.base import (
    ChatDelta,
    ChatParams,
    Embeddings,
    Provider,
    ToolCallDelta,
    Usage,
    retry_before_first_token,
)
from llm_Engine.providers.upstream_errors import from_status, unreachable


def map_openai_error(exc: Exception, base_url: str | None) -> EngineError:
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        message = (body.get("error") or body).get("message") if body else None
        return from_status(
            "openai",
            exc.status_code,
            str(message or exc.message),
            exc.response.headers.get("retry-after"),
        )
    return unreachable("openai", base_url, exc)


def openai_messages(messages: list[dict]) -> list[dict]:
    """Our provider messages back in the OpenAI wire form."""
    out = []
    for m in messages:
        item: dict[str, Any] = {"role": m["role"], "content": m["content"]}
        if m.get("tool_calls"):
            item["content"] = m["content"] or None
            item["tool_calls"] = [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"]},
                }
                for c in m["tool_calls"]
            ]
        if m["role"] == "tool":
            item["tool_call_id"] = m["tool_call_id"]
        out.append(item)
    return out


def openai_tool_choice(choice: str | dict | None) -> str | dict | None:
    if isinstance(choice, dict):
        return {"type": "function", "function": {"name": choice["name"]}}
    return choice


class OpenAICompatibleProvider(Provider):
    kind = "openai"
    supports_tools = True

    def __init__(
        self, base_url: str | None, api_key: str | None, timeout: float, retries: int
    ) -> None:
        self.base_url = base_url
        self.retries = retries
        self.client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=timeout,
            max_retries=0,
        )

    def stream_chat(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        return retry_before_first_token(lambda: self._stream_once(params), self.retries)

    async def _stream_once(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        request: dict[str, Any] = {
            "model": params.model,
            "messages": openai_messages(params.messages),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        for name in ("max_tokens", "temperature", "top_p", "seed"):
            if getattr(params, name) is not None:
                request[name] = getattr(params, name)
        if params.stop:
            request["stop"] = params.stop
        if params.json_schema is not None:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "response", "schema": params.json_schema},
            }
        if params.tools:
            request["tools"] = [{"type": "function", "function": t} for t in params.tools]
            if params.tool_choice is not None:
                request["tool_choice"] = openai_tool_choice(params.tool_choice)
        finish: str | None = None
        usage: Usage | None = None
        try:
            stream = await self.client.chat.completions.create(**request)
            async with stream:
                async for chunk in stream:
                    if chunk.usage is not None:
                        usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                    for choice in chunk.choices:
                        finish = choice.finish_reason or finish
                        if choice.delta and choice.delta.content:
                            yield ChatDelta(text=choice.delta.content)
                        if choice.delta and choice.delta.tool_calls:
                            yield ChatDelta(
                                tool_calls=[
                                    ToolCallDelta(
                                        index=c.index,
                                        id=c.id,
                                        name=c.function.name if c.function else None,
                                        arguments=(c.function.arguments or "")
                                        if c.function
                                        else "",
                                    )
                                    for c in choice.delta.tool_calls
                                ]
                            )
        except (openai.OpenAIError, OSError) as exc:
            raise map_openai_error(exc, self.base_url) from exc
        yield ChatDelta(finish_reason=finish or "stop", usage=usage or Usage())

    async def embed(self, model: str, inputs: list[str]) -> Embeddings:
        try:
            result = await self.client.embeddings.create(model=model, input=inputs)
        except (openai.OpenAIError, OSError) as exc:
            raise map_openai_error(exc, self.base_url) from exc
        vectors = [item.embedding for item in sorted(result.data, key=lambda d: d.index)]
        return Embeddings(vectors=vectors, prompt_tokens=result.usage.prompt_tokens)

    async def aclose(self) -> None:
        await self.client.close()
