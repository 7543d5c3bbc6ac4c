"""How a question is turned into the query of the meaning half of the episodic search.

A conversation archived as ``"<speaker>: <text>"`` lines (an import; ``User:`` /
``Assistant:`` before them) carries a speaker's name on every line it says, so the entries'
vectors all lean towards the names. A question that names a speaker ("What did Caroline
research?") is then near every line Caroline says, whatever it is about. The names are left
to the full-text half (where they weigh little: they are in most entries) and taken out of
the question the meaning half embeds. Measured on the LoCoMo tuning half
(``benchmarks/memory_locomo_offline.py``, RESULTS.md): the meaning half alone found
0.70 → 0.78 of the questions' evidence in its top 10 on the split tuned on."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# ``Caroline: …`` or ``User: Caroline: …`` at the start of a line: one to three words,
# each starting with a capital letter, before ``": "``.
_LABELS = re.compile(r"^((?:[^\W\d_][\w'’.-]*)(?: [^\W\d_][\w'’.-]*){0,2}): ", re.MULTILINE)
_SPACES = re.compile(r"\s+")


def speaker_names(texts: Iterable[str]) -> set[str]:
    """The speakers' names (casefolded words) labelling lines of ``texts``, including the
    role labels (``user``, ``assistant``)."""
    names: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            rest = line
            for _ in range(2):  # "User: Caroline: …" carries two labels
                match = _LABELS.match(rest)
                words = match.group(1).split() if match else []
                if not match or not all(word[0].isupper() for word in words):
                    break
                names.update(word.casefold() for word in words)
                rest = rest[match.end() :]
    return names


def meaning_query(query: str, names: set[str]) -> str:
    """``query`` without the words that are speakers' ``names`` (and their ``'s``); the
    query itself when nothing else would be left."""
    if not names:
        return query
    kept = []
    for word in query.split():
        bare = re.sub(r"(?:['’]s)?[^\w]*$", "", word).lstrip("\"'‘“(").casefold()
        if bare not in names:
            kept.append(word)
    shaped = _SPACES.sub(" ", " ".join(kept)).strip()
    return shaped if re.search(r"\w", shaped) else query


# --- a date the question names ---------------------------------------------------------
# "on 31 July, 2023", "on October 13, 2023", "in December 2023", "in June", "in 2023".
# Measured on the LoCoMo tuning half (``benchmarks/memory_locomo_offline.py``, RESULTS.md,
# fourth round): one question in eight names the day or month it is about, and the entries
# of those days were often outranked by entries that share more words with the rest of it.

# A month's name or abbreviation (its first three letters say which).
_MONTHS = {calendar.month_abbr[n].lower(): n for n in range(1, 13)}
_NAMES = [calendar.month_name[n].lower() for n in range(1, 13)] + ["sept", *_MONTHS]
_MONTH = "(" + "|".join(sorted(_NAMES, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"((?:19|20)\d\d)"
_BEFORE = r"(?:\b(?:on|in|during|of|by|as of|since)\s+)?"
_DATES = [  # most precise first
    ("day_month_year", re.compile(rf"{_BEFORE}\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I)),
    ("month_day_year", re.compile(rf"{_BEFORE}\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I)),
    ("month_year", re.compile(rf"{_BEFORE}\b{_MONTH},?\s+{_YEAR}\b", re.I)),
    ("month", re.compile(rf"\b(?:in|during|of|early|late|mid)\s+{_MONTH}(?!\w)", re.I)),
    ("year", re.compile(rf"\b(?:in|during|since)\s+{_YEAR}\b", re.I)),
]
# What a named date covers: a day from the day before to three days after (a question's
# "on 3 May" is the day something was said or the next sitting), a month with a week on
# either side (what happened late in June is told early in July).
DAY_BEFORE = timedelta(days=1)
DAY_AFTER = timedelta(days=3)
MONTH_MARGIN = timedelta(days=7)


@dataclass(frozen=True)
class NamedDate:
    """The days a question names: ``first``..``last``, or, for a month named without its
    year, that ``month`` of any year (with the same margin)."""

    first: date | None = None
    last: date | None = None
    month: int | None = None

    def holds(self, when: datetime | date) -> bool:
        day = when.date() if isinstance(when, datetime) else when
        if self.month is not None:
            return self.month in {
                (day - MONTH_MARGIN).month,
                day.month,
                (day + MONTH_MARGIN).month,
            }
        return self.first is not None and self.last is not None and self.first <= day <= self.last


def _named(kind: str, groups: tuple[str, ...]) -> NamedDate:
    if kind == "day_month_year":
        day = date(int(groups[2]), _MONTHS[groups[1].lower()[:3]], int(groups[0]))
    elif kind == "month_day_year":
        day = date(int(groups[2]), _MONTHS[groups[0].lower()[:3]], int(groups[1]))
    elif kind == "month_year":
        year, month = int(groups[1]), _MONTHS[groups[0].lower()[:3]]
        last = date(year, month, calendar.monthrange(year, month)[1])
        return NamedDate(date(year, month, 1) - MONTH_MARGIN, last + MONTH_MARGIN)
    elif kind == "month":
        return NamedDate(month=_MONTHS[groups[0].lower()[:3]])
    else:
        return NamedDate(date(int(groups[0]), 1, 1), date(int(groups[0]), 12, 31))
    return NamedDate(day - DAY_BEFORE, day + DAY_AFTER)


def named_date(query: str) -> tuple[NamedDate | None, str]:
    """The date ``query`` names (the most precise, when it names several) and the query
    without it; ``(None, query)`` when it names none (or an impossible day)."""
    for kind, pattern in _DATES:
        for match in pattern.finditer(query):
            try:
                named = _named(kind, match.groups())
            except (KeyError, ValueError):  # "31 February"
                continue
            rest = query[: match.start()] + query[match.end() :]
            rest = _SPACES.sub(" ", re.sub(r"\s+([?,.!])", r"\1", rest)).strip()
            return named, rest if re.search(r"\w", rest) else query
    return None, query
