"""One structured model call per message, in the background after the turn: the facts a
user states about themselves and a one-sentence summary, as JSON held to a schema (a
llama.cpp grammar through the engine's ``response_format``). Tier 1 and tier 2 of the
message come from the same answer.

A small model invents, so every fact is checked against the message it came from (its
value must be in the message; a message without "I"/"my" states nothing about its
writer), facts are deduplicated, and a new value for something already known ("city")
supersedes the old fact, which stays in the history. Each fact keeps its source message.

A small model also misses: asked for a fact, it often names one the checks reject, or none.
So when the decision step's classifier says the message states something about the user
(``remember`` / ``correct``; or it cannot tell and the message is a plain first-person
statement), each statement of the message that no checked fact covers is stored as the
user's own words told about them ("I drive a blue Volvo." → "The user drives a blue
Volvo.", ``statements.py``): an exact reading, never the model's, with a correction's old
value left out. Remembering never rests on the small model alone."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from ..decision.decide import Decider
from ..llm_client import EngineClient, EngineError
from .facts import UserFacts, content_words
from .statements import (
    fact_subject,
    left_behind,
    owned_statements,
    replaced_value,
    statements,
    statements_beside_forgetting,
    states_about_writer,
    unread_sentences,
)
from .tiers import SHORT_MESSAGE_CHARS, clean_tier2, source_text, supported

logger = logging.getLogger(__name__)
MAX_FACTS = 6
CAPTURE_SCHEMA = {
    "type": "object",
    "properties": {
        "facts": {
            "type": "array",
            "maxItems": MAX_FACTS,
            "items": {
                "type": "object",
                "properties": {
                    "about": {"type": "string", "maxLength": 40},
                    "value": {"type": "string", "maxLength": 80},
                },
                "required": ["about", "value"],
            },
        },
        "summary": {"type": "string", "maxLength": 240},
    },
    "required": ["facts", "summary"],
}
CAPTURE_PROMPT = """\
Read the {role} message and answer with JSON: "facts" lists what the writer states about \
themselves (name, home, job, family, pets, dates, health, likes), each with "about" and \
"value" copied from the message; "summary" is one short sentence.

Message: I'm Sam, I work as a teacher and my dog is called Rex.
JSON: {{"facts": [{{"about": "name", "value": "Sam"}}, {{"about": "job", "value": "teacher"}}, \
{{"about": "dog's name", "value": "Rex"}}], "summary": "Sam is a teacher with a dog, Rex."}}

Message: What is the tallest mountain in Europe?
JSON: {{"facts": [], "summary": "The user asks for the tallest mountain in Europe."}}

Message: {text}
JSON:"""
# A fact about these subjects needs the message to speak of them ("job: cat" from "I have a
# cat" is invented): the value alone being in the message is not enough.
_SUBJECT_CUES = [
    (
        re.compile(r"\b(job|occupation|profession|work|career)\b"),
        re.compile(r"\b(work|job|profession|career|i'?m an?|i am an?)\b", re.I),
    ),
    (re.compile(r"\b(name)\b"), re.compile(r"\b(name|called|call me|i'?m|i am)\b", re.I)),
    (
        re.compile(r"\b(city|home|location|address|lives?|country|hometown)\b"),
        re.compile(r"\b(live|living|from|moved|home|based|address|grew up)\b", re.I),
    ),
    (re.compile(r"\b(age)\b"), re.compile(r"\b(years? old|age|aged)\b", re.I)),
    (  # the model's "family: Boca Juniors", "family: left-handed"
        re.compile(r"\b(family|relatives?)\b"),
        re.compile(
            r"\b(family|mum|mom|mother|dad|father|parents?|brother|sister|siblings?|son|"
            r"daughter|kids?|children|child|wife|husband|partner|aunt|uncle|cousin|niece|"
            r"nephew|grand\w+|in-laws?|twins?|baby)\b",
            re.I,
        ),
    ),
]
# A request is not a fact ("phone number: forget my phone number").
_REQUEST_WORDS = re.compile(
    r"\b(forget|delete|remove|erase|wipe|remember|recall|remind|tell|search|look up)\b", re.I
)
_ABOUT_NOISE = re.compile(r"^(?:the\s+)?(?:user'?s?|my|writer'?s?|their|his|her)\s+", re.I)
# A value the message says is no longer so ("not Sam", "instead of Toronto", "Theo by
# mistake", "a nurse anymore") is the old value of a correction, not a fact.
_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|n't|\bno longer|\binstead of|\brather than|\bnever|\bformerly|\bused to)"
    r"(?:\s+[\w'-]+){0,4}?\s+$",
    re.I,
)
# A value that itself says what is not so ("no longer learning Japanese") is no fact.
_NEGATION_IN_VALUE = re.compile(
    r"\b(?:not|no longer|never|any ?more|instead of|rather than)\b|n't\b", re.I
)
_NEGATED_AFTER = re.compile(
    r"^(?:\s+[\w'-]+){0,2}?\s*(?:any ?more\b|by mistake\b|before\b|earlier\b)", re.I
)
# One name for the subjects a small model names in many ways, so that a new value
# supersedes the old one ("home: Lisbon" then "city: Porto").
_SUBJECTS = {
    "name": ("name", "first name", "full name"),
    "city": (
        "city",
        "home",
        "location",
        "residence",
        "current city",
        "city of residence",
        "home city",
        "lives in",
    ),
    "job": ("job", "occupation", "profession", "work", "career", "role", "job title"),
    "age": ("age",),
    "birthday": ("birthday", "date of birth", "birth date", "birthdate"),
}
_CANONICAL = {alias: name for name, aliases in _SUBJECTS.items() for alias in aliases}


# What the decision step says of a message that states something about the user.
STATING_TOOLS = ("remember", "correct")


@dataclass
class Capture:
    facts: list[tuple[str, str]] = field(default_factory=list)  # (about, value), checked
    summary: str | None = None
    # The user's own statements the facts above do not cover: (subject or None, sentence).
    stated: list[tuple[str | None, str]] = field(default_factory=list)

    def tier1(self) -> str | None:
        pairs = [f"{snake(about)}={value}" for about, value in self.facts]
        pairs += [f"{snake(about or 'fact')}={sentence}" for about, sentence in self.stated]
        return "; ".join(dict.fromkeys(pairs)) or None


def snake(text: str) -> str:
    return re.sub(r"\W+", "_", text.casefold()).strip("_")


def fact_sentence(about: str, value: str) -> str:
    """Stored as a sentence about the user (never "my ..."): "The user's city: Lyon"."""
    return f"The user's {about}: {value}"


def negated(value: str, stated: str) -> bool:
    """Whether every mention of ``value`` in the message says it is not (or no longer) so."""
    found = False
    for match in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", stated, re.I):
        found = True
        before, after = stated[: match.start()], stated[match.end() :]
        clause_before = re.split(r"[,;:.!?]", before)[-1]
        clause_after = re.split(r"[,;:.!?]", after)[0]
        if not (_NEGATED_BEFORE.search(clause_before) or _NEGATED_AFTER.search(clause_after)):
            return False
    if not found:  # "blue Volvo" from "a red Volvo, not a blue one": word by word
        words = content_words(value) - {value.casefold()}  # a word not found stops here
        return bool(words) and any(negated(word, stated) for word in words)
    return found


def subject(about: str) -> str:
    """The subject a fact is about, one name for its common synonyms."""
    about = about.casefold()
    return _CANONICAL.get(about, about)


# Subjects that name only a time: the model's "dates: last autumn" for "Since last autumn
# I've been doing a master's in urban planning." left out what the user does.
_WHEN_ALONE = {"date", "dates", "time", "times", "day", "days", "when", "timing", "period"}


def checked_facts(raw: list, source: str) -> list[tuple[str, str]]:
    """The facts the message supports: a value it contains, a short subject, no duplicates."""
    # What the message states: its sentences that are not questions.
    stated = " ".join(re.findall(r"[^.!?\n]+(?:[.!\n]+|$)", source))
    if not states_about_writer(stated):
        return []
    out: list[tuple[str, str]] = []
    for item in raw[:MAX_FACTS]:
        if not isinstance(item, dict):
            continue
        about = _ABOUT_NOISE.sub("", " ".join(str(item.get("about", "")).split())).strip(" .:")
        value = " ".join(str(item.get("value", "")).split()).strip(" .,;:\"'")
        if not about or not value or len(about) > 40 or len(value) > 80:
            continue
        if "?" in value or _REQUEST_WORDS.search(value) or not supported(value, stated):
            continue
        if any(a.search(about.casefold()) and not cue.search(stated) for a, cue in _SUBJECT_CUES):
            continue
        if value.casefold() in {"i", "me", "my", "yes", "no", "none", "user"}:
            continue
        if about.casefold() in _WHEN_ALONE:  # "dates: last autumn" says when, not what
            continue
        if negated(value, stated) or _NEGATION_IN_VALUE.search(value):
            continue
        # One value is one fact: the same value under several subjects is a guess.
        if value.casefold() not in {v.casefold() for _, v in out}:
            out.append((subject(about), value))
    return out


def decided_tool(engine: EngineClient, text: str) -> str | None:
    """The decision step's tool for a message, or None when it cannot decide (no engine,
    no embedding model behind it)."""
    if not hasattr(engine, "embed"):
        return None
    decision = Decider(engine).decide(text)
    return decision.tool if decision.probability is not None else None


def holds(text: str, value: str) -> bool:
    """``value`` as whole words in ``text``, case aside."""
    return bool(re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.I))


# A name or a number in a sentence (not its first word): what a fact must not lose.
_NAMED_THING = re.compile(r"(?<=\s)(?:[A-Z][\w'-]+|\d[\w:./-]*)")


def merged(
    found: list[tuple[str | None, str]], facts: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[tuple[str | None, str]]]:
    """The model's checked facts and the statements as read, without saying a thing twice:
    a statement a fact's value is part of is left out, unless the fact's subject is not
    what the statement is about ("name: Rufus" from "Just adopted a beagle called Rufus")
    or it names something (a name, a number) the facts in it leave out ("The user's train
    to Zurich leaves on Saturday morning." against "dates: Saturday morning"); then the
    statement is kept instead of those facts."""
    kept = list(facts)
    stated: list[tuple[str | None, str]] = []
    for about, sentence in found:
        inside = [fact for fact in facts if holds(sentence, fact[1])]
        if any(not _same_subject(fact[0], sentence) for fact in inside):
            # "name: Rufus" from "Just adopted a beagle called Rufus": the model's subject
            # is wrong, the statement is kept and the fact is not.
            kept = [fact for fact in kept if fact not in inside]
            stated.append((about, sentence))
            continue
        values = " ".join(value for _, value in inside).casefold()
        says_more = any(name.casefold() not in values for name in _NAMED_THING.findall(sentence))
        if not inside or says_more:
            stated.append((about, sentence))
            kept = [fact for fact in kept if fact not in inside]
    return kept, stated


def _same_subject(about: str, sentence: str) -> bool:
    """Whether a model fact's subject is what the statement holding its value is about:
    the same subject, or a word of it in the statement ("cat's name" and "The user has a
    cat called Miso.")."""
    if subject(about) == fact_topic(sentence):
        return True
    words = {word.removesuffix("'s") for word in content_words(about)} - {"name", "names"}
    return bool(words & content_words(sentence))


def by_verb(found: list[tuple[str | None, str]], tool: str | None):
    """The statements with a subject "does:<verb>" only in a correction: a plain statement
    adds ("I play chess" beside "I play the piano"); a correction replaces by verb. What
    the message says the user left behind is an old value, not a fact, in a correction or
    beside another statement."""
    # What the user left behind is the old value ("I left Deloitte") in a correction, and
    # beside what replaced it ("I sold the Corolla and bought a Kia EV6").
    if any(not left_behind(f, replaced=True) for _, f in found):
        found = [(a, f) for a, f in found if not left_behind(f, replaced=True)]
    elif tool == "correct":
        found = [(a, f) for a, f in found if not left_behind(f)]
    if tool == "correct":
        return found
    return [(None if a and a.startswith("does:") else a, f) for a, f in found]


def capture_message(
    engine: EngineClient, role: str, text: str, tool: str | None = None
) -> Capture | None:
    """The checked facts and summary of one message; None when the model failed and the
    message states nothing. ``tool``: the decision step's, when the caller has it."""
    source = source_text(text)
    found = statements(source) if role == "user" else []
    unread = unread_sentences(source) if role == "user" else []
    # "Correction: the meeting with my solicitor is on Wednesday.": the user's, if the
    # decision step calls the message a correction.
    owned = owned_statements(source) if role == "user" and not found else []
    if (found or unread or owned) and tool is None:
        tool = decided_tool(engine, source)
    if tool == "correct":
        found = found + owned
    if tool == "remember":  # said of the user in a form no rule reads: kept as said
        found = found + [(None, sentence) for sentence in unread]
    # When the classifier says the message tells something about the user, its
    # statements as read are the facts: exact where the model is not. Otherwise (it
    # cannot judge, or the message asks for something: "I'm 193 cm tall, so which
    # airlines have legroom?") they complete what the model's checked facts do not cover;
    # of a message asking to forget, only its parts that do not ask it are read.
    exact = by_verb(found if tool != "forget" else statements_beside_forgetting(source), tool)
    if tool in STATING_TOOLS and len(" ".join(source.split())) <= SHORT_MESSAGE_CHARS:
        # A short message is its own summary and its facts are read: no model call (on
        # two busy cores one took 20 s to 3 min).
        return Capture(stated=exact)
    # The small model answers "facts": [] to nearly every short statement; when the writer
    # states something about themselves it must name at least one, and the checks drop
    # what it invents.
    schema = CAPTURE_SCHEMA
    if found:
        schema = json.loads(json.dumps(CAPTURE_SCHEMA))
        schema["properties"]["facts"]["minItems"] = 1
    try:
        raw = engine.complete(
            [{"role": "user", "content": CAPTURE_PROMPT.format(role=role, text=source)}],
            max_tokens=256,
            temperature=0,
            json_schema=schema,
        )
        answer = json.loads(raw)
    except EngineError as exc:
        logger.info("Capture call failed (%s); using the deterministic forms", exc.message)
        answer = None
    except ValueError:
        logger.info("Capture answer was not JSON; using the deterministic forms")
        answer = None
    if not isinstance(answer, dict):
        return Capture(stated=exact) if exact else None
    facts = checked_facts(answer.get("facts") or [], source) if role == "user" else []
    # A fact is kept only from a statement: a question, request or wish about oneself
    # states nothing, and the exact reading leaves out a correction's old value.
    facts = [(a, v) for a, v in facts if any(holds(sentence, v) for _, sentence in found)]
    if tool in STATING_TOOLS or tool == "forget":
        facts = []  # the statements as read say it all; a forget request adds nothing
    summary = answer.get("summary")
    summary = clean_tier2(summary, source) if isinstance(summary, str) else None
    facts, stated = merged(exact, facts)
    return Capture(facts, summary, stated)


def capture_owned(engine: EngineClient, text: str) -> Capture | None:
    """The facts of a short message that speaks of the writer's things without "I" or
    "my" ("Scratch that: the vet appointment is on Wednesday."): its statements, read
    exactly, when the decision step says the message tells or corrects something; no
    model call. None otherwise."""
    source = source_text(text)
    owned = owned_statements(source)
    if not owned:
        return None
    tool = decided_tool(engine, source)
    if tool not in STATING_TOOLS:
        return None
    return Capture(stated=by_verb(owned, tool))


def correct_unnamed(
    engine: EngineClient, facts: UserFacts, text: str, source_message_id: str
) -> dict | None:
    """A correction that names no subject ("Actually it's Lisbon, not Madrid."), when the
    decision step calls the message a correction: the stored fact holding the old value
    takes the new one (``UserFacts.replace_value``). The fact now active, or None."""
    source = source_text(text)
    replaced = replaced_value(source)
    if replaced is None or decided_tool(engine, source) != "correct":
        return None
    new, old = replaced
    return facts.replace_value(old, new, source_message_id)


def fact_topic(fact: str) -> str | None:
    """One name for what a stored fact is about, whichever form it has ("The user's home:
    Lisbon" and "The user lives in Porto." are both about the city)."""
    about = fact_subject(fact)
    return subject(about) if about else None


def store_facts(facts: UserFacts, capture: Capture, source_message_id: str) -> int:
    """Remember each checked fact; one with a new value for the same subject supersedes
    the old. Returns how many facts changed."""
    changed = 0
    for about, value in capture.facts:
        _, did = facts.capture(
            subject(about), fact_sentence(about, value), source_message_id, fact_topic
        )
        changed += did
    for about, sentence in capture.stated:
        topic = subject(about) if about else None
        _, did = facts.capture(topic, sentence, source_message_id, fact_topic)
        changed += did
    return changed
