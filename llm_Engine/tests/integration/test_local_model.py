"""The real local model behind the real engine process (started once per session)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import openai
import pytest

pytestmark = pytest.mark.slow

TIMEOUT = 300  # seconds: the suites share 2 cores, a busy machine is slow
QUESTION = [{"role": "user", "content": "What is the capital of France? Answer with one word."}]


@pytest.fixture(scope="module")
def client(engine_server: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{engine_server}/v1", api_key="unused", max_retries=0, timeout=TIMEOUT
    )


def test_local_model_answers_a_one_word_question(client: openai.OpenAI) -> None:
    answer = client.chat.completions.create(
        model="default", messages=QUESTION, temperature=0, max_tokens=10
    )
    assert "paris" in answer.choices[0].message.content.lower()
    assert answer.usage.prompt_tokens > 10
    assert 1 <= answer.usage.completion_tokens <= 10


def test_openai_client_streams_the_answer_with_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="qwen2.5-coder-0.5b-instruct",
        messages=[{"role": "user", "content": "Count from 1 to 10, separated by commas."}],
        temperature=0,
        max_tokens=60,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 5
    assert "5" in text and "9" in text
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 5


def test_raw_stream_is_openai_chunks_ending_with_done(engine_server: str) -> None:
    body = {"model": "default", "messages": QUESTION, "stream": True, "max_tokens": 8}
    url = f"{engine_server}/v1/chat/completions"
    with httpx.stream("POST", url, json=body, timeout=TIMEOUT) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    events = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert all(e["object"] == "chat.completion.chunk" for e in events)
    assert events[-1]["choices"][0]["finish_reason"] in ("stop", "length")
    assert events[-1]["usage"]["total_tokens"] > 0


def test_stop_sequence_and_max_tokens_end_the_answer(client: openai.OpenAI) -> None:
    answer = client.chat.completions.create(
        model="default",
        messages=[{"role": "user", "content": "Count from 1 to 20, separated by commas."}],
        temperature=0,
        seed=7,
        stop=["7"],
        max_tokens=80,
    )
    assert "7" not in answer.choices[0].message.content
    assert "6" in answer.choices[0].message.content
    short = client.chat.completions.create(
        model="default", messages=QUESTION + QUESTION[:0], max_tokens=1, temperature=0
    )
    assert short.choices[0].finish_reason == "length"
    assert short.usage.completion_tokens == 1


def test_too_long_a_request_is_context_length_exceeded(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="default", messages=QUESTION, max_tokens=100_000)
    assert caught.value.code == "context_length_exceeded"


def test_unknown_model_is_a_404_in_openai_format(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="no-such-model", messages=QUESTION)
    assert caught.value.code == "model_not_found"


def test_tokenize_counts_the_prompt_as_the_model_sees_it(engine_server: str) -> None:
    counted = httpx.post(
        f"{engine_server}/tokenize",
        json={"model": "default", "messages": QUESTION},
        timeout=TIMEOUT,
    ).json()
    answer = httpx.post(
        f"{engine_server}/v1/chat/completions",
        json={"model": "default", "messages": QUESTION, "max_tokens": 1},
        timeout=TIMEOUT,
    ).json()
    assert counted["exact"] is True
    assert counted["count"] == answer["usage"]["prompt_tokens"]


def test_a_client_that_disconnects_stops_its_generation(engine_server: str) -> None:
    long_task = {
        "model": "default",
        "messages": [{"role": "user", "content": "Count from 1 to 3000, one number a line."}],
        "stream": True,
        "max_tokens": 2000,
    }
    url = f"{engine_server}/v1/chat/completions"
    with httpx.stream("POST", url, json=long_task, timeout=TIMEOUT) as r:
        for n, _ in enumerate(r.iter_lines()):
            if n > 6:
                break
    started = time.monotonic()
    answer = httpx.post(
        f"{engine_server}/v1/chat/completions",
        json={"model": "default", "messages": QUESTION, "max_tokens": 4},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200
    assert time.monotonic() - started < 30  # not queued behind 2000 tokens (≥ 40 s)


def test_embeddings_are_normalised_and_batchable(engine_server: str) -> None:
    texts = ["The cat sits on the mat.", "A cat is sitting on a mat.", "Stock prices fell."]
    body = httpx.post(
        f"{engine_server}/v1/embeddings",
        json={"model": "all-MiniLM-L6-v2", "input": texts},
        timeout=TIMEOUT,
    ).json()
    vectors = [item["embedding"] for item in body["data"]]
    assert [len(v) for v in vectors] == [384, 384, 384]

    def dot(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert abs(dot(vectors[0], vectors[0]) - 1) < 1e-4
    assert dot(vectors[0], vectors[1]) > dot(vectors[0], vectors[2]) + 0.3


def test_metrics_count_requests_and_tokens(engine_server: str) -> None:
    httpx.post(
        f"{engine_server}/v1/chat/completions",
        json={"model": "default", "messages": QUESTION, "max_tokens": 2},
        timeout=TIMEOUT,
    )
    text = httpx.get(f"{engine_server}/metrics", timeout=TIMEOUT).text
    for name in (
        "llm_requests_total",
        "llm_prompt_tokens_total",
        "llm_completion_tokens_total",
        "llm_time_to_first_token_seconds_bucket",
        "llm_queue_depth",
    ):
        assert name in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "model file not found"), (b"not a gguf file" * 100, "cannot load model file")],
    ids=["missing", "corrupt"],
)
def test_a_missing_or_corrupt_model_file_stops_start_up_with_a_clear_message(
    tmp_path, content: bytes | None, expected: str
) -> None:
    model = tmp_path / "model.gguf"
    if content is not None:
        model.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "llm_Engine.llm_api_server", "--port", "1"],
        env={**os.environ, "LLM_MODEL_PATH": str(model)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


DECISION_SCHEMA = {
    "type": "object",
    "properties": {"tool": {"type": "string", "enum": ["web_search", "calculate", "none"]}},
    "required": ["tool"],
}


def test_json_schema_response_format_holds_the_local_model_to_the_schema(
    client: openai.OpenAI,
) -> None:
    answer = client.chat.completions.create(
        model="default",
        messages=[{"role": "user", "content": "Write a poem about the sea."}],
        max_tokens=30,
        temperature=0,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "decision", "schema": DECISION_SCHEMA},
        },
    )
    decided = json.loads(answer.choices[0].message.content)
    assert set(decided) == {"tool"}
    assert decided["tool"] in {"web_search", "calculate", "none"}
