"""Local sentence embeddings: all-MiniLM-L6-v2 exported to ONNX, run with onnxruntime."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import numpy as np

from llm_Engine.providers.base import ChatParams, Embeddings, Provider, TokenCount

MAX_SEQUENCE_TOKENS = 256
BATCH_SIZE = 32


class EmbeddingModelMissing(RuntimeError):
    pass


class MiniLMProvider(Provider):
    """Mean-pooled, L2-normalised sentence vectors (384 dimensions), fully offline."""

    kind = "minilm"

    def __init__(self, directory: Path, n_threads: int = 2) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        onnx_file = directory / "model.onnx"
        tokenizer_file = directory / "tokenizer.json"
        if not onnx_file.is_file() or not tokenizer_file.is_file():
            raise EmbeddingModelMissing(
                f"embedding model not found in {directory}: run `python -m llm_Engine.install`"
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = n_threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(MAX_SEQUENCE_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106
        self._lock = threading.Lock()

    def stream_chat(self, params: ChatParams) -> Any:
        raise NotImplementedError  # never routed: the registry only sends embeddings here

    def embed_sync(self, inputs: list[str]) -> Embeddings:
        vectors: list[np.ndarray] = []
        tokens = 0
        for start in range(0, len(inputs), BATCH_SIZE):
            batch = inputs[start : start + BATCH_SIZE]
            with self._lock:
                encodings = self.tokenizer.encode_batch(batch)
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.input_names:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            vectors.append(pooled / np.clip(norms, 1e-12, None))
            tokens += int(mask.sum())
        stacked = np.concatenate(vectors, axis=0)
        return Embeddings(vectors=stacked.tolist(), prompt_tokens=tokens)

    async def embed(self, model: str, inputs: list[str]) -> Embeddings:
        return await asyncio.to_thread(self.embed_sync, inputs)

    async def count_tokens(
        self, model: str, text: str | None, messages: list[dict[str, str]] | None
    ) -> TokenCount:
        joined = text if text is not None else "\n".join(m["content"] for m in messages or [])
        with self._lock:
            self.tokenizer.no_padding()
            count = len(self.tokenizer.encode(joined).ids)
            self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106
        return TokenCount(count=count)
