"""A session's title: the first message, shortened, until the model suggests a better one
that the chat supports."""

from __future__ import annotations

import re

TITLE_LENGTH = 60


def title_from(message: str) -> str:
    text = " ".join(message.split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


# Words a title may add that the chat need not contain.
TITLE_FILLER = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "about",
        "from",
        "by",
        "or",
        "vs",
        "how",
        "what",
        "why",
        "when",
        "where",
        "who",
        "is",
        "are",
        "your",
        "my",
        "our",
        "chat",
        "question",
        "questions",
        "help",
        "tips",
        "guide",
        "overview",
        "discussion",
        "explained",
        "basics",
        "introduction",
        "request",
    ]
)


def title_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W_]+", text.lower()) if w not in TITLE_FILLER]


def same_word(a: str, b: str) -> bool:
    """One word in two forms ("fox", "foxes"; "plans", "planning"): they share their first
    letters, at least three and up to five."""
    if a == b:
        return True
    n = min(len(a), len(b), 5)
    return n >= 3 and a[:n] == b[:n]


def clean_title(raw: str, message: str | None = None, answer: str = "") -> str | None:
    """The model's title, if it looks like one (a weak model may ramble or answer instead)
    and, given the chat, if its words come from it: every word from the message or the
    answer, at least one from the user's own message. A title naming something the chat
    never mentioned ("Living in China" for a chat about Lyon), or the answer's first line,
    is dropped."""
    line = raw.strip().splitlines()[0] if raw.strip() else ""
    line = line.strip().strip("\"'*#`").removeprefix("Title:").strip().strip("\"'")
    if not line or len(line) > TITLE_LENGTH or len(line.split()) > 10:
        return None
    if message is not None:
        asked = set(title_words(message))
        said = asked | set(title_words(answer))
        words = title_words(line)

        def found(word: str, among: set[str]) -> bool:
            return any(same_word(word, other) for other in among)

        if not words or not all(found(w, said) for w in words):
            return None
        if not any(found(w, asked) for w in words):
            return None
    return line
