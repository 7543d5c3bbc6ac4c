"""The page's TypeScript types of the API (``src/api/schema.gen.ts``) are generated from the
OpenAPI document (``src/api/openapi.json``, written by ``rai-admin openapi``): both must be
what ``npm run gen:types`` (in ``RAI_Chat/frontend``) writes from the code as it is now."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from RAI_Chat.backend.cli import openapi_json

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
REGENERATE = "the API changed: run `npm run gen:types` in RAI_Chat/frontend and commit both files"


def test_the_committed_openapi_document_is_the_apis():
    committed = (FRONTEND / "src" / "api" / "openapi.json").read_text(encoding="utf-8")
    assert openapi_json() == committed, REGENERATE


def test_the_pages_types_are_generated_from_the_committed_document():
    npm = shutil.which("npm")
    if npm is None or not (FRONTEND / "node_modules" / ".bin" / "openapi-typescript").exists():
        if os.environ.get("CI"):
            pytest.fail("the page's packages are not installed (npm ci in RAI_Chat/frontend)")
        pytest.skip("the page's packages are not installed")
    generated = subprocess.run(
        [npm, "run", "--silent", "gen:ts"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    committed = (FRONTEND / "src" / "api" / "schema.gen.ts").read_text(encoding="utf-8")
    assert generated == committed, REGENERATE
