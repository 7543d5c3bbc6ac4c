"""episodic full text restricted to the user inside the index; per-user term counts

SQLite: ``episodic_fts`` becomes a contentless FTS5 table of ``text`` and ``owner`` (one
token per user, ``services.memory.fulltext.owner_token``), filled by triggers. PostgreSQL:
the GIN index covers ``(user_id, tsv)`` (btree_gin), and ``episodic_term_counts`` holds,
per user, how many entries hold each lexeme (``''``: how many entries), kept by triggers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 14:40:00.000000
"""

from alembic import op

# Statements put together from our own constants only (no user text).
# ruff: noqa: S608

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# 'u' + the id's hex digits + '0' (owner_token): one token, never stemmed.
OWNER = "'u' || lower(replace({row}.user_id, '-', '')) || '0'"
SQLITE_TRIGGERS = ("episodic_ai", "episodic_ad", "episodic_au")
SQLITE_UP = [
    "CREATE VIRTUAL TABLE episodic_fts USING fts5("
    "text, owner, content='', tokenize='porter unicode61')",
    "INSERT INTO episodic_fts(rowid, text, owner) "
    f"SELECT rowid, text, {OWNER.format(row='episodic_entries')} FROM episodic_entries",
    "CREATE TRIGGER episodic_ai AFTER INSERT ON episodic_entries BEGIN "
    "INSERT INTO episodic_fts(rowid, text, owner) "
    f"VALUES (new.rowid, new.text, {OWNER.format(row='new')}); END",
    "CREATE TRIGGER episodic_ad AFTER DELETE ON episodic_entries BEGIN "
    "INSERT INTO episodic_fts(episodic_fts, rowid, text, owner) "
    f"VALUES ('delete', old.rowid, old.text, {OWNER.format(row='old')}); END",
    "CREATE TRIGGER episodic_au AFTER UPDATE OF text, user_id ON episodic_entries BEGIN "
    "INSERT INTO episodic_fts(episodic_fts, rowid, text, owner) "
    f"VALUES ('delete', old.rowid, old.text, {OWNER.format(row='old')}); "
    "INSERT INTO episodic_fts(rowid, text, owner) "
    f"VALUES (new.rowid, new.text, {OWNER.format(row='new')}); END",
]
# 0003's external-content table, for the way down.
SQLITE_DOWN = [
    "CREATE VIRTUAL TABLE episodic_fts USING fts5("
    "text, content='episodic_entries', content_rowid='rowid', tokenize='porter unicode61')",
    "INSERT INTO episodic_fts(episodic_fts) VALUES ('rebuild')",
    "CREATE TRIGGER episodic_ai AFTER INSERT ON episodic_entries BEGIN "
    "INSERT INTO episodic_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER episodic_ad AFTER DELETE ON episodic_entries BEGIN "
    "INSERT INTO episodic_fts(episodic_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER episodic_au AFTER UPDATE OF text ON episodic_entries BEGIN "
    "INSERT INTO episodic_fts(episodic_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO episodic_fts(rowid, text) VALUES (new.rowid, new.text); END",
]

# Per statement, from the transition tables: one upsert per statement in (user, term)
# order. A user's entries and '' (the entry count).
_COUNTS = (
    "SELECT user_id, term, count(*) AS n FROM ("
    "SELECT r.user_id, unnest(tsvector_to_array(r.tsv)) AS term FROM {rows} r "
    "UNION ALL SELECT r.user_id, '' FROM {rows} r) t GROUP BY user_id, term"
)
_ADD = (
    "INSERT INTO episodic_term_counts (user_id, term, entries) "
    + _COUNTS.format(rows="new_rows")
    + " ORDER BY user_id, term ON CONFLICT (user_id, term) "
    "DO UPDATE SET entries = episodic_term_counts.entries + excluded.entries;"
)
_REMOVE = (
    "UPDATE episodic_term_counts c SET entries = c.entries - d.n FROM ("
    + _COUNTS.format(rows="old_rows")
    + ") d WHERE c.user_id = d.user_id AND c.term = d.term;"
)
_CHANGED = (
    "(SELECT {side}.user_id, {side}.tsv FROM old_rows o JOIN new_rows n ON n.id = o.id "
    "WHERE n.tsv IS DISTINCT FROM o.tsv OR n.user_id <> o.user_id)"
)
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX ix_episodic_entries_user_tsv ON episodic_entries USING gin (user_id, tsv)",
    "DROP INDEX IF EXISTS ix_episodic_entries_tsv",
    "CREATE TABLE episodic_term_counts ("
    "user_id VARCHAR(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE, "
    "term TEXT NOT NULL, entries INTEGER NOT NULL, PRIMARY KEY (user_id, term))",
    "INSERT INTO episodic_term_counts (user_id, term, entries) "
    + _COUNTS.format(rows="episodic_entries"),
    "CREATE FUNCTION episodic_terms_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _ADD
    + " RETURN NULL; END $$",
    "CREATE FUNCTION episodic_terms_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _REMOVE
    + " RETURN NULL; END $$",
    # An update counts only when the text (so the tsv) or the owner changed: setting an
    # embedding or a branch mark touches no count.
    "CREATE FUNCTION episodic_terms_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _REMOVE.replace("old_rows", _CHANGED.format(side="o"))
    + " "
    + _ADD.replace("new_rows", _CHANGED.format(side="n"))
    + " RETURN NULL; END $$",
    "CREATE TRIGGER episodic_terms_ai AFTER INSERT ON episodic_entries "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION episodic_terms_added()",
    "CREATE TRIGGER episodic_terms_ad AFTER DELETE ON episodic_entries "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION episodic_terms_removed()",
    "CREATE TRIGGER episodic_terms_au AFTER UPDATE ON episodic_entries "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION episodic_terms_updated()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS episodic_terms_ai ON episodic_entries",
    "DROP TRIGGER IF EXISTS episodic_terms_ad ON episodic_entries",
    "DROP TRIGGER IF EXISTS episodic_terms_au ON episodic_entries",
    "DROP FUNCTION IF EXISTS episodic_terms_added()",
    "DROP FUNCTION IF EXISTS episodic_terms_removed()",
    "DROP FUNCTION IF EXISTS episodic_terms_updated()",
    "DROP TABLE IF EXISTS episodic_term_counts",
    "CREATE INDEX IF NOT EXISTS ix_episodic_entries_tsv ON episodic_entries USING gin (tsv)",
    "DROP INDEX IF EXISTS ix_episodic_entries_user_tsv",
    # btree_gin stays: other objects may use it, and it holds no data.
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS episodic_fts")
        for statement in SQLITE_UP:
            op.execute(statement)
    else:
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS episodic_fts")
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        for statement in POSTGRES_DOWN:
            op.execute(statement)
