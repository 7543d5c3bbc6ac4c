"""The remembered fact that answers a question about the user (services/memory/
fact_answers.py): which messages are such questions, how a fact is said to the user, and
which fact is picked — with a stand-in embedding (words hashed into a vector), so the
choice is exact here; the real MiniLM choice is measured by benchmarks/
fact_answer_tuning.py."""

from __future__ import annotations

import re
import zlib

import pytest

from RAI_Chat.backend.services.memory import fact_answers
from RAI_Chat.backend.services.memory.fact_answers import (
    answering_fact,
    asks_about_the_user,
    closest_facts,
    likely_fact,
    question_about_the_user,
    scored_facts,
    told_to_user,
)

STOP = {"the", "user", "user's", "is", "what", "my", "called", "a", "do", "does", "i"}


def word_embed(texts: list[str]) -> list[list[float]]:
    """Each content word lights one of 64 dimensions: texts sharing words are close."""
    vectors = []
    for text in texts:
        vector = [0.0] * 64
        for word in re.findall(r"[a-z']+", text.casefold()):
            if word not in STOP:
                vector[zlib.crc32(word.encode()) % 64] += 1.0
        vectors.append(vector)
    return vectors


FACTS = [
    "The user's boss is called Marta.",
    "The user drives a Skoda.",
    "The user was born in 1979.",
    "The user lives in Ghent.",
]


@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("What is my boss called?", True),
        ("Remind me what car I drive", True),
        ("Where do I live?", True),
        ("What is the capital of Norway?", False),  # not about the user
        ("My boss is called Marta.", False),  # a statement
        ("Tell me a joke", False),
        ("Can you remind me what my dog is called", True),
        ("Remind me of my year of birth.", True),
        ("Can you tell me our cat's name?", True),
        ("Tell me about the history of Rome", False),
        ("", False),
    ],
)
def test_which_messages_ask_about_the_user(message, asks):
    assert asks_about_the_user(message) is asks


@pytest.mark.parametrize(
    ("fact", "told"),
    [
        ("The user's boss is called Marta.", "Your boss is called Marta."),
        ("The user drives a Skoda.", "You drive a Skoda."),
        ("The user studies biology.", "You study biology."),
        ("The user watches every Celtic game.", "You watch every Celtic game."),
        ("The user was born in 1979.", "You were born in 1979."),
        ("The user is allergic to shellfish.", "You are allergic to shellfish."),
        ("The user has a tortoise named Humphrey.", "You have a tortoise named Humphrey."),
        ("The user grew up in Tampere.", "You grew up in Tampere."),
        ("The user's city: Lisbon", "Your city is Lisbon."),  # as the capture model stores it
        ("The user's cat's name: Miso", "Your cat's name is Miso."),
        ("The user's dates: 9th of November", "Your dates: 9th of November."),  # of several
        ("likes tea", "You like tea."),  # a fact added by hand, without "the user"
        ("The user doesn't eat fish.", "You don't eat fish."),
        ("The user never drinks alcohol.", "You never drink alcohol."),
        (
            "The user usually plays the trumpet with their band.",
            "You usually play the trumpet with your band.",
        ),
    ],
)
def test_a_fact_is_said_to_the_user(fact, told):
    assert told_to_user(fact) == told


@pytest.mark.parametrize(
    ("question", "told"),
    [
        ("What is my boss called?", "What is the user's boss called?"),
        ("What car do I drive?", "What car does the user drive?"),
        ("What am I allergic to?", "What is the user allergic to?"),
        ("Where did I grow up?", "Where did the user grow up?"),
    ],
)
def test_the_question_is_told_about_the_user_as_the_facts_are(question, told):
    assert question_about_the_user(question) == told


def test_the_fact_that_answers_the_question_is_picked():
    found = answering_fact("What is my boss called?", FACTS, word_embed, 0.3, 0.05)
    assert found is not None
    assert found.fact == "The user's boss is called Marta."
    assert found.told == "Your boss is called Marta."
    assert found.margin >= 0.05


def test_no_fact_when_none_is_close_enough():
    assert answering_fact("What is my shoe size?", FACTS, word_embed, 0.3, 0.05) is None


def test_no_fact_when_two_are_too_close_to_tell_apart():
    facts = ["The user's sister is called Ana.", "The user's sister is called Eva."]
    assert answering_fact("What is my sister called?", facts, word_embed, 0.3, 0.05) is None


def test_no_one_fact_answers_a_question_of_several_things_that_several_facts_name():
    facts = ["The user's cat is called Miso.", "The user's cat is called Tofu.", *FACTS]
    assert answering_fact("What are my cats called?", facts, word_embed, 0.3, 0.0) is None
    # Only a question of several things: the boss is still answered by its one fact.
    found = answering_fact("What is my boss called?", facts, word_embed, 0.3, 0.0)
    assert found is not None and found.fact == "The user's boss is called Marta."
    kids = ["The user's kid Ana is six.", "The user's kid Leo is nine."]
    assert answering_fact("How old are my kids?", kids, word_embed, 0.1, 0.0) is None


def test_no_fact_for_a_statement_or_without_facts():
    assert answering_fact("My boss is called Marta.", FACTS, word_embed) is None
    assert answering_fact("What is my boss called?", [], word_embed) is None


def test_a_question_no_fact_answers_clearly_gets_the_closest_few_facts():
    facts = [
        "The user has a pet cat.",
        "The user feeds a pet fish.",
        "The user walks a pet dog.",
        "The user lives in Ghent.",
        "The user plays chess.",
    ]
    # Three facts share "pet" with the question alike: none stands out, all three stand
    # out from the rest.
    assert answering_fact("Which pet do I have?", facts, word_embed) is None
    closest = closest_facts("Which pet do I have?", facts, word_embed)
    assert closest is not None and set(closest) == set(facts[:3])


@pytest.mark.parametrize(
    "message",
    [
        "What do you know about me?",
        "Tell me everything you remember about me.",
        "What have I told you about myself?",
        "My boss is called Marta.",  # not a question
    ],
)
def test_a_question_for_everything_or_no_question_keeps_every_fact(message):
    assert closest_facts(message, FACTS + ["The user knows Marta."], word_embed) is None


def test_few_facts_are_all_kept():
    assert closest_facts("What is my boss called?", FACTS[:3], word_embed) is None


def test_the_users_own_name_does_not_answer_whats_my_dogs_name():
    facts = ["The user's name: Siddharth", "The user's greyhound is called Pepper."]
    found = answering_fact("What's our dog's name?", facts, lambda texts: [[1.0, 0.0]] * len(texts))
    assert found is None or "Siddharth" not in found.fact
    assert answering_fact("What is my name?", facts[:1], word_embed, 0.0, 0.0).fact == facts[0]


@pytest.mark.parametrize(
    ("question", "right", "other"),
    [
        (
            "Who am I married to?",
            "The user's wife Sunniva wants to redecorate.",
            "The user collects vintage pens.",
        ),
        (
            "What's my native language?",
            "The user grew up speaking Amharic.",
            "The user collects vintage pens.",
        ),
        (
            "Which football club do I support?",
            "The user is a die-hard Fenerbahce fan.",
            "The user collects vintage pens.",
        ),
    ],
)
def test_a_fact_that_says_the_questions_word_another_way_is_preferred(question, right, other):
    # With no word in common, the stand-in embedding cannot tell them apart: only the
    # word the fact says instead (wife for married, speaking for language) does.
    assert scored_facts(question, [other, right], word_embed)[0][1] == right
    assert scored_facts(question, [right, other], word_embed)[0][1] == right


# A stand-in for words close in meaning: a beagle is a dog, a flat white a coffee.
NEAR = {"beagle": "dog", "dog's": "dog", "flat": "coffee"}


def near_embed(texts: list[str]) -> list[list[float]]:
    return word_embed(
        [re.sub(r"[a-z']+", lambda m: NEAR.get(m.group(), m.group()), t.casefold()) for t in texts]
    )


PETLESS = [
    "The user's beagle is called Waffles.",
    "The user lives in Ghent.",
    "The user plays chess.",
]


def test_a_question_no_fact_answers_clearly_is_shown_the_closest_fact_as_likely():
    found = likely_fact("What is our dog's name?", PETLESS, near_embed)
    assert found is not None and found.fact == PETLESS[0]
    assert found.told == "Your beagle is called Waffles."
    # Without a word close in meaning the same fact is not shown.
    assert likely_fact("What is our dog's name?", PETLESS, word_embed) is None


@pytest.mark.parametrize(
    "message",
    [
        "What is my shoe size?",  # no fact speaks of it
        "What are my dogs called?",  # several things
        "How do I train a dog?",  # how to do something
        "What did I tell you about my dog?",  # an earlier talk: episodic memory
        "Can you forget my dog's name?",
        "My dog is called Rex.",  # not a question
        "What do you know about me?",
    ],
)
def test_no_likely_fact_for_what_no_one_fact_can_answer(message):
    assert likely_fact(message, PETLESS, near_embed) is None


@pytest.mark.parametrize(
    ("question", "right"),
    [
        ("What's my son's name?", "The user's boy Tiago is terrified of the dentist."),
        ("What's my gran called?", "The user's grandmother Edith writes every month."),
        ("Do you remember my name?", "The user is Dagny."),
        ("What do I do for a living?", "The user is a paramedic."),
        ("What's my line of work?", "The user works as a radiographer."),
        ("Which company employs me?", "The user works at Novo Nordisk."),
        ("Which neighbourhood do we live in?", "The user is renting a place in Kreuzberg."),
        ("Where did I spend my childhood?", "The user grew up in Arequipa."),
        ("What kind of diet am I on?", "The user has been pescatarian for years."),
        ("How do I get to the office?", "The user takes the ferry to work every day."),
        ("What nickname do my friends use for me?", "The user goes by Bongo."),
        ("What's my hobby?", "The user restores typewriters in their spare time."),
        ("What health issue do I suffer from?", "The user gets migraines pretty often."),
        ("Which city am I heading to soon?", "The user is flying to Marrakech on Friday."),
        ("Which university do I go to?", "The user studies engineering at TU Delft."),
        ("Which TV series do I keep going back to?", "The user has rewatched Derry Girls."),
        ("What pet do I have?", "The user has an axolotl."),
        ("Which of my plants is struggling?", "The user has a monstera."),
        ("How old am I?", "The user is 43 and thinking about starting running."),
        ("What car do I drive?", "The user's 2012 Subaru Forester is making a noise."),
        ("Where do I work?", "The user just started at Mercado Libre last week."),
        ("Which neighbourhood do I live in?", "The user's neighbourhood, Kallio, is lovely."),
        ("Where did I do my undergrad?", "The user did their undergrad at McGill."),
        ("Remind me which city I live in now?", "The user just moved to Tampere last month."),
        ("What's my blood type?", "The user is O negative."),
        ("What hobby did I pick up?", "The user recently started bouldering."),
    ],
)
def test_a_fact_of_the_kind_the_question_asks_is_preferred(question, right):
    # Every text equally close: only the kind decides.
    other = "The user collects vintage pens."
    assert scored_facts(question, [other, right], same_embed)[0][1] == right
    assert scored_facts(question, [right, other], same_embed)[0][1] == right


def same_embed(texts: list[str]) -> list[list[float]]:
    return [[1.0, 0.0]] * len(texts)


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("What was my father's job?", "The user is a nurse."),  # the father's, not the user's
        ("What's my profession?", "The user is a Scorpio."),
        ("What's my profession?", "The user is a Feyenoord supporter."),
        ("Where does my brother live?", "The user moved to Porto."),
        ("Where do I live?", "The user's sister lives in Nairobi."),
        ("Who am I married to?", "The user's best friend Aigerim is getting married."),
        ("Do you remember my name?", "The user is 52 years old."),
        ("What did I say about the job interview?", "The user is a nurse."),  # a talk
        ("What do I do about my noisy neighbour?", "The user is a nurse."),  # advice
        ("Should I change career?", "The user is a nurse."),
        ("How do I get home from the airport?", "The user lives in Lyon."),
    ],
)
def test_a_fact_of_another_kind_gets_nothing_for_it(question, fact, monkeypatch):
    with_kinds = scored_facts(question, [fact], word_embed)
    monkeypatch.setattr(fact_answers, "KIND_BONUS", 0.0)
    assert scored_facts(question, [fact], word_embed) == with_kinds


def test_a_fact_not_naming_whom_the_question_names_scores_less(monkeypatch):
    question = "What did I tell you about my friend Marco?"
    facts = ["The user's best friend Imogen is moving abroad.", "The user's friend Marco cooks."]
    scores = {fact: score for score, fact in scored_facts(question, facts, same_embed)}
    monkeypatch.setattr(fact_answers, "OTHER_NAME_PENALTY", 0.0)
    unpenalised = {fact: score for score, fact in scored_facts(question, facts, same_embed)}
    assert unpenalised[facts[0]] - scores[facts[0]] == pytest.approx(0.25)  # Imogen
    assert unpenalised[facts[1]] == scores[facts[1]]  # Marco


def test_the_name_of_someone_told_about_is_not_the_users_own_name():
    question = "What's the name of the colleague I told you about?"
    facts = ["The user's name is Adjoa.", "The user's coworker Svetlana microwaves fish."]
    assert scored_facts(question, facts, same_embed)[0][1] == facts[1]


def test_no_fact_answers_how_to_do_something():
    facts = ["Nothing beats a bowl of pho, it's the user's favourite meal."]
    assert answering_fact("How do I make a good risotto?", facts, same_embed, 0.0, 0.0) is None
    assert answering_fact("What's my favourite meal?", facts, same_embed, 0.0, 0.0) is not None


@pytest.mark.parametrize("question", ["Who is my PhD supervisor?", "Is my NHS number saved?"])
def test_a_word_in_capitals_is_no_ones_name(question, monkeypatch):
    fact = "The user's supervisor Dr. Okonkwo wants a draft by Friday."
    scores = scored_facts(question, [fact], same_embed)
    monkeypatch.setattr(fact_answers, "OTHER_NAME_PENALTY", 0.0)
    assert scored_facts(question, [fact], same_embed) == scores
