"""Tier 1 (key=value facts) and tier 2 (a one- or two-sentence summary) of a message.

The model's answer comes from the one structured capture call (``capture.py``); it is
checked against the message (a small model invents: only values the message supports are
kept), and a deterministic form is used whenever the model fails or answers badly."""

from __future__ import annotations

import re

from .facts import content_words

MAX_SOURCE_CHARS = 2000  # bounded input for the model
SHORT_MESSAGE_CHARS = 160  # shorter messages are their own summary
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
FALLBACK_PATTERNS = [
    (re.compile(r"\bmy name is ([A-Z][\w-]+)", re.I), "name"),
    (re.compile(r"\bcall me ([A-Z][\w-]+)", re.I), "name"),
    (re.compile(r"\bi (?:live|am living) in ([A-Z][\w -]{1,40}?)(?:[.,!]|$)", re.I), "lives_in"),
    (re.compile(r"\bi(?:'m| am) from ([A-Z][\w -]{1,40}?)(?:[.,!]|$)", re.I), "from"),
    (re.compile(r"\bi work as an? ([\w -]{2,40}?)(?:[.,!]|$)", re.I), "occupation"),
    (re.compile(r"\bi(?:'m| am) an? ([\w-]{3,30}) by profession", re.I), "occupation"),
    (re.compile(r"\bi(?:'m| am) allergic to ([\w -]{2,40}?)(?:[.,!]|$)", re.I), "allergic_to"),
    (re.compile(r"\bmy favou?rite ([\w]{2,20}) is ([\w -]{2,40}?)(?:[.,!]|$)", re.I), None),
]


def source_text(text: str) -> str:
    return text[:MAX_SOURCE_CHARS]


def supported(value: str, source: str) -> bool:
    """A value is kept only if the message supports it: it appears in it, or all of its
    words do."""
    value_cf, source_cf = value.casefold().strip(" ."), source.casefold()
    if not value_cf:
        return False
    if value_cf in source_cf:
        return True
    words = content_words(value_cf)
    return bool(words) and words <= content_words(source_cf)


def clean_tier2(raw: str, source: str) -> str | None:
    text = " ".join((raw or "").split()).strip().strip("\"'")
    if not text or len(text) > 400 or len(text) >= len(source):
        return None
    sentences = _SENTENCE.split(text)
    summary = " ".join(sentences[:2])
    # A summary shares words with what it summarises; a rambling answer does not.
    if content_words(source) and not content_words(summary) & content_words(source):
        return None
    return summary


def fallback_tier1(text: str) -> str:
    pairs = []
    for pattern, key in FALLBACK_PATTERNS:
        for match in pattern.finditer(text):
            if key is None:
                pairs.append(f"favourite_{match.group(1).casefold()}={match.group(2).strip()}")
            else:
                pairs.append(f"{key}={match.group(1).strip()}")
    if pairs:
        return "; ".join(dict.fromkeys(pairs))
    words = " ".join(text.split()[:16])
    return f"said={words}{'…' if len(text.split()) > 16 else ''}"


def fallback_tier2(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SHORT_MESSAGE_CHARS:
        return flat
    first = _SENTENCE.split(flat)[0]
    if len(first) > 200:
        first = first[:199].rstrip() + "…"
    return first


def render(content: str, tier: int, tier1: str | None, tier2: str | None) -> str:
    if tier >= 3:
        return content
    if tier == 2:
        return tier2 or fallback_tier2(content)
    return tier1 or fallback_tier1(content)
