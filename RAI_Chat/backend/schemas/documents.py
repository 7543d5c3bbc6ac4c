"""The documents API: uploads, the library, passages, session attachments."""

from typing import Literal

from flask_openapi3 import FileStorage
from pydantic import BaseModel, Field

from .common import NonBlank, StrictModel, SuccessResponse

MAX_ID = 64


class DocumentOut(BaseModel):
    id: str
    filename: str
    mime_type: str = Field(description="Decided by the file's content, not its name")
    size_bytes: int
    status: Literal["queued", "extracting", "ready", "failed"]
    pages_total: int | None = Field(description="Pages in all (PDF; DOCX with page breaks)")
    pages_done: int = Field(description="Pages extracted so far")
    chunk_count: int = Field(description="Passages indexed")
    error: str | None = Field(description="Why it failed, when it did")
    created_at: str
    session_ids: list[str] = Field(description="Sessions it is attached to")


class ChunkOut(BaseModel):
    id: str
    document_id: str
    filename: str
    page: int | None
    heading: str | None
    text: str


class UploadForm(BaseModel):
    file: FileStorage = Field(description="The document (PDF, DOCX, HTML, Markdown, text)")
    session_id: str | None = Field(None, max_length=MAX_ID, description="Attach it to a session")


class DocumentPath(BaseModel):
    document_id: str = Field(max_length=MAX_ID)


class ChunkPath(DocumentPath):
    chunk_id: str = Field(max_length=MAX_ID)


class SessionDocumentsPath(BaseModel):
    session_id: str = Field(max_length=MAX_ID)


class SessionDocumentPath(SessionDocumentsPath):
    document_id: str = Field(max_length=MAX_ID)


class DocumentListQuery(BaseModel):
    limit: int = Field(30, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class RenameDocumentRequest(StrictModel):
    filename: NonBlank = Field(max_length=255)


class AttachDocumentRequest(StrictModel):
    document_id: NonBlank = Field(max_length=MAX_ID)


class DocumentResponse(SuccessResponse):
    document: DocumentOut


class DocumentListResponse(SuccessResponse):
    documents: list[DocumentOut] = Field(description="Newest first")
    next_cursor: str | None


class SessionDocumentsResponse(SuccessResponse):
    documents: list[DocumentOut]


class ChunkResponse(SuccessResponse):
    chunk: ChunkOut
