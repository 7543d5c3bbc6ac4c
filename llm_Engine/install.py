"""`python -m llm_Engine.install`: assemble the default model and export the embedding model.

Idempotent: each step is skipped when its result is already there and verified."""

from __future__ import annotations

import sys
import time

from llm_Engine import paths
from llm_Engine.embedding_export import EmbeddingExportError, export_onnx, is_exported
from llm_Engine.model_files import ModelPartError, assemble_model, is_verified


class _ProgressBar:
    def __init__(self, label: str) -> None:
        self.label = label
        self.last = -1.0
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        percent = 100.0 * done / total if total else 100.0
        step = 1 if self.tty else 10
        if percent - self.last < step and done != total:
            return
        self.last = percent
        line = f"{self.label}: {done / 1e6:6.0f} / {total / 1e6:.0f} MB ({percent:3.0f}%)"
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if done == total else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def main() -> int:
    model = paths.default_model_path()
    try:
        if is_verified(model):
            print(f"Local model ready: {model}")
        else:
            print(f"Assembling the local model into {model} (about 0.5 GB)")
            assemble_model(model, progress=_ProgressBar("  model"))
            print(f"Local model assembled and verified (sha256): {model}")
    except ModelPartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    target = paths.embedding_dir()
    try:
        if is_exported(target):
            print(f"Embedding model ready: {target}")
        else:
            print("Exporting the embedding model (all-MiniLM-L6-v2) to ONNX")
            started = time.monotonic()
            export_onnx(target)
            print(f"Embedding model exported in {time.monotonic() - started:.0f} s: {target}")
    except EmbeddingExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
