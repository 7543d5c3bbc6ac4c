"""Every setting of the RAI API is read in one place: ``config.py``'s ``Settings``."""

from __future__ import annotations

import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2] / "backend"


def environment_reads(path: Path) -> list[int]:
    """Lines of ``path`` that read the environment (``os.environ[...]``, ``.get``,
    ``os.getenv``); setting a variable for a library (``os.environ.setdefault``) is not a
    read."""
    tree = ast.parse(path.read_text(), str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            lines.append(node.lineno)
    writes = {
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "setdefault"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "environ"
    }
    return [line for line in lines if line not in writes]


def test_only_config_reads_the_environment():
    readers = {
        str(path.relative_to(BACKEND)): lines
        for path in sorted(BACKEND.rglob("*.py"))
        if path.name != "config.py" and (lines := environment_reads(path))
    }
    assert readers == {}, f"read the setting through config.Settings instead: {readers}"


def test_the_check_sees_a_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('import os\nA = os.environ.get("X")\nos.environ.setdefault("Y", "1")\n')
    assert environment_reads(sample) == [2]
