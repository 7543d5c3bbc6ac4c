"""A user's document library: upload (checked, stored, queued for extraction), list, read,
rename, delete (chunks, vectors and file), attach to and detach from sessions. Every
method acts for one user; another user's ids are "not found"."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from ...core.database.document_models import Document, DocumentChunk, SessionDocument
from ...core.database.models import isoformat, utcnow
from ...core.errors import NotFound
from ..pagination import encode_cursor, keyset_before
from ..repositories import owned_document, owned_session
from ..user_services import UserServices
from .detect import inspect
from .errors import DocumentTooLarge
from .job import expire_stale
from .storage import DocumentStore

logger = logging.getLogger(__name__)
MAX_FILENAME = 255
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


@dataclass(frozen=True)
class DocumentLimits:
    max_bytes: int
    max_pages: int
    storage_per_user: int
    storage_dir: str


def clean_filename(name: str | None) -> str:
    """The name shown for a file: its last path part, no control characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = _UNSAFE.sub(" ", base).strip()
    return base[:MAX_FILENAME] or "document"


def document_dict(doc: Document, session_ids: list[str]) -> dict:
    return {
        "id": doc.id,
        "filename": doc.filename,
        "mime_type": doc.mime_type,
        "size_bytes": doc.size_bytes,
        "status": doc.status,
        "pages_total": doc.pages_total,
        "pages_done": doc.pages_done,
        "chunk_count": doc.chunk_count,
        "error": doc.error,
        "created_at": isoformat(doc.created_at),
        "session_ids": session_ids,
    }


def chunk_dict(chunk: DocumentChunk, filename: str) -> dict:
    return {
        "id": chunk.id,
        "document_id": chunk.document_id,
        "filename": filename,
        "page": chunk.page,
        "heading": chunk.heading,
        "text": chunk.text,
    }


class DocumentLibrary(UserServices):
    # --- reading ----------------------------------------------------------------------
    def _owned(self, session, document_id: str) -> Document:
        return owned_document(session, self.user_id, document_id)

    def _dicts(self, session, docs: list[Document]) -> list[dict]:
        if [doc for doc in docs if expire_stale(doc)]:
            session.commit()
        attached: dict[str, list[str]] = {d.id: [] for d in docs}
        if docs:
            for doc_id, session_id in session.execute(
                select(SessionDocument.document_id, SessionDocument.session_id)
                .where(SessionDocument.document_id.in_(list(attached)))
                .order_by(SessionDocument.created_at)
            ):
                attached[doc_id].append(session_id)
        return [document_dict(d, attached[d.id]) for d in docs]

    def get(self, document_id: str) -> dict:
        with self.database.unit_of_work() as uow:
            return self._dicts(uow.session, [self._owned(uow.session, document_id)])[0]

    def list(self, limit: int, cursor: str | None) -> dict:
        with self.database.unit_of_work() as uow:
            query = select(Document).where(Document.user_id == self.user_id)
            older = keyset_before(Document.created_at, Document.id, cursor, self.database.dialect)
            if older is not None:
                query = query.where(older)
            docs = list(
                uow.session.scalars(
                    query.order_by(Document.created_at.desc(), Document.id.desc()).limit(limit + 1)
                )
            )
            more = len(docs) > limit
            docs = docs[:limit]
            next_cursor = encode_cursor(docs[-1].created_at, docs[-1].id) if more else None
            return {"documents": self._dicts(uow.session, docs), "next_cursor": next_cursor}

    def chunk(self, document_id: str, chunk_id: str) -> dict:
        with self.database.unit_of_work() as uow:
            doc = self._owned(uow.session, document_id)
            chunk = uow.session.get(DocumentChunk, chunk_id)
            if chunk is None or chunk.document_id != doc.id:
                raise NotFound("Passage not found")
            return chunk_dict(chunk, doc.filename)

    def used_storage(self, session) -> int:
        return session.scalar(
            select(func.coalesce(func.sum(Document.size_bytes), 0)).where(
                Document.user_id == self.user_id
            )
        )

    # --- writing ----------------------------------------------------------------------
    def upload(
        self, filename: str | None, data: bytes, session_id: str | None, limits: DocumentLimits
    ) -> dict:
        """Check the file (type by content, limits), store it, queue its extraction."""
        if session_id:
            with self.database.unit_of_work() as uow:
                owned_session(uow.session, self.user_id, session_id)
        found = inspect(data, max_bytes=limits.max_bytes, max_pages=limits.max_pages)
        store = DocumentStore(limits.storage_dir)
        with self.database.unit_of_work() as uow:
            used = self.used_storage(uow.session)
            if used + len(data) > limits.storage_per_user:
                raise DocumentTooLarge(
                    f"Your document storage is full: {used} of {limits.storage_per_user} bytes "
                    f"used, this file needs {len(data)} (DOCUMENT_STORAGE_PER_USER_BYTES); "
                    "delete documents to make room"
                )
            doc = Document(
                user_id=self.user_id,
                filename=clean_filename(filename),
                mime_type=found.mime_type,
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                storage_path="",
                status="queued",
                pages_total=found.pages,
                pages_done=0,
                chunk_count=0,
            )
            uow.session.add(doc)
            uow.session.flush()
            doc.storage_path = store.relative_path(self.user_id, doc.id)
            store.save(doc.storage_path, data)
            if session_id:
                uow.session.add(
                    SessionDocument(session_id=session_id, document_id=doc.id, user_id=self.user_id)
                )
            try:
                uow.commit()
            except Exception:
                store.remove(doc.storage_path)
                raise
            document_id = doc.id
        if self.jobs is not None:
            self.jobs.extract_document(limits, self.user_id, document_id)
        return self.get(document_id)

    def rename(self, document_id: str, filename: str) -> dict:
        with self.database.unit_of_work() as uow:
            doc = self._owned(uow.session, document_id)
            doc.filename = clean_filename(filename)
            uow.commit()
        return self.get(document_id)

    def delete(self, document_id: str, limits: DocumentLimits) -> None:
        """The record, its passages (text and vectors, by cascade) and the file."""
        with self.database.unit_of_work() as uow:
            doc = self._owned(uow.session, document_id)
            relative = doc.storage_path
            uow.session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == doc.id))
            uow.session.execute(
                delete(SessionDocument).where(SessionDocument.document_id == doc.id)
            )
            uow.session.delete(doc)
            uow.commit()
        DocumentStore(limits.storage_dir).remove(relative)

    # --- sessions ---------------------------------------------------------------------
    def require_owned(self, document_ids: list[str]) -> None:
        with self.database.unit_of_work() as uow:
            for document_id in document_ids:
                self._owned(uow.session, document_id)

    def attach(self, session_id: str, document_ids: list[str]) -> None:
        with self.database.unit_of_work() as uow:
            owned_session(uow.session, self.user_id, session_id)
            present = set(
                uow.session.scalars(
                    select(SessionDocument.document_id).where(
                        SessionDocument.session_id == session_id
                    )
                )
            )
            for document_id in dict.fromkeys(document_ids):
                self._owned(uow.session, document_id)
                if document_id not in present:
                    uow.session.add(
                        SessionDocument(
                            session_id=session_id,
                            document_id=document_id,
                            user_id=self.user_id,
                            created_at=utcnow(),
                        )
                    )
            uow.commit()

    def detach(self, session_id: str, document_id: str) -> None:
        with self.database.unit_of_work() as uow:
            owned_session(uow.session, self.user_id, session_id)
            self._owned(uow.session, document_id)
            uow.session.execute(
                delete(SessionDocument).where(
                    SessionDocument.session_id == session_id,
                    SessionDocument.document_id == document_id,
                )
            )
            uow.commit()

    def for_session(self, session_id: str) -> list[dict]:
        with self.database.unit_of_work() as uow:
            owned_session(uow.session, self.user_id, session_id)
            docs = list(
                uow.session.scalars(
                    select(Document)
                    .join(SessionDocument, SessionDocument.document_id == Document.id)
                    .where(SessionDocument.session_id == session_id)
                    .order_by(SessionDocument.created_at)
                )
            )
            return self._dicts(uow.session, docs)

    def used_in_session(self, session_id: str, sources: list[list[dict] | None]) -> list[dict]:
        """The documents a session used, for its export: those attached to it and those
        its answers cited (also when deleted since), as {id, filename}."""
        used: dict[str, str] = {d["id"]: d["filename"] for d in self.for_session(session_id)}
        for message_sources in sources:
            for source in message_sources or []:
                if source.get("kind") == "document" and source.get("document_id"):
                    used.setdefault(source["document_id"], source.get("filename") or "")
        return [{"id": i, "filename": name} for i, name in used.items()]
