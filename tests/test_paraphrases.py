"""Questions that word the detail otherwise than the article does, found by the
twenty-second session's helpers (a blind held-out writer who paraphrased every question,
a new user), answered end to end (real model, real Chroma in a temp dir)."""

from __future__ import annotations

import pytest

from qa.constraints import asked_attribute, attribute_met
from qa.extractive import scorable_spans
from qa.text import PLACE, span_strength
from tests.conftest import ask, index_of_texts

ARTICLES = {
    "budget.txt": (
        "Dunmere council raises tax and closes two libraries\n\n"
        "DUNMERE, 4 March - Dunmere District Council has approved a budget for 2025/26 "
        "that raises council tax by 4.99 per cent and cuts £3.1 million from services, "
        "after a meeting that ran for four hours.\n\n"
        "Councillor Rhea Malik, cabinet member for finance, said the authority faced a "
        "funding gap of £8.2 million over two years, driven by the rising cost of adult "
        "social care.\n\n"
        "She said reserves would be used to cover £1.9 million of the shortfall, leaving "
        "general reserves at £6.4 million.\n"
    ),
    "mayor.txt": (
        "Independent Carla Wynn elected mayor of Tallow Vale\n\n"
        "Independent candidate Carla Wynn has been elected the first mayor of Tallow Vale, "
        "winning 41.3 per cent of first-preference votes.\n\n"
        "The mayor will control about £900 million of funding over 30 years under the "
        "devolution deal.\n\n"
        "She will be paid £79,000 a year, a figure set by an independent panel.\n"
    ),
    "airport.txt": (
        "Hollin Airport to add six routes\n\n"
        "Hollin Airport will add six summer routes, it said on Monday, as passenger numbers "
        "climbed to 2.1 million last year.\n\n"
        "Under its planning agreement, the airport is limited to 450 night movements a "
        "year between 11pm and 6am.\n\n"
        "Cleaners at the airport will be paid £12.60 an hour from April.\n"
    ),
    # a new user's: a distance in light-years, a duration in words, both refused
    "planet.txt": (
        "Astronomers find signs of an ocean world\n\n"
        "Astronomers have found signs of a deep ocean on LHS 1140 b, an exoplanet 48 "
        "light-years from Earth, using the James Webb Space Telescope.\n"
    ),
    "recall.txt": (
        "Volta recalls 40,000 cars over brake fault\n\n"
        "Volta Motors is recalling 40,000 cars in Europe over a brake fault. Owners can "
        "have the brakes fixed free at a dealer, in a repair that takes about an hour.\n"
    ),
    # a new user's: the date line under the headline was quoted for a follow-up
    "cup.txt": (
        "Rovers beat United 3-1 to lift the County Cup\n"
        "May 18, 2025\n\n"
        "Ashford Rovers won the County Cup for the first time in 22 years, beating "
        "Kingsley United 3-1 in the final at Victoria Park on Saturday.\n\n"
        "A crowd of 9,400 watched the match. Rovers manager Gemma Hart, who took over in "
        "January, said the win was for every fan who stuck with the club.\n"
    ),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory, embeddings, counter, window):
    return index_of_texts(tmp_path_factory, "paraphrases", ARTICLES, embeddings, counter, window)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "salary" is met by "paid", a "yearly cap" by "limited to", an "hourly rate" by
        # "an hour"
        ("What salary will Carla Wynn receive as mayor of Tallow Vale?", "£79,000 a year"),
        ("What is the yearly cap on night flights at Hollin Airport?", "450 night movements"),
        ("What hourly rate will cleaners at Hollin Airport get?", "£12.60 an hour"),
        ("How far is LHS 1140 b from Earth?", "48 light-years"),
        ("How long does the Volta brake repair take?", "about an hour"),
    ],
)
def test_the_detail_worded_otherwise_is_quoted(index, question, expected):
    got = ask(index, question, sentence_vectors="lazy")
    assert not got.abstained and expected in got.text, got.text


def test_the_lead_is_quoted_when_it_holds_the_answer(index):
    got = ask(index, "By how much has Dunmere raised council tax?", sentence_vectors="lazy")
    assert "4.99 per cent" in got.text, got.text


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("What salary will she receive?", "She will be paid £79,000 a year."),
        ("What is the yearly cap on flights?", "It is limited to 450 flights a year."),
        ("What hourly rate will they get?", "They will get £12.60 an hour."),
    ],
)
def test_attribute_synonyms(question, sentence):
    attribute = asked_attribute(question)
    assert attribute is not None and attribute_met(attribute, sentence)
    assert not attribute_met(attribute, "The mayor will control £900 million of funding.")


def test_a_possessive_is_a_weak_place():
    question = "Which cities are part of the pilot?"
    assert span_strength("China’s", PLACE, question) < span_strength("Beijing", PLACE, question)


def test_the_chat_example_about_cities_quotes_the_cities(bundled_settings):
    # a new user's: the chat's own example quoted "This forms part of China's ... efforts"
    got = ask(bundled_settings, "Which cities are part of the pilot?")
    assert "Beijing, Shanghai, Hainan, and Shenzhen" in got.text, got.text


def test_a_date_alone_on_its_line_is_no_sentence():
    text = "Rovers win the Cup\nMay 18, 2025\n\nRovers won on 18 May 2025 at home.\n2025-05-18\n"
    assert [text[a:b] for a, b in scorable_spans(text)] == [
        "Rovers win the Cup",
        "Rovers won on 18 May 2025 at home.",
    ]


def test_a_follow_up_after_the_answer_the_chat_passes(index):
    first = ask(index, "Who is the Rovers manager?", sentence_vectors="lazy")
    assert "Gemma Hart" in first.text
    for history in (["Who is the Rovers manager?"], [("Who is the Rovers manager?", first.text)]):
        got = ask(index, "When did she take over?", history, sentence_vectors="lazy")
        assert not got.abstained and "January" in got.text, (history, got.text)


def test_likeness_to_the_headline_is_read_for_headlines_only(index):
    from app import build_chain_for
    from qa.chain import to_retrieved

    chain = build_chain_for(index)
    question = "How much will Dunmere council take from its savings to close the gap?"
    scored = chain.answerer.score_sentences(
        question, to_retrieved(chain.retriever.invoke(question))
    )
    likeness = {sc.text[:20]: sc.features["headline_similarity"] for sc in scored}
    assert likeness["DUNMERE, 4 March - D"] > likeness["She said reserves wo"] + 0.3


def test_a_title_taken_from_the_first_sentence_is_no_headline(bundled_settings):
    # the bundled article has no title line: its lead would be penalised for being itself
    from app import build_chain_for
    from qa.chain import to_retrieved

    chain = build_chain_for(bundled_settings)
    question = "Which cities are part of the pilot?"
    scored = chain.answerer.score_sentences(
        question, to_retrieved(chain.retriever.invoke(question))
    )
    assert scored and all(sc.features["headline_similarity"] == 0.0 for sc in scored)
