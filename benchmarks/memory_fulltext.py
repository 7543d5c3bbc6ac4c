"""The episodic archive's full-text half alone at 100k entries of one user (issue 13): the
time of ``EpisodicArchive.search(mode="text")`` and how many of the exact BM25 top 50 the
search's ranking keeps, on SQLite and PostgreSQL.

Revision 0009's ranking (``episodic.lexical_ranking`` over the archive: every match ranked,
joined to the entries for the user) is timed alternately with today's on the same database,
so that both see the same load (SQLite: on the new contentless table, the same query and
matches as before). The archive is filled like part 3 of ``memory.py`` (the same template
texts, the same questions), text only — no engine is needed:
``EpisodicArchive.add(..., embed=False)``. A second user gets ``--others`` entries of the
same kind, so that the restriction to the user has something to leave out. ``--keep DIR``
keeps the SQLite file (and names the PostgreSQL database in ``DIR/<db>-<size>.json``) so
that a second run measures without filling again.

    .venv/bin/python benchmarks/memory_fulltext.py --db sqlite,postgres --keep /tmp/h13fts
    .venv/bin/python benchmarks/memory_fulltext.py --locomo   # recall against revision 0009

Not a test: it prints its figures (``--json FILE`` writes them)."""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.memory import OBJECTS, SUBJECTS, exchange_texts, load, log, pct  # noqa: E402
from benchmarks.memory_locomo import DEFAULT_DATA  # noqa: E402
from RAI_Chat.tests.conftest import PG_ADMIN_DSN, create_pg_database  # noqa: E402


def _user(database, name: str) -> str:
    from RAI_Chat.backend.core.database.models import User

    user_id = str(uuid.uuid4())
    with database.unit_of_work() as uow:
        uow.session.add(
            User(id=user_id, username=name, username_key=name, password_hash=uuid.uuid4().hex)
        )
        uow.commit()
    return user_id


def _fill(archive, n: int, rng: random.Random) -> float:
    from RAI_Chat.backend.services.memory.episodic import ArchivedExchange

    t0 = time.perf_counter()
    have = 0
    while have < n:
        texts = exchange_texts(min(2000, n - have), rng)
        archive.add([ArchivedExchange(str(uuid.uuid4()), [], t) for t in texts], embed=False)
        have += len(texts)
    return time.perf_counter() - t0


def prepare(db: str, size: int, others: int, keep: Path | None) -> tuple[str, str]:
    """The database URL and the measured user's id (filled, or found in ``keep``)."""
    from RAI_Chat.backend.app import create_app
    from RAI_Chat.backend.core.database.session import Database
    from RAI_Chat.backend.services.memory.episodic import EpisodicArchive
    from RAI_Chat.tests.conftest import make_settings

    workdir = keep or Path(tempfile.mkdtemp(prefix="rai-fts-"))
    workdir.mkdir(parents=True, exist_ok=True)
    marker = workdir / f"{db}-{size}.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        app = create_app(make_settings(saved["url"], workdir))  # migrates a kept database
        app.extensions["rai_database"].dispose()
        return saved["url"], saved["user"]
    if db == "postgres":
        _, url = create_pg_database(PG_ADMIN_DSN)
    else:
        url = f"sqlite:///{workdir / f'fts-{size}.db'}"
    app = create_app(make_settings(url, workdir))
    app.extensions["rai_database"].dispose()
    database = Database(url)
    rng = random.Random(11)
    user = _user(database, f"bench_{uuid.uuid4().hex[:8]}")
    other = _user(database, f"other_{uuid.uuid4().hex[:8]}")
    fill_s = _fill(EpisodicArchive(user, database, None), size, rng)
    _fill(EpisodicArchive(other, database, None), others, rng)
    database.dispose()
    log(f"  [{db}] filled {size} + {others} entries in {fill_s:.0f}s")
    marker.write_text(json.dumps({"url": url, "user": user}))
    return url, user


def exact_top(database, user_id: str, terms: list[str], limit: int) -> list[str]:
    """Every match ranked, no candidate limit: the reference ranking."""
    from RAI_Chat.backend.services.memory import fulltext

    with database.unit_of_work() as uow:
        ranking = fulltext.exact_ranking(uow.session, database.dialect, user_id, terms, limit)
    return [hit[0] for hit in ranking]


def measure(db: str, url: str, user_id: str, queries: int) -> dict:
    from RAI_Chat.backend.core.database.session import Database
    from RAI_Chat.backend.services.memory.episodic import (
        CANDIDATES,
        EpisodicArchive,
        HybridTable,
        lexical_ranking,
        query_terms,
    )

    rng = random.Random(11)
    questions = [
        f"What did {rng.choice(SUBJECTS)} say about {rng.choice(OBJECTS)}?" for _ in range(200)
    ][1 : queries + 1]
    database = Database(url)
    archive = EpisodicArchive(user_id, database, None)
    archive.search(questions[0], 5, "text")  # warm the connection and the page cache
    times, lexical_times, agree = [], [], 0.0
    for q in questions:
        t = time.perf_counter()
        archive.search(q, 5, "text")
        times.append(time.perf_counter() - t)
    old_times = []
    for q in questions:  # this ranking and revision 0009's, alternately (same load)
        with database.unit_of_work() as uow:
            t = time.perf_counter()
            got = archive._lexical(uow.session, q, CANDIDATES)
            lexical_times.append(time.perf_counter() - t)
        with database.unit_of_work() as uow:
            t = time.perf_counter()
            lexical_ranking(
                uow.session,
                database.dialect,
                HybridTable("episodic_entries", "episodic_fts"),
                query_terms(q),
                CANDIDATES,
                scope="e.user_id = :user",
                params={"user": user_id},
            )
            old_times.append(time.perf_counter() - t)
        exact = exact_top(database, user_id, query_terms(q), CANDIDATES)
        agree += len({hit[0] for hit in got} & set(exact)) / max(1, len(exact))
    database.dispose()
    row = {
        "db": db,
        "queries": len(questions),
        "text_p50_ms": pct(times, 50) * 1000,
        "text_p99_ms": pct(times, 99) * 1000,
        "lexical_p50_ms": pct(lexical_times, 50) * 1000,
        "lexical_p99_ms": pct(lexical_times, 99) * 1000,
        "ranking_0009_p50_ms": pct(old_times, 50) * 1000,
        "ranking_0009_p99_ms": pct(old_times, 99) * 1000,
        "exact_top50_kept": agree / len(questions),
        "load": load(),
    }
    log(
        f"  [{db}] search(text) p50 / p99 {row['text_p50_ms']:.1f} / {row['text_p99_ms']:.1f} ms;"
        f" ranking alone {row['lexical_p50_ms']:.1f} / {row['lexical_p99_ms']:.1f} ms; exact"
        f" BM25 top 50 kept {row['exact_top50_kept']:.3f}; revision 0009's ranking, timed"
        f" alternately: {row['ranking_0009_p50_ms']:.1f} / {row['ranking_0009_p99_ms']:.1f} ms;"
        f" load {row['load']}"
    )
    return row


OLD_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS episodic_fts_0009 USING fts5(text, "
    "content='episodic_entries', content_rowid='rowid', tokenize='porter unicode61')"
)


def locomo(db: str, data: Path) -> dict:
    """The text half's recall on LoCoMo's tuning conversations (one user each, all in one
    database, entries shaped as the archive shapes them): the search as it ranks now against
    the ranking of revision 0009 (SQLite: 0003's external-content FTS5 table, rebuilt beside
    the new one; PostgreSQL: ``_postgres_bm25``, both through ``episodic.lexical_ranking``)."""
    from benchmarks.memory_locomo import conversation
    from benchmarks.memory_locomo_offline import entries
    from RAI_Chat.backend.app import create_app
    from RAI_Chat.backend.core.database.session import Database
    from RAI_Chat.backend.services.memory.episodic import (
        CANDIDATES,
        ArchivedExchange,
        EpisodicArchive,
        HybridTable,
        lexical_ranking,
        query_terms,
    )
    from RAI_Chat.tests.conftest import drop_pg_database, make_settings

    workdir = Path(tempfile.mkdtemp(prefix="rai-fts-locomo-"))
    pg_name = None
    if db == "postgres":
        pg_name, url = create_pg_database(PG_ADMIN_DSN)
    else:
        url = f"sqlite:///{workdir / 'locomo.db'}"
    app = create_app(make_settings(url, workdir))
    app.extensions["rai_database"].dispose()
    database = Database(url)
    convs = []
    for path in sorted(data.glob("*.json")):
        conv = conversation(path)
        shaped = entries(conv["turns"], "prev+turn")
        user = _user(database, f"locomo_{conv['name']}")
        ids = EpisodicArchive(user, database, None).add(
            [ArchivedExchange(None, [], t) for t, _ in shaped], embed=False
        )
        evidence = dict(zip(ids, (e for _, e in shaped), strict=True))
        convs.append((user, conv["questions"], evidence))
    old_table = HybridTable("episodic_entries", "episodic_fts_0009")
    if db == "sqlite":
        with database.unit_of_work() as uow:
            uow.session.execute(text(OLD_SQLITE_FTS))
            uow.session.execute(
                text("INSERT INTO episodic_fts_0009(episodic_fts_0009) VALUES ('rebuild')")
            )
            uow.commit()
    totals = {k: {"any@5": 0, "any@10": 0} for k in ("0009", "now")}
    same_top10 = n = 0
    for user, questions, evidence in convs:
        archive = EpisodicArchive(user, database, None)
        for q in questions:
            with database.unit_of_work() as uow:
                now = archive._lexical(uow.session, q["question"], CANDIDATES)
                old = lexical_ranking(
                    uow.session,
                    database.dialect,
                    old_table,
                    query_terms(q["question"]),
                    CANDIDATES,
                    scope="e.user_id = :user",
                    params={"user": user},
                )
            wanted = set(q["evidence"])
            for key, ranked in (("0009", old), ("now", now)):
                found = [evidence[i] for i, _ in ranked]
                totals[key]["any@5"] += bool(wanted & set().union(*found[:5]))
                totals[key]["any@10"] += bool(wanted & set().union(*found[:10]))
            same_top10 += [i for i, _ in old[:10]] == [i for i, _ in now[:10]]
            n += 1
    database.dispose()
    if pg_name:
        drop_pg_database(PG_ADMIN_DSN, pg_name)
    row = {"db": db, "questions": n, "same_top10_order": same_top10 / n}
    for key, t in totals.items():
        row |= {f"{key}_{k}": v / n for k, v in t.items()}
    log(
        f"  [{db}] LoCoMo tuning text half, {n} questions: any@5 {row['0009_any@5']:.3f} -> "
        f"{row['now_any@5']:.3f}, any@10 {row['0009_any@10']:.3f} -> {row['now_any@10']:.3f};"
        f" same top 10 in the same order {row['same_top10_order']:.3f}"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the filled databases here")
    parser.add_argument("--json", help="write the results there")
    parser.add_argument(
        "--locomo",
        type=Path,
        nargs="?",
        const=DEFAULT_DATA,
        help="instead: the text half's recall on LoCoMo's tuning conversations (this folder)",
    )
    args = parser.parse_args()
    for noisy in ("httpx", "huey", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    rows = []
    for db in args.db.split(",") if args.locomo else []:
        rows.append(locomo(db, args.locomo))
    for db in args.db.split(",") if not args.locomo else []:
        url, user = prepare(db, args.size, args.others, args.keep)
        rows.append(measure(db, url, user, args.queries))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
