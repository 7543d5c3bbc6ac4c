"""``/v1``: the OpenAI-compatible endpoint. ``POST /v1/chat/completions`` runs the page's
turn (facts, recalled memories, the window, tools; both messages saved) and answers in
OpenAI's formats; ``GET /v1/models``. Authenticated by a personal API key or an access
token; errors in OpenAI's envelope (``api/errors.py``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from flask import Response, g, request, stream_with_context
from flask_openapi3 import APIBlueprint, Tag

from ..core.auth.utils import client_auth_required
from ..core.errors import BadRequest
from ..extensions.limiter import api_client_limit, api_key_own_limit
from ..schemas.openai import (
    ChatCompletion,
    ChatCompletionRequest,
    ModelList,
    ModelOut,
    OpenAIError,
)
from ..services.client_turns import ClientTurns, read_conversation
from .chat import turn_settings
from .errors import error_response, openai_error
from .managers import app_services, app_settings, get_user_session_manager
from .openapi import BEARER

openai_bp = APIBlueprint(
    "openai",
    __name__,
    abp_tags=[Tag(name="openai", description="OpenAI-compatible, with RAI's memory")],
    abp_security=BEARER,
    abp_responses={
        "400": OpenAIError,
        "401": OpenAIError,
        "404": OpenAIError,
        "429": OpenAIError,
    },
)
SESSION_HEADER = "X-RAI-Session-Id"
DEFAULT_MODEL = "rai"  # the server's LLM_MODEL


def completion_id(assistant_message_id: str) -> str:
    return "chatcmpl-" + assistant_message_id


def usage_of(done: dict) -> dict:
    usage = done.get("usage") or {}
    prompt = usage.get("prompt_tokens") or 0
    completion = usage.get("completion_tokens") or 0
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def requested_session(body: ChatCompletionRequest) -> str | None:
    session_id = request.headers.get(SESSION_HEADER) or (body.metadata or {}).get("session_id")
    if session_id is not None and not 0 < len(session_id.strip()) <= 64:
        raise BadRequest(f"{SESSION_HEADER}: a session id")
    return session_id.strip() if session_id else None


@openai_bp.post(
    "/chat/completions",
    responses={200: ChatCompletion, 409: OpenAIError, 502: OpenAIError, 504: OpenAIError},
)
@client_auth_required
@api_client_limit
@api_key_own_limit
def chat_completions(body: ChatCompletionRequest):
    """A chat turn with RAI's memory, in OpenAI's format (``stream``: Server-Sent Events of
    ``chat.completion.chunk``, then ``data: [DONE]``). The session it continues: the
    ``X-RAI-Session-Id`` header or ``metadata.session_id``, else the session whose messages
    the client sends, else a new one; the answer names it in ``X-RAI-Session-Id``."""
    if body.n not in (None, 1):
        raise BadRequest("n: only 1 is supported")
    conversation = read_conversation(body.messages)
    most_answer_tokens = app_settings().max_answer_tokens
    limit = app_settings().max_message_chars
    if len(conversation.message) > limit:
        raise BadRequest(f"messages: the last message may hold at most {limit} characters")
    if len(conversation.instructions or "") > limit:
        raise BadRequest(f"messages: the system messages may hold at most {limit} characters")
    settings = turn_settings(None if body.model == DEFAULT_MODEL else body.model)
    answer_limit = body.max_completion_tokens or body.max_tokens or most_answer_tokens
    settings = replace(
        settings,
        max_answer_tokens=min(answer_limit, most_answer_tokens),
        client_instructions=conversation.instructions,
        api_key_id=g.api_key.key_id if g.api_key is not None else None,
    )
    manager = get_user_session_manager(g.user_id)
    turn = manager.sibling(ClientTurns).start(conversation, requested_session(body), settings)
    headers = {SESSION_HEADER: turn.session_id}
    created = int(time.time())
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        chunks = completion_chunks(
            turn.stream.follow(0),
            turn.assistant_message_id,
            body.model,
            created,
            include_usage,
            http_status=lambda: turn.stream.http_status,
        )
        return Response(
            stream_with_context(chunks),
            mimetype="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **headers},
        )
    final = None
    for item in turn.stream.follow(0):
        if item is not None:
            final = item[1]
    if final is None or final["type"] == "error":
        final = final or {}
        response = error_response(
            final.get("error", "The reply failed"), turn.stream.http_status or 502
        )
        response.headers.update(headers)
        return response
    completion = ChatCompletion(
        id=completion_id(turn.assistant_message_id),
        created=created,
        model=body.model,
        choices=[{"message": {"content": final["response"]}}],
        usage=usage_of(final),
        rai={
            "session_id": turn.session_id,
            "user_message_id": turn.user_message_id,
            "assistant_message_id": turn.assistant_message_id,
        },
    )
    return completion.model_dump(mode="json"), 200, headers


def completion_chunks(
    events: Iterable[tuple[int, dict] | None],
    assistant_message_id: str,
    model: str,
    created: int,
    include_usage: bool,
    http_status: Callable[[], int | None] = lambda: None,
) -> Iterator[str]:
    """The turn's events as OpenAI chunks: a role chunk, a chunk per token, the finish
    chunk (and the usage chunk when asked), ``[DONE]``; an error as ``{"error": ...}``
    (``http_status()``: the failed turn's status, kept beside its events)."""
    base = {
        "id": completion_id(assistant_message_id),
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "system_fingerprint": None,
    }

    def chunk(delta: dict, finish_reason: str | None = None, **extra) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return data({**base, "choices": [choice], **extra})

    yield chunk({"role": "assistant", "content": ""})
    for item in events:
        if item is None:
            yield ": keep-alive\n\n"
            continue
        event = item[1]
        if event["type"] == "token":
            yield chunk({"content": event["content"]})
        elif event["type"] == "error":
            yield data(openai_error(event["error"], http_status() or 502))
            return
        elif event["type"] == "done":
            yield chunk({}, "stop")
            if include_usage:
                yield data({**base, "choices": [], "usage": usage_of(event)})
            yield "data: [DONE]\n\n"
            return


def data(payload: dict) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


@openai_bp.get("/models", responses={200: ModelList, 502: OpenAIError})
@client_auth_required
@api_client_limit
@api_key_own_limit
def models():
    """The models a completion may ask for: ``rai`` (the server's default) and the
    engine's."""
    engine = app_services().engine
    ids = [DEFAULT_MODEL] + [m["id"] for m in engine.list_models() if m["id"] != DEFAULT_MODEL]
    return {"object": "list", "data": [ModelOut(id=model_id).model_dump() for model_id in ids]}
