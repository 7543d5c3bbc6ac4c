"""``/api/chat``: a chat turn (JSON or SSE), resume a stream, stop a turn, list models."""

import logging
from dataclasses import replace

from flask import g, jsonify, request
from flask_openapi3 import APIBlueprint, Tag

from ..core.auth.utils import token_required
from ..core.errors import BadRequest
from ..extensions.limiter import chat_turn_limit
from ..modules.web_search import WebSearch
from ..schemas.chat import (
    ChatRequest,
    ChatResponse,
    ContinueRequest,
    EditRequest,
    ModelsResponse,
    RegenerateRequest,
    StopRequest,
    StopResponse,
    StreamPath,
)
from ..schemas.common import ErrorResponse
from ..services.branch_turns import BranchTurns
from ..services.documents.library import DocumentLibrary
from ..services.turn import TurnSettings
from .errors import error_response
from .managers import app_services, app_settings, get_user_session_manager
from .openapi import BEARER
from .sse import sse_response

chat_bp = APIBlueprint(
    "chat",
    __name__,
    abp_tags=[Tag(name="chat")],
    abp_security=BEARER,
    abp_responses={"400": ErrorResponse, "401": ErrorResponse, "404": ErrorResponse},
)
logger = logging.getLogger(__name__)


def turn_settings(model: str | None) -> TurnSettings:
    services = app_services()
    s = services.settings
    web_search = WebSearch(
        services.web_search,
        max_results=s.web_search_max_results,
        token_budget=s.web_results_token_budget,
        count_tokens=services.engine.count_tokens,
    )
    return TurnSettings(
        web_search=web_search,
        max_action_rounds=s.action_max_rounds,
        decision_step=s.decision_step,
        native_tools=s.native_tools,
        model=model or s.llm_model,
        context_budget=s.context_token_budget,
        max_answer_tokens=s.max_answer_tokens,
        refine_titles=s.refine_titles,
        facts_budget=s.facts_token_budget,
        recall_budget=s.recall_token_budget,
        document_budget=s.document_token_budget,
    )


@chat_bp.post(
    "/",
    responses={
        200: ChatResponse,
        409: ErrorResponse,
        429: ErrorResponse,
        502: ErrorResponse,
        503: ErrorResponse,
        504: ErrorResponse,
    },
)
@token_required
@chat_turn_limit
def chat(body: ChatRequest):
    """Send a message. The user's message is saved before the model is called. With
    ``streaming`` the answer comes as Server-Sent Events (session, status, token, done/error)."""
    check_length(body.message)
    manager = get_user_session_manager(g.user_id).get_conversation_manager()
    settings = turn_settings(body.model)
    if body.document_ids:
        manager.sibling(DocumentLibrary).require_owned(body.document_ids)  # else 404
        settings = replace(settings, document_ids=tuple(body.document_ids))
    turn = manager.start_turn(body.message, body.session_id, settings)
    return turn_response(turn, body.streaming)


def turn_response(turn, streaming: bool):
    """A started turn's answer: Server-Sent Events, or the JSON of its end."""
    if streaming:
        return sse_response(turn.stream.follow_batches(0))
    final = None
    for item in turn.stream.follow(0):
        if item is not None:
            final = item[1]
    if final is None or final["type"] == "error":
        final = final or {}
        return error_response(
            final.get("error", "The reply failed"),
            turn.stream.http_status or 502,
            session_id=turn.session_id,
            user_message_id=turn.user_message_id,
            assistant_message_id=turn.assistant_message_id,
            partial=final.get("partial", ""),
        )
    done = final
    return {
        "status": "success",
        "response": done["response"],
        "session_id": done["session_id"],
        "user_message_id": done["user_message_id"],
        "assistant_message_id": done["assistant_message_id"],
        "answer_status": done["status"],
        "usage": done["usage"],
        "sources": done["sources"],
    }


def check_length(message: str) -> None:
    limit = app_settings().max_message_chars
    if len(message) > limit:
        raise BadRequest(f"message: at most {limit} characters")


def branch_turns() -> BranchTurns:
    return get_user_session_manager(g.user_id).sibling(BranchTurns)


TURN_RESPONSES = {
    200: ChatResponse,
    409: ErrorResponse,
    429: ErrorResponse,
    502: ErrorResponse,
    503: ErrorResponse,
    504: ErrorResponse,
}


@chat_bp.post("/regenerate", responses=TURN_RESPONSES)
@token_required
@chat_turn_limit
def regenerate(body: RegenerateRequest):
    """Answer the same question again: a new answer beside the old one (kept), which
    becomes the active branch. Streamed (or returned) as ``POST /api/chat``."""
    turn = branch_turns().regenerate(body.message_id, turn_settings(body.model))
    return turn_response(turn, body.streaming)


@chat_bp.post("/edit", responses=TURN_RESPONSES)
@token_required
@chat_turn_limit
def edit(body: EditRequest):
    """A new version of a question, beside the old one (kept, with what followed it),
    answered anew as ``POST /api/chat``."""
    check_length(body.message)
    turn = branch_turns().edit(body.message_id, body.message, turn_settings(body.model))
    return turn_response(turn, body.streaming)


@chat_bp.post("/continue", responses=TURN_RESPONSES)
@token_required
@chat_turn_limit
def continue_answer(body: ContinueRequest):
    """Go on with an answer that stopped (stopped, interrupted, or cut at the answer-length
    limit), in place: the same message; the tokens are the new text, ``done``'s
    ``response`` the whole answer."""
    turn = branch_turns().continue_answer(body.message_id, turn_settings(body.model))
    return turn_response(turn, body.streaming)


@chat_bp.get("/stream/<message_id>", responses={200: None})
@token_required
def resume_stream(path: StreamPath):
    """Replay a turn's events after ``Last-Event-ID`` (header or ``last_event_id`` query),
    then follow it live until it ends."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or "0"
    try:
        after = int(raw)
        if after < 0:
            raise ValueError
    except ValueError as exc:
        raise BadRequest("Last-Event-ID must be a non-negative integer") from exc
    manager = get_user_session_manager(g.user_id).get_conversation_manager()
    manager.owned_answer(path.message_id)  # 404 before the stream starts
    return sse_response(manager.events(path.message_id, after))


@chat_bp.post("/stop", responses={200: StopResponse, 409: ErrorResponse})
@token_required
def stop(body: StopRequest):
    """Stop the turn in progress in a session; what was generated is saved (interrupted)."""
    manager = get_user_session_manager(g.user_id).get_conversation_manager()
    return {"status": "success", "message": manager.stop(body.session_id)}


@chat_bp.get("/models", responses={200: ModelsResponse, 502: ErrorResponse})
@token_required
def models():
    """The models the engine offers."""
    engine = app_services().engine
    return jsonify({"status": "success", "models": engine.list_models()})
