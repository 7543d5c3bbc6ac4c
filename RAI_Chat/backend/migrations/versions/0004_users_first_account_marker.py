"""users: first-account marker (one administrator from simultaneous first registrations)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing databases already have their accounts: the marker is only ever claimed by
    # the registration that finds no account, so existing rows keep NULL.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_account", sa.Boolean(), nullable=True))
        batch_op.create_index("uq_users_first_account", ["first_account"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("uq_users_first_account")
        batch_op.drop_column("first_account")
