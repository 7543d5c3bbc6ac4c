"""The load-and-soak script in its short CI form: several users chatting at once on 2 API
workers and PostgreSQL complete their turns with no error (the figures of the long form are
in benchmarks/RESULTS.md)."""

import json
import subprocess
import sys

import pytest

from ..conftest import PROJECT_ROOT


@pytest.mark.postgres
def test_a_short_soak_completes_turns_for_every_user_without_errors(postgres_server, tmp_path):
    out = tmp_path / "soak.json"
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/load_soak.py",
            "--users",
            "6",
            "--duration",
            "20",
            "--json",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["errors"] == 0, figures["error_kinds"]
    assert figures["turns"] >= 2 * figures["users"], figures
