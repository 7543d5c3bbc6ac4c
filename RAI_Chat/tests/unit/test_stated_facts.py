"""The exact reading of what a user states about themselves (``memory/statements.py``) and
the capture's fallback to it when the small model's extraction yields no checked fact."""

from __future__ import annotations

import json

import pytest

from RAI_Chat.backend.services.llm_client import EngineError
from RAI_Chat.backend.services.memory.capture import capture_message, fact_topic
from RAI_Chat.backend.services.memory.maintenance import make_tiers
from RAI_Chat.backend.services.memory.statements import fact_subject, statements


@pytest.mark.parametrize(
    ("message", "facts"),
    [
        ("I drive a blue Volvo.", [("vehicle", "The user drives a blue Volvo.")]),
        ("hey, Adjoa here — can you help me?", [("name", "The user's name is Adjoa.")]),
        ("Dr. Okafor is my GP, should I ask her?", [(None, "Dr. Okafor is the user's GP.")]),
        ("My GP is Dr. Okafor.", [("gp", "The user's GP is Dr. Okafor.")]),
        ("New here, how does this work?", []),
        (
            "fav colour is teal, help me pick a paint",
            [("fav colour", "The user's fav colour is teal.")],
        ),
        ("turning 42 next week, any ideas?", [(None, "The user is turning 42 next week.")]),
        ("Turning the page now.", []),
        (  # corrected as written: the old value is never read
            "my daughter's name is Zoe — sorry, autocorrect, it's Zoya. Any party ideas?",
            [("daughter's name", "The user's daughter's name is Zoya.")],
        ),
        (
            "My cat is called Tom. Sorry, it's Tim.",
            [("cat's name", "The user's cat is called Tim.")],
        ),
        ("I'm 175cm — sorry, actually 178 cm.", [(None, "The user is 178 cm.")]),
        ("Okay, sorry, I don't get it.", []),
        (
            "grew up on a farm outside Ballarat, so cities are new to me",
            [("does:grew", "The user grew up on a farm outside Ballarat.")],
        ),
        # the flat, not the city: "moved to Tartu" said before stays
        ("I live in flat 12B.", [("does:lives", "The user lives in flat 12B.")]),
        ("We live in a house in Graz.", [("city", "The user lives in a house in Graz.")]),
        # the street, not the city (the capture model had said "city: Wickham Lane")
        ("I live on Wickham Lane.", [("street", "The user lives on Wickham Lane.")]),
        (
            "Nothing beats a bowl of pho, honestly it's my all-time favourite meal.",
            [(None, "Nothing beats a bowl of pho, it's the user's all-time favourite meal.")],
        ),
        (
            "Any games like Stardew Valley? It's my comfort game.",
            [(None, "Stardew Valley is the user's comfort game.")],
        ),
        (
            "Bands like Khruangbin? They're my favourite.",
            [(None, "Khruangbin is the user's favourite.")],
        ),
        ("Same here.", []),
        ("I live in Lisbon.", [("city", "The user lives in Lisbon.")]),
        ("I was born in 1979.", [("birth", "The user was born in 1979.")]),
        ("I work as a carpenter.", [("job", "The user works as a carpenter.")]),
        ("I'm 41 years old.", [("age", "The user is 41 years old.")]),
        ("My dog is called Pepper.", [("dog's name", "The user's dog is called Pepper.")]),
        ("My brother's name is Ivo.", [("brother's name", "The user's brother's name is Ivo.")]),
        ("Our wedding day is May 2.", [("wedding day", "The user's wedding day is May 2.")]),
        ("I study law in Leeds.", [("does:studies", "The user studies law in Leeds.")]),
        (
            "I have a parrot and I watch birds.",
            [(None, "The user has a parrot."), ("does:watches", "The user watches birds.")],
        ),
        ("Just so you know, I'm diabetic.", [(None, "The user is diabetic.")]),
        ("Please remember that I hate olives.", [("does:hates", "The user hates olives.")]),
        (
            "Hi! My name is Noor. I have two kids, Sami and Lina.",
            [("name", "The user's name is Noor."), (None, "The user has two kids, Sami and Lina.")],
        ),
        ("Call me Bea.", [("name", "The user's name is Bea.")]),
        (
            "My alarm goes off at 5:15 on weekdays.",
            [(None, "The user's alarm goes off at 5:15 on weekdays.")],
        ),
        ("Last spring I adopted a cat.", [(None, "Last spring the user adopted a cat.")]),
        ("I broke my wrist skiing.", [("does:broke", "The user broke their wrist skiing.")]),
        (
            "My favourite painter is J. M. W. Turner.",
            [("favourite painter", "The user's favourite painter is J. M. W. Turner.")],
        ),
        ("Tea is my morning drink.", [(None, "Tea is the user's morning drink.")]),
        ("I don't eat fish.", [("does:not eat", "The user doesn't eat fish.")]),
        ("I do not eat pork.", [("does:not eat", "The user does not eat pork.")]),
        ("I cannot eat peanuts.", [("does:not eat", "The user cannot eat peanuts.")]),
        ("We never drink alcohol.", [("does:not drinks", "The user never drinks alcohol.")]),
        ("I can't stand coriander.", [("does:not stand", "The user can't stand coriander.")]),
        ("I'm celiac - can you suggest a breakfast?", [(None, "The user is celiac.")]),
        (
            "As a beekeeper, I worry about rain.",
            [(None, "The user is a beekeeper."), ("does:worries", "The user worries about rain.")],
        ),
        ("As a kid, I loved Lego.", [("does:loved", "The user loved Lego.")]),
        ("Remember this please: my locker is 4417.", [("locker", "The user's locker is 4417.")]),
        ("Not sure I said so, but I have tinnitus.", [(None, "The user has tinnitus.")]),
        ("I earn 3,200 euros a month.", [("does:earns", "The user earns 3,200 euros a month.")]),
        ("It's Tuesday. My sister arrives soon.", [(None, "The user's sister arrives soon.")]),
        # The "I" left out, as in chat:
        (
            "Just bought a house in Dundee!! So excited.",
            [("does:bought", "The user just bought a house in Dundee.")],
        ),
        (
            "Been working at Kaiser Permanente for 3 years.",
            [(None, "The user has been working at Kaiser Permanente for 3 years.")],
        ),
        ("Allergic to penicillin, btw.", [(None, "The user is allergic to penicillin.")]),
        (
            "Started a new job at Google last week, any tips?",
            [("does:started", "The user started a new job at Google last week.")],
        ),
        (
            "knitting is how i unwind after work",
            [("does:unwinds", "The user unwinds after work by knitting.")],
        ),
        (
            "coffee-wise I drink oat flat whites",
            [("does:drinks", "The user drinks oat flat whites.")],
        ),
        (
            "I moved from Denver to Austin last month.",
            [("city", "The user moved to Austin last month.")],
        ),
        ("Please call me Nico.", [("name", "The user's name is Nico.")]),
        ("I never learned to swim.", [("does:not learned", "The user never learned to swim.")]),
        ("Berlin is where I live now, not Hamburg.", [("city", "The user lives in Berlin.")]),
        (
            "favorite band is Khruangbin",
            [("favorite band", "The user's favorite band is Khruangbin.")],
        ),
        ("i cant have gluten", [("does:not have", "The user can't have gluten.")]),
        (
            "We don't live in Leeds anymore, we relocated to York.",
            [("city", "The user relocated to York.")],
        ),
        (
            "Correction — my anniversary is August 12.",
            [("anniversary", "The user's anniversary is August 12.")],
        ),
        ("Just relocated to Trondheim!", [("city", "The user just relocated to Trondheim.")]),
        (
            "Favourite author has always been Ali Smith.",
            [("favourite author", "The user's favourite author has always been Ali Smith.")],
        ),
        (
            "Lifelong Feyenoord supporter here, rough season.",
            [(None, "The user is a Feyenoord supporter.")],
        ),
        # A pronoun told of what the user named just before:
        (
            "Suggest a present for my wife - she's really into pottery.",
            [("wife", "The user's wife is really into pottery.")],
        ),
        (
            "Any cake ideas? It's for my daughter Wilhelmina, she turns six.",
            [(None, "The user's daughter Wilhelmina turns six.")],
        ),
        (
            "I'm Bartholomew, but everyone calls me Barty.",
            [
                ("name", "The user is Bartholomew."),
                ("nickname", "The user goes by Barty."),
            ],
        ),
    ],
)
def test_a_first_person_statement_is_told_about_the_user(message, facts):
    assert statements(message) == facts


@pytest.mark.parametrize(
    ("message", "fact", "old"),
    [
        ("My sister's name is Ana, not Anna.", "The user's sister's name is Ana.", "Anna"),
        ("Actually I live in Graz now, not in Linz.", "The user lives in Graz.", "Linz"),
        ("I moved: I now live in Quito instead of Lima.", "The user lives in Quito.", "Lima"),
        ("Sorry, I typed that wrong, my name is Rui not Ruy.", "The user's name is Rui.", "Ruy"),
        ("I'm not a smoker anymore, I'm a runner now.", "The user is a runner.", "smoker"),
        ("My son is called Max, I said Mats by mistake.", "The user's son is called Max.", "Mats"),
        ("I swim on Mondays now, not Fridays.", "The user swims on Mondays.", "Fridays"),
        ("Update my phone number to 555-0199.", "The user's phone number is 555-0199.", None),
        ("Replace my old address: I'm at 4 Elm Road now.", "The user is at 4 Elm Road.", None),
        (
            "My dog turned nine, not eight, I got that wrong.",
            "The user's dog turned nine.",
            "eight",
        ),
        # The new value in an "it's …" part after the subject was named.
        ("My surname isn't Smith, it's Smyth.", "The user's surname is Smyth.", "Smith"),
        ("No, my son's name is not Leo, it is Teo.", "The user's son's name is Teo.", "Leo"),
        ("My name isn't Sam. It's Sid.", "The user's name is Sid.", "Sam"),
        ("I said my dog was called Rex. It's Max.", "The user's dog's name is Max.", "Rex"),
        (
            "It's Gunnar, not Gustav - my father's name.",
            "The user's father's name is Gunnar.",
            "Gustav",
        ),
        ("It's Marit, not Maret. She's my boss.", "The user's boss is Marit.", "Maret"),
        (
            "It's Kowalczyk - you had my surname down as Kowalchik.",
            "The user's surname is Kowalczyk.",
            "Kowalchik",
        ),
        (
            "It's spelt Kaja, not Katja - my niece's name.",
            "The user's niece's name is Kaja.",
            "Katja",
        ),
        ("My rent went up - it's 1,150 now, not 980.", "The user's rent is 1,150.", "980"),
        ("I'm not a nurse any more. I work as a midwife.", "The user works as a midwife.", "nurse"),
        ("Fix my email: it's jo@ex.org now.", "The user's email is jo@ex.org.", None),
        ("My favourite band changed: it's Muse now.", "The user's favourite band is Muse.", None),
        # The new value before its subject, told in a part of its own.
        (
            "Actually it's Hyderabad, not Pune — that's where I live",
            "The user lives in Hyderabad.",
            "Pune",
        ),
        (
            "I meant to type Chiamaka earlier, that's my sister's name",
            "The user's sister's name is Chiamaka.",
            None,
        ),
        (
            "turns out I'm not allergic to penicillin after all, it's amoxicillin I react to",
            "The user reacts to amoxicillin.",
            "penicillin",
        ),
        ("Zara, Sara was a typo", None, "Sara"),
        ("oh wait its Ferrol not Vigo where i work lol", "The user works in Ferrol.", "Vigo"),
        ("Oops, I said I live in Graz but I meant Linz.", "The user lives in Linz.", "Graz"),
        (
            "Ignore what I said about my hometown being Porto, it's actually Braga.",
            "The user's hometown is Braga.",
            "Porto",
        ),
        (
            "Oops, I meant Lausanne, not Lucerne - that's where my sister lives.",
            "The user's sister lives in Lausanne.",
            "Lucerne",
        ),
        (
            "Earlier I said I work at Norrland Bank, but it's Norrland Insurance.",
            "The user works at Norrland Insurance.",
            "Bank",
        ),
        (
            "Scratch what I said about my flight - it's been moved to the 22nd.",
            "The user's flight has been moved to the 22nd.",
            None,
        ),
        # The remark about the mistake is no fact ("The user spelled it wrong before.").
        (
            "My niece's name is Aoife, I spelled it wrong before",
            "The user's niece's name is Aoife.",
            None,
        ),
        (
            "Not Toyota — I drive a Honda Civic, I mixed them up",
            "The user drives a Honda Civic.",
            "Toyota",
        ),
    ],
)
def test_a_correction_states_the_new_value_and_never_the_old_one(message, fact, old):
    found = [sentence for _, sentence in statements(message)]
    assert found == ([fact] if fact else [])
    assert old is None or all(old.casefold() not in told.casefold() for told in found)


@pytest.mark.parametrize(
    "message",
    [
        "What is my name?",
        "Do you remember where I live?",
        "Suggest a name for my new bakery.",
        "Write a poem about my cat.",
        "If I lived in Paris, what would I visit?",
        "If I were a teacher I would be strict.",
        "Imagine I am a pirate.",
        "I'd like a recipe for lentil soup.",
        "I want to know how tides work.",
        "I'm going to ask you something about tides.",  # "going to <Place>" is a trip
        "I meant to call my sister yesterday.",
        "I wonder why the sea is salty.",
        "I think my code has a bug.",
        "Forget that I live in Oslo.",
        "Please delete my phone number.",
        "What did I tell you about my trip?",
        "I told you about my trip last week.",
        "I don't eat fish anymore.",
        "I don't like that answer.",
        "I can't find my keys.",
        "My friend asked me: what's the tallest tower?",
        "It's raining.",
        "I'm no longer a student.",
        "My car isn't red.",
        "Explain how a car engine works.",
        "I moved.",
        "Got any tips for sourdough?",
        "Got a question about taxes.",
        "Finished the report?",
        "The capital of France is Paris.",
        "Tell my boss, he will love it.",
        "That is where I live.",
        "Big fan here.",
    ],
)
def test_questions_requests_hypotheticals_and_negations_state_nothing(message):
    assert statements(message) == []


@pytest.mark.parametrize(
    ("fact", "topic"),
    [
        ("The user's home: Lisbon", "city"),  # the model's form, one name for synonyms
        ("The user lives in Porto.", "city"),
        ("The user's name: Sam", "name"),
        ("The user's name is Sid.", "name"),
        ("The user is Kenji.", "name"),
        ("The user's vehicle: blue Volvo", "vehicle"),
        ("The user drives a red Volvo.", "vehicle"),
        ("The user's wife is called Sofia.", "wife's name"),
        ("The user's wife's name is Sophia.", "wife's name"),
        ("The user is a nurse at a clinic.", "job"),
        ("The user climbs on Sundays.", "does:climbs"),
        ("The user is vegan.", None),
    ],
)
def test_a_stored_fact_has_one_topic_whatever_its_form(fact, topic):
    assert fact_topic(fact) == topic


class FakeEngine:
    """The local model's capture answer (or a failure); no embedding model: the decision
    step is told by the test (``tool``) or cannot judge."""

    def __init__(self, answer: dict | str):
        self.answer = answer
        self.schemas = []

    def complete(self, messages, *, max_tokens, temperature=None, json_schema=None, model=None):
        self.schemas.append(json_schema)
        if self.answer == "fail":
            raise EngineError("down")
        return self.answer if isinstance(self.answer, str) else json.dumps(self.answer)


SUMMARY = "The user talks about themselves."


@pytest.mark.parametrize(
    "raw",
    [
        {"facts": [], "summary": SUMMARY},  # nothing named
        {"facts": [{"about": "colour", "value": "green"}], "summary": SUMMARY},  # invented
        {"facts": [{"about": "job", "value": "blue Volvo"}], "summary": SUMMARY},  # no cue
        "not JSON",
        "fail",
    ],
)
def test_a_statement_is_stored_in_the_users_words_when_the_model_yields_no_checked_fact(raw):
    # The classifier cannot judge (no embedding model): the model is asked, and what it
    # does not cover is read from the user's words.
    capture = capture_message(FakeEngine(raw), "user", "I drive a blue Volvo.")
    assert capture is not None
    assert capture.facts == []
    assert capture.stated == [("vehicle", "The user drives a blue Volvo.")]
    assert "The user drives a blue Volvo." in capture.tier1()


def test_a_statement_the_model_covers_is_not_stored_twice_and_the_rest_is_added():
    model = FakeEngine(
        {"facts": [{"about": "name", "value": "Alice"}, {"about": "city", "value": "Lyon"}]}
        | {"summary": SUMMARY}
    )
    message = "Hi! My name is Alice and I live in Lyon. I have a cat called Miso."
    capture = capture_message(model, "user", message)
    assert capture.facts == [("name", "Alice"), ("city", "Lyon")]
    assert capture.stated == [(None, "The user has a cat called Miso.")]
    assert model.schemas[0]["properties"]["facts"]["minItems"] == 1


def test_a_statement_is_kept_instead_of_a_model_fact_under_another_subject():
    model = FakeEngine({"facts": [{"about": "name", "value": "Rufus"}]} | {"summary": SUMMARY})
    message = "Just adopted a beagle called Rufus and I have no idea what to feed him"
    capture = capture_message(model, "user", message)
    assert capture.facts == []  # the user's name is not Rufus
    assert "The user just adopted a beagle called Rufus." in [f for _, f in capture.stated]


def test_a_statement_naming_more_than_the_models_fact_is_kept_instead_of_it():
    model = FakeEngine(
        {"facts": [{"about": "dates", "value": "Saturday morning"}]} | {"summary": SUMMARY}
    )
    message = "Quick note: my train to Zurich leaves on Saturday morning."
    capture = capture_message(model, "user", message)
    assert capture.facts == []
    assert capture.stated == [(None, "The user's train to Zurich leaves on Saturday morning.")]


def test_a_short_statement_the_classifier_reads_as_one_needs_no_model_call():
    model = FakeEngine("fail")
    capture = capture_message(model, "user", "My dog is called Pepper.", tool="remember")
    assert model.schemas == []
    assert capture.stated == [("dog's name", "The user's dog is called Pepper.")]
    assert capture.tier1() == "dog_s_name=The user's dog is called Pepper."


def test_a_long_statement_asks_the_model_for_its_summary_and_keeps_the_statements():
    model = FakeEngine(
        {"facts": [{"about": "pet", "value": "Pepper"}], "summary": "The user has a dog."}
    )
    message = "My dog is called Pepper. " + "We walk along the river every morning. " * 4
    capture = capture_message(model, "user", message, tool="remember")
    assert len(model.schemas) == 1
    assert capture.facts == []  # the statements as read, not the model's version
    assert capture.stated == [
        ("dog's name", "The user's dog is called Pepper."),
        (None, "The user walks along the river every morning."),  # "we" speaks for the user
    ]
    assert capture.summary == "The user has a dog."


def test_a_correction_replaces_by_its_verb_a_plain_statement_only_adds():
    said = "I climb on Sundays now, not Saturdays."
    empty = {"facts": [], "summary": SUMMARY}
    correction = capture_message(FakeEngine(empty), "user", said, tool="correct")
    assert correction.stated == [("does:climbs", "The user climbs on Sundays.")]
    statement = capture_message(FakeEngine(empty), "user", "I climb on Sundays.", tool="remember")
    assert statement.stated == [(None, "The user climbs on Sundays.")]


@pytest.mark.parametrize(
    "said",
    [
        "I live in Lyon, please forget that.",
        "Forget my dog Rex.",
        "Please forget that I live in Lyon.",
        "forget my wife Ingrid and my address",
        "I live in Lyon. Delete it.",
    ],
)
def test_a_forget_message_stores_nothing_it_asks_to_forget(said):
    raw = {"facts": [{"about": "city", "value": "Lyon"}], "summary": SUMMARY}
    capture = capture_message(FakeEngine(raw), "user", said, tool="forget")
    assert capture is not None and capture.stated == [] and capture.facts == []


def test_a_correction_keeps_no_statement_of_what_the_user_left_behind():
    said = "I left Deloitte, I'm at PwC now."
    correction = capture_message(FakeEngine("fail"), "user", said, tool="correct")
    assert [fact for _, fact in correction.stated] == ["The user is at PwC."]
    statement = capture_message(FakeEngine("fail"), "user", "I sold my bike.", tool="remember")
    assert [fact for _, fact in statement.stated] == ["The user sold their bike."]


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        (
            "I sold the Corolla and bought a Kia EV6, so any car advice should be about that.",
            ["The user bought a Kia EV6."],
        ),
        ("I left Deloitte and joined PwC.", ["The user joined PwC."]),
        (
            "My favourite food is ramen now, I've gone off pizza completely",
            ["The user's favourite food is ramen."],
        ),
        ("I used to live in Madrid but now I live in Seville", ["The user lives in Seville."]),
        ("i quit my job at Tesco and now work at Aldi", ["The user works at Aldi."]),
        ("I traded my Golf for a Model 3.", ["The user got a Model 3."]),
        ("We replaced our old Honda with a Subaru Outback.", ["The user got a Subaru Outback."]),
        (
            "I changed my major from history to economics.",
            ["The user changed their major to economics."],
        ),
        (
            "I gave up on the ukulele and take mandolin lessons instead now.",
            ["The user takes mandolin lessons."],
        ),
        (
            "My manager changed - it's Henrietta now, Olusegun left the company.",
            ["The user's manager is Henrietta."],
        ),
        ("Actually it's Lisbon, not Madrid, where I live", ["The user lives in Lisbon."]),
        (
            "Ignore what I said earlier about the bike - I sold it and now take the tram.",
            ["The user takes the tram."],
        ),
        ("The car I drive is a Mazda 3 now; sold the Civic.", ["The user drives a Mazda 3."]),
        (
            "I quit my job at Barclays and opened my own bakery.",
            ["The user opened their own bakery."],
        ),
    ],
)
def test_what_the_user_left_behind_beside_what_replaced_it_is_not_kept(said, kept):
    # Whatever the decision step called the message: the left thing is an old value.
    for tool in ("remember", "correct", None):
        capture = capture_message(FakeEngine("fail"), "user", said, tool=tool)
        assert [fact for _, fact in capture.stated] == kept


@pytest.mark.parametrize(
    ("said", "read"),
    [
        (
            "Update: the company moved me to the Singapore office, so I'm based there now.",
            "The user is based in the Singapore office.",
        ),
        (
            "We relocated to Vancouver last year and I work there as a nurse.",
            "The user works in Vancouver as a nurse.",
        ),
    ],
)
def test_there_is_read_as_the_place_named_before_it(said, read):
    assert read in [fact for _, fact in statements(said)]


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("just so you know im vegan", (None, "The user is vegan.")),
        ("ive got two cats", (None, "The user has got two cats.")),
        (
            "It's Bilbao, not Valencia, where I'm based these days.",
            ("city", "The user is based in Bilbao."),
        ),
        (
            "Kestrel, not Falcon — that's what my cat's called.",
            ("cat's name", "The user's cat is called Kestrel."),
        ),
        (
            "I commute by ferry every morning, whats a good podcast length?",
            ("does:commutes", "The user commutes by ferry every morning."),
        ),
        (
            "Just found out my blood type is AB negative - is that rare?",
            ("blood type", "The user's blood type is AB negative."),
        ),
        (
            "getting really into bouldering lately - what shoes should a beginner buy?",
            (None, "The user is getting really into bouldering lately."),
        ),
        (
            "Flying to Marrakech on Friday! What should I wear?",
            (None, "The user is flying to Marrakech on Friday."),
        ),
        # The untouched eleventh planted set:
        (
            "Going to Hokkaido in February!! what should I pack for the snow?",
            (None, "The user is going to Hokkaido in February."),
        ),
        (
            "Radiohead is basically my favourite band ever, which album should I buy first?",
            (None, "Radiohead is basically the user's favourite band ever."),
        ),
        (
            "oops I meant I'm learning Korean, not Japanese. Any good apps for Hangul?",
            (None, "The user is learning Korean."),
        ),
        (
            "Traded in my road bike for a Brompton, how do I fold it faster?",
            ("does:got", "The user got a Brompton."),
        ),
        (  # "it" is the name said before; "my … band and I" is not "we"
            "any podcasts similar to Hardcore History? its my favourite podcast",
            (None, "Hardcore History is the user's favourite podcast."),
        ),
        (
            "Radiohead is my favourite band and I want their first album on vinyl.",
            (None, "Radiohead is the user's favourite band."),
        ),
        (
            "I never miss an episode of Hardcore History, got any recommendations like it?",
            ("does:not misses", "The user never misses an episode of Hardcore History."),
        ),
    ],
)
def test_more_ways_of_saying_it(said, read):
    assert statements(said) == [read]


@pytest.mark.parametrize(
    ("said", "read"),
    [
        (
            "I'm a die-hard Fenerbahçe fan, what time do matches kick off?",
            "The user is a die-hard Fenerbahçe fan.",
        ),
        ("Huge Arsenal fan here", "The user is an Arsenal fan."),
        (
            "I'm based in Windhoek and need a reliable 4x4 rental company.",
            "The user is based in Windhoek.",
        ),
        (
            "I live in Medellín and want to find a good salsa class nearby",
            "The user lives in Medellín.",
        ),
    ],
)
def test_a_statement_ends_where_a_wish_or_request_begins(said, read):
    assert [fact for _, fact in statements(said)] == [read]


def test_where_the_user_works_and_what_as_are_two_subjects():
    assert fact_subject("The user works at Novo Nordisk.") == "employer"
    assert fact_subject("The user's employer is Tata Consultancy Services.") == "employer"
    assert fact_subject("The user works as a radiographer.") == "job"


def test_giving_something_up_alone_is_not_left_behind():
    for tool in ("remember", "correct"):
        capture = capture_message(FakeEngine("fail"), "user", "I gave up meat.", tool=tool)
        assert [fact for _, fact in capture.stated] == ["The user gave up meat."]


def test_a_remark_after_a_statement_is_not_part_of_it():
    assert statements("Hi! I'm Dmitri, nice to meet you.") == [("name", "The user is Dmitri.")]
    assert statements("My mum, left in 1990, lives in Rome.") == [
        (None, "The user's mum, left in 1990, lives in Rome.")
    ]
    assert statements("The school I teach at is Riverside Primary.") == [
        ("does:teaches", "The user teaches at Riverside Primary.")
    ]
    assert statements("The reason I ask is that I'm moving.") == []
    assert statements("Off to bed now.") == [] and statements("heading to the gym") == []
    # A thing named with no verb says nothing of it.
    assert statements("It was Tuesday not Thursday, my dentist appointment.") == []
    assert statements("I have a dog called Rex and my cats") == [
        (None, "The user has a dog called Rex.")
    ]
    assert statements("I have two daughters, Emma and Lucy.") == [
        (None, "The user has two daughters, Emma and Lucy.")
    ]


def test_a_forget_message_keeps_what_it_states_beside_the_request():
    said = "we've relocated to Melbourne, so forget what I said about Perth"
    capture = capture_message(FakeEngine("fail"), "user", said, tool="forget")
    assert capture is not None and capture.facts == []
    assert capture.stated == [("city", "The user has relocated to Melbourne.")]
    said = "We finally got a new car, a Volvo XC40, so forget the old one."
    capture = capture_message(FakeEngine("fail"), "user", said, tool="forget")
    assert [fact for _, fact in capture.stated] == ["The user finally got a new car, a Volvo XC40."]
    # A message the classifier took for forgetting, that asks for none: "drop-off" is no drop.
    said = "My son Tadeo just started kindergarten and cries at drop-off. Any advice?"
    capture = capture_message(FakeEngine("fail"), "user", said, tool="forget")
    assert [fact for _, fact in capture.stated] == [
        "The user's son Tadeo just started kindergarten and cries at drop-off."
    ]


@pytest.mark.parametrize("tool", ["none", "episodic", "web_search"])
def test_a_statement_in_passing_is_kept_whatever_the_message_asks(tool):
    raw = {"facts": [], "summary": SUMMARY}
    said = "My son Rawiri loves dinosaurs, can you suggest a cake for his party?"
    capture = capture_message(FakeEngine(raw), "user", said, tool=tool)
    assert capture is not None and capture.facts == []
    assert [sentence for _, sentence in capture.stated] == [
        "The user's son Rawiri loves dinosaurs."
    ]


def test_a_request_stores_no_model_fact_and_forces_none():
    model = FakeEngine({"facts": [{"about": "blog", "value": "cooking"}], "summary": SUMMARY})
    capture = capture_message(model, "user", "Suggest a name for my blog about cooking.")
    assert capture.facts == [] and capture.stated == []
    assert "minItems" not in model.schemas[0]["properties"]["facts"]


def test_an_assistant_message_states_nothing():
    model = FakeEngine({"facts": [{"about": "name", "value": "RAI"}], "summary": SUMMARY})
    capture = capture_message(model, "assistant", "I am RAI and I live in your computer.")
    assert capture.facts == [] and capture.stated == []


def test_a_model_fact_holding_a_corrections_old_value_word_by_word_is_dropped():
    model = FakeEngine({"facts": [{"about": "vehicle", "value": "blue Volvo"}], "summary": SUMMARY})
    said = "Actually I drive a red Volvo, not a blue one."
    capture = capture_message(model, "user", said)
    assert capture.facts == []
    assert capture.stated == [("vehicle", "The user drives a red Volvo.")]


def test_a_model_fact_outside_the_statements_is_not_kept():
    # Seen on the local model: ("family", "my sister") for a sister's new city.
    model = FakeEngine({"facts": [{"about": "family", "value": "my sister"}], "summary": SUMMARY})
    said = "Correction: my sister lives in Graz now, not in Linz."
    capture = capture_message(model, "user", said)
    assert capture.facts == []
    assert [sentence for _, sentence in capture.stated] == ["The user's sister lives in Graz."]


def test_a_statement_about_our_things_is_captured():
    # Seen on the tuning half: "Correction, our anniversary is June 21, ..." stored nothing
    # (the capture was skipped: no "I"/"my" in a short message).
    _, _, capture = make_tiers(FakeEngine("fail"), "user", "Our wedding day is May 2.")
    assert capture is not None
    assert capture.stated == [("wedding day", "The user's wedding day is May 2.")]


@pytest.mark.parametrize("value", ["pierogi", "Pierogi!", "sesame", "fish, chips"])
def test_a_value_not_in_the_message_word_for_word_is_not_negated_and_never_loops(value):
    from RAI_Chat.backend.services.memory.capture import negated

    # A model's value whose words are not in the message (a typo, another form): before,
    # a one-word value recursed on itself until the job failed (RecursionError).
    assert negated(value, "Whenever I'm sad I cook pirogi.") is False


def test_a_failing_capture_leaves_the_deterministic_tiers(monkeypatch):
    from RAI_Chat.backend.services.memory import maintenance

    def broken(*args, **kwargs):
        raise RecursionError("a bug in the checks")

    monkeypatch.setattr(maintenance, "capture_message", broken)
    tier1, tier2, capture = make_tiers(FakeEngine({}), "user", "I drive a blue Volvo.")
    assert capture is None
    assert tier1 and tier2 == "I drive a blue Volvo."


@pytest.mark.parametrize(
    ("message", "fact"),
    [
        (
            "Sorry, I got that wrong - I live in Aberdeen now, not Dundee.",
            "The user lives in Aberdeen.",
        ),
        ("Update: we sold the caravan.", "The user sold the caravan."),
        ("Oh and I live in Rome.", "The user lives in Rome."),
        ("I'm the best man, help with a speech pls", "The user is the best man."),
        (
            "i'm allergic to sesame so can you give me a hummus-free snack list",
            "The user is allergic to sesame.",
        ),
        (
            "My anniversary is on June 21 and I completely forgot to book anything, ideas?",
            "The user's anniversary is on June 21.",
        ),
        ("My sister and I were born in Lagos.", "The user was born in Lagos."),
        ("My wife and I run a bakery in Leeds.", "The user runs a bakery in Leeds."),
        ("no wait, I live in Rome, not Milan", "The user lives in Rome."),
        ("Turns out I'm allergic to kiwi.", "The user is allergic to kiwi."),
    ],
)
def test_dashes_and_lead_ins_are_no_part_of_the_statement(message, fact):
    assert [sentence for _, sentence in statements(message)] == [fact]


def test_a_short_message_in_the_plural_is_captured():
    # "we"/"our" speak for the user: the capture is not skipped as a message with no "I".
    model = FakeEngine({"facts": [], "summary": SUMMARY})
    _, _, capture = make_tiers(model, "user", "We bought a house in Leith.")
    assert capture is not None
    assert capture.stated == [(None, "The user bought a house in Leith.")]


@pytest.mark.parametrize(
    ("message", "tool", "stated"),
    [
        (
            "Scratch that: the vet appointment is on Wednesday.",
            "correct",
            [("vet appointment", "The user's vet appointment is on Wednesday.")],
        ),
        (
            "The kids are 6 and 9, not 5 and 8.",
            "correct",
            [("kids", "The user's kids are 6 and 9.")],
        ),
        (
            "no wait, the wedding is in September, not August",
            "correct",
            [("wedding", "The user's wedding is in September.")],
        ),
        (  # "my" in it, but the sentence is about "the meeting"
            "Correction: the meeting with my solicitor is on Wednesday, not Monday.",
            "correct",
            [
                (
                    "meeting with their solicitor",
                    "The user's meeting with their solicitor is on Wednesday.",
                )
            ],
        ),
        ("Correction: the meeting with my solicitor is on Wednesday, not Monday.", "remember", []),
        ("The capital of France is Paris.", "none", None),
        ("The vet appointment is on Wednesday.", None, None),  # the classifier cannot judge
    ],
)
def test_a_thing_named_with_the_is_the_users_only_when_the_decision_step_says_so(
    monkeypatch, message, tool, stated
):
    from RAI_Chat.backend.services.memory import capture as capture_module

    monkeypatch.setattr(capture_module, "decided_tool", lambda engine, text: tool)
    model = FakeEngine("fail")
    _, _, capture = make_tiers(model, "user", message)
    assert model.schemas == []  # read exactly: no model call
    assert (capture.stated if capture else None) == stated


def test_a_model_fact_under_a_family_subject_needs_family_in_the_message():
    model = FakeEngine(
        {"facts": [{"about": "family", "value": "Boca Juniors"}], "summary": SUMMARY}
    )
    capture = capture_message(model, "user", "Hello! I follow Boca Juniors religiously.")
    assert capture.facts == []
    assert [fact for _, fact in capture.stated] == ["The user follows Boca Juniors religiously."]


def test_a_model_fact_that_only_says_when_is_not_kept_over_the_statement():
    model = FakeEngine({"facts": [{"about": "dates", "value": "last autumn"}], "summary": SUMMARY})
    message = "Since last autumn I've been doing a part-time master's in urban planning."
    capture = capture_message(model, "user", message)
    assert capture.facts == []
    assert [fact for _, fact in capture.stated] == [
        "Since last autumn the user has been doing a part-time master's in urban planning."
    ]


@pytest.mark.parametrize(
    ("message", "told"),
    [
        ("Nothing beats a good bowl of pho, it's my favourite meal.", []),  # read exactly
        (
            "takes me like 50 min on the ferry every morning",
            ["Takes the user like 50 min on the ferry every morning."],
        ),
        ("My sister Ingrid is getting married in June.", []),  # read by ``statements``
        ("Thanks, that helped me a lot!", []),  # "thanks": not a statement
        ("Help me plan my trip to Rome.", []),  # a request
        ("If I lived in Oslo I would ski.", []),  # a hypothetical
        ("I told you I had two kids - it's three now.", []),  # a correction: read exactly
        ("Where did I leave my keys?", []),
        ("I'd love to visit Peru someday.", []),  # a wish
    ],
)
def test_a_sentence_no_form_reads_is_told_about_the_user_as_said(message, told):
    from RAI_Chat.backend.services.memory.statements import unread_sentences

    assert unread_sentences(message) == told


@pytest.mark.parametrize(
    ("tool", "kept"),
    [
        ("remember", True),  # the decision step says it tells something of the user
        ("correct", False),  # a correction is read exactly, never as said
        ("none", False),
        (None, False),  # the classifier cannot judge
    ],
)
def test_a_sentence_no_form_reads_is_kept_only_when_the_decision_step_says_remember(
    monkeypatch, tool, kept
):
    from RAI_Chat.backend.services.memory import capture as capture_module

    monkeypatch.setattr(capture_module, "decided_tool", lambda engine, text: tool)
    message = "takes me like 50 min on the ferry every morning"
    _, _, capture = make_tiers(FakeEngine("fail"), "user", message)
    stated = [fact for _, fact in capture.stated] if capture else []
    assert any("ferry" in fact for fact in stated) is kept


@pytest.mark.parametrize(
    ("message", "fact"),
    [
        ("favorite band is Khruangbin", "The user's favorite band is Khruangbin."),
        ("Lifelong Feyenoord supporter here", "The user is a Feyenoord supporter."),
    ],
)
def test_a_short_statement_without_i_or_my_is_captured(monkeypatch, message, fact):
    from RAI_Chat.backend.services.memory import capture as capture_module

    monkeypatch.setattr(capture_module, "decided_tool", lambda engine, text: "remember")
    _, _, capture = make_tiers(FakeEngine("fail"), "user", message)
    assert capture is not None and [f for _, f in capture.stated] == [fact]


@pytest.mark.parametrize(
    ("message", "facts"),
    [
        (
            "can you suggest a birthday gift for my wife Ingrid? she's really into pottery",
            ["The user's wife is called Ingrid."],
        ),
        (
            "work at Unilever in the marketing team, need help writing a LinkedIn summary",
            ["The user works at Unilever in the marketing team."],
        ),
        ("hi! name's Tomasz btw, I need help with a cover letter", ["The user's name is Tomasz."]),
        (
            "My partner Jun and I are planning a trip to Hokkaido, what should we pack?",
            [
                "The user is planning a trip to Hokkaido.",
                "The user's partner is called Jun.",
            ],
        ),
        (
            "Help me plan a service schedule for my Volvo XC60, it's at 90k km",
            ["The user has a Volvo XC60."],
        ),
        ("How do I reset my MacBook Pro?", ["The user has a MacBook Pro."]),
        ("Help me with my English homework", []),  # one capitalised word: maybe a language
        (
            "My son loves trains and I build him models.",
            ["The user's son loves trains.", "The user builds him models."],
        ),
        (
            "learning Japanese for a trip next year, any tips?",
            ["The user is learning Japanese for a trip next year."],
        ),
        ("My name's Tomasz.", ["The user's name is Tomasz."]),
        (
            "Software engineer at Shopify here. How do I ask for a raise?",
            ["The user is a software engineer at Shopify."],
        ),
        ("Hello from London here", []),
        ("Is my sister Ana Maria right about this?", []),  # two names: not guessed
        (
            "My supervisor Hamid asked me to lead the next project meeting, tips?",
            ["The user's supervisor is called Hamid."],
        ),
        (
            "I have six siblings so Christmas shopping is a nightmare, budget ideas?",
            ["The user has six siblings so Christmas shopping is a nightmare."],
        ),
        # A pet or a plant named only in passing, a question included.
        ("the water in my axolotl's tank is cloudy, is that bad?", ["The user has an axolotl."]),
        ("why are the leaves on my monstera turning yellow??", ["The user has a monstera."]),
        ("What should I feed my bearded dragon?", ["The user has a bearded dragon."]),
        ("Write a poem about my cat.", []),  # a made-up text asked for
        ("Remove what you remember about my dog.", []),  # forgetting
        ("Why does my dog bark at drop-off?", ["The user has a dog."]),  # no forgetting
        (
            "Need a dinner recipe for 4 tonight. Nothing with sesame please, I'm allergic.",
            ["The user is allergic to sesame."],
        ),
        (
            "Ethiopian food is hands down my favourite cuisine. Is injera hard to make?",
            ["Ethiopian food is the user's favourite cuisine."],
        ),
        ("my cat Miso hates the vet", ["The user's cat Miso hates the vet."]),  # said once
        (
            "Write me a short poem in the style of my favourite band, Khruangbin.",
            ["The user's favourite band is Khruangbin."],
        ),
        (
            "Lifelong Feyenoord supporter here 😅 can you explain offside?",
            ["The user is a Feyenoord supporter."],
        ),
        (
            "With three kids under ten, how do I get out the door by 7:30??",
            ["The user has three kids."],
        ),
        (
            "what wine goes with khachapuri? it's my absolute favourite food",
            ["Khachapuri is the user's absolute favourite food."],
        ),
        (
            "Always wear number 23 on my hockey jersey, can you design a logo around it?",
            ["The user always wears number 23 on their hockey jersey."],
        ),
        ("Always check your tyres before a long drive.", []),  # advice, not a habit
        (  # "my undergrad at McGill and I'm …" is no "my sister and I"
            "I did my undergrad at McGill and I'm thinking of a PhD at 35. Is that crazy?",
            ["The user did their undergrad at McGill.", "The user is thinking of a PhD at 35."],
        ),
        (
            "Can you recommend films like Spirited Away? It's been my favourite movie for years",
            ["Spirited Away is the user's favourite movie for years."],
        ),
        # a question without its question mark is no part of the statement before it
        (
            "quick q, i'm allergic to sesame so what can i use instead of tahini",
            ["The user is allergic to sesame."],
        ),
        (
            "my son Mateo wants to learn chess, whats a good app for a 6 year old",
            ["The user's son Mateo wants to learn chess."],
        ),
        (
            "It's Bilbao, not Valencia, where I'm based these days.",
            ["The user is based in Bilbao."],
        ),
        (
            "Any advice for beginners in bouldering? I just started going twice a week",
            ["The user just started going twice a week.", "The user recently started bouldering."],
        ),
    ],
)
def test_who_the_writer_is_and_whom_they_name_is_read_in_passing(message, facts):
    assert [sentence for _, sentence in statements(message)] == facts


def test_as_a_role_without_a_comma_ends_before_i():
    message = "As a paramedic I work 12-hour shifts; what snacks keep well in an ambulance?"
    assert [sentence for _, sentence in statements(message)] == [
        "The user is a paramedic.",
        "The user works 12-hour shifts.",
    ]
