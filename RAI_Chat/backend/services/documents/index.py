"""The documents' hybrid index: the episodic archive's search (``memory.episodic``: full
text + MiniLM vectors, fused by ``memory.ranking.fuse``) on the document tables, limited to
the documents a turn may use. Kept apart from memory: nothing here is ever recalled as
something the user said."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from ...core.database.document_models import Document, DocumentChunk
from ...core.database.session import Database
from ..llm_client import EngineClient, EngineError
from ..memory.episodic import EMBED_BATCH, HybridTable, lexical_ranking, query_terms, to_blob
from ..memory.ranking import VECTOR_MIN_SIMILARITY, Ranking, fuse

logger = logging.getLogger(__name__)
DOCUMENT_TABLE = HybridTable("document_chunks", "document_fts")
CANDIDATES = 50
DOCUMENTS_KEPT = 256


class DocumentVectors:
    """Per-process cache of each document's passage vectors. A ready document's passages
    never change (a new extraction bumps its ``updated_at``, part of the version)."""

    def __init__(self, size: int = DOCUMENTS_KEPT):
        self._items: OrderedDict[str, tuple] = OrderedDict()  # id -> (version, ids, matrix)
        self._lock = threading.Lock()
        self._size = size

    def get(self, session, document: Document) -> tuple[list[str], np.ndarray]:
        version = (document.updated_at, document.chunk_count)
        with self._lock:
            item = self._items.get(document.id)
            if item and item[0] == version:
                self._items.move_to_end(document.id)
                return item[1], item[2]
        rows = session.execute(
            select(DocumentChunk.id, DocumentChunk.embedding).where(
                DocumentChunk.document_id == document.id, DocumentChunk.embedding.is_not(None)
            )
        ).all()
        ids = [r[0] for r in rows]
        matrix = (
            np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
            if rows
            else np.zeros((0, 0), dtype=np.float32)
        )
        with self._lock:
            self._items[document.id] = (version, ids, matrix)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return ids, matrix


VECTORS = DocumentVectors()


def best_matches(ids: list[str], matrix: np.ndarray, query: np.ndarray, limit: int) -> Ranking:
    """The meaning half, exact: a turn searches a few documents' passages, not an archive."""
    scores = matrix @ query
    order = np.argsort(-scores, kind="stable")[:limit]
    return [(ids[i], float(scores[i])) for i in order if scores[i] > VECTOR_MIN_SIMILARITY]


def embedding_text(heading: str | None, text: str) -> str:
    return f"{heading}\n{text}" if heading else text


def embed_texts(
    engine: EngineClient | None, texts: list[str], on_batch=lambda: None
) -> list[bytes | None]:
    """Unit vectors from the engine's /v1/embeddings; None for each when it cannot embed
    (the passages stay searchable by their words). ``on_batch`` runs after each batch."""
    if engine is None or not texts:
        return [None] * len(texts)
    out: list[bytes | None] = []
    try:
        for start in range(0, len(texts), EMBED_BATCH):
            out += [to_blob(v) for v in engine.embed(texts[start : start + EMBED_BATCH])]
            on_batch()
    except EngineError as exc:
        logger.warning("Document passages without embeddings: %s", exc.message)
        return [None] * len(texts)
    return out


@dataclass(frozen=True)
class Hit:
    chunk: DocumentChunk
    filename: str
    score: float


class DocumentIndex:
    def __init__(self, user_id: str, database: Database, engine: EngineClient | None):
        self.user_id = user_id
        self.database = database
        self.engine = engine

    def _scope(self, document_ids: list[str]) -> tuple[str, dict]:
        names = [f":d{i}" for i in range(len(document_ids))]
        scope = f"e.user_id = :user AND e.document_id IN ({', '.join(names)})"
        return scope, {"user": self.user_id} | {f"d{i}": d for i, d in enumerate(document_ids)}

    def _query_vector(self, query: str) -> np.ndarray | None:
        """The query's embedding (a call to the engine: made before any transaction opens)."""
        if self.engine is None:
            return None
        try:
            return np.frombuffer(to_blob(self.engine.embed([query])[0]), np.float32)
        except EngineError:
            return None

    def _semantic(self, session, vector: np.ndarray | None, documents: list[Document], limit: int):
        if vector is None or not documents:
            return []
        ids: list[str] = []
        matrices = []
        for doc in documents:
            doc_ids, matrix = VECTORS.get(session, doc)
            if matrix.shape[0] and matrix.shape[1] == vector.shape[0]:
                ids += doc_ids
                matrices.append(matrix)
        if not matrices:
            return []
        return best_matches(ids, np.vstack(matrices), vector, limit)

    def search(self, query: str, document_ids: list[str], k: int = 5) -> list[Hit]:
        """The ``k`` passages of these documents (the user's, ready) most relevant to
        ``query``, best first."""
        if not document_ids:
            return []
        vector = self._query_vector(query)
        with self.database.unit_of_work() as uow:
            documents = list(
                uow.session.scalars(
                    select(Document).where(
                        Document.user_id == self.user_id,
                        Document.id.in_(document_ids),
                        Document.status == "ready",
                    )
                )
            )
            if not documents:
                return []
            scope, params = self._scope([d.id for d in documents])
            lexical = lexical_ranking(
                uow.session,
                self.database.dialect,
                DOCUMENT_TABLE,
                query_terms(query),
                CANDIDATES,
                scope=scope,
                params=params,
            )
            semantic = self._semantic(uow.session, vector, documents, CANDIDATES)
            ranked = fuse(lexical, semantic)[:k]
            names = {d.id: d.filename for d in documents}
            rows = {
                c.id: c
                for c in uow.session.scalars(
                    select(DocumentChunk).where(
                        DocumentChunk.id.in_([i for i, _ in ranked]),
                        DocumentChunk.user_id == self.user_id,
                    )
                )
            }
            return [Hit(rows[i], names[rows[i].document_id], s) for i, s in ranked if i in rows]

    def first_passages(self, document_ids: list[str], per_document: int) -> list[Hit]:
        """The opening passages of each document (for "summarise this" with no match)."""
        with self.database.unit_of_work() as uow:
            rows = uow.session.execute(
                select(DocumentChunk, Document.filename)
                .join(Document, Document.id == DocumentChunk.document_id)
                .where(
                    Document.user_id == self.user_id,
                    Document.id.in_(document_ids),
                    Document.status == "ready",
                    DocumentChunk.seq < per_document,
                )
                .order_by(DocumentChunk.seq, Document.created_at)
            ).all()
            return [Hit(chunk, filename, 0.0) for chunk, filename in rows]
