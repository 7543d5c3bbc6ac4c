"""The exact part of the decision step: arithmetic written in the user's message ("4821
times 37", "15% of 2340", "(45 + 55) * 12", "divide 7200 by 24") becomes an expression
for the calculator. No model is involved, so the result is exact; a message without such
an expression gives None (a phone number, a date or "type 2" is not arithmetic)."""

from __future__ import annotations

import re

from ..actions.calculator import calculate

NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_BETWEEN = r"(?<=[\d)])\s+{op}\s+(?=[\d(])"
_WORD_OPERATORS = [
    (r"(?:times|multiplied\s+by|x|×)", " * "),
    (r"(?:plus)", " + "),
    (r"(?:minus)", " - "),
    (r"(?:divided\s+by|over)", " / "),
    (r"(?:to\s+the\s+power\s+of|raised\s+to)", " ** "),
]
_VERB_FORMS = [
    (re.compile(rf"\bmultiply\s+({NUM})\s+(?:by|with|and)\s+({NUM})"), r"\1 * \2"),
    (re.compile(rf"\bdivide\s+({NUM})\s+by\s+({NUM})"), r"\1 / \2"),
    (re.compile(rf"\bsubtract\s+({NUM})\s+from\s+({NUM})"), r"\2 - \1"),
    (re.compile(rf"\badd\s+({NUM})\s+(?:and|to)\s+({NUM})"), r"\1 + \2"),
    (re.compile(rf"({NUM})\s*(?:%|percent|per\s+cent)\s+of\s+({NUM})"), r"(\1 / 100 * \2)"),
    (re.compile(rf"({NUM})\s+squared\b"), r"\1 ** 2"),
    (re.compile(rf"({NUM})\s+cubed\b"), r"\1 ** 3"),
]
_SUM_OF = re.compile(rf"\bsum\s+of\s+((?:{NUM}\s*(?:,|and|\+)\s*)+{NUM})")
_NOT_AN_OPERATOR = [
    re.compile(r"\d+/\d+/\d+"),  # a date
    re.compile(r"(?<=\d)-(?=\d)"),  # 555-0134, 2024-05-01: no spaces, not a subtraction
]
_CANDIDATE = re.compile(r"[\d(][\d.,()+\-*/^\s]*[\d)]")
_OPERATOR = re.compile(r"\d\s*\)*\s*(?:\*\*|[-+*/^])\s*\(*\s*\d")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def find_expression(message: str) -> str | None:
    """The arithmetic expression the message asks about, or None."""
    text = message.casefold().replace("−", "-").replace("÷", "/").replace("×", " x ")
    for pattern in _NOT_AN_OPERATOR:
        text = pattern.sub(lambda m: m.group(0).replace("/", "|").replace("-", "~"), text)
    text = _SUM_OF.sub(lambda m: " + ".join(re.findall(NUM, m.group(1))), text)
    for pattern, replacement in _VERB_FORMS:
        text = pattern.sub(replacement, text)
    for words, symbol in _WORD_OPERATORS:
        text = re.sub(_BETWEEN.format(op=words), symbol, text)
    best = None
    for match in _CANDIDATE.finditer(text):
        candidate = match.group(0).strip()
        while candidate and not _balanced(candidate) and candidate[0] == "(":
            candidate = candidate[1:].strip()
        while candidate and not _balanced(candidate) and candidate[-1] == ")":
            candidate = candidate[:-1].strip()
        if not _OPERATOR.search(candidate) or not _balanced(candidate):
            continue
        if re.search(r",\s", candidate):  # a list ("1, 2, 3"), not one expression
            continue
        if best is None or len(candidate) > len(best):
            best = candidate
    if best is None or not calculate(best).ok:
        return None
    return best
