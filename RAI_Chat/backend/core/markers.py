"""The action-marker grammar: the one place it is defined.

The model asks for an action by writing a marker in its answer::

    marker  = "[" WS NAME WS ":" BODY "]"
    WS      = zero to a few spaces or tabs (never a newline)
    NAME    = WEB_SEARCH | SEARCH | SEARCH_EPISODIC | REQUEST_TIER        (retrieval)
            | REMEMBER | CORRECT | FORGET_THIS | CALCULATE                (effects)
            | COMMAND | EXECUTE                                           (forbidden)
              ASCII letters, any case; the "_" may also be written "-" or one
              space ("forget this" is FORGET_THIS: small models write it so)
    BODY    = 1 to MAX_BODY characters, none of them "[", "]" or a newline,
              not only whitespace

=================  ==============================  ===========================
marker             kind                            args
=================  ==============================  ===========================
[WEB_SEARCH: q]    web_search (also [SEARCH: q])   (query,)
[SEARCH_EPISODIC:  search_episodic                 (query,)
 q]
[REQUEST_TIER:n:   request_tier                    (n: int 1..3, message_id)
 id]                                               id is [A-Za-z0-9_-]{1,64}
[REMEMBER: fact]   remember                        (fact,)
[CORRECT: old:     correct                         (old, new) -- split at the
 new]                                              first ": " (else first ":")
[FORGET_THIS: f]   forget                          (fact,)
[CALCULATE: e]     calculate                       (expression,)
[COMMAND: x],      forbidden                       (NAME, body) -- never run,
[EXECUTE: x]                                       recorded and reported
=================  ==============================  ===========================

Anything else -- an unknown name, an empty body, an unclosed bracket, a REQUEST_TIER with
n outside 1..3, a CORRECT without two parts, look-alike brackets such as ``［`` -- is not a
marker: it stays in the text as the model wrote it. Markers never nest: a body cannot hold
a bracket, so in ``[SEARCH: [REMEMBER: x]]`` only ``[REMEMBER: x]`` is a marker.

Only the model's own output is parsed. Untrusted text (the user's message, web results,
archived memory, imported transcripts) goes through :func:`neutralise` before it reaches
the model, which turns anything that looks like a marker -- in any case, with spaces,
zero-width characters, look-alike brackets or letters -- into an inert but readable form
(the opening bracket becomes ``⟦``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_BODY = 280
MAX_MARKER_LEN = 320  # no marker is longer; a stream holds back at most this much
MAX_NAME_GAP = 3  # spaces or tabs allowed around the name

NAMES = {
    "WEB_SEARCH": "web_search",
    "SEARCH": "web_search",
    "SEARCH_EPISODIC": "search_episodic",
    "REQUEST_TIER": "request_tier",
    "REMEMBER": "remember",
    "CORRECT": "correct",
    "FORGET_THIS": "forget",
    "CALCULATE": "calculate",
    "COMMAND": "forbidden",
    "EXECUTE": "forbidden",
}
RETRIEVAL_KINDS = frozenset({"web_search", "search_episodic", "request_tier"})
EFFECT_KINDS = frozenset({"remember", "correct", "forget", "calculate"})

_NAME_ALTERNATION = "|".join(
    name.replace("_", "[_ -]") for name in sorted(NAMES, key=len, reverse=True)
)
_GAP = f"[ \\t]{{0,{MAX_NAME_GAP}}}"
MARKER_RE = re.compile(
    rf"\[{_GAP}(?P<name>{_NAME_ALTERNATION}){_GAP}:(?P<body>[^\[\]\n]{{1,{MAX_BODY}}})\]",
    re.IGNORECASE | re.ASCII,
)
_PARTIAL_NAME_RE = re.compile(rf"\[{_GAP}(?P<name>[A-Za-z][A-Za-z_ -]*)?", re.ASCII)
_PARTIAL_BODY_RE = re.compile(
    rf"\[{_GAP}(?P<name>{_NAME_ALTERNATION}){_GAP}(?::[^\[\]\n]{{0,{MAX_BODY}}})?",
    re.IGNORECASE | re.ASCII,
)
_MESSAGE_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)


@dataclass(frozen=True)
class Marker:
    """One action the model asked for. ``raw`` is the text as written; ``span`` its
    (start, end) in the text it was parsed from (in a stream: in the whole answer)."""

    kind: str
    args: tuple
    raw: str
    span: tuple[int, int]

    @property
    def name(self) -> str:
        return canonical_name(self.raw[1:].lstrip(" \t").split(":", 1)[0].strip())

    @property
    def key(self) -> tuple:
        """Identical requests have equal keys (used to run each once per turn)."""
        normalised = tuple(
            " ".join(a.casefold().split()) if isinstance(a, str) else a for a in self.args
        )
        return (self.kind, normalised)


def canonical_name(written: str) -> str:
    """ "forget this", "Forget-This" -> "FORGET_THIS"."""
    return re.sub(r"[ -]", "_", written.upper())


def _args(kind: str, name: str, body: str) -> tuple | None:
    """The arguments of a marker, or None when the body is malformed for its kind."""
    text = body.strip()
    if not text:
        return None
    if kind == "request_tier":
        n, sep, message_id = text.partition(":")
        n, message_id = n.strip(), message_id.strip()
        if not sep or n not in {"1", "2", "3"} or not _MESSAGE_ID_RE.fullmatch(message_id):
            return None
        return (int(n), message_id)
    if kind == "correct":
        sep = ": " if ": " in text else ":"
        old, found, new = text.partition(sep)
        old, new = old.strip(), new.strip()
        if not found or not old or not new:
            return None
        return (old, new)
    if kind == "forbidden":
        return (name, text)
    return (text,)


def marker_at(text: str, pos: int) -> Marker | None:
    """The marker starting exactly at ``pos``, if a well-formed one does."""
    match = MARKER_RE.match(text, pos)
    if match is None:
        return None
    name = canonical_name(match["name"])
    kind = NAMES[name]
    args = _args(kind, name, match["body"])
    if args is None:
        return None
    return Marker(kind, args, match.group(0), match.span())


def parse_markers(text: str) -> list[Marker]:
    """Every well-formed marker in ``text``, in order."""
    markers = []
    pos = text.find("[")
    while pos != -1:
        marker = marker_at(text, pos)
        if marker is not None:
            markers.append(marker)
            pos = text.find("[", marker.span[1])
        else:
            pos = text.find("[", pos + 1)
    return markers


def strip_markers(text: str) -> str:
    """``text`` without its markers (what the user sees)."""
    out, last = [], 0
    for marker in parse_markers(text):
        out.append(text[last : marker.span[0]])
        last = marker.span[1]
    out.append(text[last:])
    return "".join(out)


def could_become_marker(tail: str) -> bool:
    """Whether ``tail`` (starting with "[") is the beginning of some well-formed marker."""
    if len(tail) >= MAX_MARKER_LEN or not tail.startswith("["):
        return False
    partial = _PARTIAL_NAME_RE.fullmatch(tail)
    if partial is not None:
        prefix = canonical_name(partial["name"] or "")
        return any(name.startswith(prefix) for name in NAMES)
    return _PARTIAL_BODY_RE.fullmatch(tail) is not None


# --- neutralising untrusted text ------------------------------------------------------

INERT_BRACKET = "⟦"
OPEN_BRACKETS = "[［⟦〚【〔〘⁅❲❴⦋⦍⦏⟬⟮⦗﹇︻︹｢「『〖〈《<({⸢⸤⸦⸨‹«⟨❬❮❰\uff5f\u2045"
_SKIPPABLE = set(" \t\u00a0\u3000") | {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
# Letters that look like the Latin ones of the names (Cyrillic, Greek).
_CONFUSABLES = str.maketrans(
    "АВЕКМНОРСТХУІЅаеорсухіѕԁԛԝΑΒΕΗΙΚΜΝΟΡΤΧΥΖαεικνορτυχᎪᏴᏟᎬᎻᏦᎷᏢᎡᏚᎢᏔ",
    "ABEKMHOPCTXYISaeopcyxisdqwABEHIKMNOPTXYZaeikvoptuxABCEHKMPRSTW",
)
_FOLDED_NAMES = {name.replace("_", "") for name in NAMES}
_COLONS = set(":：﹕︓∶꞉˸ː")
_MAX_NAME_SCAN = 48


def _fold(char: str) -> str:
    """A character as a reader may take it: compatibility form, look-alikes as Latin."""
    return unicodedata.normalize("NFKC", char).translate(_CONFUSABLES).upper()


def _invisible(char: str) -> bool:
    return char in _SKIPPABLE or unicodedata.category(char) in {"Cf", "Zs", "Mn"}


def _looks_like_marker(text: str, start: int) -> bool:
    """Whether the bracket at ``start`` opens a known name followed by a colon, reading
    through case, spaces, "_"/"-", zero-width characters and look-alike letters."""
    letters: list[str] = []
    end = min(len(text), start + _MAX_NAME_SCAN)
    for pos in range(start + 1, end):
        char = text[pos]
        folded = _fold(char)
        if folded.isascii() and folded.isalpha():
            letters.append(folded)
        elif char in _COLONS or folded in _COLONS:
            return "".join(letters) in _FOLDED_NAMES
        elif not (_invisible(char) or folded in {"_", "-", " ", ""}):
            return False
    return False


def neutralise(text: str) -> str:
    """Make marker-looking text in untrusted input inert: the opening bracket of anything
    that reads like a marker name becomes ``⟦``. Idempotent; the text stays readable."""
    if not text:
        return text
    chars = list(text)
    for i, char in enumerate(text):
        if (char in OPEN_BRACKETS or _fold(char) in OPEN_BRACKETS) and _looks_like_marker(text, i):
            chars[i] = INERT_BRACKET
    return "".join(chars)
