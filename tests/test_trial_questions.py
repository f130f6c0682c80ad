"""Questions of new users and breakers (sessions 28 and 29), over short articles written
like theirs: each was refused or answered from the wrong sentence before (real index, real
model)."""

from __future__ import annotations

import pytest

from newsdesk.settings import Settings
from tests.conftest import ask, index_of_texts

ARTICLES = {
    "harbour.txt": (
        "Harbour Council backs sea wall loan\n\nThe Harbour Council voted on Tuesday to borrow "
        "4.2 million euros for a new sea wall. Mayor Ingrid Solberg said the wall would "
        "protect 300 homes from winter storms. The opposition leader, Tomas Berg, called the "
        "plan too expensive.\n"
    ),
    "dam.txt": (
        "Dam project approved in Rivertown\n\nThe regional water board approved the Rivertown "
        "dam on Monday after a four-year review. The dam will cost 640 million euros. The "
        "board's chair, Greta Holm, said construction would begin in the autumn.\n"
    ),
    "market.txt": (
        "Market hall sale\n\nThe market hall in Østby was sold for 2 million kroner, said "
        "mayor Jørgen Bø. The buyer, a food group, will open a food court there in May.\n"
    ),
    "skijump.txt": (
        "Ski jump to be rebuilt\n\nThe Lillehammer ski jump will be rebuilt for 90 million "
        "kroner, the sports minister said on Wednesday. Work starts next spring.\n"
    ),
    "pool.txt": (
        "Pool reopens\n\nThe Westvale pool reopened on Tuesday after a 1.5 million pound refit, "
        "the council said. Manager Ruth Evans said 600 swimmers came on the first day.\n"
    ),
    "ferry.txt": (
        "Ferry strike ends in Tromsvik\n\nThe ferry workers' union ended its strike on Friday "
        "after nine days. The union leader, Kari Nilsen, said members accepted a 6 per cent "
        "pay rise.\n"
    ),
    "zoo.txt": (
        "Zoo welcomes twin pandas\n\nThe Westfield zoo announced on Friday the birth of twin "
        "pandas. Keeper Hannah Cole said both cubs weighed about 150 grams.\n"
    ),
    "flood.txt": (
        "River Tessel bursts its banks\n\nMore than 1,100 homes were flooded in Marbury on "
        "Monday night. The river peaked at 4.82 metres at the Marbury Bridge gauge.\n\n"
        "The line between Marbury and Tessford only reopened on 10 November.\n"
    ),
    "derby.txt": (
        "Harrowfield beat Kelbury in derby\n\nHarrowfield Town beat Kelbury Rovers 3-1 at Mill "
        "Lane on Saturday in front of a crowd of 6,412.\n"
    ),
    "court.txt": (
        "Care home manager jailed\n\nDenise Harlow, 52, was jailed for stealing £180,000 from "
        "residents. Prosecutor Anita Desai said the oldest victim was 97.\n"
    ),
    "recall.txt": (
        "Voltra recalls e-bikes\n\nElectric bike maker Voltra is recalling about 14,000 of its "
        "CityGlide 2 e-bikes after batteries caught fire.\n\nOwners can claim a full refund "
        "of the £1,299 purchase price. The fault has been traced to a batch of battery cells "
        "made by a supplier in Shenzhen.\n"
    ),
    "results.txt": (
        "Halvorsen Foods profit falls\n\nHalvorsen Foods reported a 12 per cent fall in "
        "third-quarter operating profit on Thursday.\n\nOperating profit for the three "
        "months to the end of September fell to £41.3 million. Revenue rose 4 per cent to "
        "£612 million.\n\nHalvorsen cut its "
        "full-year operating profit forecast to between £160 million and £170 million.\n"
    ),
    "election.txt": (
        "Greenfield wins Marlow Heath mayoralty\n\nFormer headteacher Rosa Greenfield was "
        "elected mayor of Marlow Heath on Friday, ousting the twelve-year incumbent, Colin "
        "Ashdown.\n"
    ),
    "tram.txt": (
        "Northline tram extension approved\n\nCarrow's Northline tram will be extended to "
        "Ferris Airport by 2027 after the city signed a £640 million contract with Stanmore "
        "Civil Engineering on Tuesday.\n"
    ),
    "phone.txt": (
        "Lumora unveils Orbit X foldable phone\n\nLumora Technologies on Tuesday unveiled the "
        "Orbit X, its first foldable smartphone. The phone will cost $1,499. Pre-orders "
        "open on September 24 and the phone ships on October 4 in the United States.\n"
    ),
    "barn.txt": (
        "Fire destroys barn at Kelder Farm\n\nA fire destroyed a barn at Kelder Farm on "
        "Sunday night. The cause of the fire is not yet known. Firefighters said 40 cows "
        "were led to safety.\n"
    ),
    "tarnby.txt": (
        "Creamery to buy Tarnby plant\n\nAldercroft Creamery has agreed to buy the Tarnby "
        "plant from Lindqvist Dairy. The sale is expected to close in the spring of 2027.\n"
    ),
    "orrin.txt": (
        "Orrin 5 goes on sale\n\nTessarine's Orrin 5 smartphone went on sale on Tuesday, 4 "
        "August. The company gave no update on the Orrin 5 Lite, the cheaper version "
        "announced in June.\n"
    ),
    "orchard.txt": (
        "Homes planned at Orchard Rise\n\nThe Orchard Rise estate in Larkfield will have 120 "
        "homes. Prices for a three-bedroom house are expected to start at around "
        "£285,000.\n"
    ),
    "appeal.txt": (
        "Court strikes down rental ban\n\nThe state Court of Appeals on Wednesday struck "
        "down Brennock County's ban on short-term holiday rentals, ruling 2-1 that the county "
        "had exceeded its powers.\n\nJudge Thomas Reiner dissented.\n"
    ),
    "obituary.txt": (
        "Eleanor Vance, marine biologist, dies\n\nEleanor Vance, the marine biologist who "
        "mapped cold-water reefs, died on January 21 at her home in Tarrow Bay. She was 88. "
        "She is survived by her son, Michael.\n"
    ),
    "raid.txt": (
        "Two arrested after diamond raid\n\nDetective Inspector Laura Pritchard, who is "
        "leading the investigation, said two men, aged 29 and 34, were arrested on Sunday.\n"
    ),
}


@pytest.fixture(scope="module")
def trial(tmp_path_factory, embeddings, counter, window) -> Settings:
    return index_of_texts(tmp_path_factory, "trial", ARTICLES, embeddings, counter, window)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # an office after the name it is of; not the opposition leader
        ("Who is the Harbour Council mayor?", "Ingrid Solberg"),
        # a season is a time; not the day of the approval
        ("When will construction of the dam begin?", "in the autumn"),
        # what was rebuilt or refitted for an amount is what it cost
        ("How much will the Lillehammer ski jump rebuild cost?", "90 million kroner"),
        ("How much did the Westvale pool refit cost?", "1.5 million pound"),
        # a union leader reports what "members" did for the workers asked
        ("What pay rise did the ferry workers accept?", "6 per cent"),
        # what the keeper said weighed, not the keeper
        ("How much did the panda cubs weigh?", "150 grams"),
        # "the river" for the River Tessel; "peaked" is an adjective too
        ("What height did the River Tessel peak at?", "4.82 metres"),
        # a place in the subject: not "the railway lined"
        ("When did the railway line between Marbury and Tessford reopen?", "10 November"),
        # people counted as a crowd, an age stated as what someone was
        ("How many people watched the derby?", "6,412"),
        ("How old was the oldest victim?", "97"),
        # a cause "traced to", not the lead's "after batteries caught fire"
        ("Why are the Voltra batteries catching fire?", "traced to a batch"),
        # a whole year's figure is not the quarter's
        ("What was Halvorsen Foods' third-quarter operating profit?", "£41.3 million"),
        # a model's number is its name's, met by the article
        ("How much does a Voltra CityGlide 2 cost?", "£1,299"),
        # session 29's: "Former headteacher" is a past role, not the office won
        ("Who won the Marlow Heath mayoral election?", "Rosa Greenfield"),
        # a contract is won as "signed a contract with", in no words of a contest
        ("Which company won the contract for the Northline tram extension?", "Stanmore"),
        # "the phone" of a later clause is the Orbit X
        ("When does the Orbit X ship?", "October 4"),
        # an age stated as what she was
        ("How old was Eleanor Vance when she died?", "88"),
        # a name and its verb is no heading
        ("Which judge dissented in the Brennock rental ban case?", "Thomas Reiner"),
        ("How much does the Orbit X cost in dollars?", "$1,499"),
        # "will cost" states a price; it is no cost still to come
        ("What did the Orbit X cost?", "$1,499"),
        # a forecast answers what is expected; a numbered kind answers its own number
        ("When is the sale of the Tarnby plant expected to close?", "spring of 2027"),
        ("When did the Orrin 5 go on sale?", "4 August"),
        ("How much will a three-bedroom house at Orchard Rise cost?", "£285,000"),
        # a sentence that says something else is unknown still answers
        ("How many cows were led to safety from the Kelder Farm fire?", "40"),
    ],
)
def test_trial_question_is_answered(trial, question, expected):
    a = ask(trial, question)
    assert not a.abstained and expected in a.text, a.text


def test_a_sale_without_its_buyer_answers_no_who_bought(trial):
    # "was sold for 2 million kroner, said mayor Jørgen Bø" quoted the mayor as the buyer
    a = ask(trial, "Who bought the market hall?")
    assert "Jørgen Bø" not in a.text or a.abstained, a.text


def test_another_companys_figure_is_refused_when_its_own_story_is_there(trial):
    # a new user's "What was Voltra's revenue last year?" was answered with Halvorsen's
    # revenue, though the story headlined on Voltra was retrieved beside it
    a = ask(trial, "What was Voltra's revenue last year?")
    assert a.abstained and "£612 million" not in a.text, a.text


def test_the_age_of_people_a_sentence_does_not_name_is_not_the_speakers(trial):
    # a new user's: "Pritchard ... said two men, aged 29 and 34, were arrested" was
    # quoted for Pritchard's age
    a = ask(trial, "How old is Detective Inspector Laura Pritchard?")
    assert a.abstained and "29" not in a.text, a.text


def test_an_amount_in_another_currency_is_no_answer(trial):
    # a new user's "... in pounds?" was answered with the US dollar price
    a = ask(trial, "How much does the Orbit X cost in pounds?")
    assert a.abstained and "the amount in pounds" in a.text, a.text


def test_what_a_sentence_says_is_not_known_is_refused(trial):
    # heldout-10's "What caused it?" quoted "The cause of the Kelder Fire is not yet known."
    a = ask(trial, "What caused the Kelder Farm barn fire?")
    assert a.abstained and "not yet known" not in a.text, a.text


@pytest.mark.parametrize(
    "question",
    [
        # heldout-11's: a past event's date is not a forecast's
        "On what date was Aldercroft Creamery's purchase of the Tarnby plant completed?",
        # heldout-11's: "gave no update on" the thing asked
        "When did the Orrin 5 Lite go on sale?",
        # heldout-17's: another number of bedrooms
        "How much will a two-bedroom house at Orchard Rise cost?",
    ],
)
def test_a_near_miss_of_another_kind_is_refused(trial, question):
    a = ask(trial, question)
    assert a.abstained, a.text
