"""What a user states about themselves, read exactly from their own words: the clauses of a
message that are first-person statements, each told about the user ("I drive a blue
Volvo." → "The user drives a blue Volvo."), with its subject ("vehicle") so that a
correction supersedes the old fact.

No model is involved: questions, requests, hypotheticals and wishes are not statements;
a correction's old value is left out ("my name is Alicia not Alice" → "The user's name is
Alicia."), and a clause that says what is not (or no longer) so states nothing. The
capture uses this when the small model's structured extraction finds no checked fact in a
statement (``capture.py``)."""

from __future__ import annotations

import re

# A word by which the writer speaks of themselves (or of "we": a household, a couple).
_FIRST_PERSON = re.compile(
    r"(?<![\w'])(?:i|i'm|im|i've|i'd|my|me|mine|myself|we|we're|we've|our|ours|us|call me)"
    r"(?![\w'])",
    re.IGNORECASE,
)


# A statement that leaves out its "I", as chat messages do: "Just bought a house in
# Dundee!!", "Been working at Kaiser for 3 years", "Allergic to penicillin, btw".
_DROPPED_I = re.compile(
    r"^(?:(?:just|recently|finally|also|newly)\s+)?"
    r"(?:(?P<been>been|spent)|(?P<am>based in|allergic to|married|divorced|engaged|pregnant|"
    r"retired|vegan|vegetarian|lactose intolerant|originally from|living in|working (?:as|at|for)|"
    r"learning|studying|training for|getting (?:really |properly |big )?into|turning(?= \d)|"
    r"(?:flying|heading|going|off) to(?= (?-i:[A-Z])))"
    r"|(?P<do>work (?:as|at|for|in)|live in|grew up (?:in|on|near|outside|by)\b)"
    r"|(?P<did>bought|moved|started|finished|adopted|joined|sold|graduated|switched|became|"
    r"began|booked|landed|passed|completed|won|turned|welcomed|signed up|took up|picked up|"
    r"relocated|traded|swapped|"
    r"got (?!(?:a question|a minute|it|that|this|any|some|you|to)\b)))\b",
    re.IGNORECASE,
)
# A habit with its "I" left out, said of the user's own things: "Always wear number 23 on
# my hockey jersey" (not advice: "Always check your tyres").
_HABIT_WITHOUT_I = re.compile(
    r"^(?:always|usually|normally) (?!(?:be|remember|make|check|use|try|keep|ask)\b)[a-z]+ "
    r"(?=.*\b(?:my|our)\b)",
    re.IGNORECASE,
)
# The same with "my" left out: "favorite band is Khruangbin".
_DROPPED_MY = re.compile(
    r"^(?:(?:favou?rite|fave|fav|all-time favou?rite) [\w' -]{1,30}? "
    r"(?:is|are|has (?:always )?been|have (?:always )?been)\b|name(?:'?s| is) [A-Z])",
    re.I,
)
# "Lifelong Feyenoord supporter here", "Huge Chennai Super Kings fan": whom the user backs.
_FAN_HERE = re.compile(
    r"^(?:(?:[Hh]uge|[Bb]ig|[Mm]assive|[Ll]ifelong|[Dd]ie-hard|[Pp]roud|[Ll]oyal) )*"
    r"(?!(?:Huge|Big|Massive|Lifelong|Die-hard|Proud|Loyal|Such|What|A|An|The|I|We|My|Our)\b)"
    r"([A-Z][\w'&. -]{1,40}?) (fan|supporter)(?: here)?(?=$|,| *[^\w\s,.'&-])"
)
# "Software engineer at Shopify here", "Nurse from Leeds here": who the writer is.
_ROLE_HERE = re.compile(
    r"^(?:(?:just|a|an|your|another|fellow)\s+)?([A-Za-z][\w'-]*(?: [a-z][\w'-]*){0,3}) "
    r"((?:at|from|for|in) [A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,3}) here$"
)
# "my wife Ingrid", "our dog Biscuit": a named relative or pet, in any sentence, a question
# included ("can you suggest a gift for my wife Ingrid?").
_NAMED_RELATION = re.compile(
    r"\b(?:[Mm]y|[Oo]ur) (wife|husband|partner|boyfriend|girlfriend|fiancée?|son|daughter|"
    r"kid|child|baby|brother|sister|mum|mom|mother|dad|father|grandma|grandmother|grandpa|"
    r"grandfather|aunt|uncle|cousin|niece|nephew|friend|best friend|boss|manager|supervisor|"
    r"colleague|coworker|co-worker|roommate|flatmate|housemate|neighbou?r|teacher|coach|"
    r"mentor|landlord|landlady|stepson|stepdaughter|grandson|granddaughter|twin|"
    r"dog|cat|puppy|kitten|parrot|rabbit|hamster|horse|pony|tortoise|turtle|snake) "
    r"([A-Z][a-zà-ÿ'-]+)\b(?! [A-Z])"
)
# "the water in my axolotl's tank is cloudy", "why is my monstera drooping?": a pet or a
# plant the user keeps, named only in passing (in a question too).
PETS = (
    r"dog|cat|puppy|kitten|parrot|budgie|cockatiel|canary|rabbit|bunny|hamster|gerbil|"
    r"guinea pig|chinchilla|ferret|hedgehog|horse|pony|tortoise|turtle|snake|gecko|lizard|"
    r"iguana|bearded dragon|axolotl|goldfish|betta|tarantula|chickens|bees"
)
PLANTS = (
    r"monstera|orchid|bonsai|fern|cactus|succulents?|pothos|fiddle[- ]leaf fig|peace lily|"
    r"snake plant"
)
_PET_OR_PLANT = f"{PETS}|{PLANTS}|sourdough starter"
_KEPT_IN_PASSING = re.compile(
    rf"\b[Mm]y ({_PET_OR_PLANT})\b(?!(?: [A-Z]| \w+ \w+ (?:died|passed))|'s? (?:vet|name)\b)"
    r"(?! (?:died|passed away|was put down|ran away|is gone)\b)"
)
# "Write a poem about my cat.": a made-up text is asked for, nothing told.
_MADE_UP = re.compile(
    r"^\W*(?:(?:please|can you|could you|would you)\s+)*"
    r"(?:write|compose|draw|create|generate|imagine|pretend|make up|invent|describe)\b",
    re.IGNORECASE,
)
# "a poem in the style of my favourite band, Khruangbin": a favourite named in passing.
_NAMED_FAVOURITE = re.compile(
    r"\b[Mm]y (?:all-time |absolute |personal )?(?:favou?rite|fave|fav) "
    r"([a-z]+(?: (?!(?:and|or|but|is|was)\b)[a-z]+)?),? (?!I\b)"
    r"((?:the )?[A-Z][\w'-]+(?: (?:[A-Z][\w'-]+|of|the|and|&))*(?<! of)(?<! the)(?<! and))"
)
# "Nothing with sesame please, I'm allergic.": what the bare "allergic" is to.
BARE_ALLERGY = "The user is allergic."
_ALLERGIC_TO_IT = re.compile(
    r"\b(?:nothing with|no|without|avoid|hold the)\s+([a-z][\w-]+(?: (?!please\b)[a-z][\w-]+)?)"
    r"(?: please)?\s*[,.;—–-]+\s*(?:as |because |since |cause )?(?:I'm|I am|im) allergic\b",
    re.IGNORECASE,
)
# "With three kids under ten, how do I …": how many the user has, said before a question.
_WITH_HOW_MANY = re.compile(
    r"^(?:with|having) (a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}) "
    r"((?:\w+ )?(?:kids|children|sons|daughters|boys|girls|grandkids|grandchildren|siblings|"
    r"brothers|sisters|dogs|cats|pets|jobs|roommates|flatmates|kid|child|son|daughter|dog|cat|"
    r"baby|toddler|teenager|teens))\b",
    re.IGNORECASE,
)
# "Any advice for beginners in bouldering? I just started …": what the user took up.
_BEGINNER_AT = re.compile(
    r"\b(?:a |as a )?beginners? (?:in|at|to|doing) ((?:[a-z][\w-]+)(?: [a-z][\w-]+)?)\b",
    re.IGNORECASE,
)
_JUST_STARTED = re.compile(
    r"\bI(?:'ve| have)? (?:just |only |recently )*(?:started|began|took up|taken up|picked up)\b"
)
# "a service schedule for my Volvo XC60", "my MacBook Pro": a named thing the user has, in
# any sentence, a request included (a brand and a model: one capitalised word alone may be
# a language, "my English").
_NAMED_THING_OWNED = re.compile(
    r"\b[Mm]y ((?:[A-Z][\w-]*|[a-z]+[A-Z][\w-]*)(?: [A-Z0-9][\w-]*)+)"
    r"(?=\s*(?:[,.!?;:]|$)|\s(?:and|to|for|with|which|that|but|so|because|is|it's)\b)"
)
# "My sister and I were born in Lagos": "we" (a named relative is read apart).
_SOMEONE_AND_I = re.compile(
    r"\b(?:[Mm]y|[Oo]ur)(?: (?!(?:is|are|was|were|has|have|had|am|name's|names?|at|in|on|for|to|"
    r"from|with|by)\b)[a-z][\w'-]*){1,2}(?: [A-Z][\w'-]*)? and (?:I|me)\b(?!['’]| (?:am|was)\b)"
)
# "I sold the Corolla and bought a Kia EV6": a second verb whose "I" is left out.
_AND_THEN_DID = re.compile(
    r"\b(?<=\w) and (?:then )?(?=(?:bought|got|joined|started|moved|switched|adopted|"
    r"picked up|took up|replaced|opened|launched|founded|set up|became)\b)"
    r"| and (?=(?:now )?(?:work|live|study|teach|drive|have|take|play|do|go|use|eat|drink|"
    r"need|want)\b)",
    re.IGNORECASE,
)
_NAME_IS = re.compile(r"\bname's (?=[A-Z])")
# "cant", "dont": the apostrophe left out.
_NO_APOSTROPHE = re.compile(r"\b(can|don|doesn|didn|isn|won|wasn)(t)\b", re.IGNORECASE)


def with_subject(clause: str) -> str:
    """A statement whose "I" (or "my") was left out, with it ("Just bought a house" → "I
    just bought a house", "favorite band is Khruangbin" → "my favorite band is …"), its
    "cant"/"dont" spelt out; any other clause as it is."""
    clause = _NO_APOSTROPHE.sub(r"\1'\2", clause)
    clause = _NAME_IS.sub("name is ", clause)  # "my name's Tomasz"
    dropped = _DROPPED_I.match(clause)
    if _DROPPED_MY.match(clause):
        subject = "my"
    elif _HABIT_WITHOUT_I.match(clause):  # "Always wear number 23 on my jersey"
        subject = "I"
    elif dropped is None:
        return clause
    else:
        subject = "I've" if dropped.group("been") else "I'm" if dropped.group("am") else "I"
        if dropped.group("do") and dropped.start("do") != 0:
            return clause  # "just work at" is not a statement form
    return f"{subject} {clause[0].lower()}{clause[1:]}"


def states_about_writer(text: str) -> bool:
    """Whether the text speaks in the first person anywhere, or states something with its
    "I" (or "my") left out ("favorite band is Khruangbin", "Lifelong Feyenoord supporter
    here")."""
    if _FIRST_PERSON.search(text) is not None:
        return True
    return any(
        _DROPPED_I.match(_LEAD_IN.sub("", stated.strip()))
        for sentence in _SENTENCE.split(" ".join(text.split()))
        if (stated := _before_the_question(sentence) if sentence.endswith("?") else sentence)
    ) or bool(statements(text))


# Sentences: a full stop after a single capital ("Ursula K. Le Guin") ends none.
_SENTENCE = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\bMrs\.)(?<!\b(?:Mr|Ms|Dr|St)\.)\s+")
# Words before the statement that are not part of it.
_LEAD_IN = re.compile(
    r"^(?:(?:hi|hello|hey|ok|okay|oh|so|well|also|btw|by the way|fyi|just so you know|"
    r"for the record|note that|please note that|please remember(?: that)?|remember that|"
    r"(?:please )?keep in mind(?: that)?|just to let you know(?: that)?|"
    r"remember this(?: please)?|and|but|quick note|some context|for context|ugh|hmm|"
    r"update(?=\s*:)|scratch that|[a-z]+-wise|please(?= call me)|"
    r"good news|guess what|wait|(?:it )?turns out(?: that)?|(?:i )?(?:just )?found out(?: that)?|"
    r"don'?t forget(?: that)?|actually|correction|sorry|oops|no|yes|in fact|"
    r"to be precise|to clarify|(?:i )?meant(?= (?:i|i'm|my|we|we're|our)\b))\b[\s,:;!.—–-]*)+",
    re.IGNORECASE,
)
_FIRST_PERSON_START = re.compile(
    r"^(?:i|i'm|i am|i've|i was|my|our|we|we're|we've|call me)\b"
    r"|^[\w' -]{1,30}? (?:is|are) (?:\w+ly )?(?:my|our)\b",
    re.IGNORECASE,
)
# First-person openings that ask, wish, wonder or refer to the conversation: no fact.
_NOT_A_STATEMENT = re.compile(
    r"^(?:i|i'?d|i would|i'?m|i am|i was|we|we'?d|we'?re|we were)\s+(?:\w+\s+)?"
    r"(?:want|wanted|need|like to know|"
    r"would like|wonder|wondering|curious|looking for|trying to|forgot|think|guess|hope|"
    r"wish|mean|meant|told you|said|mentioned|asked|typed|wrote|got (?:that|it)|"
    r"spelled|spelt|misspelled|misspelt|mistyped|mixed (?:them|it|that|those|these) up|"
    r"don'?t know|not sure|have a question|can'?t|cannot|could|should|might|may|"
    r"will|'ll|shall|going to(?! (?-i:[A-Z]))|gonna|planning to ask)\b"
    r"|^(?:i'?d|i would) (?:like|love|want)\b"
    r"|^my (?:question|request|message|last message|previous message)\b"
    r"|^(?:my|our) [\w' -]{1,30}? (?:asked|wants to know|wondered|was wondering)\b"
    r"|^(?:i|my)\b.*\b(?:by mistake|got (?:that|it) wrong|typed (?:that|it) wrong)\b",
    re.IGNORECASE,
)
# A time or place before the statement: "Last year, I ...", "Since 2019 I ...".
_SETTING = re.compile(
    r"^((?:last|this|next|since|in|at|on|from|after|before|during|every|these days|"
    r"nowadays|recently|currently|today|for|most|each|twice|once)\b[\w' -]{0,30}?),?\s+"
    r"(?=(?:i|i'm|i've|we|we're|we've)\b)",
    re.IGNORECASE,
)
# "As a beekeeper, I worry …", "Being a night-bus driver, I sleep …": what the user is.
# "As a paramedic I work 12-hour shifts" with no comma: the role ends before "I".
_AS_A_THEN_I = re.compile(r"^((?:as|being) an? [\w' -]{2,40}?) (?=(?:I|we)\b)", re.IGNORECASE)
_AS_A = re.compile(
    r"^(?:as|being) (an? (?!(?:reminder|result|rule|matter|side note|whole|treat|favou?r|joke|"
    r"test|bonus|kid|child|teen|teenager|boy|girl|baby|precaution|general rule|start|first)\b)"
    r"[\w' -]{2,40}?)$",
    re.IGNORECASE,
)
# "It's Priyanka, not Priya" before the subject: "She's my manager.", "- my father's name".
_SUBJECT_AFTER = re.compile(
    r"^(?:(?:she|he|they|that|this)(?:'s| is| are|'re) )?(?:my|our) "
    r"((?:(?!(?:is|are|was|were|has|have|had)\b)[\w'-]+ ?){1,2}?(?:'s name| name)?)$",
    re.IGNORECASE,
)
# "Kestrel, not Falcon": a name alone before the old value, its subject after them.
_NAME_ALONE = re.compile(
    r"^(?!(?:It|That|This|There|Thanks|Hi|Hello)\b)[A-Z][\w-]+(?: [A-Z][\w-]+){0,2}$"
)
# "… - that's what my cat's called": the subject of a name said before.
_WHAT_IS_CALLED = re.compile(
    r"^(?:that|this)(?:'s| is) what (?:my|our) ([\w' -]{2,30}?)(?:'s| is) called$", re.IGNORECASE
)
# "It's Kowalczyk - you had my surname down as Kowalchik.": the subject after the value.
_YOU_HAD_MY = re.compile(
    r"^you(?:'ve)? (?:had|have|got|wrote|put|spelled|spelt|typed|saved|noted) (?:my|our) "
    r"([\w'-]+(?: name)?) (?:down |written )?(?:as|wrong)\b",
    re.IGNORECASE,
)
# "The car I drive is a Mazda 3", "the school I teach at is Riverside": what the user does.
_THE_THING_I_DO = re.compile(
    r"^the (?:\w+ ){0,2}?\w+ (?P<does>(?:i|we) "
    r"(?!(?:am|was|were|is|are|'m|ask|asked|mean|meant|want|need|think|said|say|wonder)\b)"
    r"[\w']+(?: (?:at|in|for|with|on|to|from))?) (?:is|are) "
    r"(?P<value>(?!(?:that|because|how|why|when|what|if|whether|to)\b).+)$",
    re.IGNORECASE,
)
# What the user does at a place: "… where I live", "… where we work".
_DOES_AT = r"live|work|grew up|was born|study"
# "Berlin is where I live now": the place of what the user does.
_IS_WHERE_I = re.compile(
    rf"^(?!(?:That|This|It|Here|There)\b)([A-Z][\w' -]{{1,30}}?) is where (?:[Ii]|[Ww]e) "
    rf"({_DOES_AT})\b"
)
# "Actually it's Hyderabad, not Pune - that's where I live": the place of a value said before.
_THAT_IS_WHERE_I = re.compile(
    rf"^(?:(?:that|this|which)(?:'s| is) )?where ((?:i|we) (?:{_DOES_AT})"
    r"|(?:i'm|we're|i am|we are) (?:based|living)"
    r"|(?:my|our) [\w' -]{2,30}? (?:lives?|works?|grew up|was born|studies|study))\b",
    re.IGNORECASE,
)
# "I meant to type Chiamaka earlier": a value said before its subject ("that's my sister's
# name"), as "It's Priyanka, not Priya." is.
_MEANT_VALUE = re.compile(
    r"^(?i:i meant)(?: to (?i:type|write|say|put))? ([A-Z][\w'-]*(?: [A-Z][\w'-]*){0,2})"
    r"(?: (?i:earlier|before|there))?$"
)
# "it's amoxicillin I react to", "it's Pune we live in": the value before what the user does.
# "it's VALUE(, not OLD)": the start of a cleft correction.
_IT_IS_VALUE = (
    r"^it'?s (?:actually )?(?P<value>[\w'-]+(?: [\w'-]+){0,3}?)"
    r"(?:,? not [\w'-]+(?: [\w'-]+){0,2}?)?"
)
_CLEFT = re.compile(
    _IT_IS_VALUE + r" (?:that )?"
    r"(?P<rest>(?:i|i'm|we|we're) [\w' ]*?\b(?:to|in|at|for|with|from|of|on|about|by))"
    r"(?: (?:lol|haha|btw|though))?$",
    re.IGNORECASE,
)
# "its Ferrol not Vigo where i work": the place of what the user does.
_CLEFT_WHERE = re.compile(
    _IT_IS_VALUE + " where "
    rf"(?P<rest>(?:i|we) (?:{_DOES_AT}|studied)|(?:i'm|we're|i am|we are) (?:based|living))"
    r"(?: (?:now|these days|lol|haha|btw|though))?$",
    re.IGNORECASE,
)
# "Earlier I said I work at Norrland Bank, (but it's Norrland Insurance)": what the user
# does, whose value follows in an "it's …" part.
_SAID_I_DO = re.compile(
    r"^(?:earlier,? )?(?:i think )?i (?:told you|said|mentioned|wrote)(?: that)? "
    r"(?P<clause>(?:i|i'm|we|we're) [\w' ]*?\b(?:at|in|for|as|to|from|on|with)) [\w'.& -]+$",
    re.IGNORECASE,
)
# "Scratch what I said about my flight": the subject whose new value follows.
_SAID_ABOUT = re.compile(
    r"^(?:scratch|ignore|disregard|about) what i (?:said|told you|wrote|mentioned) about "
    r"(?:my|our) ([\w' -]{2,30}?)(?: being [\w' -]+)?$",
    re.IGNORECASE,
)
# "Sara was a typo": a value the message says was wrong, never a fact.
_WAS_WRONG = re.compile(
    r"^[\w' -]{1,30}? (?:was|is) (?:a typo|a mistake|wrong|misspelt|misspelled)$", re.IGNORECASE
)
# "knitting is how i unwind after work": the way the user does something.
_IS_HOW_I = re.compile(r"^([\w' -]{2,30}?) is how (?:i|we) (.+)$", re.IGNORECASE)
# "…, but everyone calls me Barty.": the name the user goes by.
_CALLS_ME = re.compile(
    r"^(?i:everyone|everybody|people|most people|my friends|friends|they|folks) "
    r"(?i:call|calls) me ([A-Z][\w'-]+)$"
)
# "Adjoa here": the writer names themselves (not "New here", "Same here").
_NAME_HERE = re.compile(
    r"^(?!(?i:new|same|still|back|stuck|nobody|someone|everyone|anyone|this|that|it|me|"
    r"help|hi|hey|hello|nothing|right|over|out|up|in|not|just|all|one)\b)([A-Z][\w'-]+) here$"
)
# "Change my email to X" / "Update my city to X": a structured correction.
_SET_MY = re.compile(
    r"^(?:please\s+)?(?:change|update|set|switch)\s+my\s+([\w' -]{2,30}?)\s+to\s+(.+)$",
    re.IGNORECASE,
)
# "Replace my old address: ..." names the subject of what follows.
_META_SUBJECT = re.compile(
    r"^(?:please\s+)?(?:replace|update|change|correct|fix)\s+my\s+(?:old\s+)?([\w' -]{2,30})$",
    re.IGNORECASE,
)
# What makes a clause state what is not so: a negated verb, or "no longer".
_NEGATED_CLAUSE = re.compile(
    r"^(?:i|i'm|i am|i was|i've|we|we're|we are|we were|we've)\s+"
    r"(?:(?:really|actually|just|still|also|now)\s+)?"
    r"(?:not|no longer|never(?! miss)|don'?t|didn'?t|haven'?t|won'?t|can'?t|stopped|quit)\b"
    r"|^(?:my|our)(?: [\w']+){1,3}? (?:is|are|was|were|has|have|does|do) (?:not|no longer|never)\b"
    r"|^(?:my|our)(?: [\w']+){1,3}? (?:isn'?t|aren'?t|wasn'?t|weren'?t|hasn'?t|doesn'?t|don'?t)\b",
    re.IGNORECASE,
)
# An old value after the new one: "Thomas, not Tom", "Vancouver instead of Toronto".
_OLD_VALUE_TAIL = re.compile(
    r"\s*,?\s*(?:and\s+|but\s+)?(?:not|instead of|rather than|no longer|formerly)"
    r"(?:\s+[\w'.-]+){1,5}$",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"\s*\b(?:actually|now|anymore|any more|please|though|btw|by the way|instead(?! of))\b",
    re.IGNORECASE,
)
_CLAUSE_SPLIT = re.compile(
    r"\s*(?:;|(?<!\d),|,(?!\d)|:(?!\d))\s*|\s+[-–—]+\s+"
    r"|\s+(?:and|but|so)\s+(?:now\s+|then\s+)?(?=(?:i|i'm|i've|my|our|we)\b)"
    r"|\s+(?:and|so)\s+(?=(?:can|could|would|will) you\b|please\b)",  # "…, so can you …"
    re.I,
)
_BARE_CHANGE = re.compile(
    r"i (?:moved|switched|changed|left|returned|relocated|updated|mean|did|was wrong)", re.I
)
# "I don't eat pork", "I can't drink milk", "We never drive": a standing habit, diet or
# ability said in the negative is a fact of its own (not a correction: no "anymore").
_STANDING_NEGATION = re.compile(
    r"^(?:i|we)\s+(?:(?:really|just|also|usually|generally|honestly)\s+)?"
    r"(?:don'?t|do not|never|can'?t|cannot|can not)\s+"
    r"(?:eat|drink|smoke|drive|own|speak|tolerate|stand|digest|handle|consume|use|like|"
    r"celebrate|learned to|learnt to|have)\s+"
    r"(?!(?:it|that|this|these|those|them|you|your|how|what|when|the way|much|to)\b)[\w'-]",
    re.IGNORECASE,
)
# The old value of a change told with "from … to": "I moved from Denver to Austin".
_FROM_OLD = re.compile(
    r"\b((?:moved|switched|changed|relocated|transferred|upgraded|went|converted)"
    r"(?: (?!from\b)[\w']+){0,3}?) from .+? to\b",  # "changed my major from X to Y"
    re.IGNORECASE,
)
# "traded my Golf for a Model 3", "replaced our old Honda with a Subaru": got the new one.
_TRADED_FOR = re.compile(
    r"\b(?:traded|swapped|exchanged|replaced)(?: in)? (?:my|our|the|their) .+? (?:for|with)\b",
    re.IGNORECASE,
)
# "my dentist appointment": a thing named, no verb saying anything of it.
_BARE_THING = re.compile(
    r"^(?:my|our)(?: (?!(?:is|are|was|were|has|have|had|do|does|did)\b)[\w-]+(?<!'s)(?<!s)"
    r"(?<!ed)){1,3}$|^(?:my|our) [\w-]+$",
    re.IGNORECASE,
)
_NO_LONGER = re.compile(r"\b(?:anymore|any more|no longer|these days|now)\b", re.IGNORECASE)
# "My name is not Sam, it's Sid": the subject a negated clause names, and the "it's …" after it.
_NEGATED_SUBJECT = re.compile(
    r"^(?:my|our) ([\w' -]{2,30}?) (?:is not|isn'?t|was not|wasn'?t|is no longer)\b", re.I
)
# "I told you my dog was called Rex. It's Max.": a subject said before, whose value follows.
_SAID_SUBJECT = re.compile(
    r"^(?:i think )?i (?:told you|said|mentioned|wrote)(?: that)? (?:my|our) "
    r"([\w' -]{2,30}?) (?:is|was|are|were)(?: (called|named))?\b",
    re.I,
)
# "My favourite author changed: it's …": the subject whose new value follows.
_CHANGED_SUBJECT = re.compile(
    r"^(?:my|our) ([\w' -]{2,30}?) (?:has |have )?"
    r"(?:changed|is different now|was wrong|went up|went down|increased|decreased|moved)$",
    re.I,
)
_ITS_VALUE = re.compile(
    r"^(?:it'?s|it is|that'?s|that is|it should be|should be)\s+(?:spelt\s+|spelled\s+)?(.+)$",
    re.I,
)
_NEGATION_TAIL = re.compile(r"^(?:not|instead of|rather than|no longer)\b", re.IGNORECASE)
# A part that is a request or a remark of its own, never the rest of the part before.
_OWN_PART = re.compile(
    r"^(?:(?:but|and|so) )?(?:please|can you|could you|would you|update|change|correct|fix|"
    r"replace|remember|"
    r"note|sorry|thanks|thank you|you|that|it|this|need help|help|any tips|looking for|"
    r"nice to meet|pleased to meet|good to meet|hope|how are|lol|haha|cheers)\b"
    r"|^[A-Z][\w'-]+ (?:left|quit|moved|retired|died|passed away)\b"  # "Olusegun left"
    r"|^so\b",  # "…, so any car advice should be about that": a consequence of its own
    re.IGNORECASE,
)

# First person → the user the first time, then "they" (whose verb is the first person's).
_PRONOUNS = [
    (r"i'm|i am|we're|we are", "the user is", "they are"),
    (r"we've", "the user has", "they have"),
    (r"we were", "the user was", "they were"),
    (r"we", "the user", "they"),
    (r"i've", "the user has", "they have"),
    (r"i was", "the user was", "they were"),
    (r"i'd", "the user would", "they would"),
    (r"i'll", "the user will", "they will"),
    (r"i", "the user", "they"),
    (r"myself", "themselves", "themselves"),
    (r"mine", "the user's", "theirs"),
    (r"my|our", "the user's", "their"),
    (r"me|us", "the user", "them"),
]
_PRONOUN_RE = re.compile(
    r"(?<![\w'])(" + "|".join(row[0] for row in _PRONOUNS) + r")(?![\w'])", re.IGNORECASE
)
_ADVERBS = re.compile(
    r"(?:"
    r"also|really|usually|still|just|often|always|mostly|currently|recently|sometimes|"
    r"already|even|only|mainly|never"
    r")",
    re.IGNORECASE,
)
# "finally", "recently": an -ly word before the verb (not "fly", "apply", "reply", "rely").
_LY_ADVERB = re.compile(r"(?!(?:ap|re|sup|multi|com|im)ply$)[a-z]{3,}ly", re.IGNORECASE)
# Verb forms that stay as they are after "the user" (modals, past tenses).
_UNCHANGED = re.compile(
    r"(?:"
    r"can|cannot|could|will|would|shall|should|may|might|must|was|had|did|grew|went|got|made|"
    r"met|took|became|began|bought|left|lost|won|wrote|drove|spent|saw|ran|came|gave|"
    r"found|kept|knew|taught|thought|brought|built|chose|fell|felt|heard|held|led|"
    r"meant|paid|put|read|said|sold|sent|set|sat|slept|spoke|stood|swam|told|"
    r"understood|wore|broke|ate|drank|flew|forgot|hid|hurt|quit|rode|rang|rose|shook|"
    r"shot|shut|sang|stole|threw|tore|woke|cut|hit|let|cost|used"
    r")",
    re.IGNORECASE,
)
_IRREGULAR = {
    "have": "has",
    "do": "does",
    "don't": "doesn't",
    "dont": "doesn't",
    "am": "is",
    "are": "is",  # "My partner Jun and I are planning …": the "I are" part
    "were": "was",
    "go": "goes",
}

# The subject of a fact sentence (first match): one name for a correction to supersede by.
_SUBJECT_RULES = [
    (re.compile(r"^the user's name is\b"), "name"),
    (
        re.compile(
            r"^the user (?:\w+ )?(?:lives|is living|moved) (?:on|at) (?:\d+\w? )?[\w' -]+? "
            r"(?:street|st|lane|road|rd|avenue|ave|drive|way|close|crescent|boulevard|blvd|"
            r"terrace|place|court|square|row|gardens)\b"
        ),
        "street",
    ),
    (
        re.compile(
            r"^the user (?:\w+ )?(?:lives|is living|is based|resides|moved to|relocated to)\b"
            # not the flat or house ("lives in flat 12B"): a city beside it stays
            r"(?! (?:(?:in|on|at|into) )?(?:a|an|flat|apartment|apt|unit|room|house|"
            r"houseboat|studio|dorm|floor|number)\b"
            r"(?!.*\b(?:in|outside|near) (?!(?:a|an|the)\b)\w))"
        ),
        "city",
    ),
    # Where the user works and what as are two facts ("works at Novo Nordisk" beside
    # "works as a radiographer"); "My employer is …" and "I work at …" replace each other.
    (re.compile(r"^the user (?:\w+ )?(?:works at|works for|is employed)\b"), "employer"),
    (re.compile(r"^the user (?:\w+ )?works as\b"), "job"),
    (re.compile(r"^the user is an? [\w -]{2,40}? (?:at|for) "), "job"),
    (re.compile(r"^the user is \d+(?: years old)?$"), "age"),
    (re.compile(r"^the user was born\b"), "birth"),
    (re.compile(r"^the user (?:\w+ )?drives\b"), "vehicle"),
    (re.compile(r"^the user goes by\b"), "nickname"),
]
_NAMED = re.compile(r"^The user is [A-Z][\w-]+$")  # "I'm Kenji"
_POSSESSED = re.compile(
    r"^the user's ([\w' -]{2,40}?) (?:is|are|was|were|has|have|just|turned|is turning)\b"
)
_CALLED = re.compile(r"^the user's ([\w' -]{2,40}?) (?:is|are) (?:called|named)\b")
_VERB = re.compile(rf"^the user (?:(?:{_ADVERBS.pattern}|\w+ly) )*(\w+)\b")
_NOT_VERB = re.compile(r"^the user (?:doesn't|does not|can't|cannot|can not|never) (\w+)\b")


_NOT_A_ROLE = {"hello", "hi", "hey", "greetings", "nobody", "everyone", "someone", "me"}


def _third_person_verb(verb: str) -> str:
    low = verb.casefold()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if _UNCHANGED.fullmatch(low) or low.endswith("ed") or not low.isalpha():
        return verb
    if re.search(r"(?:s|sh|ch|x|z|o)$", low):
        return verb + "es"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + "s"


def told_about_user(clause: str) -> str:
    """A first-person clause told about the user: "I now drive my red Volvo" → "The user
    now drives the user's red Volvo"."""
    words = clause.split()
    # "I [adverb] verb": the verb agrees with "the user".
    if words and words[0].casefold() in ("i", "we") and len(words) > 1:
        at = 1
        while at < len(words) - 1 and (
            _ADVERBS.fullmatch(words[at]) or _LY_ADVERB.fullmatch(words[at])
        ):
            at += 1
        words[at] = _third_person_verb(words[at])
        clause = " ".join(words)

    seen = []

    def swap(match: re.Match) -> str:
        word = " ".join(match.group(1).casefold().split())
        row = next(row for row in _PRONOUNS if re.fullmatch(row[0], word))
        seen.append(word)
        return row[1] if len(seen) == 1 else row[2]

    told = _PRONOUN_RE.sub(swap, clause.replace("’", "'"))
    told = re.sub(r"\bthe user is is\b", "the user is", told)
    return told[:1].upper() + told[1:]


def fact_subject(sentence: str) -> str | None:
    """What a fact sentence is about ("The user lives in Lyon." → "city"; "The user's
    wife is called Sofia." → "wife's name"; "The user's city: Lyon" → "city"), or, for a
    plain "The user <verb> ...", "does:<verb>"; None when it cannot be told."""
    text = " ".join(sentence.split()).rstrip(" .")
    labelled = re.match(r"^The user's ([^:]{1,40}):(?!\d)", text)
    if labelled:
        return labelled.group(1).casefold()
    if _NAMED.match(text):
        return "name"
    low = text.casefold()
    for pattern, name in _SUBJECT_RULES:
        if pattern.search(low):
            return name
    called = _CALLED.match(low)
    if called:
        return f"{called.group(1)}'s name".replace("'s name's name", "'s name")
    possessed = _POSSESSED.match(low)
    if possessed:
        return possessed.group(1)
    not_verb = _NOT_VERB.match(low)  # "The user doesn't eat pork." → "does:not eat"
    if not_verb:
        return f"does:not {not_verb.group(1)}"
    verb = _VERB.match(low)
    if verb and verb.group(1) not in {"is", "has", "was", "would", "will"}:
        return f"does:{verb.group(1)}"
    return None


# A part that starts with what the writer did, its "I" left out ("sold the Civic").
_DID_WITHOUT_I = re.compile(
    r"^(?i:just |finally )?(?i:sold|bought|left|ditched|quit|gave up|got rid of|moved|switched|"
    r"joined|adopted|started|traded)(?= (?:the|my|our|a|an|[A-Z])\b)",
)


def _clauses(sentence: str) -> list[str]:
    """The parts of a sentence; a part that does not speak in the first person (", Emma
    and Lucy") belongs to the one before, unless it names an old value ("not Tom")."""
    out: list[str] = []
    for part in _CLAUSE_SPLIT.split(sentence):
        part = part.strip(" .!")
        if not part:
            continue
        if out and _DID_WITHOUT_I.match(part):  # "…; sold the Civic.": the writer did
            part = f"I {part}"
        own = _NEGATION_TAIL.match(part) or _OWN_PART.match(part) or _WAS_WRONG.match(part)
        if (
            out
            and not own
            and not re.search(
                r"\b(?:i|i'm|i've|my|our|me|we|we're|we've|us)\b", part, re.IGNORECASE
            )
        ):
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return out


# "moved me to the Singapore office, so I'm based there now": the place "there" names.
_PLACE_NAMED = re.compile(
    r"\b(?:to|in|at) ((?:the )?[A-Z][\w'-]+(?: [A-Z][\w'-]+)*"
    r"(?: office| branch| campus| site| area)?)"
)
_THERE = re.compile(
    r"\b((?:based|live|living|lives|work|working|works|study|studying|stay|staying|settled)"
    r"(?: [\w']+)?) there\b",
    re.IGNORECASE,
)


def _there_named(sentence: str) -> str:
    """``sentence`` with "there", after a verb of where one is, named by the place said
    before it in the sentence."""
    there = _THERE.search(sentence)
    places = there and list(_PLACE_NAMED.finditer(sentence, 0, there.start()))
    if not places:
        return sentence
    place = places[-1].group(1)
    return f"{sentence[: there.start()]}{there.group(1)} in {place}{sentence[there.end() :]}"


# "Any podcasts like Hardcore History? its my favourite podcast": "it" is the name said
# before, in an earlier sentence of the message.
_MY_FAVOURITE = (
    r"(?:\w+ly )?(?:my|our) (?:all-time |ultimate |absolute |personal )?"
    r"(?:favou?rite|fave|comfort|dream|go-to)\b"
)
_IT_IS_MY_FAVOURITE = re.compile(
    rf"^(?:it'?s|it is|they'?re|they are|that'?s|that is)(?: (?:always |forever )?been)?"
    rf"(?= {_MY_FAVOURITE})",
    re.IGNORECASE,
)
# "Ethiopian food is hands down my favourite cuisine": words that only stress it.
_BEFORE_MY_FAVOURITE = re.compile(
    r"\b(?:hands down|by far|easily|without a doubt|definitely|absolutely|truly|probably) "
    r"(?=(?:my|our) (?:all-time |absolute |ultimate )?(?:favou?rite|fave|fav)\b)",
    re.IGNORECASE,
)
# "Nothing beats a bowl of pho, it's my all-time favourite meal.": the sentence is the fact.
_FAVOURITE_AFTER = re.compile(
    r"^(?P<said>.*\w.*),\s+(?:(?:honestly|and|so|because|cause|coz) )?"
    r"(?P<it>it'?s|it is|they'?re|they are|that'?s|that is) "
    rf"(?P<mine>{_MY_FAVOURITE}.*)$",
    re.IGNORECASE,
)
_NAME_SAID = re.compile(r"(?<![.!?] )(?<!^)\b((?-i:[A-Z])[\w'-]+(?: (?-i:[A-Z])[\w'-]+)*)")


_ASKED_ABOUT = re.compile(
    r"\b(?:with|for|of|about|like|make|making|cook|cooking|bake|baking|order|serve|pair)\s+"
    r"(?:an? |the |some )?([a-z][\w'-]+(?: [a-z][\w'-]+)?)\s*\?+$",
    re.IGNORECASE,
)


def _it_named(sentence: str, said_before: str) -> str:
    """``sentence`` with a leading "it's my favourite …" told of the last name said before."""
    told = _LEAD_IN.sub("", sentence)
    it = _IT_IS_MY_FAVOURITE.match(told)
    names = it and [n for n in _NAME_SAID.findall(said_before.strip()) if n not in ("I", "I'm")]
    if it and not names:  # "what wine goes with khachapuri? it's my favourite food"
        asked = _ASKED_ABOUT.search(said_before.strip())
        names = [asked.group(1)] if asked else []
    if not names:
        return sentence
    return f"{names[-1]} is{told[it.end() :]}"


def _we(match: re.Match) -> str:
    """ "my wife and I" → "we"; not after "is" ("Radiohead is my favourite band and I …")."""
    if re.search(r"\b(?:is|are|was|were)(?: \w+ly)? $", match.string[: match.start()]):
        return match.group(0)
    return "we"


def _and_who(match: re.Match) -> str:
    """ " and I " where the part before an ``_AND_THEN_DID`` match speaks as "I" ("… - I sold
    it and now take the tram"), " and we " as "we"; else the words as they were."""
    part = re.split(r"[,;:]|\s[-–—]+\s", match.string[: match.start()])[-1]
    who = re.match(r"(i|we)\b", _LEAD_IN.sub("", part.strip()), re.IGNORECASE)
    return f" and {who.group(1)} " if who else match.group(0)


# "im", "ive" typed without the apostrophe.
_BARE_IM = re.compile(r"\b[Ii](m|ve)\b")
# "my daughter's name is Zoe — sorry, autocorrect, it's Zoya": the writer corrects a value
# as they write; the old value is never read.
_CORRECTING = re.compile(
    r"\s*(?:[,;:—–]|\s-|\.)\s*(?:"
    r"(?:sorry|oops|whoops)(?:[\s,!]+(?:autocorrect|typo|my bad|lol))*[\s,!:]+"
    r"(?:it'?s|it is|actually|i mean|i meant)"
    r"|(?:no wait|wait|i mean|i meant)(?:[\s,!:]+(?:it'?s|it is|actually))?)[\s,!:]+",
    re.IGNORECASE,
)
_CORRECTED_VALUE = re.compile(
    r"(?-i:[A-Z0-9])[\w'’-]*(?: [\w'’-]+){0,3}?(?=\s*(?:[.,!?;—–]|$)|\s+(?:and|but|so|i)\b)",
    re.IGNORECASE,
)
_NOT_A_VALUE_WORD = re.compile(
    r"(?i)(?:is|am|are|was|were|i'm|im|it's|called|named|to|in|at|on|from|my|our|the|a|an|"
    r"me|of|for|by|be)"
)


def _self_corrected(message: str) -> str:
    """The message with each value the writer corrected as they wrote replaced by the
    correction: "I'm 175cm — sorry, actually 178 cm" → "I'm 178 cm"."""
    for found in reversed(list(_CORRECTING.finditer(message))):
        new = _CORRECTED_VALUE.match(message, found.end())
        if new is None:
            continue
        words = list(re.finditer(r"\S+", message[: found.start()]))
        kept = 0  # the old value: as many words back as the new one has, not past a verb
        while (
            kept < len(new.group().split())
            and kept < len(words)
            and not _NOT_A_VALUE_WORD.fullmatch(words[-1 - kept].group())
        ):
            kept += 1
        if kept:
            start = words[-kept].start()
            message = message[:start] + new.group() + message[new.end() :]
    return message


# "Dr. Okafor is my GP": a title's full stop ends no sentence (British style: "Dr Okafor").
_TITLE = re.compile(r"\b(Dr|Mr|Mrs|Ms|Mx|Prof|St)\.(?= [A-Z])")


def statements(message: str) -> list[tuple[str | None, str]]:
    """(subject, sentence about the user) for each first-person statement in the message."""
    titles = set(_TITLE.findall(message))  # given their full stop back in the facts
    message = _TITLE.sub(r"\1", _BARE_IM.sub(r"I'\1", _self_corrected(message)))
    found: list[tuple[str | None, str]] = []
    # A subject still waiting for its value at a sentence's end waits in the next one:
    # "My name isn't Sam. It's Sid."
    waiting: str | None = None
    unnamed: str | None = None  # "It's Priyanka, not Priya." waits for "She's my manager."
    said_clause: str | None = None  # "I said I work at X" waits for "but it's Y"
    said_before = ""
    for sentence in _SENTENCE.split(" ".join(message.split())):
        sentence, said_before = _it_named(sentence, said_before), sentence
        if sentence.rstrip().endswith("?"):
            # "My son Rawiri loves dinosaurs, can you suggest a cake?": the statement
            # before the question is one; a question about oneself states nothing.
            sentence = _before_the_question(sentence)
        else:  # "i'm allergic to sesame so what can i use instead" (no question mark)
            unmarked = _UNMARKED_QUESTION.search(sentence)
            if unmarked and unmarked.start() > 0:
                sentence = sentence[: unmarked.start()].strip(" ,;:") + "."
        if not sentence.strip():
            continue
        sentence = _BEFORE_MY_FAVOURITE.sub("", sentence)  # "is hands down my favourite"
        favourite = _FAVOURITE_AFTER.match(_LEAD_IN.sub("", sentence.strip()).rstrip(" .!"))
        if favourite:  # "Nothing beats pho, it's my favourite meal": told as said
            mine = re.sub(r"(?i)\b(?:my|our)\b", "the user's", favourite.group("mine"), count=1)
            said = told_about_user(favourite.group("said"))
            found.append((None, f"{said}, {favourite.group('it')} {mine}."))
            continue
        hinted: str | None = None  # "Correct my phone number: …"
        said_not, waiting = waiting, None  # "My name is not Sam, …"
        sentence = _AS_A_THEN_I.sub(r"\1, ", sentence.strip())  # "As a nurse I work …"
        sentence = _SOMEONE_AND_I.sub(_we, sentence)
        sentence = _there_named(_AND_THEN_DID.sub(_and_who, sentence))
        parts = _clauses(_LEAD_IN.sub("", sentence))
        for at, clause in enumerate(parts):
            clause = _LEAD_IN.sub("", clause).strip(" .!")
            if (
                at == 0
                and _NAME_ALONE.match(clause)
                and _NEGATION_TAIL.match(parts[1:2][0] if parts[1:] else "")
            ):
                unnamed = clause  # "Kestrel, not Falcon - that's what my cat's called."
                continue
            # "It's for my daughter Wilhelmina, she turns six.": told of the daughter.
            owned = _statement(_told_of_owned(clause))
            if owned is not None:
                found.append((hinted or fact_subject(owned), owned))
                continue
            cleft = _CLEFT.match(clause)
            cleft_where = _CLEFT_WHERE.match(clause)
            if cleft or cleft_where:  # "it's amoxicillin I react to" → "I react to …"
                rest = cleft.group("rest") if cleft else f"{cleft_where.group('rest')} in"
                value = (cleft or cleft_where).group("value")
                fact = _statement(f"{rest} {value}")
                if fact is not None:
                    found.append((hinted or fact_subject(fact), fact))
                    continue
            said_do = _SAID_I_DO.match(clause)
            if said_do:  # "I said I work at X": the "it's …" after it says where
                said_clause = said_do.group("clause")
                continue
            said_about = _SAID_ABOUT.match(clause)
            if said_about:  # "Scratch what I said about my flight - it's …"
                said_not = waiting = said_about.group(1).strip().casefold()
                continue
            meant = _MEANT_VALUE.match(clause)
            if meant and said_clause:  # "I said I live in Graz but I meant Linz"
                fact = _statement(f"{said_clause} {meant.group(1)}")
                if fact is not None:
                    found.append((fact_subject(fact), fact))
                said_clause = None
                continue
            if meant:  # "I meant to type Chiamaka earlier" - the subject may follow
                unnamed = meant.group(1)
                continue
            where = _THAT_IS_WHERE_I.match(clause) if unnamed else None
            if where:  # "… - that's where I live", "… that's where my sister lives"
                fact = _statement(f"{where.group(1)} in {unnamed}")
                if fact is not None:
                    found.append((fact_subject(fact), fact))
                unnamed = None
                continue
            called = _WHAT_IS_CALLED.match(clause) if unnamed else None
            if called:  # "… - that's what my cat's called"
                about = called.group(1).strip().casefold()
                found.append((f"{about}'s name", f"The user's {about} is called {unnamed}."))
                unnamed = None
                continue
            named = (_SUBJECT_AFTER.match(clause) or _YOU_HAD_MY.match(clause)) if unnamed else None
            if named:  # "… - my father's name", "She's my manager.", "that's my sister's name"
                about = named.group(1).strip().casefold()
                found.append((about, f"The user's {about} is {unnamed}."))
                unnamed = None
                continue
            its = _ITS_VALUE.match(clause)
            value = its and _OLD_VALUE_TAIL.sub("", _FILLER.sub("", its.group(1))).strip(" ,.!")
            if its and said_clause and value:  # "I said I work at X, but it's Y"
                fact = _statement(f"{said_clause} {value}")
                if fact is not None:
                    found.append((fact_subject(fact), fact))
                said_clause = None
                continue
            if its and (hinted or said_not):  # "…: it's 555-0199 now", "…, it's Sid"
                about = hinted or said_not
                if value:
                    verb = "has" if value.startswith("been ") else "is"  # "it's been moved …"
                    found.append((about, f"The user's {about} {verb} {value}."))
                waiting = None
                continue
            if its:  # "It's Priyanka, not Priya." - the subject may follow
                unnamed = value if value and re.search(r"[A-Z0-9]", value) else None
                continue
            role = _AS_A.match(clause)
            if role:  # "As a beekeeper, I worry …"
                found.append((None, f"The user is {role.group(1)}."))
                continue
            negated = _NEGATED_SUBJECT.match(clause) or _CHANGED_SUBJECT.match(clause)
            if negated:  # what follows may say what is so
                said_not = waiting = negated.group(1).casefold()
                continue
            said = _SAID_SUBJECT.match(clause)
            if said:  # "I said my dog was called Rex": the value that is so follows
                named = " name" if said.group(2) else ""
                said_not = waiting = f"{said.group(1).casefold()}'s{named}".removesuffix("'s")
                continue
            setting = _SET_MY.match(clause)
            if setting:
                about, value = setting.group(1).strip(), setting.group(2).strip(" .!")
                value = _OLD_VALUE_TAIL.sub("", value).strip()
                if value:
                    found.append((about.casefold(), f"The user's {about} is {value}."))
                continue
            meta = _META_SUBJECT.match(clause)
            if meta:
                hinted = waiting = meta.group(1).casefold()
                continue
            fact = _statement(clause)
            if fact is not None:
                found.append((hinted or fact_subject(fact), fact))
                waiting = None
    for relation, name in _NAMED_RELATION.findall(" ".join(message.split())):
        if not any(re.search(rf"\b{re.escape(name)}\b", fact) for _, fact in found):
            found.append((f"{relation}'s name", f"The user's {relation} is called {name}."))
    for thing in _NAMED_THING_OWNED.findall(" ".join(message.split())):
        if not any(thing in fact for _, fact in found):
            article = "an" if thing[0] in "AEIOU" else "a"
            found.append((None, f"The user has {article} {thing}."))
    plain = " ".join(message.split())
    allergen = _ALLERGIC_TO_IT.search(plain)
    if allergen:  # "Nothing with sesame please, I'm allergic." → allergic to sesame
        found = [
            (about, f"The user is allergic to {allergen.group(1)}." if f == BARE_ALLERGY else f)
            for about, f in found
        ]
    for favourite, name in _NAMED_FAVOURITE.findall(plain):
        if not any(name in fact for _, fact in found):
            found.append((f"favourite {favourite}", f"The user's favourite {favourite} is {name}."))
    how_many = _WITH_HOW_MANY.match(_LEAD_IN.sub("", plain))
    if how_many and not found:
        found.append((None, f"The user has {how_many.group(1)} {how_many.group(2)}."))
    began = _BEGINNER_AT.search(plain)
    if began and _JUST_STARTED.search(plain) and not any(began[1] in f for _, f in found):
        found.append((None, f"The user recently started {began.group(1)}."))
    kept_in_passing = [
        kept
        for sentence in _SENTENCE.split(" ".join(message.split()))
        if not (_MADE_UP.match(sentence) or _FORGET_PART.search(sentence))
        for kept in _KEPT_IN_PASSING.findall(sentence)
    ]
    for kept in kept_in_passing:
        if not any(re.search(rf"(?i)\b{kept}", fact) for _, fact in found):
            article = "" if kept.endswith("s") else "an " if kept[0] in "aeiou" else "a "
            found.append((None, f"The user has {article}{kept}."))
    if titles:
        titled = re.compile(rf"\b({'|'.join(titles)}) (?=[A-Z])")
        found = [(about, titled.sub(r"\1. ", fact)) for about, fact in found]
    return list({fact.casefold(): (about, fact) for about, fact in found}.values())


# A label before what it introduces: "Scratch that:", "Change of plans:".
_LABEL = re.compile(r"^[\w' ]{1,25}:\s+")
# A thing of the writer's named with "the" ("the vet appointment", "the kids").
_THE_THING = re.compile(r"^the (?!(?:user|same|other|best|first|last|next|one)\b)", re.IGNORECASE)


# A sentence no form above reads, kept as told about the user only when it plainly says
# something of them: not a request, a wish, a hypothetical, a maybe, or a sentence saying
# what is not, or no longer, so (a correction's old value must never be stored).
_NOT_PLAINLY_TOLD = re.compile(
    r"\b(?:if|would|i'd|we'd|wish|hope|want|wanna|might|maybe|perhaps|should|could|can|will|"
    r"someday|one day|dream|love to|like to|"
    r"not|no longer|never|anymore|any more|used to|told you|said|mentioned|earlier|before|"
    r"instead|actually|correction|wrong|meant|remind|forget|remember|recall)\b|n't\b",
    re.IGNORECASE,
)
_REQUEST_START = re.compile(
    r"^(?:please|pls|kindly|help|tell|give|show|write|make|find|suggest|recommend|explain|"
    r"plan|list|let|let's|lets|thanks|thank|ty|cheers|send|book|check|search|look|get|"
    r"create|draft|describe|compare|translate|summari[sz]e|calculate|convert|note)\b",
    re.IGNORECASE,
)


def unread_sentences(message: str) -> list[str]:
    """The sentences of a message that speak of the writer but that ``statements`` reads
    nothing from, told about the user ("takes me like 50 min on the ferry every morning" →
    "Takes the user like 50 min on the ferry every morning."). Kept only for a message the
    decision step calls a fact to remember (``capture.py``)."""
    told = []
    for sentence in _SENTENCE.split(" ".join(message.split())):
        body = _LEAD_IN.sub("", sentence.strip()).strip(" .!")
        if (
            len(body.split()) < 3
            or sentence.rstrip().endswith("?")
            or not _FIRST_PERSON.search(body)
            or _NOT_PLAINLY_TOLD.search(body)
            or _REQUEST_START.match(body)
            or statements(body)
        ):
            continue
        told.append(told_about_user(body).rstrip(" .!") + ".")
    return told


# A value said instead of another, with no subject: "Actually it's Lisbon, not Madrid.",
# "I meant Thursday, not Tuesday", "Lisbon, not Madrid!".
_INSTEAD_OF = re.compile(
    r"^(?:(?:it'?s|it is|that'?s|that is|it should be|should be|it was|i meant|i mean)\s+)?"
    r"(?P<new>[\w][\w'.-]*(?: [\w][\w'.-]*){0,3}?)\s*,?\s+"
    r"(?:not|instead of|rather than)\s+(?P<old>[\w][\w'.-]*(?: [\w][\w'.-]*){0,3}?)$",
    re.IGNORECASE,
)


# "Zara, Sara was a typo", "Sara was a typo - it's Zara": the same with the old value named
# as the mistake.
_WAS_A_TYPO = [
    re.compile(
        r"^(?P<new>[\w][\w'.-]*(?: [\w][\w'.-]*){0,3}?)\s*(?:,|;|:|\s[-–—])\s*"
        r"(?P<old>[\w][\w'.-]*(?: [\w][\w'.-]*){0,3}?) (?:was|is) "
        r"(?:a typo|a mistake|wrong|misspelt|misspelled)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?P<old>[\w][\w'.-]*(?: [\w][\w'.-]*){0,3}?) (?:was|is) "
        r"(?:a typo|a mistake|wrong|misspelt|misspelled)\s*(?:,|;|:|\s[-–—])\s*"
        r"(?:it'?s |it is |it should be |should be )?(?P<new>[\w][\w'.-]*(?: [\w][\w'.-]*){0,3}?)$",
        re.IGNORECASE,
    ),
]
_NOT_A_VALUE = {
    *("i", "me", "my", "our", "we", "you", "your", "it", "its", "that", "this"),
    *("what", "which", "who", "is", "are", "was", "were", "am", "be", "'s"),
    *("the", "a", "an", "everything", "all", "one", "thing", "part"),
}


def replaced_value(message: str) -> tuple[str, str] | None:
    """(new value, old value) of a one-sentence correction that names no subject ("Actually
    it's Lisbon, not Madrid." → ("Lisbon", "Madrid")), or None. What it corrects is found
    among the stored facts (``UserFacts.replace_value``)."""
    sentences = [s for s in _SENTENCE.split(" ".join(message.split())) if s.strip(" .!")]
    if len(sentences) != 1:
        return None
    body = _LEAD_IN.sub("", sentences[0].strip()).strip(" .!")
    match = next((m for pattern in (_INSTEAD_OF, *_WAS_A_TYPO) if (m := pattern.match(body))), None)
    if match is None:
        return None
    new, old = match.group("new").strip(" ,.'"), match.group("old").strip(" ,.'")
    words = new.casefold().replace("'", " '").split()
    old_words = old.casefold().replace("'", " '").split()
    if new.casefold() == old.casefold() or _NOT_A_VALUE.intersection(words + old_words):
        return None  # "That's not right.", "My cat is Luna, not Lola." (read with its subject)
    return new, old


def owned_statements(message: str) -> list[tuple[str | None, str]]:
    """What a message says of things named with "the", read as the writer's own ("Scratch
    that: the vet appointment is on Wednesday." → "The user's vet appointment is on
    Wednesday."). Only for a message the decision step calls a fact to remember or
    correct: "the" alone does not tell whose the thing is."""
    owned = []
    for sentence in _SENTENCE.split(" ".join(message.split())):
        body = _LABEL.sub("", _LEAD_IN.sub("", sentence.strip()))
        if _THE_THING.match(body):
            owned.append(_THE_THING.sub("my ", body))
    return statements(" ".join(owned)) if owned else []


# "… for my wife, she's really into pottery": what "she" is told of is the user's wife.
_OWNED_THEN_PRONOUN = re.compile(
    r"\b(?P<own>(?:[Mm]y|[Oo]ur) [a-z][\w'-]*(?: [a-z][\w'-]*)?(?: [A-Z][\w'-]+)?)"
    r"\s*,\s*(?:she|he|they)(?P<verb>'s|'re| is| are| has| have)?"
    r"(?P<rest> (?!(?:will|would|might|could|should|may|can|won't|wouldn't|said|says)\b).+)$"
)


def _told_of_owned(clause: str) -> str:
    """The clause's last part told of what its pronoun stands for ("It's for my daughter
    Wilhelmina, she turns six." → "my daughter Wilhelmina turns six"), or "" (no statement)."""
    match = _OWNED_THEN_PRONOUN.search(clause)
    if match is None:
        return ""
    verb = {"'s": " is", "'re": " are"}.get(match.group("verb") or "", match.group("verb") or "")
    return f"{match.group('own')}{verb}{match.group('rest')}"


# The part of a sentence that asks: "can you …", "any tips", "what should I …", "is that …".
_ASKING_PART = re.compile(
    r"(?:^|[,;:]\s*|\s+[-–—]+\s+|\s+[^\w\s,.;:'\"()?!-]+\s+|\s+(?:so|and|but)\s+)"
    r"(?=(?:so\s+|and\s+|but\s+)?(?:can|could|would|will|"
    r"should|shall|do|does|did|is|are|was|were|am|any|what|which|who|where|when|why|how|"
    r"whats|hows|wheres|whos|got any|"
    r"please|recommend|suggest|tell|help|give|any|ideas|thoughts|suggestions|advice|tips)\b|"
    # ", budget ideas?", ", gift suggestions?"
    r"(?:[\w-]+\s+){1,2}(?:ideas|tips|thoughts|suggestions|advice|recommendations)\W*$)",
    re.IGNORECASE,
)


# A question asked without its question mark, after a statement: "…, whats a good app",
# "… so what can i use instead of tahini".
_UNMARKED_QUESTION = re.compile(
    r"(?:[,;:]\s*|\s+[-–—]+\s+|\s+(?:so|and|but)\s+)"
    r"(?=(?:what|whats|what's|how|hows|how's|why|"  # not "which", "where": relative
    r"can you|could you|would you|can i|should i|any (?:tips|ideas|advice|suggestions))\b"
    r"(?! (?:a|an)\b(?! good\b)))",
    re.IGNORECASE,
)


def _before_the_question(sentence: str) -> str:
    """The statement before a question in the same sentence, or nothing: it must begin the
    sentence and end before the asking part."""
    match = _ASKING_PART.search(sentence)
    if match is None or match.start() == 0:
        return ""
    return sentence[: match.start()].strip(" ,;:") + "."


def _statement(clause: str) -> str | None:
    role = _ROLE_HERE.match(clause)
    if role and role.group(1).split()[0].casefold() not in _NOT_A_ROLE:
        article = "an" if role.group(1)[0] in "AEIOUaeiou" else "a"
        return (
            f"The user is {article} {role.group(1)[0].lower()}{role.group(1)[1:]} {role.group(2)}."
        )
    calls_me = _CALLS_ME.match(clause)
    if calls_me:  # "everyone calls me Barty"
        return f"The user goes by {calls_me.group(1)}."
    name_here = _NAME_HERE.match(clause)
    if name_here:  # "hey, Adjoa here — can you help …"
        return f"The user's name is {name_here.group(1)}."
    fan = _FAN_HERE.match(clause)
    if fan:
        article = "an" if fan.group(1)[0] in "AEIOU" else "a"
        return f"The user is {article} {fan.group(1)} {fan.group(2)}."
    thing = _THE_THING_I_DO.match(clause)
    if thing:  # "The car I drive is a Mazda 3" → "The user drives a Mazda 3."
        return _statement(f"{thing.group('does')} {thing.group('value')}")
    where = _IS_WHERE_I.match(clause)
    if where:  # "Berlin is where I live now" → "The user lives in Berlin."
        return _statement(f"I {where.group(2)} in {where.group(1)}")
    how = _IS_HOW_I.match(clause)
    if how:  # "knitting is how I unwind" → "The user unwinds by knitting."
        told, way = _statement(f"I {how.group(2)}"), how.group(1)
        if way.split()[0].endswith("ing"):  # "Cycling is how …": not a name
            way = way[0].lower() + way[1:]
        return told and f"{told.rstrip('.')} by {way}."
    setting = _SETTING.match(clause)
    if setting:  # "Last year I moved to Spain" → "Last year the user moved to Spain."
        told = _statement(clause[setting.end() :])
        if told is None:
            return None
        return told_about_user(f"{setting.group(1)} {told[0].lower()}{told[1:]}")
    if _BARE_THING.match(clause):
        return None
    clause = with_subject(clause)
    if not _FIRST_PERSON_START.match(clause):
        return None
    standing = _STANDING_NEGATION.match(clause) and not _NO_LONGER.search(clause)
    if not standing and (_NOT_A_STATEMENT.match(clause) or _NEGATED_CLAUSE.match(clause)):
        return None
    if not standing:  # "I do not eat pork": the "not" is the statement's own
        clause = _OLD_VALUE_TAIL.sub("", clause)
    clause = " ".join(_FILLER.sub("", clause).split()).strip(" ,.!")
    clause = _FROM_OLD.sub(r"\1 to", clause)  # "moved from Denver to Austin": to Austin
    clause = _TRADED_FOR.sub("got", clause)
    if len(clause.split()) < 2 or _BARE_CHANGE.fullmatch(clause):
        return None  # "I moved": nothing to remember without where
    if re.match(r"(?i)call me\s+", clause):
        return f"The user's name is {clause.split(maxsplit=2)[2]}."
    return told_about_user(clause) + "."


# A part of a message that asks to forget something ("so forget what I said about Perth").
# Not "drop-off", "drop by", "drop in" (the school run, a visit).
_FORGET_PART = re.compile(
    r"\b(?:forget|delete|remove|erase|wipe|drop(?![- ](?:off|by|in|out|round|over)\b))\b",
    re.IGNORECASE,
)
# … that asks to forget the message itself ("I live in Lyon, please forget that."): nothing.
_FORGET_THIS = re.compile(
    r"\b(?:forget|delete|remove|erase|wipe|drop)\s+(?:about\s+)?(?:that|it|this|all (?:of )?"
    r"(?:that|this|it)|everything|what i (?:just )?(?:said|told you|wrote|typed))"
    r"(?: (?:please|too|as well|again|now))?\W*$",
    re.IGNORECASE,
)


def statements_beside_forgetting(message: str) -> list[tuple[str | None, str]]:
    """The statements of a message that also asks to forget something, read from its
    parts that do not ("We've relocated to Melbourne, so forget what I said about Perth."
    → the move): what the user asks to forget is never one of them, and a message asking
    to forget what it says ("I live in Lyon, please forget that.") states nothing."""
    split = r"\s*(?:[,;:]|\s[-–—]+)\s*|\s+(?:so|but)\s+"
    sentences = [re.split(split, s) for s in _SENTENCE.split(" ".join(message.split()))]
    if any(_FORGET_THIS.search(part) for parts in sentences for part in parts):
        return []
    kept = [  # each sentence without its parts that ask to forget
        ", ".join(p.strip(" .!") for p in parts if p.strip(" .!?") and not _FORGET_PART.search(p))
        for parts in sentences
    ]
    text = ". ".join(sentence for sentence in kept if sentence)
    return statements(text) if text else []


# What the user left behind ("I left Deloitte", "I ditched the iPhone", "I moved away from
# Wrocław"): in a correction, the old value, never a fact of its own.
# "The user (just) …", "Last year the user …": the start of a fact of what the user did.
_THE_USER_DID = r"^(?:[\w ]+ )?the user (?:(?:just|finally|recently|also) )?"
_LEFT_BEHIND = re.compile(
    _THE_USER_DID + r"(?:left|ditched|dropped|sold|"
    r"(?:has )?(?:gone|went) off|used to|quit (?:their |the )?(?:job|role|position)|"
    r"moved (?:away )?(?:from|out of)|got rid of|traded in|swapped out)\b",
    re.IGNORECASE,
)


# … and what the user gave up, an old value only beside what took its place ("I gave up on
# the ukulele and take mandolin lessons"): "I quit smoking" alone is the fact.
_GAVE_UP = re.compile(
    _THE_USER_DID + r"(?:gave up|has given up|quit|stopped)\b",
    re.IGNORECASE,
)


def left_behind(fact: str, *, replaced: bool = False) -> bool:
    """Whether ``fact`` says what the user left behind; ``replaced``: beside what took its
    place, where giving something up is leaving it behind too."""
    return _LEFT_BEHIND.match(fact) is not None or (replaced and _GAVE_UP.match(fact) is not None)
