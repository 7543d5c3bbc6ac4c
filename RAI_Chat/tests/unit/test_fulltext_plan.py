"""The full-text candidate plan (``services.memory.fulltext.plan``): every match ranked
while the matches are few; above that the rarest terms choose the candidates and the
others re-rank them; words that go together are counted, not estimated."""

from RAI_Chat.backend.services.memory.fulltext import (
    CANDIDATE_BUDGET,
    EXACT_BELOW,
    Plan,
    owner_token,
    plan,
)


def test_few_matches_are_all_ranked_and_absent_terms_are_left_out():
    small = EXACT_BELOW // 3
    assert plan({"kite": small, "hill": small, "zzz": 0}, 10**5) == Plan(
        "exact", ["kite", "hill"], []
    )
    assert plan({"kite": small}, 10**5) == Plan("exact", ["kite"], [])
    assert plan({"kite": 10**4}, 10**5) == Plan("all", ["kite"], [])  # one common word
    assert plan({"zzz": 0}, 10**5) == Plan("exact", [], [])


def test_the_rarest_terms_that_fit_the_budget_choose_and_the_others_re_rank():
    frequencies = {"common": 60_000, "adoption": 40, "agency": 300, "caroline": 9_000}
    assert plan(frequencies, 100_000) == Plan("any", ["adoption", "agency"], ["caroline", "common"])


def test_when_every_term_is_common_the_rarest_together_choose():
    frequencies = {"sister": 8_700, "garden": 14_700, "fence": 6_500}
    chosen = plan(frequencies, 100_000)
    assert chosen == Plan("all", ["fence", "sister"], ["garden"])  # about 570 together


def test_words_that_go_together_are_counted_and_a_term_added():
    frequencies = {"car": 6_500, "insurance": 6_500, "plumber": 8_700}
    together = {("car", "insurance"): 6_500, ("car", "insurance", "plumber"): 530}
    counted = []

    def count(terms):
        counted.append(tuple(terms))
        return min(together[tuple(terms)], CANDIDATE_BUDGET + 1)

    chosen = plan(frequencies, 100_000, count)
    assert chosen == Plan("all", ["car", "insurance", "plumber"], [])
    assert counted == [("car", "insurance")]  # no term is left to add after the third
    # Without a count, PostgreSQL's slack asks for the third term at once.
    assert plan(frequencies, 100_000, slack=8.0).select == ["car", "insurance", "plumber"]


def test_the_owner_token_is_one_word_the_stemmer_leaves_alone():
    token = owner_token("259149D1-a805-41ef-949d-270a90b0d4ee")
    assert token == "u259149d1a80541ef949d270a90b0d4ee0"
    assert token.isalnum() and token[-1].isdigit()
