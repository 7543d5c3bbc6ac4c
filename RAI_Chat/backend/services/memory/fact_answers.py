"""The remembered fact that answers a question about the user, found exactly enough to be
shown before the model's words (as a calculator result is).

The local model, given every fact of the user, often quoted the wrong one ("What is my
boss called?" → "You were born in 1979."). So a question about the user ("What car do I
drive?", "Remind me what my dog is called") is matched to the user's facts by meaning
(MiniLM, the question told about the user as the facts are) and by the words they share;
only a clear best match is used: close enough to the question and clearly ahead of the
next fact. A fact of the kind the question asks for in other words ("What do I do for a
living?" and "The user is a paramedic.", "my son" and "The user's boy …") scores more:
MiniLM alone put such pairs no closer than unrelated facts. It is said back to the user
("The user drives a Skoda." → "You drive a Skoda.") and the model is told the user
already sees it.

The thresholds were chosen on ``benchmarks/data/planted_facts.tsv`` (``benchmarks/
fact_answer_tuning.py``), the hubness correction on it and the later planted sets (fresh,
blind, final, seventh), the kinds on the twelve planted sets before the thirteenth; all
are development sets now."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .facts import about_the_user, content_words
from .statements import PETS, PLANTS, states_about_writer

# A question about the user: a question form, and the user speaking of themselves.
_QUESTION_START = re.compile(
    r"^\W*(?:(?:hey|hi|so|ok|okay|and|but|um|quick question)\W+)*"
    r"(?:what|what's|whats|which|who|who's|whom|whose|where|where's|when|when's|how|how's|"
    r"why|do|does|did|is|are|am|was|were|can|could|have|has|recall|any idea)\b",
    re.IGNORECASE,
)
# "Remind me what …", "Can you tell me where …": the "me" asks, the rest must be about the user.
_ASK_ME = re.compile(
    r"^\W*(?:please\s+)?(?:(?:can|could|would) you\s+)?(?:please\s+)?"
    r"(?:tell|remind|show) me\b\W*(?:again\W*)?",
    re.IGNORECASE,
)
_ABOUT_ME = re.compile(
    r"^(?:what|which|who|whose|where|when|how|if|whether|about|of|my|our)\b", re.IGNORECASE
)
# Words that say nothing of which fact is meant.
_GENERIC = {
    "user",
    "called",
    "name",
    "named",
    "remind",
    "tell",
    "again",
    "remember",
    "know",
    "favourite",
    "favorite",
}
_POSSESSED = re.compile(r"^the user's ([a-z][a-z-]*)", re.IGNORECASE)

# What an answer says before a remembered fact shown first ("You told me: your boss is
# called Marta.").
FROM_MEMORY = "You told me: "
MIN_SIMILARITY = 0.32  # the score of the question (told about the user) and the fact
# A short fact ("The user is pescatarian.") is close to nearly every question about the
# user, and was shown for "What's my job?" and "What's my bird called?". So a fact's mean
# closeness to these questions about anything ("hubness", as CSLS corrects it in word
# translation) is taken off its score, in this share.
HUB_PROBES = (
    "What is the user's name?",
    "Where does the user live?",
    "What does the user like?",
    "What does the user have?",
    "What is the user called?",
    "When is the user's birthday?",
    "What does the user do?",
    "Who is the user's friend?",
)
HUB_WEIGHT = 0.3
MIN_MARGIN = 0.04  # over the next fact
SHARED_WORD_BONUS = 0.05  # per content word (not generic) the two share, at most two
KIND_BONUS = 0.2  # the fact speaks of the kind of thing the question asks, in other words
UNNAMED_THING_PENALTY = 0.05  # the question's "my <thing>" is not in the fact
ANOTHER_THING_PENALTY = 0.05  # the fact is about "the user's <thing>", the question is not
OTHER_NAME_PENALTY = 0.25  # the question names someone or something the fact does not
CLOSEST_KEPT = 3  # facts the model is given for a question no one fact answers clearly
# A question for everything remembered ("What do you know about me?"): every fact.
_ALL_ABOUT_ME = re.compile(
    r"\b(?:everything|anything|all)\b.*\b(?:about|of) (?:me|myself|us)\b"
    r"|\b(?:know|remember|told you|said|learned|learnt|stored|saved)\b.*"
    r"\babout (?:me|myself|us)\b",
    re.IGNORECASE,
)
_SOMEONES_NAME = re.compile(r"(?i)\b(?!(?:my|our)\b)[\w-]+'s? name\b|\bname of (?!me\b)")
_MY_THING = re.compile(r"\b(?:my|our) ([a-z][a-z-]*)", re.IGNORECASE)


@dataclass(frozen=True)
class FactAnswer:
    fact: str
    told: str  # said to the user: "Your boss is called Marta."
    score: float
    margin: float
    likely: bool = False  # the closest fact, shown as a guess (``likely_fact``)


def asks_about_the_user(message: str) -> bool:
    text = " ".join(message.split())
    if not text or len(text) > 300:
        return False
    asking = _ASK_ME.match(text)
    if asking:
        text = text[asking.end() :]
        return _ABOUT_ME.match(text) is not None and states_about_writer(text)
    question = text.endswith("?") or _QUESTION_START.match(text) is not None
    return question and states_about_writer(text)


_ABOUT_USER = [
    (r"am i", "is the user"),
    (r"do we", "does the user"),
    (r"we're|we are", "the user is"),
    (r"we", "the user"),
    (r"our|ours", "the user's"),
    (r"us", "the user"),
    (r"do i", "does the user"),
    (r"i'm|i am", "the user is"),
    (r"i was", "the user was"),
    (r"i've", "the user has"),
    (r"i", "the user"),
    (r"my|mine", "the user's"),
    (r"me|myself", "the user"),
]


def _swapper(table: list[tuple[str, str]]) -> Callable[[str], str]:
    """Replaces each person word of ``table`` (first row that matches) in a text."""
    pattern = re.compile(
        r"(?<![\w'])(" + "|".join(p for p, _ in table) + r")(?![\w'])", re.IGNORECASE
    )

    def swap(match: re.Match) -> str:
        word = " ".join(match.group(1).casefold().split())
        return next(told for p, told in table if re.fullmatch(p, word))

    return lambda text: pattern.sub(swap, text)


_told_about_user = _swapper(_ABOUT_USER)


def question_about_the_user(message: str) -> str:
    """The question told about the user, as the facts are: "What car do I drive?" → "What
    car does the user drive?"."""
    return _told_about_user(message.replace("’", "'"))


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


_DIETS = ("vegan", "vegetarian", "pescatarian", "keto", "paleo", "halal", "kosher", "gluten")


def _words_of(*words: str) -> str:
    return r"\b(?:" + "|".join(words) + r")\b"


# Kinds of thing a user tells about, each as the words a question asks with and the words
# a fact answering it says ("What's my son's name?" and "The user's boy Tiago …", "What do
# I do for a living?" and "The user is a paramedic."). A word of a group names the same
# thing as the others; MiniLM alone put such pairs no closer than unrelated facts.
_PEOPLE_AND_THINGS = [
    ("mother", "mum", "mom", "mam", "mama", "mummy", "mommy"),
    ("father", "dad", "daddy", "papa"),
    ("grandmother", "gran", "granny", "grandma", "nan", "nana", "nanna"),
    ("grandfather", "grandpa", "granddad", "grandad", "gramps"),
    ("son", "boy", "lad"),
    ("daughter", "girl"),
    ("stepkid", "stepchild", "stepson", "stepdaughter"),
    ("spouse", "wife", "husband", "hubby"),
    ("friend", "mate", "bestie", "pal", "buddy"),
    ("colleague", "coworker", "co-worker", "workmate"),
    ("neighbour", "neighbor", "next door"),
    ("flatmate", "roommate", "housemate", "flat with", "house with"),
    ("boss", "manager", "supervisor"),
    ("doctor", "gp", "physician"),
    ("bird", "parrot", "canary", "budgie", "cockatiel"),
    ("houseplant", "plant", "monstera", "fern", "succulent", "cactus"),
    ("bike", "bicycle"),
    ("series", "show", "tv"),
    ("writer", "author", "novelist"),
    ("book", "novel"),
    ("movie", "film"),
    ("degree", "majored", "major", "master's", "bachelor's", "phd"),
]
_SAME_WORDS = [(re.compile(_words_of(*group), re.I),) * 2 for group in _PEOPLE_AND_THINGS]
_KINDS = [
    *_SAME_WORDS,
    (  # the user's own name, not someone else's
        re.compile(
            r"(?i)(?<!'s )\b(?:my name|my full name|what (?:i'm|i am) called|"
            r"(?:you|people) call me)\b(?! of)"
        ),
        re.compile(r"^(?i:the user's name is|the user goes by)|^(?i:the user is )[A-Z][\w-]+\.?$"),
    ),
    (re.compile(r"(?i)\bmarried to\b"), re.compile(r"(?i)\b(?:wife|husband|spouse)\b")),
    (
        re.compile(
            r"(?i)(?<!'s )(?<!s' )\b(?:job|profession|occupation|line of work|for a living|"
            r"do for work|job title)\b|\bwhat do i do\W*$"
        ),
        re.compile(
            r"(?i)^the user (?:works as\b|is working as\b|is an? (?!\w+ (?:fan|supporter|"
            r"member|lover|person|owl)\b)(?!(?:aries|taurus|gemini|cancer|leo|virgo|libra|"
            r"scorpio|sagittarius|capricorn|aquarius|pisces)\b))"
        ),
    ),
    (
        re.compile(r"(?i)\b(?:company|employer|employs|work for|work at|where do i work)\b"),
        re.compile(
            r"(?i)\b(?:works (?:at|for)|employer|employed by|joined|started (?:a job )?at)\b"
        ),
    ),
    (
        re.compile(
            r"(?i)\b(?:do|did) (?:i|we) (?:\w+ )?(?:live|stay)\b|"
            r"\b(?:city|town|country|place|area|neighbou?rhood) (?:i|we) (?:\w+ )?live\b|"
            r"\b(?:am i|are we) (?:\w+ )?"
            r"(?:living|staying|based)\b|\bwhere(?:'s| is) (?:my |our )?home\b|"
            r"\b(?:my|our) home(?: city| town| country)?\W*$"
        ),
        re.compile(
            r"(?i)\bthe user (?:\w+ )?(?:lives|is living|is based|moved|relocated|is renting|"
            r"settled)\b|\bthe user's (?:home is|neighbou?rhood|street|address|area)\b"
        ),
    ),
    (
        re.compile(r"(?i)\b(?:originally|grow up|grew up|childhood|hometown|come from|raised)\b"),
        re.compile(r"(?i)\b(?:grew up|originally|hometown|raised)\b"),
    ),
    (
        re.compile(r"(?i)\b(?:diet|eat meat|eat fish)\b"),
        re.compile(_words_of(*_DIETS), re.I),
    ),
    (
        re.compile(r"(?i)\bnickname|\b(?:call|calls) me\b"),
        re.compile(r"(?i)\b(?:goes by|nickname|call(?:s|ed)? (?:them|the user))\b"),
    ),
    (
        re.compile(r"(?i)\b(?:hobby|hobbies|pastime|free time|spare time|to relax|for fun)\b"),
        re.compile(
            r"(?i)\b(?:hobby|pastime|free time|spare time|weekends|unwinds?|to relax)\b|"
            r"^the user (?:\w+ )?(?:started|took up|picked up|got into|is getting into)\b"
        ),
    ),
    (
        re.compile(r"(?i)\b(?:health|condition|suffer|illness|medical|diagnosed)\b"),
        re.compile(
            r"(?i)\b(?:migraines?|asthma|diabet\w*|coeliac|celiac|allergic|allergy|eczema|"
            r"colou?r-?blind|adhd|dyslexi\w*|arthritis|epilep\w*|intolerant|insomnia|"
            r"hay fever|anxiety|tinnitus|diagnosed)\b"
        ),
    ),
    (
        re.compile(r"(?i)\b(?:heading|travell?ing|trip|flying|visiting)\b"),
        re.compile(r"(?i)\b(?:flying|heading|travell?ing|going|trip) to\b|\bvisiting\b"),
    ),
    (
        re.compile(r"(?i)\b(?:university|uni|college|undergrad|grad school)\b"),
        re.compile(
            r"(?i)\b(?:university|uni|college|undergrad|graduated from|"
            r"(?:studies|studying)\b.*\bat)\b"
        ),
    ),
    (
        re.compile(r"(?i)\b(?:study|studied|degree|major)\b"),
        re.compile(r"(?i)\b(?:studies|studying|studied|degree|majored|master's|bachelor's|phd)\b"),
    ),
    (
        re.compile(r"(?i)\b(?:team|club|support)\b"),
        re.compile(r"(?i)\b(?:season ticket|supporter|supports|fan)\b"),
    ),
    (
        re.compile(r"(?i)\b(?:native|first|mother) (?:language|tongue)\b"),
        re.compile(r"(?i)\b(?:speaking|speaks?|native|language|tongue)\b"),
    ),
    (
        re.compile(r"(?i)\bcoffee\b"),
        re.compile(
            r"(?i)\b(?:latte|cappuccino|espresso|americano|mocha|macchiato|flat white|cortado)\b"
        ),
    ),
    (
        re.compile(r"(?i)\b(?:movie|film|series|show|tv)\b"),
        re.compile(r"(?i)\b(?:re-?watch\w*|binge\w*|watched)\b"),
    ),
    (re.compile(r"(?i)\b(?:pets?|animals?)\b"), re.compile(rf"(?i)\b(?:{PETS})\b")),
    (  # "What car do I drive?" and "The user's 2012 Subaru Forester is making a noise."
        re.compile(r"(?i)\b(?:car|vehicle|do (?:i|we) drive|motorbike)\b"),
        re.compile(
            r"(?i)\b(?:drives?|car|toyota|honda|ford|volkswagen|vw|subaru|mazda|nissan|kia|"
            r"hyundai|bmw|audi|mercedes|volvo|tesla|peugeot|renault|skoda|škoda|fiat|citroen|"
            r"citroën|jeep|chevy|chevrolet|lexus|porsche|dacia|opel|vauxhall|suzuki|"
            r"mitsubishi|land rover|range rover|jaguar|polestar|rivian|saab|mini cooper|"
            r"prius|corolla|civic|yaris|fiesta)\b"
        ),
    ),
    (
        re.compile(r"(?i)\bhow old (?:am i|are we)\b|\b(?:my|our) age\b"),
        re.compile(
            r"(?i)^the user is \d{1,3}\b|\b(?:turn(?:ed|ing|s)|aged) \d{1,3}\b|\d+ years old"
        ),
    ),
    (
        re.compile(r"(?i)\bblood (?:type|group)\b"),
        re.compile(r"\b(?:A|B|AB|O)(?:[ -]?(?i:negative|positive|neg|pos)\b|[+-])"),
    ),
    (re.compile(r"(?i)\b(?:plants?|houseplants?)\b"), re.compile(rf"(?i)\b(?:{PLANTS})\b")),
    (
        re.compile(r"(?i)\b(?:get to|commute|travel to|go to) (?:work|the office)\b"),
        re.compile(r"(?i)\b(?:to|into) (?:work|the office)\b|\bcommute"),
    ),
]


def _kinds_asked(question: str) -> list[re.Pattern]:
    """What a fact of each kind the question asks for says (read once per question); a
    question about an earlier talk asks a kind only for the name of a person or thing
    ("What's the name of the colleague I told you about?", not "What did I say about the
    job interview?")."""
    kinds = _KINDS
    if _ABOUT_A_TALK.search(question):
        kinds = _SAME_WORDS if _ASKS_A_NAME.search(question) else []
    return [says for asks, says in kinds if asks.search(question)]


def _shared(question: str, fact: str) -> int:
    """Content words the two share."""
    return len((content_words(question) & content_words(fact)) - _GENERIC)


def _words(text: str) -> set[str]:
    """Words, a hyphenated one also whole ("mother-in-law")."""
    return set(re.findall(r"[a-z]+(?:-[a-z]+)*|[a-z]+", text.casefold())) | set(
        re.findall(r"[a-z]+", text.casefold())
    )


def _about_another(question: str, fact: str) -> bool:
    """A fact about something of the user's that the question does not name: "The user's
    son was born in 2015." cannot answer "What year was I born in?"."""
    possessed = _POSSESSED.match(fact)
    if possessed is None:
        return False
    thing = possessed.group(1).casefold()
    if thing == "name" and _SOMEONES_NAME.search(question):
        return True  # "What's our dog's name?" is not asking the user's own name
    words = _words(question)
    return not ({thing, thing.rstrip("s"), thing + "s"} & words)


# "Marco", "McGill", "Jean-Luc"; not "PhD" or "NHS"
_NAME_IN_QUESTION = re.compile(r"(?<=\w )[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:[-'][A-Za-z][a-z]*)*\b")
_ASKS_A_NAME = re.compile(r"(?i)\bname\b|^\W*who\b")


def _names_another(question: str, fact: str) -> bool:
    """The question names someone or something the fact does not ("What did I tell you
    about my friend Marco?" and "The user's best friend Imogen …")."""
    words = _words(fact)
    return any(
        name.casefold().removesuffix("'s") not in words
        for name in _NAME_IN_QUESTION.findall(question)
    )


def _misses_the_thing(question: str, fact: str) -> bool:
    """The question asks about "my <thing>" and the fact does not name it ("What is my
    mother's name?" and "The user was born in 1979.")."""
    thing = _MY_THING.search(question)
    if thing is None:
        return False
    word = thing.group(1).casefold().removesuffix("'s")
    words = _words(fact)
    if {word, word.rstrip("s"), word + "s"} & words:
        return False
    return not any(asks.search(word) and says.search(fact) for asks, says in _SAME_WORDS)


def scored_facts(
    message: str, facts: list[str], embed: Callable[[list[str]], list[list[float]]]
) -> list[tuple[float, str]]:
    """Each fact with its score for the message, best first."""
    if not facts:
        return []
    query = question_about_the_user(message)
    told = [about_the_user(fact) for fact in facts]  # "boss is Marta" → "The user's boss …"
    vectors = embed([query, *told, *HUB_PROBES])
    probes = vectors[len(told) + 1 :]
    kinds = _kinds_asked(message)
    scored = [
        (
            _cosine(vectors[0], vector)
            - HUB_WEIGHT * sum(_cosine(probe, vector) for probe in probes) / len(probes)
            + SHARED_WORD_BONUS * min(2, _shared(query, text))
            + KIND_BONUS * any(says.search(text) for says in kinds)
            - UNNAMED_THING_PENALTY * _misses_the_thing(message, text)
            - ANOTHER_THING_PENALTY * _about_another(message, text)
            - OTHER_NAME_PENALTY * _names_another(message, text),
            fact,
        )
        for fact, text, vector in zip(facts, told, vectors[1 : len(told) + 1], strict=True)
    ]
    return sorted(scored, key=lambda pair: -pair[0])


def answering_fact(
    message: str,
    facts: list[str],
    embed: Callable[[list[str]], list[list[float]]],
    min_similarity: float = MIN_SIMILARITY,
    min_margin: float = MIN_MARGIN,
    *,
    scored: list[tuple[float, str]] | None = None,
) -> FactAnswer | None:
    """The one remembered fact that answers a question about the user, or None (not such
    a question, no fact close enough, or two facts too close to tell apart). ``scored``:
    ``scored_facts`` of the same question and facts, when the caller has them."""
    if not asks_about_the_user(message) or _HOW_TO.search(message):
        return None
    scored = scored_facts(message, facts, embed) if scored is None else scored
    if not scored:
        return None
    best, fact, margin = _leader(scored)
    if best < min_similarity or margin < min_margin or _one_of_several(message, facts):
        return None
    return FactAnswer(fact, told_to_user(fact), best, margin)


def _leader(scored: list[tuple[float, str]]) -> tuple[float, str, float]:
    """The best score, its fact, and its margin over the next."""
    best, fact = scored[0]
    return best, fact, best - scored[1][0] if len(scored) > 1 else best


def _one_of_several(question: str, facts: list[str]) -> bool:
    """A question of several things ("What are my cats called?") that more than one fact
    speaks of ("… cat is called Miso.", "… cat is called Tofu."): no one fact answers it."""
    for thing in _MY_THING.findall(question):
        one = _SINGULAR.get(thing.casefold()) or (
            thing[:-1] if thing.endswith("s") and not thing.endswith("ss") else None
        )
        if one:
            about = re.compile(rf"\b(?:{re.escape(one)}|{re.escape(thing)})\b", re.IGNORECASE)
            if sum(1 for fact in facts if about.search(fact)) > 1:
                return True
    return False


_SINGULAR = {"children": "child", "kids": "kid", "people": "person", "mice": "mouse"}


def closest_facts(
    message: str,
    facts: list[str],
    embed: Callable[[list[str]], list[list[float]]],
    kept: int = CLOSEST_KEPT,
    *,
    scored: list[tuple[float, str]] | None = None,
) -> list[str] | None:
    """The few facts closest to a question about the user that no one fact answers
    clearly, best first, when they stand out from the rest (the best by ``MIN_MARGIN``
    over the first left out); None otherwise: "What do you know about me?" keeps all.
    Given every fact, the small model answered from the wrong one."""
    if len(facts) <= kept or not asks_about_the_user(message) or _ALL_ABOUT_ME.search(message):
        return None
    scored = scored_facts(message, facts, embed) if scored is None else scored
    if scored[0][0] - scored[kept][0] < MIN_MARGIN:
        return None
    return [fact for _, fact in scored[:kept]]


# A question no one fact answers clearly, whose closest fact is still ahead of the next
# and speaks of what the question asks by a word close in meaning ("What's our dog's
# name?" and "The user's beagle is called Waffles."): that fact is shown, as likely only.
# Chosen on the development planted sets (benchmarks/fact_answer_tuning.py --likely).
LIKELY_FROM_MEMORY = "I'm not sure that's what you mean, but you told me: "
LIKELY_MIN_SIMILARITY = 0.15
LIKELY_MIN_MARGIN = 0.02
LIKELY_MIN_WORD_SIMILARITY = 0.5  # the closest pair of a question word and a fact word
# Words that name no thing: "does" and "has" were as close as "dog" and "beagle".
_NOT_A_THING = {
    *("user", "users", "the", "what", "which", "who", "whom", "whose", "where", "when"),
    *("why", "how", "do", "does", "did", "has", "have", "had", "is", "are", "was", "were"),
    *("am", "be", "been", "can", "could", "would", "should", "will", "got", "get", "gets"),
}


def likely_fact(
    message: str,
    facts: list[str],
    embed: Callable[[list[str]], list[list[float]]],
    *,
    scored: list[tuple[float, str]] | None = None,
) -> FactAnswer | None:
    """The closest fact to a question about the user that no one fact answers clearly,
    when it is ahead of the next and shares a word, or a word close in meaning, with the
    question; None otherwise (or when the question asks for several things, or for
    everything)."""
    if not asks_about_the_user(message) or _ALL_ABOUT_ME.search(message):
        return None
    if _asks_for_several(message) or _one_of_several(message, facts):
        return None
    if _HOW_TO.search(message) or _ABOUT_A_TALK.search(message):
        return None
    scored = scored_facts(message, facts, embed) if scored is None else scored
    if not scored:
        return None
    best, fact, margin = _leader(scored)
    if best < LIKELY_MIN_SIMILARITY or margin < LIKELY_MIN_MARGIN:
        return None
    if _closest_words(question_about_the_user(message), about_the_user(fact), embed) < (
        LIKELY_MIN_WORD_SIMILARITY
    ):
        return None
    return FactAnswer(fact, told_to_user(fact), best, margin, likely=True)


# Not a question about what the user is or has: how to do something, what was said in an
# earlier talk (episodic memory answers that), a request to forget.
_HOW_TO = re.compile(
    r"(?i)\bhow (?:do|can|could|should|would|to|might)\b(?!.*\b(?:my|our)\b)"
    r"(?! (?:i|we) (?:usually |normally )?(?:get|go|travel|commute)\b)"
)
_ABOUT_A_TALK = re.compile(
    r"(?i)\b(?:told you|tell you|said|say|mentioned?|talked|discussed|decided|pitched|"
    r"earlier|before|last time|previous|the other day|chat|conversation|forget)\b"
)


def _closest_words(
    question: str, fact: str, embed: Callable[[list[str]], list[list[float]]]
) -> float:
    """The closeness of the closest question word and fact word ("dog" and "beagle")."""
    asked = sorted(content_words(question) - _GENERIC - _NOT_A_THING)
    said = sorted(content_words(fact) - _GENERIC - _NOT_A_THING)
    if not asked or not said:
        return 0.0
    vectors = embed(asked + said)
    return max(_cosine(a, b) for a in vectors[: len(asked)] for b in vectors[len(asked) :])


_PLURAL_THING = re.compile(r"(?i)\b(?:my|our) (?:\w+ )?(?!\w*(?:ss|us|is)\b)\w{3,}s\b")


def _asks_for_several(question: str) -> bool:
    """ "What are my pets called?", "Who are our kids' teachers?": no one fact answers."""
    return _PLURAL_THING.search(question) is not None


# "The user <verb>s" → "You <verb>"; the rest of the person words follow.
_TO_YOU = [
    (r"the user's", "your"),
    (r"the user is", "you are"),
    (r"the user was", "you were"),
    (r"the user has", "you have"),
    (r"the user doesn't", "you don't"),
    (r"the user does", "you do"),
    (r"the user", "you"),
    (r"themselves", "yourself"),
    (r"theirs", "yours"),
    (r"their", "your"),
    (r"they are", "you are"),
    (r"they were", "you were"),
    (r"they have", "you have"),
    (r"they", "you"),
    (r"them", "you"),
]
_told_to_you = _swapper(_TO_YOU)
_USER_VERB = re.compile(
    r"(?i)\bthe user ((?:\w+ly |never |also |always |usually |often |still |really |just )?)(\w+)\b"
)


def _base_verb(verb: str) -> str:
    """ "drives" → "drive", "studies" → "study", "watches" → "watch"; other words stay."""
    low = verb.casefold()
    if low in {"is", "was", "has", "does", "goes"} or not low.endswith("s") or low.endswith("ss"):
        return {"goes": "go"}.get(low, verb)
    if low.endswith("ies") and len(low) > 4:
        return verb[:-3] + "y"
    if re.search(r"(?:sh|ch|x|z|ss|o)es$", low):
        return verb[:-2]
    return verb[:-1]


# A fact stored as "subject: value" by the capture model, of one thing ("job: paramedic",
# "cat's name: Miso"; not "dates: 9th of November").
_SUBJECT_VALUE = re.compile(
    r"^(?i:the user's |user's )?([a-z][\w' -]{0,39}?(?<!s)(?:'s name)?): (?!.*\buser\b)(.+)$"
)


def told_to_user(fact: str) -> str:
    """A fact about the user said to them: "The user's boss is called Marta." → "Your boss
    is called Marta."; "The user drives a Skoda." → "You drive a Skoda."."""
    text = " ".join(fact.split())
    stored = _SUBJECT_VALUE.match(text)
    if stored:  # the capture model's "job: paramedic" → "The user's job is paramedic"
        text = f"The user's {stored.group(1)} is {stored.group(2)}"
    if not re.match(r"(?i)^(?:the )?user\b", text):
        text = about_the_user(text)  # a bare fact ("likes tea")
    text = re.sub(r"(?i)^user\b", "The user", text)

    def verb(match: re.Match) -> str:
        word = match.group(2)
        if word.casefold() in {"is", "was", "has", "does"}:
            return match.group(0)
        return f"the user {match.group(1)}{_base_verb(word)}"

    text = _USER_VERB.sub(verb, text)

    told = _told_to_you(text)
    if not told.rstrip().endswith((".", "!", "?")):
        told = told.rstrip() + "."
    return told[:1].upper() + told[1:]
