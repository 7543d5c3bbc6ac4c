"""Removes our own instruction text and tool data from a streamed answer when a small
model copies it word for word ("Nothing remembered matches what the user asks to forget;
say so briefly.", a raw "[1] Title (https://…)" result line), holding back only what could
still turn out to be such a copy. A ``Swap`` is replaced instead of removed: the user's
"I was born in 1979." repeated by the model as its own reads "You were born in 1979."."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

MIN_PHRASE_CHARS = 24
MIN_SWAP_CHARS = 8
# A model copies “curly” quotes as "straight" ones: both forms of a phrase are looked for.
_QUOTES = {"“": '"', "”": '"', "‘": "'", "’": "'"}
_STRAIGHT = re.compile("[“”‘’]")


class Swap(NamedTuple):
    text: str
    replacement: str


def phrases_of(texts: list) -> list:
    """The lines and sentences of ``texts`` long enough to be a copy and not a coincidence
    (and the ``Swap``s among them, as they are)."""
    out: set = set()
    for text in texts:
        if isinstance(text, Swap):
            if len(text.text) >= MIN_SWAP_CHARS and text.text != text.replacement:
                out.add(text)
            continue
        for line in text.splitlines():
            line = line.strip()
            parts = [line, *re.split(r"(?<=[.;:!?])\s+", line)]
            parts += [_STRAIGHT.sub(lambda m: _QUOTES[m.group()], p) for p in parts]
            out.update(p.strip() for p in parts if len(p.strip()) >= MIN_PHRASE_CHARS)
    return sorted(out, key=lambda p: len(p.text if isinstance(p, Swap) else p), reverse=True)


@lru_cache(maxsize=64)
def _prefixes(phrases: tuple[str, ...]) -> frozenset[str]:
    """Every beginning of every phrase: a held tail is one of them (a set lookup per
    position, not a ``startswith`` per phrase; made once for a turn's phrases)."""
    return frozenset(p[:i] for p in phrases for i in range(1, len(p) + 1))


def _in_place(replacement: str, before: str) -> str:
    """A swap's "You …" inside a sentence reads "you …" ("I live in Lyon and you sold your
    Peugeot", not "… and You sold …")."""
    if re.match(r"You(?:rs?)?\b", replacement) and re.search(r"[^\s.!?:\"]\s*$", before):
        return replacement[:1].lower() + replacement[1:]
    return replacement


class EchoFilter:
    """``feed(text)`` returns what can be shown now; ``flush()`` the rest at the end.

    On the per-token path: a piece shorter than every phrase holds no copy, so only the
    phrases that fit in what is held are searched, and what may begin a copy is found by
    set lookups."""

    def __init__(self, phrases: list):
        self.replacements = {p.text: p.replacement for p in phrases if isinstance(p, Swap)}
        self.phrases = sorted(
            [p for p in phrases if isinstance(p, str) and len(p) >= MIN_PHRASE_CHARS]
            + list(self.replacements),
            key=len,
            reverse=True,
        )
        self._pending = ""
        self._shown_tail = ""  # the end of what was shown: is a swap inside a sentence?
        self._prefixes = _prefixes(tuple(self.phrases)) if self.phrases else frozenset()
        self._longest = len(self.phrases[0]) if self.phrases else 0

    def feed(self, text: str) -> str:
        if not self.phrases:
            return text
        pending = self._pending + text
        size = len(pending)
        for phrase in self.phrases:  # longest first
            if len(phrase) <= size:
                pending = self._remove(pending, phrase)
                size = len(pending)
        cut = size
        # A tail longer than the longest phrase begins none of them.
        for start in range(max(0, size - self._longest), size):
            if pending[start:] in self._prefixes:
                cut = start
                break
        shown, self._pending = pending[:cut], pending[cut:]
        self._shown_tail = (self._shown_tail + shown)[-8:]
        return shown

    def _remove(self, text: str, phrase: str, final: bool = False) -> str:
        """``text`` without the copies of ``phrase`` -- except one that may still grow into
        a longer phrase (the first sentence of a line that is not complete yet)."""
        start = text.find(phrase)
        while start >= 0:
            tail = text[start:]
            longer = not final and any(
                len(q) > len(phrase) and q.startswith(tail) for q in self.phrases
            )
            if longer:
                start = text.find(phrase, start + 1)
                continue
            before = self._shown_tail + text[:start]
            replacement = _in_place(self.replacements.get(phrase, ""), before)
            text = text[:start] + replacement + text[start + len(phrase) :]
            start = text.find(phrase, start + len(replacement))
        return text

    def flush(self) -> str:
        """What was held back, at the end — without a copy cut short by the answer's
        length limit ("[1] Lisbon weather today (https://weather.exa"): a held tail that
        begins a phrase and is long enough not to be a coincidence."""
        pending = self._pending
        for phrase in self.phrases:
            pending = self._remove(pending, phrase, final=True)
        for start in range(max(0, len(pending) - self._longest), len(pending)):
            tail = pending[start:]
            if len(tail) >= MIN_PHRASE_CHARS and tail in self._prefixes:
                pending = pending[:start]
                break
        self._pending = ""
        return pending
