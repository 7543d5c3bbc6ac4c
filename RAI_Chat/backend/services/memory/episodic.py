"""The episodic archive: exchanges that left a session's context window (and imported
transcripts), per user, each dated by its first message, searched hybrid — full text
(SQLite FTS5 / PostgreSQL tsvector) and embedding similarity — fused by weighted scores
(``ranking.fuse``)."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, select, text

from ...core.database.models import EpisodicEntry, isoformat
from ...core.database.session import Database
from ..llm_client import EngineClient, EngineError
from ..repositories import owned_memory_entry
from .facts import STOPWORDS
from .fulltext import archive_ranking
from .queries import meaning_query, named_date, speaker_names
from .ranking import (
    ARCHIVE_VECTOR_WEIGHT,
    VECTOR_MIN_SIMILARITY,
    Ranking,
    fuse,
    prefer_dated,
    scaled,
)
from .vector_index import VECTOR_INDEXES

logger = logging.getLogger(__name__)
CANDIDATES = 50
MAX_QUERY_TERMS = 16
MAX_ENTRY_CHARS = 4000
EMBED_BATCH = 64
_TERM = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class ArchivedExchange:
    session_id: str | None
    message_ids: list[str]
    text: str
    summary: str | None = None
    # When the exchange took place (its first message); now when not given.
    created_at: datetime | None = None


QUESTION_WORDS = frozenset(
    [
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "which",
        "why",
        "how",
        "name",
        "names",
        "tell",
        "told",
        "know",
        "remember",
        "recall",
        "do",
        "did",
        "does",
        "you",
        "your",
        "me",
        "about",
        "can",
        "could",
        "would",
        "should",
        "please",
        "again",
    ]
)


def query_terms(query: str) -> list[str]:
    """The words worth matching: not stopwords, not the words every question has."""
    seen: dict[str, None] = {}
    for word in _TERM.findall(query.casefold()):
        if word not in STOPWORDS and word not in QUESTION_WORDS and len(word) > 1:
            seen.setdefault(word, None)
    return list(seen)[:MAX_QUERY_TERMS]


def to_blob(vector) -> bytes:
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array)) or 1.0
    return (array / norm).astype(np.float32).tobytes()


@dataclass(frozen=True)
class HybridTable:
    """A table searched by ``lexical_ranking``: rows with ``id`` and ``text``, indexed by
    SQLite FTS5 (``fts``, external content on ``rowid``) or a generated PostgreSQL ``tsv``
    column: the documents' passages (``services.documents.index``). The archive's own full
    text is restricted to the user inside its index (``fulltext.archive_ranking``)."""

    table: str
    fts: str


def lexical_ranking(
    session, dialect: str, spec: HybridTable, terms: list[str], limit: int, *, scope, params
) -> Ranking:
    """The full-text half: rows of ``spec`` matching any of ``terms``, best first, among the
    rows ``scope`` selects (an SQL condition on the alias ``e`` whose values are the bound
    ``params``; never user text). SQLite: ``bm25``; PostgreSQL: see ``_postgres_bm25``."""
    if not terms:
        return []
    params = {**params, "limit": limit}
    if dialect == "sqlite":
        sql = text(
            f"SELECT e.id, -bm25({spec.fts}) FROM {spec.fts} JOIN {spec.table} e "  # noqa: S608
            f"ON e.rowid = {spec.fts}.rowid "
            f"WHERE {spec.fts} MATCH :match AND {scope} "
            f"ORDER BY bm25({spec.fts}) LIMIT :limit"
        )
        params["match"] = " OR ".join(f'"{t}"' for t in terms)
    else:
        sql, params = _postgres_bm25(session, spec, terms, scope, params)
    return [(row[0], float(row[1])) for row in session.execute(sql, params)]


def _postgres_bm25(session, spec: HybridTable, terms: list[str], scope: str, params: dict):
    """PostgreSQL's ``ts_rank`` knows no inverse document frequency: a question's common
    words would count as much as its rare ones. Each term's rank (length-normalised) is
    weighted by its BM25 IDF among the rows in scope, as SQLite's ``bm25`` does."""
    # Only placeholders and our own table names are put together here; the terms are bound.
    rows = f"SELECT count(*) FROM {spec.table} e WHERE {scope}"  # noqa: S608
    counts = [f"({rows} AND e.tsv @@ plainto_tsquery('english', :t{i}))" for i in range(len(terms))]
    params = {**params, "q": " | ".join(terms)} | {f"t{i}": t for i, t in enumerate(terms)}
    row = session.execute(text(f"SELECT ({rows}), {', '.join(counts)}"), params).one()
    total, found = row[0], row[1:]
    params |= {f"w{i}": math.log(1 + (total - n + 0.5) / (n + 0.5)) for i, n in enumerate(found)}
    score = " + ".join(
        f":w{i} * ts_rank(e.tsv, plainto_tsquery('english', :t{i}), 1)" for i in range(len(terms))
    )
    sql = text(
        f"SELECT e.id, {score} AS score FROM {spec.table} e "  # noqa: S608  (no user text)
        f"WHERE {scope} AND e.tsv @@ to_tsquery('english', :q) "
        "ORDER BY score DESC LIMIT :limit"
    )
    return sql, params


def entry_dict(entry: EpisodicEntry, score: float | None = None) -> dict:
    return {
        "id": entry.id,
        "session_id": entry.session_id,
        "message_ids": entry.message_ids,
        "text": entry.text,
        "summary": entry.summary,
        "score": score,
        "created_at": isoformat(entry.created_at),
    }


class EpisodicArchive:
    def __init__(self, user_id: str, database: Database, engine: EngineClient | None):
        self.user_id = user_id
        self.database = database
        self.engine = engine

    # --- writing ------------------------------------------------------------------------
    def _embed(self, texts: list[str]) -> list[bytes | None]:
        if self.engine is None or not texts:
            return [None] * len(texts)
        out: list[bytes | None] = []
        try:
            for start in range(0, len(texts), EMBED_BATCH):
                vectors = self.engine.embed(texts[start : start + EMBED_BATCH])
                out += [to_blob(v) for v in vectors]
        except EngineError as exc:
            logger.warning("Archive without embeddings for now: %s", exc.message)
            return [None] * len(texts)
        return out

    def add(self, exchanges: list[ArchivedExchange], embed: bool = True) -> list[str]:
        """Archive exchanges; searchable by text at once, by meaning once embedded."""
        if not exchanges:
            return []
        texts = [e.text[:MAX_ENTRY_CHARS] for e in exchanges]
        blobs = self._embed(texts) if embed else [None] * len(texts)
        with self.database.unit_of_work() as uow:
            rows = [
                EpisodicEntry(
                    user_id=self.user_id,
                    session_id=e.session_id,
                    message_ids=e.message_ids,
                    text=t,
                    summary=e.summary,
                    embedding=b,
                    **({"created_at": e.created_at} if e.created_at else {}),
                )
                for e, t, b in zip(exchanges, texts, blobs, strict=True)
            ]
            uow.session.add_all(rows)
            uow.commit()
            return [r.id for r in rows]

    def embed_missing(self, limit: int = 512) -> int:
        """Embed entries archived without a vector (imports, or while the engine was down)."""
        with self.database.unit_of_work() as uow:
            pending = list(
                uow.session.execute(
                    select(EpisodicEntry.id, EpisodicEntry.text)
                    .where(EpisodicEntry.user_id == self.user_id, EpisodicEntry.embedding.is_(None))
                    .limit(limit)
                )
            )
        if not pending:
            return 0
        blobs = self._embed([text for _, text in pending])  # no transaction open meanwhile
        done = 0
        with self.database.unit_of_work() as uow:
            for (entry_id, _), blob in zip(pending, blobs, strict=True):
                row = uow.session.get(EpisodicEntry, entry_id)
                if blob is not None and row is not None and row.embedding is None:
                    row.embedding = blob
                    done += 1
            uow.commit()
        return done

    # --- searching ----------------------------------------------------------------------
    def _lexical(self, session, query: str, limit: int) -> Ranking:
        return archive_ranking(
            session, self.database.dialect, self.user_id, query_terms(query), limit
        )

    def _speakers(self, session, lexical: Ranking) -> set[str]:
        """The speakers' names labelling the lines of the full-text half's candidates (all
        this user's: read by key)."""
        if not lexical:
            return set()
        ids = [hit[0] for hit in lexical]
        return speaker_names(
            session.scalars(select(EpisodicEntry.text).where(EpisodicEntry.id.in_(ids)))
        )

    def _query_vector(self, query: str) -> np.ndarray | None:
        """The query's embedding (a call to the engine: made before any transaction opens)."""
        if self.engine is None:
            return None
        try:
            return np.frombuffer(to_blob(self.engine.embed([query])[0]), np.float32)
        except EngineError:
            return None

    def _semantic(self, session, query_vector: np.ndarray | None, limit: int) -> Ranking:
        if query_vector is None:
            return []
        vectors = VECTOR_INDEXES.get(self.database.url, self.user_id)
        if not vectors.sync(session, self.user_id):
            return []
        return vectors.search(query_vector, limit, VECTOR_MIN_SIMILARITY)

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[dict]:
        """The ``k`` entries most relevant to ``query`` (this user's only), best first.
        ``mode``: ``hybrid`` (both halves fused), ``text`` or ``vector`` (one half alone,
        to measure what each contributes). A date the query names ("on 3 May, 2023", "in
        June") is taken out of what both halves match and prefers the entries of that
        time instead (``queries.named_date``, ``ranking.prefer_dated``), in every mode."""
        when, query = named_date(query)
        with self.database.unit_of_work() as uow:
            lexical = self._lexical(uow.session, query, CANDIDATES)
            names = self._speakers(uow.session, lexical) if mode != "text" else set()
        # The meaning half embeds the question without the speakers' names (``queries``).
        query_vector = self._query_vector(meaning_query(query, names)) if mode != "text" else None
        with self.database.unit_of_work() as uow:
            lexical = lexical if mode != "vector" else []
            semantic = self._semantic(uow.session, query_vector, CANDIDATES)
            # An exchange of an abandoned branch is never recalled (``services.branches``).
            # Only the candidates (all this user's) are looked up, by key: with a condition
            # on user_id as well, SQLite walks the user's index instead (0.3 s at 100k).
            candidates = {hit[0] for hit in lexical} | {hit[0] for hit in semantic}
            # (id, abandoned, date) of each candidate, in the same read.
            marks = (
                uow.session.execute(
                    select(
                        EpisodicEntry.id,
                        EpisodicEntry.abandoned_branch,
                        EpisodicEntry.created_at,
                    ).where(EpisodicEntry.id.in_(candidates))
                ).all()
                if candidates
                else []
            )
            abandoned = {entry_id for entry_id, gone, _ in marks if gone}
            if abandoned:
                lexical = [hit for hit in lexical if hit[0] not in abandoned]
                semantic = [hit for hit in semantic if hit[0] not in abandoned]
            if mode == "hybrid":
                ranked = fuse(lexical, semantic, ARCHIVE_VECTOR_WEIGHT)
            else:
                ranked = lexical or semantic
            if when is not None:
                dated = {entry_id for entry_id, _, day in marks if day and when.holds(day)}
                ranked = prefer_dated(
                    ranked if mode == "hybrid" else list(scaled(ranked).items()), dated
                )
            fused = dict(ranked[:k])
            best = list(fused)
            if not best:
                return []
            rows = {  # by key; the owner is checked here (see above)
                e.id: e
                for e in uow.session.scalars(
                    select(EpisodicEntry).where(EpisodicEntry.id.in_(best))
                )
                if e.user_id == self.user_id
            }
            return [entry_dict(rows[i], round(fused[i], 6)) for i in best if i in rows]

    # --- forgetting ---------------------------------------------------------------------
    def delete(self, entry_id: str) -> None:
        with self.database.unit_of_work() as uow:
            entry = owned_memory_entry(uow.session, self.user_id, entry_id)
            uow.session.delete(entry)
            uow.commit()
        VECTOR_INDEXES.forget(self.database.url, self.user_id, [entry_id])

    def delete_all(self) -> int:
        with self.database.unit_of_work() as uow:
            result = uow.session.execute(
                delete(EpisodicEntry).where(EpisodicEntry.user_id == self.user_id)
            )
            uow.commit()
        VECTOR_INDEXES.forget(self.database.url, self.user_id, None)
        return result.rowcount or 0
