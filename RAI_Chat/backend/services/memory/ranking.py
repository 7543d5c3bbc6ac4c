"""How the episodic search ranks and shows what it finds: the fusion of its two halves
(full text and meaning), and the date a recalled entry carries into a prompt.

Fusion is a weighted sum of each half's scores, each scaled to 0..1 over its own
candidates (min-max). Measured on the LoCoMo tuning half (benchmarks/memory_locomo.py,
RESULTS.md): plain reciprocal-rank fusion made recall *worse* than full text alone, because
it gives a weak semantic match the same weight as a strong lexical one at the same rank;
score fusion keeps how much better the best match is than the rest."""

from __future__ import annotations

from datetime import datetime

# Share of the meaning half in the fused score (the full-text half has the rest).
VECTOR_WEIGHT = 0.3
# The episodic archive's share: higher since its meaning half embeds the question without
# the speakers' names (``queries.meaning_query``), which made that half far better (LoCoMo
# tuning half, chosen on the split tuned on: 0.45 to 0.6 within a point of each other).
ARCHIVE_VECTOR_WEIGHT = 0.55
# Cosine similarity (all-MiniLM-L6-v2) under which a semantic match is not a candidate.
VECTOR_MIN_SIMILARITY = 0.2
# Added to the score (0..1) of an entry dated within the date a question names
# (``queries.named_date``): LoCoMo tuning half, fourth round; 0.5 and 1.0 equal on the split
# tuned on, 0.1-0.3 less.
DATE_BOOST = 0.5
MODES = ("hybrid", "text", "vector")

Ranking = list[tuple[str, float]]  # (entry id, score: higher is better), best first


def scaled(ranking: Ranking) -> dict[str, float]:
    """Scores scaled to 0..1 over the candidates (all 1.0 when they are equal)."""
    if not ranking:
        return {}
    low = min(score for _, score in ranking)
    high = max(score for _, score in ranking)
    span = high - low
    return {i: (s - low) / span if span > 0 else 1.0 for i, s in ranking}


def fuse(lexical: Ranking, semantic: Ranking, vector_weight: float = VECTOR_WEIGHT) -> Ranking:
    """One ranking from both halves: ``(1 - w) * text + w * meaning``, each scaled to 0..1;
    an entry only one half found gets nothing from the other. Ties keep the full-text order."""
    fused: dict[str, float] = {}
    for entry_id, score in scaled(lexical).items():
        fused[entry_id] = (1.0 - vector_weight) * score
    for entry_id, score in scaled(semantic).items():
        fused[entry_id] = fused.get(entry_id, 0.0) + vector_weight * score
    order = {entry_id: n for n, entry_id in enumerate(fused)}
    return sorted(fused.items(), key=lambda item: (-item[1], order[item[0]]))


def prefer_dated(ranking: Ranking, dated: set[str], boost: float = DATE_BOOST) -> Ranking:
    """``ranking`` (scores 0..1) with ``boost`` added to the entries of ``dated`` (those
    dated within the date the question names), re-sorted; ties keep the order."""
    order = {entry_id: n for n, (entry_id, _) in enumerate(ranking)}
    boosted = [(i, s + boost if i in dated else s) for i, s in ranking]
    return sorted(boosted, key=lambda item: (-item[1], order[item[0]]))


def spoken_date(when: datetime | str | None) -> str | None:
    """``8 May 2023`` (the day the entry's conversation took place)."""
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            return None
    if when is None:
        return None
    return f"{when.day} {when.strftime('%B %Y')}"


def dated(text: str, when: datetime | str | None) -> str:
    """A recalled entry as it goes into a prompt: ``On 8 May 2023: <text>``, so that the
    model can answer "when did …?" (relative words in the text, like "yesterday", are
    relative to that date)."""
    day = spoken_date(when)
    return f"On {day}: {text}" if day else text
