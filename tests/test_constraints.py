"""Question constraints (qa.constraints): the pure parts, and their effect on answers and
abstention over real Chroma, the real keyword index and the packaged embedding model."""

from __future__ import annotations

import pytest

from newsdesk.settings import Settings
from qa.constraints import (
    conflicts,
    missing,
    number_terms,
    other_model,
    question_constraints,
    rival_name,
    rival_owner,
    rival_place,
)
from qa.text import DATE, PERSON, span_strength, typed_candidates
from tests.conftest import ask, index_of_texts

# Two editions of one cup, and two releases of one game: near misses for each other.
ARTICLES = {
    "cup-2023.txt": (
        "Harbour City win the Marlow Cup\n\nPublished: 2023-05-20\n\n"
        "Harbour City won the Marlow Cup on Saturday, beating Ridgeway 2-0 in the final at "
        "the National Stadium. Captain Tomas Greer scored both goals."
    ),
    "cup-2024.txt": (
        "Fenwick Rovers lift the Marlow Cup\n\nPublished: 2024-05-25\n\n"
        "Fenwick Rovers won the 2024 Marlow Cup, beating Harbour City 3-1 in the final in "
        "front of 41,000 spectators. Coach Ana Ruiz called it the best day of her career."
    ),
    "game-releases.txt": (
        "Studio Pell ships its sequel\n\nPublished: 2022-03-01\n\n"
        "Skyforge 1 was released in 2015 for home consoles and sold two million copies. "
        "Skyforge 2 was released on March 1, 2022, after a year of delays."
    ),
}


@pytest.fixture(scope="module")
def settings(tmp_path_factory, embeddings, counter, window) -> Settings:
    return index_of_texts(tmp_path_factory, "constraints", ARTICLES, embeddings, counter, window)


def test_question_constraints():
    c = question_constraints("Who won the 2023 Coastal Cup at Kelby Zoo in the fourth quarter?")
    assert c.years == {"2023"} and c.numbers == {"4"}
    assert {"coastal", "cup"} in [set(n) for n in c.names]
    assert any(n >= {"kelbi", "zoo"} for n in c.names)
    # the first word and months are not names; "Q2" is a number, not a name
    c = question_constraints("What was Tesla's revenue in Q2 of December 2020?")
    assert c.years == {"2020"} and c.numbers == {"2"} and [set(n) for n in c.names] == [{"tesla"}]
    assert not question_constraints("how many people live there?")
    assert number_terms("the eleventh season, Q3 and 4th place") == {"11", "3", "4"}


def test_missing_and_conflicts():
    c = question_constraints("Who won the 2023 Coastal Cup?")
    assert missing(c, "Fenwick Rovers won the Coastal Cup.", "2024-05-25") == ["year 2023"]
    assert missing(c, "Fenwick Rovers won the Coastal Cup.", "2023-05-25") == []
    assert missing(c, "Fenwick Rovers won the 2023 final.", None) == ["name coastal cup"]
    assert conflicts(c, "Harbour City won the cup in 2024.")
    assert not conflicts(c, "Harbour City won the cup in 2023, not in 2024.")
    # a year given for comparison holds that year's figure (heldout-22, blind); without
    # the question's year, it holds none
    c = question_constraints("How many passengers did the airline carry in 2024?")
    assert not conflicts(c, "It carried 2.6 million in 2025, up from 2.1 million in 2024.")
    assert conflicts(c, "It carried 2.6 million in 2025, up from 2.1 million in 2023.")
    assert not conflicts(c, "It carried 2.6 million, up from 2.1 million in 2023.")
    # a product's model number is no year: "CosyHeat 2000"
    c = question_constraints("Who is the chief executive of the firm recalling the CosyHeat 2000?")
    assert not c.years
    assert question_constraints("Who won Euro 2024?").years == {"2024"}
    assert conflicts(question_constraints("When was Splatoon 2 released?"), "Splatoon 1 sold well.")
    assert not conflicts(question_constraints("When was Splatoon 2 released?"), "Splatoon 2 sold.")


def test_span_strength():
    q = "When was Skyforge 2 released?"
    assert span_strength("March 1, 2022", DATE, q) == 1.0
    assert span_strength("March 2022", DATE, q) == 0.75
    assert span_strength("2022", DATE, q) == 0.5
    assert span_strength("2022", DATE, "In what year was Skyforge 2 released?") == 1.0
    # a candidate that mostly repeats the question adds little
    assert span_strength("Walter Camp Semifinalist", "person", "Who won the Walter Camp?") == 1 / 3
    # a run ending like a place or body's name answers "who" only weakly
    who = "Who is the museum director?"
    assert span_strength("Alan Cho", "person", who) == 1.0
    assert span_strength("Harbor City", "person", who) == pytest.approx(0.3)
    assert span_strength("Saturday", "person", who) == 0.0  # no one at all
    assert span_strength("Lucy Saturday", "person", who) == pytest.approx(0.3)
    assert span_strength("Harbor City", "place", "Where was the vote?") == 1.0


def test_year_picks_the_right_edition(settings):
    a = ask(settings, "Who won the 2023 Marlow Cup?")
    # only the publication date says which edition the first article reports
    assert not a.abstained and "Harbour City won the Marlow Cup" in a.text
    a = ask(settings, "Who won the 2024 Marlow Cup?")
    assert not a.abstained and "Fenwick Rovers" in a.text


def test_number_bound_to_a_name_picks_the_right_release(settings):
    a = ask(settings, "When was Skyforge 2 released?")
    assert not a.abstained and "March 1, 2022" in a.text


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Who won the 2021 Marlow Cup?", "2021"),  # an edition the corpus does not cover
        ("Who won the Marlow Cup at Wimbledon?", "Wimbledon"),  # a name no chunk holds
    ],
)
def test_near_miss_questions_are_refused_naming_what_is_missing(settings, question, missing):
    a = ask(settings, question)
    assert a.abstained
    assert a.text.startswith(
        f"Not found in the articles: the closest passages say nothing of {missing}."
    )


def test_dateline_is_not_an_answer_date():
    q = "When was Skyforge 2 released?"
    dateline = "Sep 13, 2022 ... Skyforge 2 has a new trailer."
    assert typed_candidates(dateline, DATE, q) == []
    s = "Skyforge 2 was released on March 1, 2022."
    assert [s[a:b] for a, b in typed_candidates(s, DATE, q)] == ["March 1, 2022"]


def test_month_and_year_is_not_read_as_a_day():
    q = "When was Diablo 3 released?"
    s = "Diablo 3 was announced June 2008 and was released May 2012, Diablo 4 later."
    # the day pattern took the first two digits of the year: "June 20", "May 20"
    assert [s[a:b] for a, b in typed_candidates(s, DATE, q)] == ["June 2008", "May 2012"]
    s = "It launched on 15 May 2012; in 2012 Mayor Lee spoke."
    assert [s[a:b] for a, b in typed_candidates(s, DATE, q)] == ["15 May 2012", "2012"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a name opening the sentence: not in the English lexicon, a verb follows
        ("Facebook bought Instagram for $1 billion in 2012.", ["Facebook"]),
        ("Meta acquired Instagram in April 2012.", ["Meta", "April"]),
        # an English word, a dateline and a stop word open sentences without naming anyone
        ("Shares in Instagram rose after Facebook bought it.", ["Facebook"]),
        ("LEEDS — Facebook bought Instagram.", ["Facebook"]),
        ("The deal closed in 2012.", []),
        ("The Instagram deal closed in 2012.", []),
    ],
)
def test_a_name_opening_a_sentence_is_a_who_candidate(sentence, expected):
    q = "Who bought Instagram?"
    found = [sentence[a:b] for a, b in typed_candidates(sentence, PERSON, q)]
    assert found == expected


def test_a_dateline_names_no_answer():
    s = "DUNMARROW, Sep 21 (Continental News Service) - Adults who sleep badly face risks."
    # the agency filed the story and the date is when: neither did what is asked
    assert typed_candidates(s, PERSON, "Who led the sleep study?") == []
    assert typed_candidates(s, DATE, "When was the sleep study published?") == []
    # the sentence starts after the dateline: "Adults" above is its capitalised first
    # word, "Facebook" here a name
    s = "LONDON (Reuters) - Facebook bought Instagram."
    assert [s[a:b] for a, b in typed_candidates(s, PERSON, "Who bought Instagram?")] == ["Facebook"]
    s = "Professor Anneliese Varro led the study."
    assert [s[a:b] for a, b in typed_candidates(s, PERSON, "Who led the sleep study?")] == [
        "Professor Anneliese Varro"
    ]


def test_compared_years_are_not_a_near_miss(settings):
    # no one sentence holds both years; each is held by some retrieved article
    a = ask(settings, "Who won the Marlow Cup in 2023 and who won it in 2024?")
    assert not a.abstained


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("Who is the vice-president of T-Mobile?", ("T-Mobile",)),
        ("What did Müller-Lüdenscheidt say?", ("Müller-Lüdenscheidt",)),
        ("What did José Álvarez say?", ("José Álvarez",)),
        ("What did ‘Airbus Japan’ announce?", ("Airbus Japan",)),
        ("What did Boeing's Japanese unit say?", ("Boeing's Japanese",)),
        # a title and a name are two constraints: each must be met on its own
        ("Who is the CEO of Airbus Japan?", ("CEO", "Airbus Japan")),
    ],
)
def test_names_keep_the_questions_wording_for_messages(question, labels):
    c = question_constraints(question)
    assert c.labels == labels and len(c.names) == len(labels)


def test_agent_nouns_match_their_verbs():
    from qa.text import terms, with_agent_bases

    found = with_agent_bases(set(terms("Union leader, museum director, a voter, the founder")))
    assert {"lead", "direct", "vote", "found"} <= found
    assert set(terms("union leader")) <= found  # the words themselves stay
    assert with_agent_bases(set(terms("a strike at the plant"))) == set(terms("strike plant"))


def test_an_articles_own_markers_do_not_pass_for_citations(
    tmp_path_factory, embeddings, counter, window
):
    """An article ending "... is Bob Hacker [1]." was quoted with two [1] markers, the
    first from the article (found by a breaker helper)."""
    from qa.verify import defuse_markers

    assert defuse_markers("Hacker [1]. See [2, 3], [sic].") == "Hacker (1). See (2, 3), [sic]."
    notes = {
        "notes.txt": (
            "Airbus names new China chief\n\nPublished: 2024-03-01\n\n"
            "The chief executive of Airbus Beijing is Bob Hacker [1]. He starts in April "
            "and replaces a manager who retired after nine years [2]."
        )
    }
    settings = index_of_texts(tmp_path_factory, "markers", notes, embeddings, counter, window)
    a = ask(settings, "Who is the chief executive of Airbus Beijing?")
    assert a.text == "The chief executive of Airbus Beijing is Bob Hacker (1). [1]"
    assert a.citations[0].quote.endswith("Bob Hacker [1].")  # the quote stays verbatim
    from ui.render import render_answer

    shown = render_answer(a, "m1")
    assert "<strong>Bob Hacker</strong> (1)." in shown
    assert shown.count('class="nd-cite"') == 1  # one marker, linked to the one source


#: Wordings the scoring once missed: (articles, question, what the answer must hold).
WORDINGS = {
    # "leads" and "leader" have different Snowball stems: the question matched only
    # "union" and was refused although the sentence names the union's leader
    "agent-noun": (
        {
            "bakery-strike.txt": (
                "Workers at Golden Crust bakery end three-week strike\n\nPublished: "
                "2024-05-20\n\nMILLBROOK - About 240 workers at the Golden Crust bakery plant "
                "returned to work on Monday after a three-week strike ended with an 11% pay "
                "rise over two years, the union said.\n\nUnion leader Priya Natarajan said "
                "the deal also adds two paid sick days. The company, owned by Westfield "
                "Foods, said production would be back to normal by Friday."
            )
        },
        "Who leads the union?",
        "Priya Natarajan",
    ),
    # "season 4" is met by "the fourth season" (rgb-en-news: the gold snippets of "The
    # Crown season 4" and "The Walking Dead Season 11" ranked low for lack of the digit)
    "ordinal": (
        {
            "season-3.txt": (
                "Harbour Lights returns\n\nPublished: 2021-02-20\n\n"
                "Season 3 of Harbour Lights premiered on March 3, 2021, and the streaming "
                "service said season 4 would follow in the spring."
            ),
            "season-4.txt": (
                "Harbour Lights date set\n\nPublished: 2022-10-01\n\n"
                "The fourth season of Harbour Lights premieres on November 15, 2022, the "
                "streaming service said on Friday."
            ),
        },
        "When does season 4 of Harbour Lights premiere?",
        "November 15, 2022",
    ),
}


@pytest.mark.parametrize("case", sorted(WORDINGS))
def test_wordings_once_missed_are_answered(case, tmp_path_factory, embeddings, counter, window):
    articles, question, expected = WORDINGS[case]
    settings = index_of_texts(tmp_path_factory, case, articles, embeddings, counter, window)
    a = ask(settings, question)
    assert not a.abstained and expected in a.text


def test_rival_name():
    sentence = "The Ospry Bridge, a 480-metre crossing over the River Amsel, opened on Tuesday."
    assert rival_name("Dunmere's Market Bridge", sentence) == "Ospry Bridge"
    assert rival_name("Ospry Bridge", sentence) is None  # its own name
    assert rival_name("Coastal Cup", "Rovers won the Northern Cup.") == "Northern Cup"
    # no kind to compare: a person's name, a club whose last word is no common noun
    assert rival_name("Tamsin Oduya", "Ilse Varrow won the vote.") is None
    assert rival_name("Saltmere Athletic", "Fenwick Athletic won.") is None
    assert rival_name("Market Bridge", "The bridge is 80 metres long.") is None
    # the maker's other prize, named with a qualifier (heldout-11, blind)
    fiction = "Mara Quell won the Castellan Prize for Fiction on Thursday night."
    assert rival_name("Castellan Debut Prize", fiction) == "Castellan Prize for Fiction"
    assert rival_name("Castellan Prize", fiction) is None
    assert (
        rival_name("Castellan Debut Prize", "The Castellan Debut Prize went to Ilse Varrow.")
        is None
    )


def test_a_measure_of_another_named_thing_is_refused(tmp_path_factory, embeddings, counter, window):
    # "How long is Dunmere's Market Bridge?" quoted the Ospry Bridge's length (heldout-8)
    texts = {
        "bridge.txt": (
            "New bridge opens in Dunmore\n\nPublished: 2026-06-02\n\n"
            "The Ospry Bridge, a 480-metre crossing over the River Amsel at Dunmore, opened "
            "to traffic on Tuesday. It takes pressure off the old Market Bridge in the town "
            "centre, which will become a cycle route."
        )
    }
    settings = index_of_texts(tmp_path_factory, "rival", texts, embeddings, counter, window)
    a = ask(settings, "How long is Dunmore's Market Bridge?")
    assert a.abstained, a.text
    assert "say nothing of Dunmore's Market Bridge" in a.text
    a = ask(settings, "How long is the Ospry Bridge?")
    assert not a.abstained and "480-metre" in a.text, a.text


def test_a_figure_from_an_article_that_never_names_the_one_asked_about_is_refused(
    tmp_path_factory, embeddings, counter, window
):
    # heldout-10 and -12 (blind): "How many patients' records were exposed in the data
    # breach at Tessenfield Royal Infirmary?" quoted Marrowby General's breach, in an
    # article that never names Tessenfield (another article does)
    texts = {
        "breach.txt": (
            "Marrowby General reports data breach\n\nPublished: 2026-03-02\n\n"
            "Marrowby General Hospital said on Thursday that personal details of about "
            "48,000 patients had been exposed in a cyberattack on its booking system."
        ),
        "chief.txt": (
            "Marrowby General appoints chief executive\n\nPublished: 2026-04-10\n\n"
            "Marrowby General Hospital has appointed Gideon Maro, deputy chief executive of "
            "Tessenfield Royal Infirmary, as its new chief executive."
        ),
    }
    settings = index_of_texts(tmp_path_factory, "own", texts, embeddings, counter, window)
    q = "How many patients' records were exposed in the data breach at {}?"
    a = ask(settings, q.format("Tessenfield Royal Infirmary"))
    assert a.abstained and "say nothing of Tessenfield Royal Infirmary" in a.text, a.text
    a = ask(settings, q.format("Marrowby General Hospital"))
    assert not a.abstained and "48,000" in a.text, a.text


def test_a_clock_time_answers_what_time():
    # "At what time did the cable come down?" quoted the lead's "on Sunday" (heldout-8)
    question = "At what time did the overhead cable come down?"
    assert span_strength("6:40 a.m.", DATE, question) == 1.0
    assert span_strength("Sunday", DATE, question) == 0.0
    sentence = "The cable fell on Sunday at about 6:40 a.m., the operator said."
    found = [sentence[a:b] for a, b in typed_candidates(sentence, DATE, question)]
    assert "6:40 a.m." in found
    assert span_strength("Sunday", DATE, "When did the cable come down?") > 0


def test_rival_place():
    q = "How many homes lost power in Fenwick Cross during Storm Hesper?"
    other = "Around 4,200 homes in Marrowby lost power when a substation was switched off."
    assert rival_place(q, "Fenwick Cross", other) == "Marrowby"
    assert rival_place(q, "Fenwick Cross", "In Fenwick Cross, 900 homes lost power.") is None
    # a place the question asks about too, a month, a word of English: no rival
    both = "How did house prices change in Drayton and in Kelby?"
    assert rival_place(both, "Kelby", "Prices in Drayton rose 3.2 percent.") is None
    assert rival_place(q, "Fenwick Cross", "Power was cut in March.") is None
    assert rival_place(q, "Fenwick Cross", "The cuts were debated in Parliament.") is None
    # "in Norvale's new phone" asks about the phone, not a place
    owned = "Which company makes the battery used in Norvale's new phone?"
    assert rival_place(owned, "Norvale", "Kestrel Cells, a battery maker based in Oruna") is None


def test_a_figure_for_another_place_is_refused(tmp_path_factory, embeddings, counter, window):
    # "How many homes lost power in Fenwick Cross?" quoted Marrowby's figure (heldout-9)
    texts = {
        "storm.txt": (
            "Storm floods Marrowby\n\nPublished: 2026-03-14\n\n"
            "MARROWBY, March 14 - Storm Hesper flooded Marrowby and Fenwick Cross on "
            "Wednesday. Around 4,200 homes in Marrowby lost power when a substation was "
            "switched off as a precaution, the utility said. In Fenwick Cross, 85 homes "
            "were evacuated."
        )
    }
    settings = index_of_texts(tmp_path_factory, "place", texts, embeddings, counter, window)
    a = ask(settings, "How many homes lost power in Fenwick Cross?")
    assert a.abstained, a.text
    a = ask(settings, "How many homes lost power in Marrowby?")
    assert not a.abstained and "4,200" in a.text


def test_other_model():
    # the Nova S Pro's battery answered the Nova S's, and the other way round (heldout-9)
    pro = "Tessary also confirmed that the Nova S Pro will have a 5,500 mAh battery."
    base = "The Nova S has a 4,850 mAh battery."
    assert other_model("Tessary Nova S", pro)
    assert not other_model("Tessary Nova S", base)
    assert other_model("Tessary Nova S Pro", base)
    assert not other_model("Tessary Nova S Pro", "The Nova S Pro has a 6.7-inch screen.")
    # a sentence naming both, or neither, is no other model
    assert not other_model("Quillon Arc 7", "The Arc 7 costs 799 and the Arc 7 Mini 649.")
    assert not other_model("Quillon Arc 7", "The phone costs 799.")
    # a word after the name that makes no model ("Season 17 Air Dates", rgb-en-news)
    assert not other_model("Grey's Anatomy Season 17", "Grey's Anatomy Season 17 Air Dates")
    assert conflicts(question_constraints("What does the Tessary Nova S cost?"), pro)
    # the brand's other product (heldout-11, blind): "Orrin Band" for "Orrin 5 Lite"
    band = "The Orrin Band smartwatch will go on sale on July 17."
    assert other_model("Orrin 5 Lite", band)
    assert not other_model("Orrin 5 Lite", "The Orrin 5 Lite goes on sale on July 17.")
    # a name with no number or model word is no product: "Ayesha" before "Holloway"
    assert not other_model("Ayesha Brannock", "Ayesha Holloway won.")


def test_rival_owner():
    # "How did the Halden council vote ...?" quoted the Pesk council's vote (a breaker's)
    q = "How did the Halden council vote on the bridge?"
    pesk = "The Pesk council voted 5 to 4 on the bridge."
    assert rival_owner(q, "Halden", pesk) == "Pesk council"
    assert rival_owner(q, "Halden", "The Halden council voted 4 to 2.") is None
    assert rival_owner(q, "Halden", "The council voted 4 to 2.") is None  # no other name
    # a capitalised word of English is no rival ("Chief executive Elon Musk said")
    ceo = "Who is the Tesla chief executive?"
    assert rival_owner(ceo, "Tesla", "Chief executive Elon Musk said.") is None
    assert rival_owner(ceo, "Tesla", "Xu Gang, the Airbus China chief executive, said.")


def test_another_owners_vote_is_refused(tmp_path_factory, embeddings, counter, window):
    texts = {
        "halden.txt": (
            "Halden opens library\n\nPublished: 2026-02-02\n\n"
            "The mayor of Halden opened the town's new library on Monday."
        ),
        "pesk.txt": (
            "Pesk council backs ferry\n\nPublished: 2026-02-03\n\n"
            "The Pesk council voted 5 to 4 on Tuesday to fund a ferry to the islands."
        ),
    }
    settings = index_of_texts(tmp_path_factory, "owner", texts, embeddings, counter, window)
    a = ask(settings, "How did the Halden council vote on the ferry?")
    assert a.abstained, a.text
    a = ask(settings, "How did the Pesk council vote on the ferry?")
    assert not a.abstained and "5 to 4" in a.text


def test_another_division_conflicts():
    # "Who won the men's singles U.S. Open 2021?" quoted the women's champion (rgb-en-news)
    asked = question_constraints("Who won the men's singles U.S. Open 2021?")
    assert asked.divisions == {"men"}
    assert conflicts(asked, "Emma Raducanu won the 2021 US Open women's singles title.")
    assert not conflicts(asked, "Daniil Medvedev won the 2021 US Open men's singles title.")
    assert not conflicts(asked, "Daniil Medvedev won the 2021 US Open.")
