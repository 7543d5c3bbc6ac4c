"""What one episodic entry of an imported conversation is: a message with the message
before it (a sliding window of two), when both belong to the same sitting.

Measured on the LoCoMo tuning half (benchmarks/memory_locomo.py, RESULTS.md): user →
assistant exchanges side by side found fewer evidence turns than overlapping pairs, for
about the same tokens (likely because what a question matches and its answer are often
neighbouring turns, which a fixed exchange cuts apart half of the time); a turn alone
found far fewer. Each message is in at most two entries; every message is in at least
one."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from ...core.database.models import Message
    from ..branches import Tree

# A message more than this after the one before it starts a new sitting: it is not shown
# with the end of the previous one.
SAME_SITTING = timedelta(hours=1)


class Dated(Protocol):
    created_at: object


M = TypeVar("M", bound=Dated)


def sliding_pairs(messages: list[M], gap: timedelta = SAME_SITTING) -> list[list[M]]:
    """Entries of a conversation, oldest first: ``[previous, message]`` for every message
    whose previous one came at most ``gap`` earlier; a message with no such neighbour on
    either side is an entry alone."""
    close = [
        i > 0 and messages[i].created_at - messages[i - 1].created_at <= gap
        for i in range(len(messages))
    ]
    entries: list[list[M]] = []
    for i, message in enumerate(messages):
        if close[i]:
            entries.append([messages[i - 1], message])
        elif not (i + 1 < len(messages) and close[i + 1]):
            entries.append([message])
    return entries


def branch_pairs(tree: Tree) -> list[list[Message]]:
    """The episodic entries of a tree: ``sliding_pairs`` along every branch, each entry
    once."""
    seen: set[tuple[str, ...]] = set()
    out: list[list[Message]] = []
    leaves = [m for m in tree.by_id if not tree.children.get(m)]
    for leaf in leaves:
        for entry in sliding_pairs(tree.path(leaf)):
            ids = tuple(m.id for m in entry)
            if ids not in seen:
                seen.add(ids)
                out.append(entry)
    return out
