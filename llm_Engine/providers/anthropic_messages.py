"""Anthropic through its Messages API (official `anthropic` SDK)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anthropic

from llm_Engine.errors import EngineError
from llm_Engine.providers.base import (
    ChatDelta,
    ChatParams,
    Provider,
    TokenCount,
    Usage,
    retry_before_first_token,
)
from llm_Engine.providers.upstream_errors import from_status, unreachable

DEFAULT_MAX_TOKENS = 4096
_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}


def map_anthropic_error(exc: Exception, base_url: str | None) -> EngineError:
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, anthropic.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        message = (body.get("error") or {}).get("message") or exc.message
        return from_status(
            "anthropic", exc.status_code, str(message), exc.response.headers.get("retry-after")
        )
    return unreachable("anthropic", base_url, exc)


def split_system(messages: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
    """Anthropic takes the system prompt apart and wants user/assistant turns alternating."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] in ("system", "developer"))
    turns: list[dict[str, str]] = []
    for message in messages:
        if message["role"] in ("system", "developer"):
            continue
        role = "assistant" if message["role"] == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1] = {
                "role": role,
                "content": turns[-1]["content"] + "\n\n" + message["content"],
            }
        else:
            turns.append({"role": role, "content": message["content"]})
    return system, turns


class AnthropicProvider(Provider):
    kind = "anthropic"

    def __init__(
        self, base_url: str | None, api_key: str | None, timeout: float, retries: int
    ) -> None:
        self.base_url = base_url
        self.retries = retries
        self.client = anthropic.AsyncAnthropic(
            api_key=api_key or "missing", base_url=base_url, timeout=timeout, max_retries=0
        )

    def stream_chat(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        return retry_before_first_token(lambda: self._stream_once(params), self.retries)

    def _request(self, params: ChatParams) -> dict[str, Any]:
        system, turns = split_system(params.messages)
        request: dict[str, Any] = {
            "model": params.model,
            "messages": turns,
            "max_tokens": params.max_tokens or DEFAULT_MAX_TOKENS,
        }
        if system:
            request["system"] = system
        if params.temperature is not None:
            request["temperature"] = min(params.temperature, 1.0)
        if params.top_p is not None:
            request["top_p"] = params.top_p
        if params.stop:
            request["stop_sequences"] = params.stop
        return request

    async def _stream_once(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        usage = Usage()
        finish = "stop"
        try:
            stream = await self.client.messages.create(**self._request(params), stream=True)
            async with stream:
                async for event in stream:
                    if event.type == "message_start":
                        usage.prompt_tokens = event.message.usage.input_tokens or 0
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        yield ChatDelta(text=event.delta.text)
                    elif event.type == "message_delta":
                        finish = _FINISH.get(event.delta.stop_reason or "", "stop")
                        usage.completion_tokens = event.usage.output_tokens or 0
        except (anthropic.AnthropicError, OSError) as exc:
            raise map_anthropic_error(exc, self.base_url) from exc
        yield ChatDelta(finish_reason=finish, usage=usage)

    async def count_tokens(
        self, model: str, text: str | None, messages: list[dict[str, str]] | None
    ) -> TokenCount:
        system, turns = split_system(messages or [{"role": "user", "content": text or ""}])
        extra = {"system": system} if system else {}
        try:
            result = await self.client.messages.count_tokens(model=model, messages=turns, **extra)
        except (anthropic.AnthropicError, OSError) as exc:
            raise map_anthropic_error(exc, self.base_url) from exc
        return TokenCount(count=result.input_tokens)

    async def aclose(self) -> None:
        await self.client.close()
