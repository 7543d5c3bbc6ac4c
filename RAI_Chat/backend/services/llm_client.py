"""The RAI API's client of the LLM engine: the OpenAI wire protocol over httpx, so the
engine can be ours, vLLM, Ollama or any OpenAI-compatible server."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from ..core.errors import UpstreamError

logger = logging.getLogger(__name__)
CHARS_PER_TOKEN_ESTIMATE = 3  # used only when the engine has no /tokenize
CAPABILITY_TTL_S = 60.0  # how long what /v1/models says of a model is trusted


def _add_tool_call(calls: list[dict], piece: dict) -> None:
    """Merge one streamed tool call delta into ``calls`` (by its index)."""
    index = piece.get("index", len(calls))
    while len(calls) <= index:
        calls.append({"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
    call = calls[index]
    function = piece.get("function") or {}
    call["id"] = piece.get("id") or call["id"]
    call["function"]["name"] = function.get("name") or call["function"]["name"]
    call["function"]["arguments"] += function.get("arguments") or ""


class EngineError(UpstreamError):
    """The engine failed; the message is meant for the user."""


class EngineTimeout(EngineError):
    status_code = 504


class EngineRejected(EngineError):
    """The engine refused the request itself (e.g. an unknown model): the client's mistake."""

    status_code = 400


@dataclass
class StreamResult:
    """Filled in while ``EngineClient.stream_chat`` runs."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    extra: dict = field(default_factory=dict)
    # Native tool calls of the answer (OpenAI shape: id, type, function{name, arguments}).
    tool_calls: list[dict] = field(default_factory=list)


def _error_message(response: httpx.Response) -> str:
    try:
        body = json.loads(response.read() or b"{}")
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error)
        if error:
            return str(error)
    except (ValueError, httpx.HTTPError):
        pass
    return f"HTTP {response.status_code}"


# Short texts (a message, a query) whose vectors ``EngineClient.embed`` keeps, and how many.
QUERY_MAX_CHARS = 2000
QUERY_VECTORS_KEPT = 1024
# Texts whose token counts ``EngineClient.count_tokens`` keeps (a prompt's system text,
# headers, facts, recalled memories, window messages: counted once per process).
COUNTED_MAX_CHARS = 32_000
COUNTS_KEPT = 4096
EMBED_BATCH_MAX = 64  # single texts sent to /v1/embeddings in one request, at most


def sse_data(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The payloads of the ``data:`` lines of a Server-Sent Events body, from its bytes as
    they arrive (lines split here: cheaper per token than decoding to text first)."""
    rest = b""
    for chunk in chunks:
        if b"\r" in chunk:  # CRLF or CR line ends (a CRLF cut in two makes an empty line)
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if rest:
            chunk = rest + chunk
        lines = chunk.split(b"\n")
        rest = lines.pop()
        for line in lines:
            if line.startswith(b"data:"):
                yield line[5:].strip()
    if rest.startswith(b"data:"):
        yield rest[5:].strip()


def query_text(text: str) -> str:
    """A query as it is embedded: its words one space apart (the same for MiniLM's
    tokenizer), so that the decision step and the memory recall of a turn ask once."""
    return " ".join(text.split())


class _Batch:
    """Single texts to embed in one request (the same text once)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.index: dict[str, int] = {}
        self.callers = 0
        self.vectors: list[list[float]] | None = None
        self.error: EngineError | None = None
        self.done = threading.Event()

    def add(self, text: str) -> int:
        self.callers += 1
        if text not in self.index:
            self.index[text] = len(self.texts)
            self.texts.append(text)
        return self.index[text]


class EmbeddingBatcher:
    """Single texts embedded at about the same time (turns that start together) go to the
    engine as one ``/v1/embeddings`` request.

    The first caller of a batch sends it; while an earlier request of the same model is
    still in flight, the texts asked for meanwhile gather in the next batch (so one turn
    alone waits for nothing; many at once make one request per round trip), except a text
    that request already carries: its caller waits for that answer (a turn's decision step
    and its memory recall ask for the same text at the same time). Every waiter
    gets its own vector, or the engine's error. Locks and events are made on first use,
    never at import (under gevent they must be made after the worker is patched)."""

    def __init__(self, send, max_batch: int = EMBED_BATCH_MAX):
        self._send = send  # (texts, model) -> vectors
        self.max_batch = max_batch
        self._lock: threading.Lock | None = None
        self._made: dict[str, threading.Lock] = {}
        self._open: dict[str, _Batch] = {}  # model -> the batch gathering texts
        self._in_flight: dict[str, _Batch] = {}  # model -> the batch being sent
        self._sending: dict[str, threading.Lock] = {}  # model -> held while a request runs
        self.requests = 0  # requests sent (for tests and benchmarks)

    def _guard(self) -> threading.Lock:
        lock = self._lock
        if lock is None:  # first use: ``setdefault`` keeps one lock if threads race here
            lock = self._lock = self._made.setdefault("guard", threading.Lock())
        return lock

    def embed_one(self, text: str, model: str) -> list[float]:
        with self._guard():
            batch = self._in_flight.get(model)
            leader = False
            if batch is None or text not in batch.index:  # else: asked for already, in flight
                batch = self._open.get(model)
                leader = batch is None or len(batch.texts) >= self.max_batch
                if leader:
                    batch = self._open[model] = _Batch()
            index = batch.add(text)
            sending = self._sending.setdefault(model, threading.Lock())
        if leader:
            with sending:  # the previous request of this model has ended
                with self._guard():
                    if self._open.get(model) is batch:
                        del self._open[model]  # from now on, texts go to a new batch
                    self._in_flight[model] = batch
                self.requests += 1
                try:
                    batch.vectors = self._send(batch.texts, model)
                    if len(batch.vectors) != len(batch.texts):
                        raise EngineError("The embedding model sent a malformed answer")
                except EngineError as exc:
                    batch.error = exc
                except Exception as exc:  # never leave the waiters waiting
                    batch.error = EngineError(f"The embedding model failed ({type(exc).__name__})")
                finally:
                    with self._guard():
                        if self._in_flight.get(model) is batch:
                            del self._in_flight[model]
                    batch.done.set()
        else:
            batch.done.wait()
        if batch.vectors is None and batch.error is None:  # its sender was killed
            batch.error = EngineError("The embedding model did not answer")
        if batch.error is not None:
            error = type(batch.error)(batch.error.message, batch.error.status_code)
            raise error from batch.error
        return list(batch.vectors[index])


class EngineClient:
    def __init__(
        self,
        base_url: str,
        *,
        model: str = "default",
        api_key: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 120.0,
        embedding_url: str | None = None,
        embedding_model: str = "default",
    ):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.embedding_url = (embedding_url or base_url).rstrip("/")
        self.embedding_model = embedding_model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        # One client per process, shared by every turn: no cap on concurrent streams.
        self._http = httpx.Client(
            headers=headers,
            timeout=self._timeout,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=200),
        )
        self._tool_support: dict[str, tuple[bool, float]] = {}
        # (model, text) -> vector of the short texts embedded lately (see ``embed``).
        self._query_vectors: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self._query_lock = threading.Lock()
        self._batcher = EmbeddingBatcher(self._embed)
        # (model, text) -> tokens, of the texts counted lately (see ``count_tokens``).
        self._counts: OrderedDict[tuple[str, str], int] = OrderedDict()

    def close(self) -> None:
        self._http.close()

    def _url(self, path: str, base: str | None = None) -> str:
        # Accept both http://host:6301 and http://host:6301/v1 (as OpenAI clients do).
        base = base or self.base_url
        return (base[:-3] if base.endswith("/v1") else base) + path

    def stream_chat(
        self,
        messages: list[dict],
        *,
        model: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        result: StreamResult | None = None,
        json_schema: dict | None = None,
        tools: list[dict] | None = None,
        tool_choice: str | dict | None = None,
    ) -> Iterator[str]:
        """Yield the pieces of the answer as the engine streams them; native tool calls
        (with ``tools``) are collected into ``result.tool_calls``."""
        result = result if result is not None else StreamResult()
        payload: dict = {
            "model": model or self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if max_tokens:
            payload["max_tokens"] = max_tokens
        if temperature is not None:
            payload["temperature"] = temperature
        if json_schema is not None:  # the answer is JSON held to this schema
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": json_schema},
            }
        if tools:
            payload["tools"] = tools
            if tool_choice is not None:
                payload["tool_choice"] = tool_choice
        try:
            with self._http.stream(
                "POST", self._url("/v1/chat/completions"), json=payload
            ) as response:
                if response.status_code in (400, 404, 422):
                    raise EngineRejected(
                        f"The language model engine refused the request: {_error_message(response)}"
                    )
                if response.status_code >= 400:
                    raise EngineError(
                        f"The language model engine refused the request: {_error_message(response)}"
                    )
                for data in sse_data(response.iter_bytes()):
                    if data == b"[DONE]":
                        return
                    chunk = json.loads(data)
                    if "error" in chunk:
                        message = chunk["error"].get("message", "unknown error")
                        raise EngineError(f"The language model engine failed: {message}")
                    usage = chunk.get("usage")
                    if usage:
                        result.prompt_tokens = usage.get("prompt_tokens")
                        result.completion_tokens = usage.get("completion_tokens")
                    for choice in chunk.get("choices") or ():
                        if choice.get("finish_reason"):
                            result.finish_reason = choice["finish_reason"]
                        delta = choice.get("delta") or {}
                        for call in delta.get("tool_calls") or ():
                            _add_tool_call(result.tool_calls, call)
                        piece = delta.get("content")
                        if piece and "\x00" in piece:
                            # NUL cannot be stored (PostgreSQL text) and is never meant.
                            piece = piece.replace("\x00", "")
                        if piece:
                            yield piece
            raise EngineError("The language model engine closed the stream before finishing")
        except httpx.TimeoutException as exc:
            raise EngineTimeout("The language model engine did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise EngineError(
                f"The language model engine is unreachable at {self.base_url} "
                f"({type(exc).__name__})"
            ) from exc
        except ValueError as exc:  # a malformed chunk
            raise EngineError("The language model engine sent a malformed stream") from exc

    def complete(
        self,
        messages: list[dict],
        *,
        max_tokens: int,
        model: str | None = None,
        temperature: float | None = None,
        json_schema: dict | None = None,
    ) -> str:
        """A short answer, collected (background work such as titles; JSON decisions)."""
        return "".join(
            self.stream_chat(
                messages,
                model=model,
                max_tokens=max_tokens,
                temperature=temperature,
                json_schema=json_schema,
            )
        )

    def count_tokens(self, text: str) -> int:
        """Exact count from the engine's tokenizer; an estimate if it has none. A text
        counted before (the system prompt, a fact, a window message) is answered from
        memory: a turn asks the engine only about what is new."""
        key = (self.model, text)
        with self._query_lock:
            known = self._counts.get(key)
            if known is not None:
                self._counts.move_to_end(key)
                return known
        try:
            response = self._http.post(
                self._url("/tokenize"), json={"model": self.model, "input": text}, timeout=10
            )
            if response.status_code == 200:
                count = int(response.json()["count"])
                if len(text) <= COUNTED_MAX_CHARS:
                    with self._query_lock:
                        self._counts[key] = count
                        while len(self._counts) > COUNTS_KEPT:
                            self._counts.popitem(last=False)
                return count
        except (httpx.HTTPError, ValueError, KeyError):
            logger.debug("Engine /tokenize unavailable; estimating")
        return max(1, len(text) // CHARS_PER_TOKEN_ESTIMATE)

    def embed(
        self, texts: list[str], model: str | None = None, fresh: bool = False
    ) -> list[list[float]]:
        """Embeddings from EMBEDDING_API_URL's /v1/embeddings (one vector per text). One
        short text (a query: its words one space apart) asked for again is answered from
        memory (a turn embeds its message for the decision step, the memory recall and the
        documents' passages), unless ``fresh`` (a health check: is the model there now?);
        short texts of turns that start together go in one request (``EmbeddingBatcher``)."""
        model = model or self.embedding_model
        if fresh or len(texts) != 1 or len(texts[0]) > QUERY_MAX_CHARS:
            return self._embed(texts, model)
        key = (model, query_text(texts[0]))
        with self._query_lock:
            known = self._query_vectors.get(key)
            if known is not None:
                self._query_vectors.move_to_end(key)
                return [list(known)]
        vector = self._batcher.embed_one(key[1], model)
        with self._query_lock:
            self._query_vectors[key] = list(vector)
            while len(self._query_vectors) > QUERY_VECTORS_KEPT:
                self._query_vectors.popitem(last=False)
        return [vector]

    def embed_known(self, texts: list[str], model: str | None = None) -> list[list[float]]:
        """Embeddings of short texts asked for again and again (a user's facts, matched to
        each question): the ones seen before come from memory, the rest in one request."""
        model = model or self.embedding_model
        keys = [(model, query_text(t)) for t in texts]
        with self._query_lock:
            known = {k: self._query_vectors[k] for k in keys if k in self._query_vectors}
        missing = [k for k in dict.fromkeys(keys) if k not in known]
        if missing:
            vectors = self._embed([k[1] for k in missing], model)
            if len(vectors) != len(missing):
                raise EngineError("The embedding model sent a malformed answer")
            known.update(zip(missing, vectors, strict=True))
            with self._query_lock:
                for key in missing:
                    self._query_vectors[key] = list(known[key])
                while len(self._query_vectors) > QUERY_VECTORS_KEPT:
                    self._query_vectors.popitem(last=False)
        return [list(known[k]) for k in keys]

    def _embed(self, texts: list[str], model: str) -> list[list[float]]:
        try:
            response = self._http.post(
                self._url("/v1/embeddings", self.embedding_url),
                json={"model": model, "input": texts},
                timeout=60,
            )
        except httpx.HTTPError as exc:
            raise EngineError(f"The embedding model is unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise EngineError(f"The embedding model failed: {_error_message(response)}")
        try:
            data = sorted(response.json()["data"], key=lambda d: d["index"])
            return [item["embedding"] for item in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineError("The embedding model sent a malformed answer") from exc

    def supports_tools(self, model: str | None = None) -> bool:
        """Whether the engine says ``model`` takes native tool calls (capabilities.tools);
        False when it does not say, or cannot be asked. Remembered for a minute."""
        name = model or self.model
        now = time.monotonic()
        cached = self._tool_support.get(name)
        if cached is not None and now - cached[1] < CAPABILITY_TTL_S:
            return cached[0]
        try:
            response = self._http.get(self._url(f"/v1/models/{name}"), timeout=5)
            answer = (
                response.status_code == 200
                and (response.json().get("capabilities") or {}).get("tools") is True
            )
        except (httpx.HTTPError, ValueError, AttributeError):
            answer = False
        self._tool_support[name] = (answer, now)
        return answer

    def list_models(self) -> list[dict]:
        try:
            response = self._http.get(self._url("/v1/models"), timeout=5)
            response.raise_for_status()
            return [{"id": m["id"]} for m in response.json().get("data", [])]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise EngineError("The language model engine did not list its models") from exc
