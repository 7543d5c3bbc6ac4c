"""The tuning bench behind ``services/memory/ranking.py`` and ``entries.py``: the same
questions and evidence as ``memory_locomo.py``, but entries, full text and vectors built in
process (an in-memory SQLite FTS5 table with the archive's tokenizer and the archive's
``query_terms``; the real all-MiniLM-L6-v2 through a real engine's ``/v1/embeddings``), so
that entry shapes and fusions can be compared in seconds once the texts are embedded.

    .venv/bin/python benchmarks/memory_locomo_offline.py            # tune split, then check
    .venv/bin/python benchmarks/memory_locomo_offline.py --cache /tmp/locomo-vectors.npz

``--cache FILE`` keeps the vectors between runs (embedding the ≈ 7,000 texts takes minutes
on a loaded machine; a run from the cache takes seconds). Entries carry the
"User:"/"Assistant:" labels the API gives them (speaker A as the user); tokens are estimated
(4 characters a token), so its figures are a little off the API's; ``memory_locomo.py``
measures the choice through the API.

Rankings: ``text`` / ``vector`` one half alone (``vector``: the question as it is;
``vector, names out``: without the speakers' names, ``queries.meaning_query``, as the
archive embeds it), ``rrf``, ``score w=…`` (``ranking.fuse`` over the question as it is)
and ``names out, w=…`` (the meaning half without the names; the archive's choice is
``ranking.ARCHIVE_VECTOR_WEIGHT``)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.memory_locomo import DEFAULT_DATA, conversation, log  # noqa: E402
from conftest import start_engine, wait_for_health  # noqa: E402
from llm_Engine.testing.server_thread import free_port  # noqa: E402
from RAI_Chat.backend.services.memory.entries import sliding_pairs  # noqa: E402
from RAI_Chat.backend.services.memory.episodic import query_terms  # noqa: E402
from RAI_Chat.backend.services.memory.queries import (  # noqa: E402
    meaning_query,
    named_date,
    speaker_names,
)
from RAI_Chat.backend.services.memory.ranking import (  # noqa: E402
    ARCHIVE_VECTOR_WEIGHT,
    fuse,
    prefer_dated,
    scaled,
)
from RAI_Chat.tests.chat_helpers import stop_process  # noqa: E402

SHAPES = ("exchange", "turn", "prev+turn")
# (name, vector weight or None for one half alone / RRF)
FUSIONS = [
    ("text", None),
    ("vector", None),
    ("vector, names out", None),
    ("rrf", None),
    ("score w=0.3", 0.3),
    ("score w=0.5", 0.5),
    ("names out, w=0.3", 0.3),
    ("names out, w=0.45", 0.45),
    ("names out, w=0.5", 0.5),
    (f"names out, w={ARCHIVE_VECTOR_WEIGHT}", ARCHIVE_VECTOR_WEIGHT),
    ("names out, w=0.6", 0.6),
]
# The archive's search as it is: a date the question names taken out of both halves'
# queries and the entries of that time preferred (``queries.named_date``,
# ``ranking.prefer_dated``), each half alone and fused.
DATED = [
    "text, dates",
    "vector, names and dates out",
    f"names and dates out, w={ARCHIVE_VECTOR_WEIGHT}",
]


@dataclass
class Turn:
    line: str
    dia_id: str
    created_at: datetime


def entries(turns: list[dict], shape: str) -> list[tuple[str, set[str], datetime]]:
    """(text, evidence ids, time of its first turn) of each entry: ``exchange`` as the
    import grouped them before (``contextual.group_exchanges``, speaker A as the user),
    ``turn`` one turn alone, ``prev+turn`` as it groups them now (``entries.sliding_pairs``)."""
    role = {turns[0]["speaker"]: "User"}
    items = [
        Turn(
            f"{role.get(t['speaker'], 'Assistant')}: {t['speaker']}: {t['text']}",
            t["dia_id"],
            t["at"],
        )
        for t in turns
    ]
    if shape == "turn":
        groups = [[t] for t in items]
    elif shape == "prev+turn":
        groups = sliding_pairs(items)
    else:
        first, groups = turns[0]["speaker"], []
        for t, raw in zip(items, turns, strict=True):
            if raw["speaker"] == first or not groups or groups[-1][-1].line.split(": ")[1] != first:
                groups.append([t])
            else:
                groups[-1].append(t)
    return [("\n".join(t.line for t in g), {t.dia_id for t in g}, g[0].created_at) for g in groups]


class Embedder:
    """all-MiniLM-L6-v2 vectors (normalised) of texts, from ``cache`` when there; the
    others from the engine at ``url`` (one is started when none is given and one is needed)."""

    def __init__(self, url: str | None, cache: Path | None = None):
        self.url, self.cache, self.process = url, cache, None
        self.http: httpx.Client | None = None
        self.memo: dict[str, np.ndarray] = {}
        if cache and cache.exists():
            with np.load(cache) as stored:
                self.memo = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))

    def _client(self) -> httpx.Client:
        if self.http is None:
            if not self.url:
                port = free_port()
                env = {"LLM_EMBEDDING_MODEL": "true", "LLM_LOCAL_MODEL": "false"}
                self.process = start_engine(port, env)
                self.url = f"http://127.0.0.1:{port}"
                wait_for_health(self.process, self.url, timeout=300)
            self.http = httpx.Client(base_url=self.url, timeout=300)
        return self.http

    def close(self) -> None:
        if self.cache and self.memo:
            texts = list(self.memo)
            np.savez(self.cache, texts=np.array(texts), vectors=np.vstack(list(self.memo.values())))
        if self.process:
            stop_process(self.process)

    def __call__(self, texts: list[str]) -> np.ndarray:
        need = [t for t in dict.fromkeys(texts) if t not in self.memo]
        for i in range(0, len(need), 64):
            r = self._client().post(
                "/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": need[i : i + 64]}
            )
            for t, d in zip(need[i : i + 64], r.json()["data"], strict=True):
                v = np.asarray(d["embedding"], dtype=np.float32)
                self.memo[t] = v / np.linalg.norm(v)
        return np.vstack([self.memo[t] for t in texts])


def lexical(question: str, db) -> list[tuple[int, float]]:
    terms = query_terms(question)
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    sql = "SELECT rowid, -bm25(f) FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 50"
    return [(int(r[0]), float(r[1])) for r in db.execute(sql, (match,))]


def semantic(qv: np.ndarray, matrix) -> list[tuple[int, float]]:
    scores = matrix @ qv
    top = np.argsort(-scores)[:50]
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0.2]


def rankings(text_half, plain, names_out) -> dict[str, list[int]]:
    out = {}
    for name, weight in FUSIONS:
        if name == "text":
            order = [i for i, _ in text_half]
        elif name.startswith("vector"):
            order = [i for i, _ in (names_out if "names" in name else plain)]
        elif name == "rrf":
            fused: dict[int, float] = {}
            for ranking in (text_half, plain):
                for rank, (i, _) in enumerate(ranking):
                    fused[i] = fused.get(i, 0.0) + 1.0 / (60 + rank + 1)
            order = sorted(fused, key=fused.get, reverse=True)
        else:
            meaning = names_out if name.startswith("names") else plain
            order = [i for i, _ in fuse(text_half, meaning, weight)]
        out[name] = order[:10]
    return out


def dated_rankings(question: str, shaped, db, matrix, embed) -> dict[str, list[int]]:
    """The ``DATED`` rankings of one question."""
    when, rest = named_date(question)
    text_half = lexical(rest, db)
    meaning = semantic(
        embed([meaning_query(rest, speaker_names(shaped[i][0] for i, _ in text_half))])[0], matrix
    )
    orders = [list(scaled(text_half).items()), list(scaled(meaning).items())]
    orders.append(fuse(text_half, meaning, ARCHIVE_VECTOR_WEIGHT))
    out = {}
    for name, ranked in zip(DATED, orders, strict=True):
        if when is not None:
            ranked = prefer_dated(ranked, {i for i, _ in ranked if when.holds(shaped[i][2])})
        out[name] = [i for i, _ in ranked][:10]
    return out


def measure(convs: list[dict], shape: str, embed) -> dict:
    zero = {"n": 0, "any@5": 0, "any@10": 0, "all@10": 0, "tokens": 0.0}
    totals = {name: dict(zero) for name in [n for n, _ in FUSIONS] + DATED}
    for conv in convs:
        shaped = entries(conv["turns"], shape)
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize='porter unicode61')")
        db.executemany("INSERT INTO f(rowid, text) VALUES (?, ?)", enumerate(e[0] for e in shaped))
        matrix = embed([e[0] for e in shaped])
        questions = [q["question"] for q in conv["questions"]]
        text_halves = [lexical(q, db) for q in questions]
        # as the archive does: the names labelling the text half's candidates' lines
        shaped_queries = [
            meaning_query(q, speaker_names(shaped[i][0] for i, _ in hits))
            for q, hits in zip(questions, text_halves, strict=True)
        ]
        plain_vectors, names_out_vectors = embed(questions), embed(shaped_queries)
        for q, text_half, qv, nv in zip(
            conv["questions"], text_halves, plain_vectors, names_out_vectors, strict=True
        ):
            evidence = set(q["evidence"])
            ranked = rankings(text_half, semantic(qv, matrix), semantic(nv, matrix))
            ranked |= dated_rankings(q["question"], shaped, db, matrix, embed)
            for name, order in ranked.items():
                found = [shaped[i][1] for i in order]
                t = totals[name]
                t["n"] += 1
                t["any@5"] += bool(evidence & set().union(*found[:5]))
                t["any@10"] += bool(evidence & set().union(*found))
                t["all@10"] += evidence <= set().union(*found)
                t["tokens"] += sum(len(shaped[i][0]) for i in order) / 4
    return {
        name: {k: v / t["n"] if k != "n" else v for k, v in t.items()} for name, t in totals.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", default="26,30,41", help="conversations tuned on")
    parser.add_argument("--engine", help="a running engine's URL (else one is started)")
    parser.add_argument("--cache", type=Path, help="keep the vectors in this .npz file")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="entry shapes to compare")
    args = parser.parse_args()
    convs = [conversation(p) for p in sorted(args.data.glob("*.json"))]
    tuned = set(args.split.split(","))
    embed = Embedder(args.engine, args.cache)
    try:
        for label, part in (
            (f"tuned on {sorted(tuned)}", [c for c in convs if c["name"] in tuned]),
            ("check", [c for c in convs if c["name"] not in tuned]),
        ):
            log(f"\n{label} (offline; tokens estimated)")
            log("| entry | ranking | any@5 | any@10 | all@10 | ~tokens/query |")
            log("|---|---|---|---|---|---|")
            for shape in args.shapes.split(","):
                for name, s in measure(part, shape, embed).items():
                    log(
                        f"| {shape} | {name} | {s['any@5']:.3f} | {s['any@10']:.3f} | "
                        f"{s['all@10']:.3f} | {s['tokens']:.0f} |"
                    )
    finally:
        embed.close()


if __name__ == "__main__":
    main()
