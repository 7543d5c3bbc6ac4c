"""Small fake upstreams speaking the OpenAI, Anthropic and Gemini wire protocols.

Each records the requests it gets and can be told to fail: `fake.fail_next(status, ...)`
answers the next request(s) with that provider's error body; `fake.fail_mid_stream` breaks
a stream after its first piece. `fake.queue_tool_calls(ToolCall(...), ...)` makes the next
chat answer call tools in that provider's native form (`fake.queue_reply(text)`: answer
that text); chat requests with nothing queued get `fake.reply`. Used by the tests and the
benchmarks."""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from llm_Engine.testing.server_thread import ServerThread


@dataclass
class ToolCall:
    """A tool call a fake upstream makes: the function's name and its arguments."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str = ""


@dataclass
class Failure:
    status: int
    message: str = "fake failure"
    headers: dict[str, str] = field(default_factory=dict)


class FakeUpstream:
    provider = "fake"

    def __init__(self, reply: str = "Hello from the fake upstream.", chunk_delay: float = 0.0):
        self.reply = reply
        self.chunk_delay = chunk_delay
        self.chunks: list[str] | None = None
        self.requests: list[dict[str, Any]] = []
        self.failures: list[Failure] = []
        self.fail_mid_stream = False
        self.timestamp_pieces = False  # each piece is its send time (perf_counter), for benchmarks
        self.queued: list[str | list[ToolCall]] = []  # the next chat answers, in order
        # Stream at most this many pieces, then end with finish_reason "length" (as an
        # upstream does at its max_tokens); None: the whole reply.
        self.max_pieces: int | None = None
        # Streams wait before piece ``hold_after`` (``holding`` set) until ``release`` is
        # set: a test acts while a turn is running. None: no wait.
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.app = FastAPI()
        self._routes()
        self._server = ServerThread(self.app)

    # --- control ------------------------------------------------------------------------

    def fail_next(
        self, status: int, times: int = 1, message: str = "fake failure", **headers: str
    ) -> None:
        hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
        self.failures.extend(Failure(status, message, hdrs) for _ in range(times))

    def queue_tool_calls(self, *calls: ToolCall) -> None:
        """The next chat answer calls these tools (ids are given when left empty)."""
        n = len(self.queued)
        self.queued.append(
            [ToolCall(c.name, c.arguments, c.id or f"call_{n}_{i}") for i, c in enumerate(calls)]
        )

    def queue_reply(self, text: str) -> None:
        self.queued.append(text)

    def _next_answer(self) -> tuple[str, list[ToolCall]]:
        """(the text, the tool calls) of the next chat answer."""
        if self.queued:
            item = self.queued.pop(0)
            return (item, []) if isinstance(item, str) else ("", item)
        return self.reply, []

    def pieces(self, text: str | None = None) -> list[str]:
        if text is not None and text != self.reply:
            return [w if i == 0 else " " + w for i, w in enumerate(text.split(" "))] if text else []
        if self.timestamp_pieces:
            return _Timestamps(len(self.chunks or self.reply.split(" ")))
        if self.chunks is not None:
            return self.chunks
        words = self.reply.split(" ")
        return [w if i == 0 else " " + w for i, w in enumerate(words)]

    def start(self) -> FakeUpstream:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    # --- helpers for subclasses ---------------------------------------------------------

    def _take_failure(self) -> Failure | None:
        return self.failures.pop(0) if self.failures else None

    def error_body(self, failure: Failure) -> dict[str, Any]:
        raise NotImplementedError

    def _error(self, failure: Failure) -> JSONResponse:
        return JSONResponse(
            self.error_body(failure), status_code=failure.status, headers=failure.headers
        )

    async def _record(self, request: Request) -> dict[str, Any]:
        body = await request.json()
        self.requests.append({"path": request.url.path, "headers": dict(request.headers), **body})
        return body

    def _routes(self) -> None:
        raise NotImplementedError

    async def _pace(self) -> None:
        if self.chunk_delay:
            await asyncio.sleep(self.chunk_delay)


class _Timestamps(list):
    """Pieces that read as the time at which they are sent."""

    def __init__(self, n: int) -> None:
        super().__init__(["" for _ in range(n)])

    def __iter__(self):  # noqa: ANN204
        for _ in range(len(self)):
            yield f"{time.perf_counter():.6f} "


def _sse(data: Any, event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return head + "data: " + (data if isinstance(data, str) else json.dumps(data)) + "\n\n"


class FakeOpenAI(FakeUpstream):
    """`/v1/chat/completions` (JSON and SSE), `/v1/embeddings`, `/v1/models`."""

    provider = "openai"

    def error_body(self, failure: Failure) -> dict[str, Any]:
        kind = "rate_limit_exceeded" if failure.status == 429 else "server_error"
        return {"error": {"message": failure.message, "type": kind, "param": None, "code": kind}}

    def _routes(self) -> None:
        app = self.app

        @app.get("/v1/models")
        async def models() -> dict:
            return {
                "object": "list",
                "data": [{"id": "fake-gpt", "object": "model", "created": 0, "owned_by": "fake"}],
            }

        @app.post("/v1/embeddings")
        async def embeddings(request: Request):  # noqa: ANN202
            body = await self._record(request)
            if failure := self._take_failure():
                return self._error(failure)
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = [
                {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
                for i, t in enumerate(inputs)
            ]
            usage = {"prompt_tokens": len(inputs), "total_tokens": len(inputs)}
            return {"object": "list", "data": data, "model": body["model"], "usage": usage}

        @app.post("/v1/chat/completions")
        async def chat(request: Request):  # noqa: ANN202
            body = await self._record(request)
            if failure := self._take_failure():
                return self._error(failure)
            text, calls = self._next_answer()
            pieces = self.pieces(text)
            usage = {
                "prompt_tokens": 7,
                "completion_tokens": len(pieces) + len(calls),
                "total_tokens": 7 + len(pieces) + len(calls),
            }
            if not body.get("stream"):
                message: dict[str, Any] = {"role": "assistant", "content": text or None}
                if calls:
                    message["tool_calls"] = [self._call(c) for c in calls]
                return {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "usage": usage,
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "tool_calls" if calls else "stop",
                            "message": message,
                        }
                    ],
                }
            return StreamingResponse(
                self._stream(body, usage, pieces, calls), media_type="text/event-stream"
            )

    @staticmethod
    def _call(call: ToolCall) -> dict[str, Any]:
        arguments = json.dumps(call.arguments)
        return {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": arguments},
        }

    async def _stream(self, body: dict, usage: dict, pieces: list[str], calls: list[ToolCall]):  # noqa: ANN202
        head = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": body["model"],
        }
        for i, call in enumerate(calls):  # the name first, the arguments in two pieces
            await self._pace()
            first = {"index": i, **self._call(call)}
            arguments = first["function"]["arguments"]
            half = len(arguments) // 2
            first["function"] = {"name": call.name, "arguments": arguments[:half]}
            delta: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [first]}
            yield _sse({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            rest = {"index": i, "function": {"arguments": arguments[half:]}}
            delta = {"tool_calls": [rest]}
            yield _sse({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        if calls:
            end = {"index": 0, "delta": {}, "finish_reason": "tool_calls"}
            yield _sse({**head, "choices": [end]})
            if (body.get("stream_options") or {}).get("include_usage"):
                yield _sse({**head, "choices": [], "usage": usage})
            yield _sse("[DONE]")
            return
        cut = self.max_pieces is not None and len(pieces) > self.max_pieces
        for i, piece in enumerate(pieces[: self.max_pieces] if cut else pieces):
            await self._pace()
            if i == self.hold_after:
                self.holding.set()
                while not self.release.is_set():
                    await asyncio.sleep(0.01)
            if i == 1 and self.fail_mid_stream:
                yield _sse({"error": {"message": "upstream broke", "type": "server_error"}})
                return
            delta = {"content": piece} if i else {"role": "assistant", "content": piece}
            yield _sse({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        end = {"index": 0, "delta": {}, "finish_reason": "length" if cut else "stop"}
        yield _sse({**head, "choices": [end]})
        if (body.get("stream_options") or {}).get("include_usage"):
            yield _sse({**head, "choices": [], "usage": usage})
        yield _sse("[DONE]")


class FakeAnthropic(FakeUpstream):
    """`/v1/messages` (JSON and SSE events) and `/v1/messages/count_tokens`."""

    provider = "anthropic"

    def error_body(self, failure: Failure) -> dict[str, Any]:
        kinds = {
            400: "invalid_request_error",
            401: "authentication_error",
            404: "not_found_error",
            429: "rate_limit_error",
            529: "overloaded_error",
        }
        kind = kinds.get(failure.status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": failure.message}}

    def _routes(self) -> None:
        app = self.app

        @app.post("/v1/messages/count_tokens")
        async def count_tokens(request: Request):  # noqa: ANN202
            body = await self._record(request)
            if failure := self._take_failure():
                return self._error(failure)
            text = json.dumps(body["messages"]) + body.get("system", "")
            return {"input_tokens": len(text) // 4}

        @app.post("/v1/messages")
        async def messages(request: Request):  # noqa: ANN202
            body = await self._record(request)
            if failure := self._take_failure():
                return self._error(failure)
            text, calls = self._next_answer()
            if not body.get("stream"):
                content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
                content += [
                    {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
                    for c in calls
                ]
                return {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "model": body["model"],
                    "stop_reason": "tool_use" if calls else "end_turn",
                    "stop_sequence": None,
                    "content": content,
                    "usage": {"input_tokens": 9, "output_tokens": len(self.pieces(text))},
                }
            if calls:
                return StreamingResponse(
                    self._tool_stream(body, calls), media_type="text/event-stream"
                )
            return StreamingResponse(self._stream(body, text), media_type="text/event-stream")

    def _message(self, body: dict) -> dict[str, Any]:
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": body["model"],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 9, "output_tokens": 1},
        }

    async def _tool_stream(self, body: dict, calls: list[ToolCall]):  # noqa: ANN202
        """Each call a ``tool_use`` block; its input in two ``input_json_delta`` pieces."""
        yield _sse({"type": "message_start", "message": self._message(body)}, "message_start")
        for i, call in enumerate(calls):
            await self._pace()
            block = {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}
            start = {"type": "content_block_start", "index": i, "content_block": block}
            yield _sse(start, "content_block_start")
            arguments = json.dumps(call.arguments)
            half = len(arguments) // 2
            for part in (arguments[:half], arguments[half:]):
                delta = {"type": "input_json_delta", "partial_json": part}
                event = {"type": "content_block_delta", "index": i, "delta": delta}
                yield _sse(event, "content_block_delta")
            yield _sse({"type": "content_block_stop", "index": i}, "content_block_stop")
        end = {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": len(calls)},
        }
        yield _sse(end, "message_delta")
        yield _sse({"type": "message_stop"}, "message_stop")

    async def _stream(self, body: dict, text: str):  # noqa: ANN202
        message = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": body["model"],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 9, "output_tokens": 1},
        }
        yield _sse({"type": "message_start", "message": message}, "message_start")
        pieces = self.pieces(text)
        block = {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "text", "text": ""},
        }
        yield _sse(block, "content_block_start")
        yield _sse({"type": "ping"}, "ping")
        for i, piece in enumerate(pieces):
            await self._pace()
            if i == 1 and self.fail_mid_stream:
                error = {
                    "type": "error",
                    "error": {"type": "overloaded_error", "message": "Overloaded"},
                }
                yield _sse(error, "error")
                return
            delta = {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": piece},
            }
            yield _sse(delta, "content_block_delta")
        yield _sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
        end = {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": len(pieces)},
        }
        yield _sse(end, "message_delta")
        yield _sse({"type": "message_stop"}, "message_stop")


class FakeGemini(FakeUpstream):
    """`/v1(beta)/models/<model>:generateContent`, `:streamGenerateContent`, `:countTokens`."""

    provider = "gemini"

    def error_body(self, failure: Failure) -> dict[str, Any]:
        statuses = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            429: "RESOURCE_EXHAUSTED",
            503: "UNAVAILABLE",
        }
        status = statuses.get(failure.status, "INTERNAL")
        return {"error": {"code": failure.status, "message": failure.message, "status": status}}

    def _chunk(
        self, body: dict, text: str, finish: str | None, calls: list[ToolCall] | None = None
    ) -> dict[str, Any]:
        parts: list[dict[str, Any]] = [{"text": text}] if text or not calls else []
        parts += [{"functionCall": {"name": c.name, "args": c.arguments}} for c in calls or []]
        candidate: dict[str, Any] = {
            "content": {"role": "model", "parts": parts},
            "index": 0,
        }
        if finish:
            candidate["finishReason"] = finish
        n = len(self.pieces())
        return {
            "candidates": [candidate],
            "modelVersion": "fake-gemini",
            "usageMetadata": {
                "promptTokenCount": 5,
                "candidatesTokenCount": n,
                "totalTokenCount": 5 + n,
            },
        }

    def _routes(self) -> None:
        app = self.app

        @app.post("/v1beta/models/{target:path}")
        @app.post("/v1/models/{target:path}")
        async def model_action(target: str, request: Request):  # noqa: ANN202
            body = await self._record(request)
            self.requests[-1]["query"] = dict(request.query_params)
            if failure := self._take_failure():
                return self._error(failure)
            _, _, action = target.partition(":")
            if action == "countTokens":
                return {"totalTokens": len(json.dumps(body.get("contents", []))) // 4}
            text, calls = self._next_answer()
            if action == "generateContent":
                return self._chunk(body, text, "STOP", calls)
            if action == "streamGenerateContent":
                if calls:  # Gemini sends a function call whole, in one chunk
                    chunk = _sse(self._chunk(body, "", "STOP", calls))
                    return StreamingResponse(iter([chunk]), media_type="text/event-stream")
                return StreamingResponse(self._stream(body, text), media_type="text/event-stream")
            return JSONResponse(self.error_body(Failure(404, f"no action {action}")), 404)

    async def _stream(self, body: dict, text: str):  # noqa: ANN202
        pieces = self.pieces(text)
        for i, piece in enumerate(pieces):
            await self._pace()
            if i == 1 and self.fail_mid_stream:
                yield _sse(self.error_body(Failure(500, "upstream broke")))
                return
            yield _sse(self._chunk(body, piece, "STOP" if i == len(pieces) - 1 else None))


def main() -> None:
    """Serve a fake OpenAI upstream in the foreground (used by the benchmarks)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--chunks", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.02)
    args = parser.parse_args()
    fake = FakeOpenAI(chunk_delay=args.delay)
    fake.chunks = ["x"] * args.chunks
    fake.timestamp_pieces = True
    import uvicorn

    uvicorn.run(fake.app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
