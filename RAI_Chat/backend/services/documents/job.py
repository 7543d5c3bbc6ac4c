"""The background extraction of one document: queued → extracting (pages done / total) →
ready, or failed with the reason. Never raises: whatever goes wrong is the document's
"failed: why"."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import delete, insert

from ...core.database.document_models import Document, DocumentChunk
from ...core.database.models import new_id, utcnow
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
INSERT_BATCH = 200
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
        pool = _gevent_pool()
        seen = {"done": 0, "total": None, "reported": (0, None), "at": time.monotonic()}

        def report() -> None:
            now = (seen["done"], seen["total"])
            if now != seen["reported"]:
                seen["reported"], seen["at"] = now, time.monotonic()
                _update(database, document_id, pages_done=now[0], pages_total=now[1])

        def note(done: int, total: int | None) -> None:  # called by the parser, per page
            seen.update(done=done, total=total)
            if pool is None and time.monotonic() - seen["at"] >= PROGRESS_EVERY_S:
                report()  # same thread: report from here (else the greenlet reports)

        chunks = beside_the_event_loop(
            pool, lambda: chunk_sections(extract(data, mime_type, note)), report
        )
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
            rows = [
                {
                    "id": new_id(),
                    "document_id": doc.id,
                    "user_id": doc.user_id,
                    "seq": c.seq,
                    "page": c.page,
                    "heading": c.heading,
                    "text": c.text,
                    "embedding": blob,
                }
                for c, blob in zip(chunks, blobs, strict=True)
            ]
            for start in range(0, len(rows), INSERT_BATCH):
                uow.session.execute(insert(DocumentChunk), rows[start : start + INSERT_BATCH])
                time.sleep(0)  # a gevent worker's other requests go on between batches
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


def _gevent_pool():
    """gevent's pool of native threads when this process is a gevent worker, else None."""
    try:
        from gevent import get_hub, monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return None
    return get_hub().threadpool if monkey.is_module_patched("threading") else None


def beside_the_event_loop(pool, work, report):
    """Run CPU work (parsing a file), then ``report()`` its progress. In a gevent worker
    (``pool``: gevent's native threads) this job is a greenlet: the work runs in a native
    thread, so that the worker's other requests and streams go on (measured: a 400-page PDF
    held them up to 5 s in the greenlet), and the greenlet reports every
    ``PROGRESS_EVERY_S`` meanwhile (database connections belong to the event loop)."""
    if pool is None:
        done = work()
        report()
        return done
    result = pool.spawn(work)
    while not result.ready():
        result.wait(PROGRESS_EVERY_S)
        report()
    return result.get()
