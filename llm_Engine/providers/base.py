"""The one interface every provider implements, and the retry rule they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from llm_Engine.errors import BadRequest, EngineError


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


@dataclass
class ToolCallDelta:
    """A piece of a tool call: the first piece of call ``index`` has its id and name, the
    arguments (JSON text) may come in pieces."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass
class ChatParams:
    """A chat request as providers see it: text messages and sampling options.

    With tools, messages may also be an assistant message with ``tool_calls`` (``[{"id",
    "name", "arguments"}]``, arguments as JSON text) and ``tool`` messages with
    ``tool_call_id`` and ``name`` (the function whose result they carry)."""

    model: str
    messages: list[dict]
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    # The answer must be JSON following this schema (``response_format``); None: free text.
    json_schema: dict | None = None
    # OpenAI-shaped function definitions ({"name", "description", "parameters"}) and the
    # choice: "auto", "none", "required" or {"name": ...}; None: no tools.
    tools: list[dict] | None = None
    tool_choice: str | dict | None = None


@dataclass
class ChatDelta:
    """A piece of a streamed answer; the last one carries `finish_reason` and `usage`."""

    text: str = ""
    tool_calls: list[ToolCallDelta] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass
class TokenCount:
    count: int
    exact: bool = True


@dataclass
class Embeddings:
    vectors: list[list[float]]
    prompt_tokens: int


class Provider(ABC):
    """A source of completions and/or embeddings behind one or more model aliases."""

    kind: str = "abstract"
    # Whether the provider speaks native tool calling (``tools`` on a chat request).
    supports_tools: bool = False

    @abstractmethod
    def stream_chat(self, params: ChatParams) -> AsyncIterator[ChatDelta]:
        """Stream the answer; raise `EngineError`s (before or during the stream)."""

    async def complete(self, params: ChatParams) -> tuple[str, str, Usage]:
        """The whole answer: (text, finish_reason, usage)."""
        parts: list[str] = []
        finish, usage = "stop", Usage()
        async for delta in self.stream_chat(params):
            parts.append(delta.text)
            finish = delta.finish_reason or finish
            usage = delta.usage or usage
        return "".join(parts), finish, usage

    async def embed(self, model: str, inputs: list[str]) -> Embeddings:
        raise BadRequest(f"model {model!r} does not serve embeddings", param="model")

    async def count_tokens(
        self, model: str, text: str | None, messages: list[dict[str, str]] | None
    ) -> TokenCount:
        """Count tokens; providers without a tokenizer estimate (4 characters a token)."""
        chars = len(text or "") + sum(len(m["content"]) + 8 for m in messages or [])
        return TokenCount(count=max(1, chars // 4), exact=False)

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release clients and models."""


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, EngineError) and exc.retryable


async def retry_before_first_token(
    open_stream: Callable[[], AsyncIterator[ChatDelta]], retries: int
) -> AsyncIterator[ChatDelta]:
    """Open a stream, retrying failures that happen before its first delta only.

    Once a delta has been passed on, a failure ends the stream: repeating the request
    would send the client the same text twice."""
    retrying = AsyncRetrying(
        stop=stop_after_attempt(retries + 1),
        wait=wait_exponential(multiplier=0.2, max=2),
        retry=retry_if_exception(_is_retryable),
        reraise=True,
    )
    stream: AsyncIterator[ChatDelta] | None = None
    first: ChatDelta | None = None
    async for attempt in retrying:
        with attempt:
            stream = open_stream()
            try:
                first = await anext(stream)
            except StopAsyncIteration:
                first = None
    if first is None or stream is None:
        return
    yield first
    async for delta in stream:
        yield delta
