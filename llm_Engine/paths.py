"""Where the engine keeps its files (the model, the exported embedding model)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_MODEL_FILENAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
EMBEDDING_DIRNAME = "all-MiniLM-L6-v2-onnx"


def data_root() -> Path:
    """The data root: `RAI_DATA_DIR` when set, else `<repo>/data`."""
    return Path(os.environ.get("RAI_DATA_DIR") or REPO_ROOT / "data")


def models_dir() -> Path:
    return data_root() / "models"


def default_model_path() -> Path:
    return models_dir() / DEFAULT_MODEL_FILENAME


def embedding_dir() -> Path:
    return models_dir() / EMBEDDING_DIRNAME
