"""The engine client's reading of a Server-Sent Events body (``llm_client.sse_data``): the
payloads of its ``data:`` lines, however the bytes are cut as they arrive."""

from __future__ import annotations

import json

import pytest

from RAI_Chat.backend.services.llm_client import sse_data

CHUNKS = [{"choices": [{"delta": {"content": t}}]} for t in ("Hel", "lo ✓", " wörld")]
BODY = (
    "".join(f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in CHUNKS) + "data: [DONE]\n\n"
)


def payloads(pieces: list[bytes]) -> list:
    return [data if data == b"[DONE]" else json.loads(data) for data in sse_data(iter(pieces))]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
def test_the_payloads_come_out_whole_however_the_body_is_cut(size):
    raw = BODY.encode()
    pieces = [raw[i : i + size] for i in range(0, len(raw), size)]  # cuts inside UTF-8 too
    assert payloads(pieces) == [*CHUNKS, b"[DONE]"]


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends(end):
    raw = BODY.replace("\n", end).encode()
    for size in (1, 5, len(raw)):
        pieces = [raw[i : i + size] for i in range(0, len(raw), size)]
        assert payloads(pieces) == [*CHUNKS, b"[DONE]"]


def test_other_lines_are_skipped_and_a_last_line_without_its_end_is_read():
    raw = b': comment\nevent: x\nid: 3\ndata:{"a": 1}\n\nretry: 5\ndata:  [DONE]'
    assert payloads([raw]) == [{"a": 1}, b"[DONE]"]
