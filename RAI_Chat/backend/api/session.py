"""``/api/session``: list, create, read, rename, delete, export and import chat sessions."""

from flask import Response, g, request
from flask_openapi3 import APIBlueprint, Tag

from ..core.auth.utils import token_required
from ..schemas.common import ErrorResponse, SuccessResponse
from ..schemas.session import (
    BranchRequest,
    CreateSessionRequest,
    ExportQuery,
    PageQuery,
    RenameSessionRequest,
    SessionListQuery,
    SessionListResponse,
    SessionMessagesResponse,
    SessionPath,
    SessionResponse,
)
from ..services.branch_turns import BranchTurns
from ..services.session import session_dict
from .managers import get_user_session_manager
from .openapi import BEARER

session_bp = APIBlueprint(
    "session",
    __name__,
    abp_tags=[Tag(name="session")],
    abp_security=BEARER,
    abp_responses={"400": ErrorResponse, "401": ErrorResponse, "404": ErrorResponse},
)


def sessions():
    return get_user_session_manager(g.user_id)


@session_bp.get("/", responses={200: SessionListResponse})
@token_required
def list_sessions(query: SessionListQuery):
    """The user's sessions, newest first; ``q`` searches titles and messages."""
    return {"status": "success", **sessions().list_sessions(query.limit, query.cursor, query.q)}


@session_bp.post("/", responses={201: SessionResponse})
@token_required
def create_session(body: CreateSessionRequest):
    """Start an empty session."""
    return {"status": "success", "session": sessions().create_session(body.title)}, 201


@session_bp.post("/import", responses={201: SessionResponse})
@token_required
def import_session():
    """Import a transcript: a RAI Chat JSON export, or one ChatGPT conversation."""
    data = request.get_json(silent=True)
    return {"status": "success", "session": sessions().import_session(data)}, 201


@session_bp.get("/<session_id>", responses={200: SessionMessagesResponse})
@token_required
def get_session(path: SessionPath, query: PageQuery):
    """A session and the messages of its active branch, newest first, paginated; each
    message names its parent and its versions (``sibling_ids``)."""
    page = sessions().get_session(path.session_id, query.limit, query.cursor)
    return {"status": "success", **page}


@session_bp.patch("/<session_id>", responses={200: SessionResponse})
@token_required
def rename_session(path: SessionPath, body: RenameSessionRequest):
    """Rename a session."""
    return {"status": "success", "session": sessions().rename_session(path.session_id, body.title)}


@session_bp.delete("/<session_id>", responses={200: SuccessResponse, 409: ErrorResponse})
@token_required
def delete_session(path: SessionPath):
    """Delete a session and its messages (memory it produced stays until deleted)."""
    sessions().delete_session(path.session_id)
    return {"status": "success"}


@session_bp.put("/<session_id>/active", responses={200: SessionResponse, 409: ErrorResponse})
@token_required
def switch_branch(path: SessionPath, body: BranchRequest):
    """Show and continue the branch through a message (a sibling switcher's ‹ 2/3 ›): the
    active leaf becomes the newest message under it."""
    manager = sessions()
    chat = manager.sibling(BranchTurns).switch(path.session_id, body.message_id)
    return {"status": "success", "session": session_dict(chat)}


@session_bp.post("/<session_id>/fork", responses={201: SessionResponse, 409: ErrorResponse})
@token_required
def fork_branch(path: SessionPath, body: BranchRequest):
    """A new session holding a copy of the branch from the first message down to this
    one, titled "<title> (fork)"."""
    manager = sessions()
    chat, count = manager.sibling(BranchTurns).fork(path.session_id, body.message_id)
    return {"status": "success", "session": session_dict(chat, count)}, 201


@session_bp.get("/<session_id>/export", responses={200: None})
@token_required
def export_session(path: SessionPath, query: ExportQuery):
    """The transcript as JSON (re-importable) or Markdown."""
    exported, filename = sessions().export_session(path.session_id, query.format)
    # The name carries only letters, digits and "-" (export_filename): safe in the header.
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if query.format == "markdown":
        return Response(exported, mimetype="text/markdown", headers=headers)
    return exported, 200, headers
