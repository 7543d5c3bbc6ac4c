"""How a question is turned into the query of the meaning half of the episodic search.

A conversation archived as ``"<speaker>: <text>"`` lines (an import; ``User:`` /
``Assistant:`` before them) carries a speaker's name on every line it says, so the entries'
vectors all lean towards the names. A question that names a speaker ("What did Caroline
research?") is then near every line Caroline says, whatever it is about. The names are left
to the full-text half (where they weigh little: they are in most entries) and taken out of
the question the meaning half embeds. Measured on the LoCoMo tuning half
(``benchmarks/memory_locomo_offline.py``, RESULTS.md): the meaning half alone found
0.70 → 0.78 of the questions' evidence in its top 10 on the split tuned on."""

from __future__ import annotations

import re
from collections.abc import Iterable

# ``Caroline: …`` or ``User: Caroline: …`` at the start of a line: one to three words,
# each starting with a capital letter, before ``": "``.
_LABELS = re.compile(r"^((?:[^\W\d_][\w'’.-]*)(?: [^\W\d_][\w'’.-]*){0,2}): ", re.MULTILINE)
_SPACES = re.compile(r"\s+")


def speaker_names(texts: Iterable[str]) -> set[str]:
    """The speakers' names (casefolded words) labelling lines of ``texts``, including the
    role labels (``user``, ``assistant``)."""
    names: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            rest = line
            for _ in range(2):  # "User: Caroline: …" carries two labels
                match = _LABELS.match(rest)
                words = match.group(1).split() if match else []
                if not match or not all(word[0].isupper() for word in words):
                    break
                names.update(word.casefold() for word in words)
                rest = rest[match.end() :]
    return names


def meaning_query(query: str, names: set[str]) -> str:
    """``query`` without the words that are speakers' ``names`` (and their ``'s``); the
    query itself when nothing else would be left."""
    if not names:
        return query
    kept = []
    for word in query.split():
        bare = re.sub(r"(?:['’]s)?[^\w]*$", "", word).lstrip("\"'‘“(").casefold()
        if bare not in names:
            kept.append(word)
    shaped = _SPACES.sub(" ", " ".join(kept)).strip()
    return shaped if re.search(r"\w", shaped) else query
