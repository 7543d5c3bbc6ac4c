"""``/api/memory``: the user's remembered facts and episodic archive."""

from flask import g
from flask_openapi3 import APIBlueprint, Tag

from ..core.auth.utils import token_required
from ..core.database.session import get_database
from ..schemas.common import ErrorResponse, SuccessResponse
from ..schemas.memory import (
    EntryPath,
    FactPath,
    FactRequest,
    FactResponse,
    FactsQuery,
    FactsResponse,
    ForgetResponse,
    SearchQuery,
    SearchResponse,
    UndoResponse,
)
from ..services.memory.episodic import EpisodicArchive
from ..services.memory.facts import UserFacts
from ..services.memory.undo import undo_capture
from .managers import app_services
from .openapi import BEARER

memory_bp = APIBlueprint(
    "memory",
    __name__,
    abp_tags=[Tag(name="memory")],
    abp_security=BEARER,
    abp_responses={"400": ErrorResponse, "401": ErrorResponse, "404": ErrorResponse},
)


def facts() -> UserFacts:
    return UserFacts(g.user_id, get_database())


def archive() -> EpisodicArchive:
    return EpisodicArchive(g.user_id, get_database(), app_services().engine)


@memory_bp.get("/facts", responses={200: FactsResponse})
@token_required
def list_facts(query: FactsQuery):
    """The user's remembered facts, newest first, each with the message it came from."""
    return {"status": "success", "facts": facts().list(query.include_history)}


@memory_bp.post("/facts", responses={201: FactResponse, 200: FactResponse})
@token_required
def add_fact(body: FactRequest):
    """Remember a fact (an equal fact already remembered is returned, not duplicated)."""
    fact, created = facts().remember(body.fact)
    return {"status": "success", "fact": fact}, 201 if created else 200


@memory_bp.patch("/facts/<fact_id>", responses={200: FactResponse})
@token_required
def edit_fact(path: FactPath, body: FactRequest):
    """Correct a fact: the old text is kept as superseded by the new one."""
    return {"status": "success", "fact": facts().edit(path.fact_id, body.fact)}


@memory_bp.delete("/facts/<fact_id>", responses={200: SuccessResponse})
@token_required
def delete_fact(path: FactPath):
    """Delete a fact and its history."""
    facts().delete(path.fact_id)
    return {"status": "success"}


@memory_bp.post("/facts/<fact_id>/undo", responses={200: UndoResponse})
@token_required
def undo_fact(path: FactPath):
    """Undo a captured fact: it is removed, and a fact it had superseded (a correction) is
    active again. Only an active fact can be undone (400 otherwise)."""
    undone, restored = undo_capture(g.user_id, get_database(), path.fact_id)
    return {"status": "success", "undone": undone, "restored": restored}


@memory_bp.get("/search", responses={200: SearchResponse})
@token_required
def search(query: SearchQuery):
    """Search the episodic archive (full text and meaning, fused by score), best first;
    each entry is dated by when its conversation took place."""
    results = archive().search(query.q, query.k, query.mode)
    return {"status": "success", "results": results}


@memory_bp.delete("/episodic/<entry_id>", responses={200: SuccessResponse})
@token_required
def delete_entry(path: EntryPath):
    """Forget one archived exchange."""
    archive().delete(path.entry_id)
    return {"status": "success"}


@memory_bp.delete("/", responses={200: ForgetResponse})
@token_required
def forget_everything():
    """Forget every fact and archived exchange of the user (sessions stay)."""
    return {
        "status": "success",
        "facts_deleted": facts().delete_all(),
        "entries_deleted": archive().delete_all(),
    }
