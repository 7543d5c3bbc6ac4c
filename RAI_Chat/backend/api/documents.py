"""``/api/documents``: upload (multipart), the library, a passage; and
``/api/session/<id>/documents``: the documents attached to a session."""

from __future__ import annotations

from flask import g, request
from flask_openapi3 import APIBlueprint, Tag

from ..core.auth.utils import token_required
from ..schemas.common import ErrorResponse, SuccessResponse
from ..schemas.documents import (
    AttachDocumentRequest,
    ChunkPath,
    ChunkResponse,
    DocumentListQuery,
    DocumentListResponse,
    DocumentPath,
    DocumentResponse,
    RenameDocumentRequest,
    SessionDocumentPath,
    SessionDocumentsPath,
    SessionDocumentsResponse,
    UploadForm,
)
from ..services.documents.errors import DocumentTooLarge
from ..services.documents.library import DocumentLibrary, DocumentLimits
from .managers import app_settings, get_user_session_manager
from .openapi import BEARER

# Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
UPLOAD_ENDPOINT = "documents.upload_document"
ERRORS = {"400": ErrorResponse, "401": ErrorResponse, "404": ErrorResponse}

documents_bp = APIBlueprint(
    "documents",
    __name__,
    abp_tags=[Tag(name="documents")],
    abp_security=BEARER,
    abp_responses=ERRORS,
)
session_documents_bp = APIBlueprint(
    "session_documents",
    __name__,
    abp_tags=[Tag(name="documents")],
    abp_security=BEARER,
    abp_responses=ERRORS,
)


def limits() -> DocumentLimits:
    settings = app_settings()
    return DocumentLimits(
        max_bytes=settings.max_document_bytes,
        max_pages=settings.max_document_pages,
        storage_per_user=settings.document_storage_per_user_bytes,
        storage_dir=settings.documents_dir,
    )


def library() -> DocumentLibrary:
    return get_user_session_manager(g.user_id).sibling(DocumentLibrary)


@documents_bp.before_request
def allow_document_sized_uploads():
    """An upload may be larger than MAX_CONTENT_LENGTH: up to MAX_DOCUMENT_BYTES."""
    if request.endpoint != UPLOAD_ENDPOINT:
        return None
    most = app_settings().max_document_bytes
    request.max_content_length = most + MULTIPART_OVERHEAD
    if request.content_length and request.content_length > most + MULTIPART_OVERHEAD:
        raise DocumentTooLarge(f"The file is too large: at most {most} bytes (MAX_DOCUMENT_BYTES)")
    return None


@documents_bp.post(
    "",
    responses={202: DocumentResponse, 413: ErrorResponse, 415: ErrorResponse},
)
@token_required
def upload_document(form: UploadForm):
    """Upload a document (multipart ``file``, optional ``session_id`` to attach it). Its type
    is decided by its content; extraction runs in the background: poll ``GET
    /api/documents/<id>`` for ``status`` and ``pages_done``/``pages_total``."""
    data = form.file.read()
    document = library().upload(form.file.filename, data, form.session_id, limits())
    return {"status": "success", "document": document}, 202


@documents_bp.get("", responses={200: DocumentListResponse})
@token_required
def list_documents(query: DocumentListQuery):
    """The user's documents, newest first."""
    return {"status": "success", **library().list(query.limit, query.cursor)}


@documents_bp.get("/<document_id>", responses={200: DocumentResponse})
@token_required
def get_document(path: DocumentPath):
    """One document and its extraction progress."""
    return {"status": "success", "document": library().get(path.document_id)}


@documents_bp.patch("/<document_id>", responses={200: DocumentResponse})
@token_required
def rename_document(path: DocumentPath, body: RenameDocumentRequest):
    """Rename a document."""
    return {"status": "success", "document": library().rename(path.document_id, body.filename)}


@documents_bp.delete("/<document_id>", responses={200: SuccessResponse})
@token_required
def delete_document(path: DocumentPath):
    """Delete a document: its passages, their vectors and the file."""
    library().delete(path.document_id, limits())
    return {"status": "success"}


@documents_bp.get("/<document_id>/chunks/<chunk_id>", responses={200: ChunkResponse})
@token_required
def get_chunk(path: ChunkPath):
    """One passage of a document (what a source chip opens)."""
    return {"status": "success", "chunk": library().chunk(path.document_id, path.chunk_id)}


@session_documents_bp.get("/<session_id>/documents", responses={200: SessionDocumentsResponse})
@token_required
def session_documents(path: SessionDocumentsPath):
    """The documents attached to a session (searched on each of its turns)."""
    return {"status": "success", "documents": library().for_session(path.session_id)}


@session_documents_bp.post("/<session_id>/documents", responses={200: SessionDocumentsResponse})
@token_required
def attach_document(path: SessionDocumentsPath, body: AttachDocumentRequest):
    """Attach one of the user's documents to a session."""
    docs = library()
    docs.attach(path.session_id, [body.document_id])
    return {"status": "success", "documents": docs.for_session(path.session_id)}


@session_documents_bp.delete(
    "/<session_id>/documents/<document_id>", responses={200: SessionDocumentsResponse}
)
@token_required
def detach_document(path: SessionDocumentPath):
    """Detach a document from a session (it stays in the library)."""
    docs = library()
    docs.detach(path.session_id, path.document_id)
    return {"status": "success", "documents": docs.for_session(path.session_id)}
