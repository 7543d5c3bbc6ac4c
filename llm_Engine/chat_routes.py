"""`POST /v1/chat/completions`: one answer, or an SSE stream of OpenAI chunks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from llm_Engine.errors import BadRequest, EngineError
from llm_Engine.metrics import EngineMetrics
from llm_Engine.providers.base import ChatDelta, ChatParams, ToolCallDelta, Usage
from llm_Engine.providers.registry import ProviderRegistry, Route
from llm_Engine.schemas import ChatCompletionRequest, ChatMessage

router = APIRouter()

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def provider_messages(messages: list[ChatMessage]) -> list[dict]:
    """The messages as providers take them: text, plus tool calls and tool results (each
    result named by the function of the call it answers)."""
    out: list[dict] = []
    names: dict[str, str] = {}
    for m in messages:
        item: dict = {"role": "system" if m.role == "developer" else m.role, "content": m.text()}
        if m.tool_calls:
            item["tool_calls"] = [
                {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
                for c in m.tool_calls
            ]
            names.update({c.id: c.function.name for c in m.tool_calls})
        if m.role == "tool":
            item["tool_call_id"] = m.tool_call_id
            item["name"] = names.get(m.tool_call_id or "") or m.name or "tool"
        out.append(item)
    return out


def chat_params(body: ChatCompletionRequest, upstream_model: str) -> ChatParams:
    tools = [t.function.model_dump() for t in body.tools] if body.tools else None
    return ChatParams(
        model=upstream_model,
        messages=provider_messages(body.messages),
        max_tokens=body.token_limit(),
        temperature=body.temperature,
        top_p=body.top_p,
        seed=body.seed,
        stop=list(body.stop or []),
        json_schema=body.response_format.wanted_schema() if body.response_format else None,
        tools=tools,
        tool_choice=body.tool_choice_value() if tools else None,
    )


def check_tools(body: ChatCompletionRequest, route: Route) -> None:
    """Tools only go to a provider that calls them natively; the local model does not."""
    uses_tools = bool(body.tools) or any(m.tool_calls or m.role == "tool" for m in body.messages)
    if uses_tools and not route.tools:
        why = (
            "is not enabled for it (set tools = true on its route, or OPENAI_TOOLS / "
            "ANTHROPIC_TOOLS / GEMINI_TOOLS)"
            if route.provider.supports_tools
            else "is not supported by its provider"
        )
        raise BadRequest(
            f"The model '{body.model}' does not take tools: native tool calling {why}; "
            "see capabilities.tools in /v1/models.",
            param="tools",
        )


class ToolCalls:
    """Collects the tool call pieces of an answer into OpenAI ``tool_calls``."""

    def __init__(self) -> None:
        self.calls: dict[int, dict] = {}

    def add(self, piece: ToolCallDelta) -> dict:
        """Record a piece; returns its OpenAI stream delta form."""
        call = self.calls.setdefault(
            piece.index,
            {"id": "", "type": "function", "function": {"name": "", "arguments": ""}},
        )
        delta: dict = {"index": piece.index}
        if piece.id:
            call["id"] = piece.id
            delta["id"], delta["type"] = piece.id, "function"
        function: dict = {}
        if piece.name:
            call["function"]["name"] = piece.name
            function["name"] = piece.name
        call["function"]["arguments"] += piece.arguments
        function["arguments"] = piece.arguments
        delta["function"] = function
        return delta

    def listed(self) -> list[dict]:
        return [self.calls[i] for i in sorted(self.calls)]


class ChunkWriter:
    """Writes OpenAI `chat.completion.chunk` events; the JSON around the text is built once."""

    def __init__(self, model: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model
        head = {"id": self.id, "object": "chat.completion.chunk", "created": self.created}
        head["model"] = model
        self._head = json.dumps(head)[:-1]
        self._text_prefix = (
            "data: " + self._head + ', "choices": [{"index": 0, "delta": {"content": '
        )
        self._text_suffix = '}, "logprobs": null, "finish_reason": null}]}\n\n'

    def _event(self, rest: dict) -> str:
        return "data: " + self._head + ", " + json.dumps(rest)[1:] + "\n\n"

    def role(self) -> str:
        delta = {"role": "assistant", "content": ""}
        return self._event(
            {"choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}]}
        )

    def text(self, text: str) -> str:
        return self._text_prefix + json.dumps(text) + self._text_suffix

    def tool_calls(self, deltas: list[dict]) -> str:
        delta = {"tool_calls": deltas}
        return self._event(
            {"choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}]}
        )

    def finish(self, reason: str, usage: Usage | None) -> str:
        rest: dict = {
            "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": reason}]
        }
        if usage is not None:
            rest["usage"] = usage.as_dict()
        return self._event(rest)

    def usage(self, usage: Usage) -> str:
        return self._event({"choices": [], "usage": usage.as_dict()})

    @staticmethod
    def error(error: EngineError) -> str:
        return "data: " + json.dumps(error.body()) + "\n\n"


def completion_body(
    model: str, text: str, finish: str, usage: Usage, tool_calls: list[dict] | None = None
) -> dict:
    message: dict = {"role": "assistant", "content": text, "refusal": None}
    if tool_calls:
        message["tool_calls"] = tool_calls
        message["content"] = text or None
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish,
            }
        ],
        "usage": usage.as_dict(),
    }


@router.post("/v1/chat/completions")
async def chat_completions(body: ChatCompletionRequest, request: Request):
    registry: ProviderRegistry = request.app.state.registry
    metrics: EngineMetrics = request.app.state.metrics
    route = registry.resolve(body.model)
    check_tools(body, route)
    started = time.perf_counter()
    stream = route.provider.stream_chat(chat_params(body, route.upstream_model))
    try:
        first = await _first_delta(stream, request)
    except EngineError as exc:
        metrics.requests.labels("chat", route.alias, str(exc.status)).inc()
        raise
    if first.text:
        metrics.time_to_first_token.labels(route.alias).observe(time.perf_counter() - started)
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        events = _sse(stream, first, body.model, include_usage, route.alias, metrics)
        return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)
    try:
        text, finish, usage, calls = await _collect(stream, first, request)
    except EngineError as exc:
        metrics.requests.labels("chat", route.alias, str(exc.status)).inc()
        raise
    _count(metrics, route.alias, usage, "200")
    return JSONResponse(completion_body(body.model, text, finish, usage, calls.listed()))


def _count(metrics: EngineMetrics, alias: str, usage: Usage | None, status: str) -> None:
    metrics.requests.labels("chat", alias, status).inc()
    if usage is not None:
        metrics.prompt_tokens.labels(alias).inc(usage.prompt_tokens)
        metrics.completion_tokens.labels(alias).inc(usage.completion_tokens)


async def _watch_disconnect(request: Request) -> None:
    while not await request.is_disconnected():
        await asyncio.sleep(0.25)


async def _until_disconnect(awaitable, request: Request):  # noqa: ANN001, ANN202
    """Await `awaitable`, cancelling it when the client goes away."""
    work = asyncio.ensure_future(awaitable)
    watcher = asyncio.ensure_future(_watch_disconnect(request))
    try:
        done, _ = await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if work not in done:
            work.cancel()
            raise EngineError("client disconnected", code="client_disconnected")
        return work.result()
    finally:
        watcher.cancel()


async def _first_delta(stream: AsyncIterator[ChatDelta], request: Request) -> ChatDelta:
    try:
        return await _until_disconnect(anext(stream), request)
    except StopAsyncIteration:
        return ChatDelta(finish_reason="stop", usage=Usage())
    except BaseException:
        with contextlib.suppress(Exception):
            await stream.aclose()
        raise


async def _collect(
    stream: AsyncIterator[ChatDelta], first: ChatDelta, request: Request
) -> tuple[str, str, Usage, ToolCalls]:
    async def rest() -> tuple[str, str, Usage, ToolCalls]:
        parts, finish, usage = [first.text], first.finish_reason, first.usage
        calls = ToolCalls()
        for piece in first.tool_calls:
            calls.add(piece)
        async for delta in stream:
            parts.append(delta.text)
            for piece in delta.tool_calls:
                calls.add(piece)
            finish = delta.finish_reason or finish
            usage = delta.usage or usage
        return "".join(parts), finish or "stop", usage or Usage(), calls

    try:
        return await _until_disconnect(rest(), request)
    finally:
        await stream.aclose()


async def _sse(
    stream: AsyncIterator[ChatDelta],
    first: ChatDelta,
    model: str,
    include_usage: bool,
    alias: str,
    metrics: EngineMetrics,
) -> AsyncIterator[str]:
    writer = ChunkWriter(model)
    usage: Usage | None = None
    status = "200"
    try:
        yield writer.role()
        delta: ChatDelta | None = first
        pending = stream.__aiter__()
        calls = ToolCalls()
        while delta is not None:
            if delta.text:
                yield writer.text(delta.text)
            if delta.tool_calls:
                yield writer.tool_calls([calls.add(piece) for piece in delta.tool_calls])
            if delta.finish_reason:
                usage = delta.usage or Usage()
                yield writer.finish(delta.finish_reason, None if include_usage else usage)
                if include_usage:
                    yield writer.usage(usage)
            delta = await anext(pending, None)
    except EngineError as exc:
        status = str(exc.status)
        yield writer.error(exc)
    except asyncio.CancelledError:
        status = "499"
        raise
    finally:
        await stream.aclose()
        _count(metrics, alias, usage, status)
    yield "data: [DONE]\n\n"
