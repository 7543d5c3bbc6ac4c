"""documents: uploaded files, their indexed chunks (full text + vectors), session attachments

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The same full-text search as the episodic archive (0003), on its own table.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE document_fts USING fts5("
    "text, content='document_chunks', content_rowid='rowid', tokenize='porter unicode61')",
    "CREATE TRIGGER document_chunks_ai AFTER INSERT ON document_chunks BEGIN "
    "INSERT INTO document_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER document_chunks_ad AFTER DELETE ON document_chunks BEGIN "
    "INSERT INTO document_fts(document_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER document_chunks_au AFTER UPDATE OF text ON document_chunks BEGIN "
    "INSERT INTO document_fts(document_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO document_fts(rowid, text) VALUES (new.rowid, new.text); END",
]


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_path", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pages_total", sa.Integer(), nullable=True),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_documents_user_created", "documents", ["user_id", "created_at"])
    op.create_table(
        "document_chunks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("heading", sa.String(length=500), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_document_chunks_document_seq", "document_chunks", ["document_id", "seq"])
    op.create_index("ix_document_chunks_user_id", "document_chunks", ["user_id"])
    op.create_table(
        "session_documents",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["chat_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id", "document_id"),
    )
    op.create_index("ix_session_documents_document_id", "session_documents", ["document_id"])
    op.create_index("ix_session_documents_user_id", "session_documents", ["user_id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute(
            "ALTER TABLE document_chunks ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
        )
        op.execute("CREATE INDEX ix_document_chunks_tsv ON document_chunks USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("document_chunks_ai", "document_chunks_ad", "document_chunks_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS document_fts")
    op.drop_table("session_documents")
    op.drop_table("document_chunks")
    op.drop_table("documents")
