"""Sections cut into passages small enough to retrieve precisely: about ``CHUNK_WORDS``
words, never across a page or a heading (so each passage has one position), the next
passage repeating the last ``OVERLAP_WORDS`` words of a long section."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .extract import Section

CHUNK_WORDS = 160
OVERLAP_WORDS = 30
MAX_CHUNK_CHARS = 4000


@dataclass(frozen=True)
class Chunk:
    seq: int
    page: int | None
    heading: str | None
    text: str


def chunk_sections(sections: Iterable[Section]) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in sections:
        words = section.text.split()
        start = 0
        while start < len(words):
            end = min(len(words), start + CHUNK_WORDS)
            # A short tail joins its passage instead of standing alone.
            if len(words) - end < OVERLAP_WORDS:
                end = len(words)
            text = " ".join(words[start:end])[:MAX_CHUNK_CHARS]
            chunks.append(Chunk(len(chunks), section.page, section.heading, text))
            if end >= len(words):
                break
            start = end - OVERLAP_WORDS
    return chunks
