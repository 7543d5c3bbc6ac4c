"""messages form a tree: each message has a parent, a session has an active leaf; memory
from an abandoned branch is marked

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Existing sessions become a chain: each message's parent is the message before it in the
# session (by created_at, then id), the session's active leaf its last message.
CHAIN_PARENTS = (
    "UPDATE messages SET parent_id = ("
    " SELECT previous.prev_id FROM ("
    "  SELECT id, LAG(id) OVER (PARTITION BY session_id ORDER BY created_at, id) AS prev_id"
    "  FROM messages"
    " ) AS previous WHERE previous.id = messages.id"
    ")"
)
ACTIVE_LEAVES = (
    "UPDATE chat_sessions SET active_leaf_id = ("
    " SELECT m.id FROM messages m WHERE m.session_id = chat_sessions.id"
    " ORDER BY m.created_at DESC, m.id DESC LIMIT 1"
    ")"
)


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild on SQLite): the parent is not a foreign key, a
    # session's messages are only ever deleted with the session.
    op.add_column("messages", sa.Column("parent_id", sa.String(length=36), nullable=True))
    op.create_index("ix_messages_parent_id", "messages", ["parent_id"], unique=False)
    # The answer stopped at the answer-length limit (it can be continued).
    op.add_column(
        "messages",
        sa.Column("cut_at_limit", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("chat_sessions", sa.Column("active_leaf_id", sa.String(length=36), nullable=True))
    op.add_column(
        "user_facts",
        sa.Column("abandoned_branch", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "episodic_entries",
        sa.Column("abandoned_branch", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(CHAIN_PARENTS)
    op.execute(ACTIVE_LEAVES)


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35+): a batch rebuild of
    # chat_sessions would drop the table and, by its foreign keys, every message with it.
    op.drop_index("ix_messages_parent_id", "messages")
    for table, column in (
        ("episodic_entries", "abandoned_branch"),
        ("user_facts", "abandoned_branch"),
        ("chat_sessions", "active_leaf_id"),
        ("messages", "cut_at_limit"),
        ("messages", "parent_id"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
