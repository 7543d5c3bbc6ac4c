"""A conversation is a tree: each message has a parent (``parent_id``), siblings are the
versions of one message (regenerated answers, edited questions), and a session shows and
continues one branch, from its first message to its active leaf.

Memory follows the active branch: the window of a turn is the branch it continues
(``memory.contextual``), and whatever lies off the active branch is marked
``abandoned_branch`` -- the episodic entries of its exchanges (never recalled) and the facts
captured from its user messages (not put in prompts) -- until that branch is active again
(``sync_branch_marks``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, update

from ..core.database.models import ChatSession, Message, UserFact
from ..core.database.session import Database
from .repositories import session_memory_entries


@dataclass
class Tree:
    """The messages of one session, by id, with each message's children in created order."""

    by_id: dict[str, Message]
    children: dict[str | None, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, messages: Iterable[Message]) -> Tree:
        ordered = sorted(messages, key=lambda m: (m.created_at, m.id))
        tree = cls({m.id: m for m in ordered})
        for m in ordered:
            # A parent that is not in the session (should never be) makes a root.
            parent = m.parent_id if m.parent_id in tree.by_id else None
            tree.children.setdefault(parent, []).append(m.id)
        return tree

    def path(self, leaf_id: str | None) -> list[Message]:
        """The branch from the first message down to ``leaf_id``, oldest first."""
        out: list[Message] = []
        seen: set[str] = set()
        node = self.by_id.get(leaf_id) if leaf_id else None
        while node is not None and node.id not in seen:
            seen.add(node.id)
            out.append(node)
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return list(reversed(out))

    def newest_leaf(self, message_id: str) -> str:
        """Down from ``message_id``, always to the most recently created child."""
        node, seen = message_id, {message_id}
        while self.children.get(node):
            node = self.children[node][-1]
            if node in seen:
                break
            seen.add(node)
        return node

    def siblings(self, message: Message) -> list[str]:
        parent = message.parent_id if message.parent_id in self.by_id else None
        return self.children.get(parent, [message.id])

    def active_leaf(self, chat: ChatSession) -> str | None:
        """The session's active leaf; when unset (or gone), the newest message's newest
        leaf."""
        if chat.active_leaf_id in self.by_id:
            return chat.active_leaf_id
        if not self.by_id:
            return None
        newest = max(self.by_id.values(), key=lambda m: (m.created_at, m.id))
        return self.newest_leaf(newest.id)

    def active_path(self, chat: ChatSession) -> list[Message]:
        return self.path(self.active_leaf(chat))


def load_tree(session, session_id: str) -> Tree:
    return Tree.of(session.scalars(select(Message).where(Message.session_id == session_id)))


def active_path_ids(session, session_id: str) -> list[str]:
    """The ids of the session's active branch, oldest first (empty for an unknown one)."""
    chat = session.get(ChatSession, session_id)
    if chat is None:
        return []
    # Only the columns the tree needs (a long imported chat need not be read in full).
    rows = session.execute(
        select(Message.id, Message.parent_id, Message.created_at).where(
            Message.session_id == session_id
        )
    ).all()
    return [m.id for m in Tree.of(rows).active_path(chat)]


def can_continue(message: Message) -> bool:
    """An answer that stopped before its end: interrupted (stopped, or its process died)
    or cut at the answer-length limit."""
    if message.role != "assistant":
        return False
    return message.status == "interrupted" or (
        message.status == "complete" and bool(message.cut_at_limit)
    )


def tree_fields(message: Message, tree: Tree) -> dict:
    """What a message shows of its place in the tree (``‹ 2/3 ›``)."""
    siblings = tree.siblings(message)
    return {
        "parent_id": message.parent_id,
        "sibling_ids": siblings,
        "sibling_index": siblings.index(message.id) + 1 if message.id in siblings else 1,
        "sibling_count": len(siblings),
        "can_continue": can_continue(message),
    }


def mark_off_branch(session, session_id: str, on_branch: set[str]) -> None:
    """Mark the memory of the session's messages off the active branch, unmark the rest:
    an episodic entry is abandoned when one of its messages is off the branch; a fact when
    the message it was captured from is."""
    for entry in session_memory_entries(session, session_id):
        abandoned = not set(entry.message_ids or []) <= on_branch
        if bool(entry.abandoned_branch) != abandoned:
            entry.abandoned_branch = abandoned
    sources = select(Message.id).where(Message.session_id == session_id)
    facts = session.scalars(select(UserFact).where(UserFact.source_message_id.in_(sources))).all()
    for fact in facts:
        abandoned = fact.source_message_id not in on_branch
        if bool(fact.abandoned_branch) != abandoned:
            fact.abandoned_branch = abandoned


def lock_session(session, session_id: str) -> None:
    """Take the session's row for this transaction (a no-op write: a row lock on
    PostgreSQL, the write lock on SQLite), so that two changes of its branch and of the
    marks never interleave: the second waits, then reads what the first committed."""
    session.execute(
        update(ChatSession)
        .where(ChatSession.id == session_id)
        .values(active_leaf_id=ChatSession.active_leaf_id)
    )


def sync_branch_marks(database: Database, session_id: str) -> None:
    """``mark_off_branch`` in its own transaction (after the background memory work, which
    may have added entries or facts since the branch last changed)."""
    with database.unit_of_work() as uow:
        lock_session(uow.session, session_id)
        chat = uow.session.get(ChatSession, session_id)
        if chat is None:
            return
        on_branch = {m.id for m in load_tree(uow.session, session_id).active_path(chat)}
        mark_off_branch(uow.session, session_id, on_branch)
        uow.commit()


def set_active_leaf(session, chat: ChatSession, tree: Tree, leaf_id: str) -> None:
    chat.active_leaf_id = leaf_id
    mark_off_branch(session, chat.id, {m.id for m in tree.path(leaf_id)})


def link_imported(rows: list[Message], messages: list[dict]) -> str | None:
    """Parents of imported messages (``rows[i]`` from ``messages[i]``, ids set): by their
    keys when the import is a tree, else each follows the one before; returns the active
    leaf's id."""
    tree_shaped = any(m.get("key") is not None for m in messages)
    ids: dict = {}
    active = rows[-1].id if rows else None
    for i, (row, m) in enumerate(zip(rows, messages, strict=True)):
        if tree_shaped:
            row.parent_id = ids.get(m.get("parent_key"))
        else:
            row.parent_id = rows[i - 1].id if i else None
        if m.get("key") is not None:
            ids[m["key"]] = row.id
        if m.get("active"):
            active = row.id
    return active
