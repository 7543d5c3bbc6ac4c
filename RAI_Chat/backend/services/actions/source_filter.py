"""Removes a made-up source line from a streamed answer: a line that starts like a
citation ("[1] https://…", "- [2] Title (https://…)") and names an address the turn never
gave the model. A small model writes such a list after an answer that had no search at
all; a line citing a result it was given stays. A line of bare citation numbers ("[1] [10]
[11] …", written instead of an answer from remembered talks) says nothing and goes too; a
line that starts by citing a number the turn never gave ("[1] Tartu" from remembered talks,
which carry no numbers) keeps its text without the citation.

Only a line that starts as a citation is held, until its end; any other text passes at
once (on the per-token path: one ``find`` per piece)."""

from __future__ import annotations

import re

_CITATION = re.compile(r"\s*(?:[-*]\s*)?\[\d+\]")
# What may still become the start of a citation line: "", "  ", "- ", "[", "[1".
_MAY_BE_CITATION = re.compile(r"\s*(?:[-*]\s*)?(?:\[\d*)?")
_ONLY_CITATIONS = re.compile(r"(?:\s*(?:[-*]\s*)?\[\d+\][\s,.;:…]*)+")
_LEADING_CITATIONS = re.compile(r"\s*(?:[-*]\s*)?((?:\[\d+\][\s,.;:]*)+)")
_BRACKETED_WORDS = re.compile(r"\[([^\[\]\d][^\[\]]*)\]")  # "[Ballarat]"
_NUMBERED = re.compile(r"^\[(\d+)\]", re.MULTILINE)
_URL = re.compile(r"(?:https?://|www\.)[^\s)\]>\"'<]+", re.IGNORECASE)


def addresses(texts: list) -> set[str]:
    """The web addresses in ``texts`` (the tool data a turn gave the model)."""
    return {_plain(url) for text in texts if isinstance(text, str) for url in _URL.findall(text)}


def numbers(texts: list) -> set[str]:
    """The result numbers in ``texts`` ("[1] Title (https://…)" starts web result 1)."""
    return {n for text in texts if isinstance(text, str) for n in _NUMBERED.findall(text)}


def _plain(url: str) -> str:
    url = url.casefold().rstrip(".,;:!?/")
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", url)


class SourceLineFilter:
    """``feed(text)`` returns what can be shown now; ``flush()`` the rest at the end.
    ``given``: the addresses the turn gave the model; ``numbered``: its result numbers
    (None: not known, every number kept)."""

    def __init__(self, given: set[str], numbered: set[str] | None = None):
        self.given = given
        self.numbered = numbered
        self._held = ""  # the start of a line that may be a citation
        self._mid_line = False  # the current line began as something else and was shown

    def feed(self, text: str) -> str:
        out: list[str] = []
        rest = self._held + text
        self._held = ""
        while rest:
            end = rest.find("\n")
            line, rest = (rest, "") if end < 0 else (rest[: end + 1], rest[end + 1 :])
            if self._mid_line:
                out.append(line)
            elif end >= 0:
                out.append(self._judged(line))
            elif _CITATION.match(line) or _MAY_BE_CITATION.fullmatch(line):
                self._held = line  # wait for the line's end
            else:
                out.append(line)
                self._mid_line = True
            if end >= 0:
                self._mid_line = False
        return "".join(out)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return self._judged(held)

    def _judged(self, line: str) -> str:
        if not _CITATION.match(line):
            return line
        if _ONLY_CITATIONS.fullmatch(line) or any(
            _plain(url) not in self.given for url in _URL.findall(line)
        ):
            return ""
        lead = _LEADING_CITATIONS.match(line)
        if self.numbered is not None and not set(re.findall(r"\d+", lead[1])) & self.numbered:
            return _BRACKETED_WORDS.sub(r"\1", line[lead.end() :])
        return line
