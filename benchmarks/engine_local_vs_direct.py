"""Tokens/s and time to first token: the engine vs llama-cpp-python called directly.

Same model, same prompt, same settings, one run: first llama-cpp-python in this process,
then (after freeing it) the engine as its own process, reached over HTTP with SSE.
Usage: .venv/bin/python benchmarks/engine_local_vs_direct.py [--runs 5] [--max-tokens 200]"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conftest import start_engine, wait_for_health  # noqa: E402
from llm_Engine.settings import EngineSettings  # noqa: E402
from llm_Engine.testing.server_thread import free_port  # noqa: E402

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Explain in detail how a hash map works, with an example."},
]


def direct_runs(runs: int, max_tokens: int) -> list[dict]:
    from llama_cpp import Llama, llama_chat_format

    settings = EngineSettings()
    llm = Llama(
        model_path=str(settings.model_path),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        n_threads_batch=settings.n_threads,
        n_batch=settings.n_batch,
        verbose=False,
    )
    formatter = llama_chat_format.Jinja2ChatFormatter(
        template=llm.metadata["tokenizer.chat_template"],
        eos_token=llm._model.token_get_text(llm.token_eos()),
        bos_token="",
    )
    prompt = formatter(messages=MESSAGES)
    tokens = llm.tokenize(prompt.prompt.encode(), add_bos=False, special=True)
    results = []
    for _ in range(runs):
        started = time.perf_counter()
        first = None
        n = 0
        for chunk in llm.create_completion(
            tokens, max_tokens=max_tokens, temperature=0, stop=prompt.stop, stream=True
        ):
            if chunk["choices"][0]["text"] and first is None:
                first = time.perf_counter()
            n += 1
        results.append(_figures(started, first, time.perf_counter(), n))
    del llm
    gc.collect()
    return results


def engine_runs(runs: int, max_tokens: int) -> list[dict]:
    port = free_port()
    process = start_engine(port, {"LLM_EMBEDDING_MODEL": "false"})
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        wait_for_health(process, base)
        body = {
            "model": "default",
            "messages": MESSAGES,
            "max_tokens": max_tokens,
            "temperature": 0,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        with httpx.Client(timeout=300) as client:
            for _ in range(runs):
                started = time.perf_counter()
                first = None
                n = 0
                with client.stream("POST", f"{base}/v1/chat/completions", json=body) as r:
                    for line in r.iter_lines():
                        if not line.startswith("data: {"):
                            continue
                        event = json.loads(line[6:])
                        if event.get("usage"):
                            n = event["usage"]["completion_tokens"]
                        choices = event["choices"]
                        if choices and choices[0]["delta"].get("content") and first is None:
                            first = time.perf_counter()
                results.append(_figures(started, first, time.perf_counter(), n))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def _figures(started: float, first: float | None, ended: float, n: int) -> dict:
    first = first or ended
    return {
        "ttft_ms": (first - started) * 1000,
        "tokens": n,
        "tokens_per_s": n / (ended - started),
        "decode_tokens_per_s": (n - 1) / (ended - first) if n > 1 and ended > first else 0.0,
    }


def summary(name: str, results: list[dict]) -> dict:
    warm = results[1:] or results
    row = {
        "what": name,
        "cold_ttft_ms": round(results[0]["ttft_ms"], 1),
        "warm_ttft_ms": round(statistics.median(r["ttft_ms"] for r in warm), 1),
        "tokens_per_s": round(statistics.median(r["tokens_per_s"] for r in warm), 2),
        "decode_tokens_per_s": round(statistics.median(r["decode_tokens_per_s"] for r in warm), 2),
        "tokens": warm[0]["tokens"],
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=200)
    args = parser.parse_args()
    direct = summary("llama-cpp-python direct", direct_runs(args.runs, args.max_tokens))
    engine = summary("engine over HTTP/SSE", engine_runs(args.runs, args.max_tokens))
    ratio = engine["tokens_per_s"] / direct["tokens_per_s"]
    print(f"engine / direct tokens/s: {ratio:.1%} (goal >= 95%)")


if __name__ == "__main__":
    main()
