"""The background extraction of one document: queued → extracting (pages done / total) →
ready, or failed with the reason. Never raises: whatever goes wrong is the document's
"failed: why"."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import delete

from ...core.database.document_models import Document, DocumentChunk
from ...core.database.models import utcnow
from ...core.database.session import Database
from ...core.errors import RaiError
from ..llm_client import EngineClient
from .chunking import chunk_sections
from .detect import PDF
from .extract import extract
from .index import embed_texts, embedding_text
from .storage import DocumentStore

logger = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5
# An extraction that has not reported for this long died with its process.
STALE_AFTER = timedelta(minutes=10)
INTERRUPTED = "the extraction stopped (the server restarted?); upload the file again"
NO_TEXT = "no text could be found in it (a scanned document needs OCR, which RAI Chat does not do)"


class DocumentGone(Exception):
    """The document was deleted while it was being extracted."""


def _update(database: Database, document_id: str, **values) -> None:
    with database.unit_of_work() as uow:
        doc = uow.session.get(Document, document_id)
        if doc is None:
            raise DocumentGone(document_id)
        for key, value in values.items():
            setattr(doc, key, value)
        doc.updated_at = utcnow()
        uow.commit()


def extract_and_index(
    database: Database, engine: EngineClient | None, storage_dir: str, document_id: str
) -> None:
    with database.unit_of_work() as uow:
        doc = uow.session.get(Document, document_id)
        if doc is None or doc.status not in ("queued", "extracting"):
            return
        mime_type, relative = doc.mime_type, doc.storage_path
    try:
        _update(database, document_id, status="extracting", pages_done=0, error=None)
        data = DocumentStore(storage_dir).load(relative)
        last = 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            if time.monotonic() - last >= PROGRESS_EVERY_S or done == total:
                last = time.monotonic()
                _update(database, document_id, pages_done=done, pages_total=total)

        chunks = chunk_sections(extract(data, mime_type, progress))
        if not chunks:
            raise ValueError(NO_TEXT)
        # A heartbeat per batch: a document "extracting" with none for STALE_AFTER is dead.
        blobs = embed_texts(
            engine,
            [embedding_text(c.heading, c.text) for c in chunks],
            on_batch=lambda: _update(database, document_id),
        )
        with database.unit_of_work() as uow:
            doc = uow.session.get(Document, document_id)
            if doc is None:
                raise DocumentGone(document_id)
            uow.session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == doc.id))
            uow.session.add_all(
                DocumentChunk(
                    document_id=doc.id,
                    user_id=doc.user_id,
                    seq=c.seq,
                    page=c.page,
                    heading=c.heading,
                    text=c.text,
                    embedding=blob,
                )
                for c, blob in zip(chunks, blobs, strict=True)
            )
            doc.chunk_count = len(chunks)
            doc.status = "ready"
            if mime_type != PDF:
                pages = [c.page for c in chunks if c.page is not None]
                doc.pages_total = max(pages) if pages else None
            doc.pages_done = doc.pages_total or 0
            doc.updated_at = utcnow()
            uow.commit()
    except DocumentGone:
        logger.info("Document %s was deleted during its extraction", document_id)
    except Exception as exc:
        reason = exc.message if isinstance(exc, RaiError) else str(exc) or type(exc).__name__
        if not isinstance(exc, (RaiError, ValueError)):
            logger.exception("Extraction of document %s failed", document_id)
            reason = f"the file could not be read ({type(exc).__name__}: {exc})"[:500]
        record_failure(database, document_id, reason)


def record_failure(database: Database, document_id: str, reason: str) -> None:
    try:
        _update(database, document_id, status="failed", error=reason)
    except DocumentGone:
        pass
    except Exception:
        logger.exception("Could not record the failure of document %s", document_id)


def expire_stale(doc: Document) -> bool:
    """Mark a document whose extraction stopped reporting (its process died) as failed."""
    if doc.status != "extracting":
        return False
    updated = doc.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=utcnow().tzinfo)
    if utcnow() - updated < STALE_AFTER:
        return False
    doc.status, doc.error = "failed", INTERRUPTED
    return True
