"""A recalled memory as the answering model reads it: from its own point of view, so that a
small model keeps "you" and "I" apart.

An archived exchange reads "User: I was born in 1979.\\nAssistant: Noted!". Quoted as it
is, the local model answered "What year was I born in?" with "I was born in 1979." (it
copies the user's first person as its own). So the user's lines are told in the third
person ("The user said: they were born in 1979.") and the assistant's lines are the
model's own ("You answered: Noted!")."""

from __future__ import annotations

import re
from datetime import datetime

from .fact_answers import FROM_MEMORY, LIKELY_FROM_MEMORY
from .ranking import dated

# First person → third person (plural "they": no verb changes but for "to be") and →
# second person (what the model says back to the user).
_PERSON = [
    (r"i'm|i am", "they are", "you are"),
    (r"i was", "they were", "you were"),
    (r"i've", "they have", "you have"),
    (r"i'd", "they would", "you would"),
    (r"i'll", "they will", "you will"),
    (r"i", "they", "you"),
    (r"myself", "themselves", "yourself"),
    (r"mine", "theirs", "yours"),
    (r"my", "their", "your"),
    (r"me", "them", "you"),
]
_PERSON_RE = re.compile(
    r"(?<![\w'’])(" + "|".join(p for p, _, _ in _PERSON) + r")(?![\w'’])", re.IGNORECASE
)
_LINE = re.compile(r"^(User|Assistant):\s*(.*)$")


def _swap_person(text: str, column: int) -> str:
    def swap(match: re.Match) -> str:
        word = " ".join(match.group(1).casefold().split())
        replacement = next(row[column] for row in _PERSON if re.fullmatch(row[0], word))
        starts = re.search(r"(?:^|[.!?]\s+)$", match.string[: match.start()])
        return replacement.capitalize() if starts else replacement

    return _PERSON_RE.sub(swap, text.replace("’", "'"))


def third_person(text: str) -> str:
    """The user's words about themselves, told about them: "I live in my flat" → "they
    live in their flat"."""
    return _swap_person(text, 1)


def second_person(text: str) -> str:
    """The user's words about themselves, said back to them: "I was born in 1979." → "You
    were born in 1979." """
    return _swap_person(text, 2)


def without_lead_in(answer: str) -> str:
    """An answer that showed a remembered fact first, as it goes back into a prompt:
    "You told me: your boss is Marta." → "Your boss is Marta.". The small model copied the
    lead-in into its next answers ("You told me: " alone, once the echo filter had taken
    the copied rest; or the last answer's fact again after a calculation)."""
    for lead_in in (FROM_MEMORY, LIKELY_FROM_MEMORY):
        if answer.startswith(lead_in):
            answer = answer.removeprefix(lead_in)
            return answer[:1].upper() + answer[1:]
    return answer


def as_told(text: str) -> str:
    """An archived exchange from the answering model's point of view."""
    lines, speaker = [], None
    for line in text.splitlines():
        match = _LINE.match(line)
        if match is not None:
            speaker, line = match.groups()
            prefix = "The user said: " if speaker == "User" else "You answered: "
        else:
            prefix = ""  # the next line of the same message
        if speaker == "Assistant":
            line = without_lead_in(line)
        lines.append(prefix + (third_person(line) if speaker == "User" else line))
    return "\n".join(lines)


def recalled(text: str, when: datetime | str | None) -> str:
    """A recalled entry as it goes into a prompt: dated, and told from the model's side."""
    return dated(as_told(text), when)


def asked_again(recalled_memory: str, message: str) -> bool:
    """Whether a recalled memory holds the user asking ``message`` itself: the same
    question, whose earlier answer may well be the right one again (it is not a copy)."""
    said = "The user said: " + third_person(" ".join(message.split()))
    return said.casefold().rstrip(" ?.!") in recalled_memory.casefold()
