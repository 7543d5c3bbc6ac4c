"""The conversation tree's pure parts: paths, newest leaves, siblings, continuability, the
parents of an import (ours and ChatGPT's), the episodic entries of every branch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from RAI_Chat.backend.core.errors import BadRequest
from RAI_Chat.backend.services.branches import (
    Tree,
    can_continue,
    link_imported,
    tree_fields,
)
from RAI_Chat.backend.services.file_storage import parse_import
from RAI_Chat.backend.services.memory.entries import branch_pairs

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def message(id_, parent=None, minute=0, role="user", **kw):
    defaults = {"status": "complete", "cut_at_limit": False}
    return SimpleNamespace(
        id=id_,
        parent_id=parent,
        created_at=T0 + timedelta(minutes=minute),
        role=role,
        **(defaults | kw),
    )


@pytest.fixture
def tree() -> Tree:
    #  q ─┬─ a1 ── q2 ── a3
    #     └─ a2            (a2 is newer than a1, older than q2)
    return Tree.of(
        [
            message("a3", "q2", 5, "assistant"),
            message("q", None, 0),
            message("a1", "q", 1, "assistant"),
            message("q2", "a1", 3),
            message("a2", "q", 2, "assistant"),
        ]
    )


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_a_path_runs_from_the_first_message_down(tree):
    assert ids(tree.path("a3")) == ["q", "a1", "q2", "a3"]
    assert ids(tree.path("a2")) == ["q", "a2"]
    assert tree.path(None) == [] and tree.path("missing") == []


def test_the_newest_leaf_follows_the_newest_child(tree):
    assert tree.newest_leaf("q") == "a2"
    assert tree.newest_leaf("a1") == "a3"
    assert tree.newest_leaf("a3") == "a3"


def test_siblings_are_in_created_order_with_the_position(tree):
    fields = tree_fields(tree.by_id["a2"], tree)
    assert fields["sibling_ids"] == ["a1", "a2"]
    assert (fields["sibling_index"], fields["sibling_count"]) == (2, 2)
    assert tree_fields(tree.by_id["q"], tree)["sibling_ids"] == ["q"]


def test_the_active_leaf_falls_back_to_the_newest_message(tree):
    assert tree.active_leaf(SimpleNamespace(active_leaf_id="a2")) == "a2"
    assert tree.active_leaf(SimpleNamespace(active_leaf_id=None)) == "a3"
    assert tree.active_leaf(SimpleNamespace(active_leaf_id="gone")) == "a3"
    assert Tree.of([]).active_leaf(SimpleNamespace(active_leaf_id=None)) is None


def test_a_cycle_never_loops_forever():
    loop = Tree.of([message("x", "y", 0), message("y", "x", 1)])
    assert len(loop.path("x")) <= 2


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"status": "interrupted"}, True),
        ({"status": "complete", "cut_at_limit": True}, True),
        ({"status": "complete"}, False),
        ({"status": "error"}, False),
        ({"status": "in_progress"}, False),
    ],
)
def test_which_answers_can_continue(kw, expected):
    assert can_continue(message("a", role="assistant", **kw)) is expected
    assert can_continue(message("u", role="user", status="interrupted")) is False


def chatgpt_node(node_id, parent, role, text, when):
    return {
        "id": node_id,
        "parent": parent,
        "message": {
            "author": {"role": role},
            "create_time": when,
            "content": {"content_type": "text", "parts": [text]},
        },
    }


def test_a_chatgpt_mapping_keeps_its_branches_and_skips_system_nodes():
    mapping = {
        "root": {"id": "root", "message": None, "parent": None},
        "sys": chatgpt_node("sys", "root", "system", "You are ChatGPT", 1.0),
        "q": chatgpt_node("q", "sys", "user", "Hello", 2.0),
        "a2": chatgpt_node("a2", "q", "assistant", "Second", 4.0),
        "a1": chatgpt_node("a1", "q", "assistant", "First", 3.0),
        "tool": chatgpt_node("tool", "a1", "tool", "tool output", 5.0),
        "q2": chatgpt_node("q2", "tool", "user", "More", 6.0),
    }
    title, messages = parse_import({"title": "T", "mapping": mapping, "current_node": "a2"})
    assert title == "T"
    shape = [(m["key"], m["parent_key"], m["content"], m["active"]) for m in messages]
    assert shape == [
        ("q", None, "Hello", False),
        ("a1", "q", "First", False),
        ("q2", "a1", "More", False),  # the tool node's child hangs on its kept ancestor
        ("a2", "q", "Second", True),
    ]


def test_our_export_without_ids_is_a_chain_and_with_ids_a_tree():
    chain = [message(str(i), None, i) for i in range(3)]
    _, plain = parse_import(
        {
            "format": "rai-chat-session",
            "messages": [{"role": "user", "content": f"m{i}"} for i in range(3)],
        }
    )
    assert link_imported(chain, plain) == "2"
    assert [m.parent_id for m in chain] == [None, "0", "1"]

    rows = [message(f"row{i}", None, i) for i in range(3)]
    _, tree = parse_import(
        {
            "format": "rai-chat-session",
            "session": {"active_leaf_id": "x"},
            "messages": [
                {"id": "x", "role": "user", "content": "q"},
                {"id": "y", "parent_id": "x", "role": "assistant", "content": "a"},
                {"id": "z", "parent_id": "x", "role": "assistant", "content": "b"},
            ],
        }
    )
    assert link_imported(rows, tree) == "row0"
    assert [m.parent_id for m in rows] == [None, "row0", "row0"]


def test_an_import_parent_must_come_first():
    with pytest.raises(BadRequest, match="parent_id"):
        parse_import(
            {
                "format": "rai-chat-session",
                "messages": [{"id": "x", "parent_id": "y", "role": "user", "content": "q"}],
            }
        )


def test_every_branch_is_archived_once(tree):
    entries = [tuple(m.id for m in entry) for entry in branch_pairs(tree)]
    assert sorted(entries) == sorted([("q", "a1"), ("a1", "q2"), ("q2", "a3"), ("q", "a2")])
