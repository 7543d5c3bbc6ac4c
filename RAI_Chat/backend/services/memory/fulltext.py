"""The episodic archive's full-text half, restricted to the user inside the index and
bounded in work at any archive size.

SQLite: ``episodic_fts`` (migration 0010) indexes each entry's ``text`` and an ``owner``
column holding one token per user (``owner_token``); a query reads ``owner : <token> AND
text : (...)``, so FTS5 intersects the terms' doclists with the user's, and ``bm25`` gives the
owner column the weight 0 (a score is the text's alone). PostgreSQL: the GIN index covers
``(user_id, tsv)`` (btree_gin) and ``episodic_term_counts`` keeps, per user, how many entries
hold each lexeme (and, under ``''``, how many entries there are), kept in step by triggers,
so the inverse document frequencies are read, not counted per query.

Ranking every match costs time in proportion to the matches (≈ 15,000 for a question of
common words at 100k entries: 0.2-0.4 s). When the terms' document frequencies add up to
more than ``EXACT_BELOW`` (``plan``), the candidates are chosen by the rarest terms — the
entries holding any of them, or, when even the rarest is common, the entries holding the
rarest two or more together — and every other term still adds its share to their scores (a
re-ranker: ``(...) OR owner`` on SQLite, the weighted sum on PostgreSQL). When that finds
fewer than ``limit`` entries every match is ranked, as below ``EXACT_BELOW``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, text

from .ranking import Ranking

# Below this many matches (the sum of the terms' document frequencies) every match is ranked.
EXACT_BELOW = 2000
# The candidates chosen by the rarest terms are about this many (estimated).
CANDIDATE_BUDGET = 1000
# SQLite scores no more than the newest this many entries a selection matches (when even
# every term together is common: "garden fence", a single common word).
SQLITE_MOST_SCORED = 1000
# PostgreSQL counts no cheaper than it ranks: its plan trusts the independence estimate
# only this many times below the budget, and ranks with the budget as a bound (then adds a
# term when there were more candidates, or gives one back when too few were found).
POSTGRES_SLACK = 8.0


@dataclass(frozen=True)
class Plan:
    """Which terms choose the candidates: ``any`` (the entries holding at least one of
    ``select``), ``all`` (holding every one of ``select``) or ``exact`` (every match)."""

    mode: str
    select: list[str]
    rerank: list[str]


def plan(
    frequencies: dict[str, int],
    total: int,
    count: Callable[[list[str]], int] | None = None,
    slack: float = 1.0,
) -> Plan:
    """The candidate plan for terms with these document frequencies among ``total`` entries
    (terms found nowhere are left out: they can neither choose nor score). ``count(terms)``
    tells how many entries hold all of ``terms`` (counting no further than the budget):
    words that go together ("car insurance") defeat an estimate; without ``count`` the
    estimate is trusted only ``slack`` times below the budget."""
    terms = sorted((t for t, n in frequencies.items() if n > 0), key=lambda t: frequencies[t])
    if sum(frequencies[t] for t in terms) <= EXACT_BELOW:
        return Plan("exact", terms, [])
    if len(terms) < 2:
        return Plan("all", terms, [])
    chosen, matches = [], 0
    for term in terms:  # the rarest terms whose entries fit the budget together
        if matches + frequencies[term] > CANDIDATE_BUDGET:
            break
        chosen.append(term)
        matches += frequencies[term]
    if chosen:
        return Plan("any", chosen, terms[len(chosen) :])
    estimate = float(max(total, 1))  # all of the rarest terms together (independent terms)
    for term in terms:
        chosen.append(term)
        estimate *= frequencies[term] / max(total, 1)
        if len(chosen) >= 2 and estimate * slack <= CANDIDATE_BUDGET:
            break
    while count is not None and len(chosen) < len(terms) and count(chosen) > CANDIDATE_BUDGET:
        chosen.append(terms[len(chosen)])
    return Plan("all", chosen, terms[len(chosen) :])


def owner_token(user_id: str) -> str:
    """The user's one token in the SQLite index: letters and digits only (the tokenizer
    keeps it whole), ending in a digit (the porter stemmer leaves it as it is)."""
    return "u" + user_id.replace("-", "").lower() + "0"


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _text(terms: list[str], join: str = " OR ") -> str:
    return f"text : ({join.join(map(_quoted, terms))})"


def _sqlite_scored(session, selection: str, expressions: list[str]) -> dict[int, float]:
    """rowid → BM25 (the text's alone: the owner column weighs 0) of every row matching one
    of ``expressions`` (each within ``selection``), of all users (the candidates are few;
    the owner is checked next), among the newest ``SQLITE_MOST_SCORED`` ``selection``
    matches. The owner phrase is never scored: its IDF alone would read all the user's rows."""
    oldest = session.execute(
        text(
            "SELECT rowid FROM episodic_fts WHERE episodic_fts MATCH :match "
            "ORDER BY rowid DESC LIMIT 1 OFFSET :most"
        ),
        {"match": selection, "most": SQLITE_MOST_SCORED},
    ).scalar()
    newer = "" if oldest is None else " AND rowid > :oldest"
    bm25 = "-bm25(episodic_fts, 1.0, 0.0)"
    sql = text(f"SELECT rowid, {bm25} FROM episodic_fts WHERE episodic_fts MATCH :match{newer}")  # noqa: S608
    scored: dict[int, float] = {}
    for expression in expressions:
        rows = session.execute(sql, {"match": expression, "oldest": oldest})
        scored.update((row[0], float(row[1])) for row in rows)
    return scored


def _sqlite_frequencies(session, terms: list[str]) -> tuple[dict[str, int], int]:
    """How many entries (of all users: an upper bound of the user's) hold each term — FTS5
    counts a doclist without reading a row — and about how many entries there are."""
    counts = ", ".join(
        f"(SELECT count(*) FROM episodic_fts WHERE episodic_fts MATCH :t{i})"  # noqa: S608
        for i in range(len(terms))
    )
    params = {f"t{i}": f"text : {_quoted(t)}" for i, t in enumerate(terms)}
    row = session.execute(
        text(f"SELECT (SELECT max(rowid) FROM episodic_entries), {counts}"),  # noqa: S608
        params,
    ).one()
    return dict(zip(terms, (int(n) for n in row[1:]), strict=True)), int(row[0] or 0)


def _sqlite_count(session, expression: str, limit: int) -> int:
    """How many rows match, counting no further than ``limit``."""
    return session.execute(
        text(
            "SELECT count(*) FROM (SELECT 1 FROM episodic_fts "
            "WHERE episodic_fts MATCH :match LIMIT :limit)"
        ),
        {"match": expression, "limit": limit},
    ).scalar()


def _sqlite_ranking(session, user_id: str, chosen: Plan, limit: int) -> Ranking:
    owner = owner_token(user_id)
    if chosen.mode == "exact":
        # Every match of the user: the owner phrase inside the query (its IDF reads the
        # user's doclist once: cheap below EXACT_BELOW or for a small archive).
        rows = session.execute(
            text(
                "SELECT rowid, -bm25(episodic_fts, 1.0, 0.0) FROM episodic_fts "
                "WHERE episodic_fts MATCH :match ORDER BY bm25(episodic_fts, 1.0, 0.0) "
                "LIMIT :limit"
            ),
            {"match": f"owner : {_quoted(owner)} AND {_text(chosen.select)}", "limit": limit},
        )
        scored = {row[0]: float(row[1]) for row in rows}
        return _sqlite_ids(session, list(scored), scored)
    selection = _text(chosen.select, " OR " if chosen.mode == "any" else " AND ")
    expressions = [selection]
    if chosen.rerank:
        # Each candidate scored once with every term: those holding a re-ranking term
        # (all phrases scored), and the others (the NOT phrases add nothing).
        expressions = [f"{selection} AND {_text(chosen.rerank)}"]
        expressions.append(f"{selection} NOT {_text(chosen.rerank)}")
    scored = _sqlite_scored(session, selection, expressions)
    # The candidates are of all users (a few hundred): the best are read by key, a batch at
    # a time, until ``limit`` of them are the user's.
    ranked = sorted(scored, key=lambda r: -scored[r])
    found: Ranking = []
    # By key alone, the owner checked here: with user_id in the WHERE, SQLite may walk the
    # user's index instead (see ``EpisodicArchive.search``).
    sql = text("SELECT rowid, id, user_id FROM episodic_entries WHERE rowid IN :rows")
    sql = sql.bindparams(bindparam("rows", expanding=True))
    for start in range(0, len(ranked), 2 * limit):
        batch = ranked[start : start + 2 * limit]
        rows = session.execute(sql, {"rows": batch})
        ids = {rowid: entry_id for rowid, entry_id, owner in rows if owner == user_id}
        found += [(ids[r], scored[r]) for r in batch if r in ids]
        if len(found) >= limit:
            break
    return found[:limit]


def _sqlite_ids(session, rowids: list[int], scored: dict[int, float]) -> Ranking:
    """The entries' ids for ranked rowids (read by key)."""
    if not rowids:
        return []
    sql = text("SELECT rowid, id FROM episodic_entries WHERE rowid IN :rows").bindparams(
        bindparam("rows", expanding=True)
    )
    ids = dict(session.execute(sql, {"rows": rowids}).all())
    return [(ids[r], scored[r]) for r in rowids if r in ids]


def _postgres_frequencies(session, user_id: str, terms: list[str]) -> tuple[dict[str, int], int]:
    """Each term's document frequency among the user's entries (of its lexemes, the rarest:
    a term of two lexemes matches only where both are) and the user's entry count, read
    from ``episodic_term_counts``."""
    lexemes = " UNION ALL ".join(
        f"SELECT {i} AS i, unnest(tsvector_to_array(to_tsvector('english', :t{i}))) AS lexeme"
        for i in range(len(terms))
    )
    sql = text(
        f"SELECT q.i, coalesce(c.entries, 0) FROM ({lexemes}) q "  # noqa: S608  (no user text)
        "LEFT JOIN episodic_term_counts c ON c.user_id = :user AND c.term = q.lexeme "
        "UNION ALL SELECT -1, entries FROM episodic_term_counts WHERE user_id = :user AND term = ''"
    )
    params = {"user": user_id} | {f"t{i}": t for i, t in enumerate(terms)}
    found: dict[str, int] = {}
    total = 0
    for i, entries in session.execute(sql, params):
        if i < 0:
            total = int(entries)
        else:
            term = terms[i]
            found[term] = min(found.get(term, int(entries)), int(entries))
    return {t: found.get(t, 0) for t in terms}, total


def _postgres_ranking(
    session,
    user_id: str,
    chosen: Plan,
    frequencies: dict[str, int],
    total: int,
    limit: int,
    bound: int | None = None,
) -> tuple[Ranking, bool]:
    """``ts_rank`` knows no inverse document frequency: each term's rank (length-normalised)
    is weighted by its BM25 IDF among the user's entries, as SQLite's ``bm25`` does. With
    ``bound``, no more than that many candidates are ranked; the flag says whether there
    were more (the plan's estimate was wrong: words that go together)."""
    terms = chosen.select + chosen.rerank
    params: dict = {"user": user_id, "limit": limit, "bound": (bound or 0) + 1}
    for i, term in enumerate(terms):
        n = frequencies[term]
        params[f"t{i}"] = term
        params[f"w{i}"] = math.log(1 + (total - n + 0.5) / (n + 0.5))
    query = [f"plainto_tsquery('english', :t{i})" for i in range(len(terms))]
    join = " && " if chosen.mode == "all" else " || "
    select = join.join(query[: len(chosen.select)])
    score = " + ".join(f":w{i} * ts_rank(c.tsv, {q}, 1)" for i, q in enumerate(query))
    where = f"e.user_id = :user AND e.tsv @@ ({select})" + (" LIMIT :bound" if bound else "")
    candidates = f"SELECT e.id, e.tsv FROM episodic_entries e WHERE {where}"  # noqa: S608
    sql = text(
        f"WITH c AS MATERIALIZED ({candidates}) "  # noqa: S608  (no user text)
        f"SELECT c.id, {score} AS score, (SELECT count(*) FROM c) FROM c "
        "ORDER BY score DESC LIMIT :limit"
    )
    rows = session.execute(sql, params).all()
    more = bool(bound) and bool(rows) and rows[0][2] > bound
    return [(row[0], float(row[1])) for row in rows], more


def archive_ranking(session, dialect: str, user_id: str, terms: list[str], limit: int) -> Ranking:
    """The full-text half of the archive's search: the user's entries matching any of
    ``terms``, best first (BM25; see the module's docstring for the candidates)."""
    if not terms:
        return []
    if dialect == "sqlite":
        frequencies, total = _sqlite_frequencies(session, terms)
        chosen = plan(
            frequencies,
            total,
            lambda chosen: _sqlite_count(session, _text(chosen, " AND "), CANDIDATE_BUDGET + 1),
        )
    else:
        frequencies, total = _postgres_frequencies(session, user_id, terms)
        chosen = plan(frequencies, total, slack=POSTGRES_SLACK)
    if not chosen.select:
        return []
    every = Plan("exact", chosen.select + chosen.rerank, [])
    if dialect == "sqlite":
        ranking = _sqlite_ranking(session, user_id, chosen, limit)
        return ranking if len(ranking) >= limit else _sqlite_ranking(session, user_id, every, limit)
    while True:
        # One query ranks the candidates and counts them (up to the budget): a count first
        # would read them twice.
        bound = CANDIDATE_BUDGET if chosen.mode == "all" else None
        ranking, more = _postgres_ranking(
            session, user_id, chosen, frequencies, total, limit, bound
        )
        if not more:
            break
        if not chosen.rerank:  # every term required and still more: rank them all
            ranking, _ = _postgres_ranking(session, user_id, chosen, frequencies, total, limit)
            break
        chosen = Plan("all", chosen.select + chosen.rerank[:1], chosen.rerank[1:])
    if len(ranking) < limit and chosen.mode == "all" and len(chosen.select) > 2:
        wider = Plan("all", chosen.select[:-1], chosen.select[-1:] + chosen.rerank)
        ranking, more = _postgres_ranking(
            session, user_id, wider, frequencies, total, limit, CANDIDATE_BUDGET
        )
        if more:  # wider than the budget: the narrower plan's candidates were all there were
            ranking = []
    if len(ranking) >= limit or chosen.mode == "exact":
        return ranking
    return _postgres_ranking(session, user_id, every, frequencies, total, limit)[0]


def exact_ranking(session, dialect: str, user_id: str, terms: list[str], limit: int) -> Ranking:
    """Every match ranked, whatever the archive's size (the reference the candidates are
    measured against: ``benchmarks/memory_fulltext.py``)."""
    if not terms:
        return []
    if dialect == "sqlite":
        frequencies, total = _sqlite_frequencies(session, terms)
    else:
        frequencies, total = _postgres_frequencies(session, user_id, terms)
    found = sorted((t for t in terms if frequencies[t] > 0), key=lambda t: frequencies[t])
    if not found:
        return []
    exact = Plan("exact", found, [])
    if dialect == "sqlite":
        return _sqlite_ranking(session, user_id, exact, limit)
    return _postgres_ranking(session, user_id, exact, frequencies, total, limit)[0]
