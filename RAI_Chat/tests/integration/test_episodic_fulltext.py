"""The archive's full-text half on a real database (SQLite and PostgreSQL): restricted to
the user inside the index, the candidates chosen by the rarest terms ranked exactly as
every match would be, PostgreSQL's per-user term counts kept in step with the entries, and
migration 0010 up and down on a populated database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import delete, text, update

from RAI_Chat.backend.app import create_app
from RAI_Chat.backend.core.database.migrate import alembic_config
from RAI_Chat.backend.core.database.models import EpisodicEntry, User
from RAI_Chat.backend.core.database.session import Database, make_engine
from RAI_Chat.backend.services.memory import fulltext
from RAI_Chat.backend.services.memory.episodic import ArchivedExchange, EpisodicArchive

from ..conftest import make_settings


@pytest.fixture
def database(db_url, tmp_path):
    app = create_app(make_settings(db_url, tmp_path))  # migrates
    app.extensions["rai_database"].dispose()
    db = Database(db_url)
    yield db
    db.dispose()


def make_user(database: Database) -> str:
    user_id = str(uuid.uuid4())
    with database.unit_of_work() as uow:
        name = f"u_{user_id[:8]}"
        uow.session.add(User(id=user_id, username=name, username_key=name, password_hash="x"))
        uow.commit()
    return user_id


def archive(database: Database, user_id: str, texts: list[str]) -> list[str]:
    exchanges = [ArchivedExchange(None, [], t) for t in texts]
    return EpisodicArchive(user_id, database, None).add(exchanges, embed=False)


def ranking(database: Database, user_id: str, terms: list[str], limit: int, exact=False):
    rank = fulltext.exact_ranking if exact else fulltext.archive_ranking
    with database.unit_of_work() as uow:
        return rank(uow.session, database.dialect, user_id, terms, limit)


@pytest.fixture
def small_budget(monkeypatch):
    """Candidates chosen from a handful of matches on (instead of thousands)."""
    monkeypatch.setattr(fulltext, "EXACT_BELOW", 6)
    monkeypatch.setattr(fulltext, "CANDIDATE_BUDGET", 6)


@pytest.mark.parametrize("budget", ["every match", "candidates"])
def test_one_users_full_text_never_sees_anothers_entries(database, budget, monkeypatch):
    if budget == "candidates":
        monkeypatch.setattr(fulltext, "EXACT_BELOW", 1)
        monkeypatch.setattr(fulltext, "CANDIDATE_BUDGET", 100)
    alice, bob = make_user(database), make_user(database)
    same = [f"The albatross flew over the harbour, note {i}." for i in range(6)]
    theirs = archive(database, alice, same)
    mine = archive(database, bob, [*same, "A harbour without birds."])
    for user, own in ((alice, theirs), (bob, mine)):
        found = ranking(database, user, ["albatross", "harbour"], 50)
        assert found and {i for i, _ in found} <= set(own)
    assert {i for i, _ in ranking(database, bob, ["harbour"], 50)} == set(mine)
    # A user's own token as a search word finds nothing of anyone's text.
    token = fulltext.owner_token(alice)
    assert ranking(database, bob, [token], 50) == []
    assert ranking(database, alice, [token], 50) == []


def test_candidates_chosen_by_rare_terms_are_scored_with_every_term(database, small_budget):
    user, other = make_user(database), make_user(database)
    texts = [f"apple banana cherry note {i}" for i in range(12)]
    texts += [f"apple banana cherry plum note {i}" for i in range(4)]
    texts += ["zebra apple banana", "zebra apple", "zebra in the zoo", "zebra banana zebra"]
    archive(database, user, texts)
    archive(database, other, ["zebra apple banana cherry", "zebra zebra zebra"])
    exact = ranking(database, user, ["zebra", "apple", "banana"], 50, exact=True)
    # "zebra" (6 entries in all) chooses; apple and banana still count in every score.
    frequencies = {"zebra": 6, "apple": 18, "banana": 18}
    assert fulltext.plan(frequencies, 22) == fulltext.Plan("any", ["zebra"], ["apple", "banana"])
    found = ranking(database, user, ["zebra", "apple", "banana"], 3)
    assert found == exact[:3]
    assert {round(s, 9) for _, s in found} == {round(s, 9) for _, s in exact[:3]}
    # Every term common: the entries holding the rarest ones together, ranked as all matches.
    terms = ["apple", "banana", "cherry", "zzz"]  # zzz: found nowhere, left out
    found = ranking(database, user, terms, 4)
    exact = ranking(database, user, terms, 4, exact=True)
    assert [round(s, 9) for _, s in found] == [round(s, 9) for _, s in exact]  # ties: any order
    # Too few candidates for the limit: every match is ranked instead.
    assert ranking(database, user, ["zebra", "apple"], 50) == ranking(
        database, user, ["zebra", "apple"], 50, exact=True
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_scores_only_the_newest_matches_of_a_common_selection(database, monkeypatch):
    monkeypatch.setattr(fulltext, "EXACT_BELOW", 2)
    monkeypatch.setattr(fulltext, "SQLITE_MOST_SCORED", 3)
    user = make_user(database)
    ids = archive(database, user, [f"A kite, kite number {i}." for i in range(10)])
    # One common word: the 3 newest matches are scored, not all 10 ...
    assert {i for i, _ in ranking(database, user, ["kite"], 3)} == set(ids[-3:])
    # ... unless they are fewer than asked for: then every match is.
    assert {i for i, _ in ranking(database, user, ["kite"], 50)} == set(ids)


def _recount(connection) -> dict[tuple[str, str], int]:
    rows = connection.execute(
        text(
            "SELECT user_id, term, count(*) FROM (SELECT user_id, "
            "unnest(tsvector_to_array(tsv)) AS term FROM episodic_entries UNION ALL "
            "SELECT user_id, '' FROM episodic_entries) t GROUP BY user_id, term"
        )
    )
    return {(u, t): n for u, t, n in rows}


def _kept(connection) -> dict[tuple[str, str], int]:
    rows = connection.execute(
        text("SELECT user_id, term, entries FROM episodic_term_counts WHERE entries > 0")
    )
    return {(u, t): n for u, t, n in rows}


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_per_user_term_counts_follow_every_change_of_the_entries(database):
    alice, bob = make_user(database), make_user(database)
    ids = archive(database, alice, ["Red kites over the hills.", "Kites and hills again."])
    archive(database, bob, ["Hills of kites.", "Nothing alike."])
    with database.engine.connect() as connection:
        assert _kept(connection) == _recount(connection)
        assert _kept(connection)[(alice, "kite")] == 2
        assert _kept(connection)[(alice, "")] == 2
    with database.unit_of_work() as uow:
        # A new text moves the counts; a new embedding or branch mark does not.
        uow.session.execute(
            update(EpisodicEntry).where(EpisodicEntry.id == ids[0]).values(text="Owls at night.")
        )
        uow.session.execute(
            update(EpisodicEntry).where(EpisodicEntry.id == ids[1]).values(abandoned_branch=True)
        )
        uow.commit()
    with database.engine.connect() as connection:
        assert _kept(connection) == _recount(connection)
        assert _kept(connection)[(alice, "kite")] == 1
    EpisodicArchive(alice, database, None).delete(ids[1])
    with database.engine.connect() as connection:
        assert _kept(connection) == _recount(connection)
        assert (alice, "kite") not in _kept(connection)
    assert EpisodicArchive(bob, database, None).delete_all() == 2
    with database.engine.connect() as connection:
        assert _kept(connection) == _recount(connection)
    with database.unit_of_work() as uow:
        uow.session.execute(delete(User).where(User.id == alice))
        uow.commit()
    with database.engine.connect() as connection:
        assert _recount(connection) == {}
        count = connection.execute(text("SELECT count(*) FROM episodic_term_counts")).scalar()
        assert count == 0 or _kept(connection) == {}


def migrate(engine, url: str, revision: str, down: bool = False) -> None:
    with engine.connect() as connection:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)
        connection.commit()


def _old_style_search(connection, dialect: str, word: str) -> set[str]:
    """Revision 0009's full text: every user's entries holding ``word``."""
    if dialect == "sqlite":
        sql = (
            "SELECT e.id FROM episodic_fts JOIN episodic_entries e ON e.rowid = "
            "episodic_fts.rowid WHERE episodic_fts MATCH :w"
        )
    else:
        sql = "SELECT id FROM episodic_entries WHERE tsv @@ plainto_tsquery('english', :w)"
    return {row[0] for row in connection.execute(text(sql), {"w": word})}


def test_migration_0010_up_and_down_keeps_the_entries_searchable(db_url):
    engine = make_engine(db_url)
    try:
        migrate(engine, db_url, "0009")
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            for user in ("u1", "u2"):
                connection.execute(
                    text(
                        "INSERT INTO users (id, username, username_key, password_hash, is_admin,"
                        " is_active, token_version, created_at) VALUES (:id, :id, :id, 'x',"
                        " false, true, 0, :t)"
                    ),
                    {"id": user, "t": t0},
                )
            for entry, user, words in (
                ("e1", "u1", "The albatross over the harbour."),
                ("e2", "u2", "An albatross in the bay."),
                ("e3", "u1", "Nothing about birds."),
            ):
                connection.execute(
                    text(
                        "INSERT INTO episodic_entries (id, user_id, session_id, message_ids,"
                        " text, abandoned_branch, created_at) VALUES (:id, :u, NULL, '[]', :x,"
                        " false, :t)"
                    ),
                    {"id": entry, "u": user, "x": words, "t": t0},
                )
        migrate(engine, db_url, "0010")
        database = Database(db_url)
        try:
            found = ranking(database, "u1", ["albatross"], 10)
            assert [i for i, _ in found] == ["e1"]
            assert [i for i, _ in ranking(database, "u2", ["albatross"], 10)] == ["e2"]
            if database.dialect != "sqlite":
                with engine.connect() as connection:
                    assert _kept(connection) == _recount(connection)
        finally:
            database.dispose()
        migrate(engine, db_url, "0009", down=True)
        with engine.connect() as connection:
            assert _old_style_search(connection, engine.dialect.name, "albatross") == {"e1", "e2"}
        migrate(engine, db_url, "0010")
        database = Database(db_url)
        try:
            assert [i for i, _ in ranking(database, "u1", ["albatross"], 10)] == ["e1"]
        finally:
            database.dispose()
    finally:
        engine.dispose()
