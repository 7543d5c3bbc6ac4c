"""Migration 0008 on a populated database (SQLite and PostgreSQL): every existing session
becomes a chain, its last message the active leaf; nothing else changes."""

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

from RAI_Chat.backend.core.database.migrate import alembic_config
from RAI_Chat.backend.core.database.session import make_engine

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def migrate(engine, url: str, revision: str, down: bool = False) -> None:
    with engine.connect() as connection:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)
        connection.commit()


def populate(connection) -> dict[str, list[str]]:
    """Two users' sessions as revision 0007 holds them; returns each session's message ids
    in conversation order."""
    for user in ("u1", "u2"):
        connection.execute(
            text(
                "INSERT INTO users (id, username, username_key, password_hash, is_admin,"
                " is_active, token_version, created_at) VALUES (:id, :id, :id, 'x', false,"
                " true, 0, :t)"
            ),
            {"id": user, "t": T0},
        )
    sessions = {
        # Messages inserted out of order; two share a time (the id breaks the tie).
        "s1": ("u1", [("m-a", 0), ("m-c", 2), ("m-b", 1), ("m-d", 2), ("m-e", 3)]),
        "s2": ("u2", [("n-1", 5), ("n-2", 6)]),
        "s3": ("u1", []),
    }
    order = {}
    for session_id, (user, messages) in sessions.items():
        connection.execute(
            text(
                "INSERT INTO chat_sessions (id, user_id, title, created_at, updated_at)"
                " VALUES (:id, :u, 'chat', :t, :t)"
            ),
            {"id": session_id, "u": user, "t": T0},
        )
        for i, (message_id, minute) in enumerate(messages):
            connection.execute(
                text(
                    "INSERT INTO messages (id, session_id, user_id, role, content,"
                    " required_tier, status, stop_requested, archived, created_at, updated_at)"
                    " VALUES (:id, :s, :u, :role, :c, 1, 'complete', false, false, :t, :t)"
                ),
                {
                    "id": message_id,
                    "s": session_id,
                    "u": user,
                    "role": "user" if i % 2 == 0 else "assistant",
                    "c": f"text of {message_id}",
                    "t": T0 + timedelta(minutes=minute),
                },
            )
        order[session_id] = [m for m, _ in sorted(messages, key=lambda item: (item[1], item[0]))]
    connection.execute(
        text(
            "INSERT INTO user_facts (id, user_id, fact, fact_key, source_message_id, status,"
            " created_at, updated_at) VALUES ('f1', 'u1', 'likes tea', 'likes tea', 'm-a',"
            " 'active', :t, :t)"
        ),
        {"t": T0},
    )
    connection.execute(
        text(
            "INSERT INTO episodic_entries (id, user_id, session_id, message_ids, text,"
            " created_at) VALUES ('e1', 'u1', 's1', '[\"m-a\", \"m-b\"]', 'hello', :t)"
        ),
        {"t": T0},
    )
    return order


def test_existing_sessions_become_chains(db_url):
    engine = make_engine(db_url)
    try:
        migrate(engine, db_url, "0007")
        with engine.begin() as connection:
            order = populate(connection)
        migrate(engine, db_url, "0008")
        with engine.connect() as connection:
            parents = dict(connection.execute(text("SELECT id, parent_id FROM messages")).all())
            leaves = dict(
                connection.execute(text("SELECT id, active_leaf_id FROM chat_sessions")).all()
            )
            fact = connection.execute(text("SELECT status, abandoned_branch FROM user_facts")).one()
            entry = connection.execute(text("SELECT abandoned_branch FROM episodic_entries")).one()
            contents = dict(connection.execute(text("SELECT id, content FROM messages")).all())
        assert order["s1"] == ["m-a", "m-b", "m-c", "m-d", "m-e"]
        for ids in (order["s1"], order["s2"]):
            assert [parents[m] for m in ids] == [None, *ids[:-1]]
        assert leaves == {"s1": "m-e", "s2": "n-2", "s3": None}
        assert (fact[0], bool(fact[1])) == ("active", False)
        assert bool(entry[0]) is False
        assert contents["m-c"] == "text of m-c"

        # Down (nothing lost) and up again: the same chains.
        migrate(engine, db_url, "0007", down=True)
        with engine.connect() as connection:
            kept = dict(connection.execute(text("SELECT id, content FROM messages")).all())
        assert kept == contents
        migrate(engine, db_url, "0008")
        with engine.connect() as connection:
            again = dict(connection.execute(text("SELECT id, parent_id FROM messages")).all())
        assert again == parents
    finally:
        engine.dispose()
