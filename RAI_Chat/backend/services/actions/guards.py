"""Checks that keep a weak model's misfires cheap: no web search for a message that asks
nothing, no fact stored (or changed) that the user's message does not support, no fact
forgotten that the marker does not name or the user did not ask to forget."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_GENERIC = frozenset(
    """a an the is are was were be been am i i'm im my me mine you your user user's users
    s of to in on at for with and or as that this it its has have had do does named called
    name names lives live living works work working likes like liking prefers prefer
    favourite favorite fact facts they them their he she his her we our about from by""".split()  # noqa: SIM905
)
# Words that say nothing about which fact is meant. Unlike _GENERIC, the words that say
# what kind of fact it is ("name", "lives") count here: "forget my name" names "name is Sam".
_FILLER = frozenset(
    """a an the is are was were be been am i im m my me mine you your user users s t of to
    in on at for with and or as that this it its has have had do does don doesn not no
    fact facts they them their he she his her we our about from by""".split()  # noqa: SIM905
)
_FORGET_CUES = re.compile(
    r"\b(forget|forgot|delete|remove|erase|wrong|incorrect|not true|no longer|"
    r"don'?t remember|stop remembering|isn'?t|not anymore|any more|anymore)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    """who what when where which why how is are was were does do did can could should will
    would tell show give find search look lookup google check""".split()  # noqa: SIM905
)
_LOOKUP_CUES = re.compile(
    r"\b(search|look ?up|google|web|internet|online|latest|current(ly)?|today|tonight|"
    r"tomorrow|yesterday|this (week|month|year)|news|price|cost|weather|forecast|score|"
    r"recent(ly)?|now|20[2-3]\d)\b",
    re.IGNORECASE,
)


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= min(len(a), len(b)) - 2


def fact_supported_by(fact: str, user_text: str) -> bool:
    """Whether every content word of ``fact`` (numbers exactly, other words up to a
    suffix: "lives"/"live") appears in ``user_text``. A fact with no content word is not
    supported."""
    content = [w for w in words(fact) if w not in _GENERIC]
    if not content:
        return False
    said = set(words(user_text))
    return all(any(_same_word(w, s) for s in said) for w in content)


def _meaningful(text: str) -> list[str]:
    return [w for w in words(text) if w not in _FILLER]


def _mentions(text_words: set[str], word: str) -> bool:
    return any(_same_word(word, w) for w in text_words)


def fact_named_by(reference: str, fact: str) -> bool:
    """Whether ``reference`` (what a FORGET_THIS names) names the remembered ``fact``:
    every meaningful word of it is in the fact, as for REMEMBER ("phone" names "phone is
    555"; "address" does not). A reference of filler words only names nothing."""
    reference_words = _meaningful(reference)
    fact_words = set(words(fact))
    return bool(reference_words) and all(_mentions(fact_words, w) for w in reference_words)


def references(fact: str, user_text: str) -> int:
    """How many meaningful words of ``fact`` the user's message uses (its forget cues
    aside: "remove" does not refer to "works remotely")."""
    said = set(words(_FORGET_CUES.sub(" ", user_text)))
    return sum(_mentions(said, w) for w in set(_meaningful(fact)))


def forget_requested(fact: str, user_text: str) -> bool:
    """Whether the user's message asks to forget ``fact`` or says it is wrong: it asks
    ("forget", "wrong", "no longer"...) and it refers to the fact by one of its meaningful
    words. Neither alone is enough: "I'm learning Japanese" must not forget Japanese, nor
    "remove the onions" where the user lives."""
    return bool(_FORGET_CUES.search(user_text)) and references(fact, user_text) > 0


def fact_to_forget(reference: str, facts: list[str], user_text: str | None = None) -> str | None:
    """The one of ``facts`` a FORGET_THIS of ``reference`` may forget, or None: a fact the
    reference names and (given ``user_text``) that the user's message asks to forget — the
    one the message refers to most, then the most closely named ("name" names "name is
    Sam" before "dog's name is Rex")."""
    named = [f for f in facts if fact_named_by(reference, f)]
    if user_text is not None:
        named = [f for f in named if forget_requested(f, user_text)]
    return max(
        named, key=lambda f: (references(f, user_text or ""), -len(_meaningful(f))), default=None
    )


def search_skip_reason(query: str, user_text: str) -> str | None:
    """Why a web search for ``query`` should not run for this message, or None to run it."""
    if len(re.sub(r"\W", "", query)) < 3:
        return "the search query is too short"
    text = user_text.strip()
    first = words(text)[:1]
    if "?" in text or (first and first[0] in _QUESTION_WORDS) or _LOOKUP_CUES.search(text):
        return None
    return "the message does not ask for anything to look up"
