"""The tuning bench behind ``services/memory/ranking.py`` and ``entries.py``: the same
questions and evidence as ``memory_locomo.py``, but entries, full text and vectors built in
process (an in-memory SQLite FTS5 table with the archive's tokenizer and the archive's
``query_terms``; the real all-MiniLM-L6-v2 through a real engine's ``/v1/embeddings``), so
that entry shapes and fusions can be compared in seconds once the texts are embedded.

    .venv/bin/python benchmarks/memory_locomo_offline.py            # tune split, then check

Tokens are estimated (4 characters a token) and entries carry no "User:"/"Assistant:"
labels, so its figures are a little off the API's; ``memory_locomo.py`` measures the
choice through the API."""

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
from RAI_Chat.backend.services.memory.ranking import fuse  # noqa: E402
from RAI_Chat.tests.chat_helpers import stop_process  # noqa: E402

SHAPES = ("exchange", "turn", "prev+turn")
# (name, vector weight or None for one half alone / RRF)
FUSIONS = [
    ("text", None),
    ("vector", None),
    ("rrf", None),
    ("score w=0.3", 0.3),
    ("score w=0.4", 0.4),
    ("score w=0.5", 0.5),
]


@dataclass
class Turn:
    line: str
    dia_id: str
    created_at: datetime


def entries(turns: list[dict], shape: str) -> list[tuple[str, set[str]]]:
    """(text, evidence ids) of each entry: ``exchange`` as the import grouped them before
    (``contextual.group_exchanges``, speaker A as the user), ``turn`` one turn alone,
    ``prev+turn`` as it groups them now (``entries.sliding_pairs``)."""
    items = [Turn(f"{t['speaker']}: {t['text']}", t["dia_id"], t["at"]) for t in turns]
    if shape == "turn":
        groups = [[t] for t in items]
    elif shape == "prev+turn":
        groups = sliding_pairs(items)
    else:
        first, groups = turns[0]["speaker"], []
        for t, raw in zip(items, turns, strict=True):
            if raw["speaker"] == first or not groups or groups[-1][-1].line.split(":")[0] != first:
                groups.append([t])
            else:
                groups[-1].append(t)
    return [("\n".join(t.line for t in g), {t.dia_id for t in g}) for g in groups]


class Embedder:
    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=300)
        self.memo: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        need = [t for t in dict.fromkeys(texts) if t not in self.memo]
        for i in range(0, len(need), 64):
            r = self.http.post(
                "/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": need[i : i + 64]}
            )
            for t, d in zip(need[i : i + 64], r.json()["data"], strict=True):
                v = np.asarray(d["embedding"], dtype=np.float32)
                self.memo[t] = v / np.linalg.norm(v)
        return np.vstack([self.memo[t] for t in texts])


def rankings(question: str, qv: np.ndarray, db, matrix) -> dict[str, list[int]]:
    terms = query_terms(question)
    lexical = []
    if terms:
        match = " OR ".join(f'"{t}"' for t in terms)
        sql = "SELECT rowid, -bm25(f) FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 50"
        lexical = [(int(r[0]), float(r[1])) for r in db.execute(sql, (match,))]
    scores = matrix @ qv
    top = np.argsort(-scores)[:50]
    semantic = [(int(i), float(scores[i])) for i in top if scores[i] > 0.2]
    out = {}
    for name, weight in FUSIONS:
        if name == "text":
            order = [i for i, _ in lexical]
        elif name == "vector":
            order = [i for i, _ in semantic]
        elif name == "rrf":
            fused: dict[int, float] = {}
            for ranking in (lexical, semantic):
                for rank, (i, _) in enumerate(ranking):
                    fused[i] = fused.get(i, 0.0) + 1.0 / (60 + rank + 1)
            order = sorted(fused, key=fused.get, reverse=True)
        else:
            order = [i for i, _ in fuse(lexical, semantic, weight)]
        out[name] = order[:10]
    return out


def measure(convs: list[dict], shape: str, embed) -> dict:
    zero = {"n": 0, "any@5": 0, "any@10": 0, "all@10": 0, "tokens": 0.0}
    totals = {name: dict(zero) for name, _ in FUSIONS}
    for conv in convs:
        shaped = entries(conv["turns"], shape)
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize='porter unicode61')")
        db.executemany("INSERT INTO f(rowid, text) VALUES (?, ?)", enumerate(t for t, _ in shaped))
        matrix = embed([t for t, _ in shaped])
        questions = [q["question"] for q in conv["questions"]]
        for q, qv in zip(conv["questions"], embed(questions), strict=True):
            evidence = set(q["evidence"])
            for name, order in rankings(q["question"], qv, db, matrix).items():
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
    args = parser.parse_args()
    convs = [conversation(p) for p in sorted(args.data.glob("*.json"))]
    tuned = set(args.split.split(","))
    process = None
    url = args.engine
    if not url:
        port = free_port()
        process = start_engine(port, {"LLM_EMBEDDING_MODEL": "true", "LLM_LOCAL_MODEL": "false"})
        url = f"http://127.0.0.1:{port}"
        wait_for_health(process, url, timeout=300)
    embed = Embedder(url)
    try:
        for label, part in (
            (f"tuned on {sorted(tuned)}", [c for c in convs if c["name"] in tuned]),
            ("check", [c for c in convs if c["name"] not in tuned]),
        ):
            log(f"\n{label} (offline; tokens estimated)")
            log("| entry | ranking | any@5 | any@10 | all@10 | ~tokens/query |")
            log("|---|---|---|---|---|---|")
            for shape in SHAPES:
                for name, s in measure(part, shape, embed).items():
                    log(
                        f"| {shape} | {name} | {s['any@5']:.3f} | {s['any@10']:.3f} | "
                        f"{s['all@10']:.3f} | {s['tokens']:.0f} |"
                    )
    finally:
        if process:
            stop_process(process)


if __name__ == "__main__":
    main()
