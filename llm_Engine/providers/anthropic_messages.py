"""Anthropic through its Messages API (official `anthropic` SDK)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic

from llm_Engine.errors import EngineError
from llm_Engine.providers.base import (
    ChatDelta,
    ChatParams,
    Provider,
    TokenCount,
    ToolCallDelta,
    Usage,
    retry_before_first_token,
)
from llm_Engine.providers.upstream_errors import from_status, unreachable

DEFAULT_MAX_TOKENS = 4096
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
}


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


def _arguments(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def tool_turns(messages: list[dict]) -> tuple[str, list[dict[str, Any]]]:
    """Like ``split_system``, for a conversation with tool calls: an assistant's calls are
    ``tool_use`` blocks, their results ``tool_result`` blocks of the next user turn."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] in ("system", "developer"))
    turns: list[dict[str, Any]] = []
    for m in messages:
        if m["role"] in ("system", "developer"):
            continue
        blocks: list[dict[str, Any]] = []
        if m["role"] == "tool":
            blocks.append(
                {"type": "tool_result", "tool_use_id": m["tool_call_id"], "content": m["content"]}
            )
        elif m["content"]:
            blocks.append({"type": "text", "text": m["content"]})
        for call in m.get("tool_calls") or []:
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call["id"],
                    "name": call["name"],
                    "input": _arguments(call["arguments"]),
                }
            )
        role = "assistant" if m["role"] == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return system, turns


def anthropic_tool_choice(choice: str | dict | None) -> dict | None:
    if isinstance(choice, dict):
        return {"type": "tool", "name": choice["name"]}
    return {"auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"}}.get(
        choice or ""
    )


class AnthropicProvider(Provider):
    kind = "anthropic"
    supports_tools = True

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
        with_tools = any(m.get("tool_calls") or m["role"] == "tool" for m in params.messages)
        system, turns = (tool_turns if with_tools else split_system)(params.messages)
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
        if params.tools:
            request["tools"] = [
                {
                    "name": t["name"],
                    "description": t.get("description") or "",
                    "input_schema": t.get("parameters") or {"type": "object"},
                }
                for t in params.tools
            ]
            choice = anthropic_tool_choice(params.tool_choice)
            if choice is not None:
                request["tool_choice"] = choice
        return request

    async def _stream_once(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        usage = Usage()
        finish = "stop"
        tools: dict[int, int] = {}  # content block index → tool call index
        try:
            stream = await self.client.messages.create(**self._request(params), stream=True)
            async with stream:
                async for event in stream:
                    if event.type == "message_start":
                        usage.prompt_tokens = event.message.usage.input_tokens or 0
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        yield ChatDelta(text=event.delta.text)
                    elif (
                        event.type == "content_block_start"
                        and event.content_block.type == "tool_use"
                    ):
                        tools[event.index] = len(tools)
                        block = event.content_block
                        call = ToolCallDelta(tools[event.index], block.id, block.name)
                        yield ChatDelta(tool_calls=[call])
                    elif (
                        event.type == "content_block_delta"
                        and event.delta.type == "input_json_delta"
                        and event.index in tools
                    ):
                        piece = event.delta.partial_json
                        if piece:
                            call = ToolCallDelta(tools[event.index], arguments=piece)
                            yield ChatDelta(tool_calls=[call])
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
