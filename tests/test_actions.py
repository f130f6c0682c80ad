"""What a question asks its subject to have done ("What did the Supreme Court rule?"), and
the refusal of a quote that speaks of another party, over real Chroma, the real keyword
index and the packaged embedding model.

The articles below report what one party did; the near-miss questions ask what another
did, and were answered with the first party's sentence before."""

from __future__ import annotations

import pytest

import app
from newsdesk.settings import Settings
from qa.actions import (
    Action,
    as_asked,
    asked_action,
    asks_result,
    does_verb,
    done_verb,
    names_subject,
    only_not_yet,
    only_pending,
    says_result,
    says_verb,
    subject_verb,
)
from tests.conftest import ask, index_of_texts

ARTICLES = {
    "election.txt": (
        "Brandt wins Vellmark governor run-off\nPublished: 2025-04-14\n\n"
        "Social Democrat Lena Brandt won the run-off for governor of Vellmark on Sunday, "
        "defeating the Civic Union candidate Anton Keller with 52.3 percent of the vote.\n\n"
        "Brandt, a 44-year-old former schoolteacher, campaigned on a promise to build 20,000 "
        "affordable homes over five years. Turnout was 61 percent."
    ),
    "couriers.txt": (
        "Tribunal rules Dashly couriers are workers\nPublished: 2025-06-03\n\n"
        "An employment tribunal ruled on Tuesday that couriers who deliver for the app "
        "Dashly are workers entitled to the minimum wage and holiday pay.\n\n"
        "Lawyers for the couriers said the ruling could affect around 38,000 people. Dashly "
        "said it would appeal to the Supreme Court."
    ),
    "bank.txt": (
        "Northbank cuts jobs as profit falls\nPublished: 2025-02-20\n\n"
        "Northbank said on Thursday it would cut 400 jobs after its annual profit fell 12 "
        'percent. "We have to become leaner," the bank said in a statement, adding that '
        "most of the cuts would fall in its branch network."
    ),
    "fires.txt": (
        "Monchique hills brace for a dry summer\nPublished: 2019-06-10\n\n"
        "Fire crews in the Monchique hills have trained every spring since 2016 for a summer "
        "like this one, civil protection officials said on Friday.\n\nThe hills were the "
        "scene of a large fire in 2018, which burned about 27,000 hectares. Chief fire "
        "officer Rui Matos, 58, said the dry winter had left the hills at high risk."
    ),
}


@pytest.fixture(scope="module")
def settings(tmp_path_factory, embeddings, counter, window) -> Settings:
    return index_of_texts(tmp_path_factory, "actions", ARTICLES, embeddings, counter, window)


@pytest.mark.parametrize(
    ("question", "head", "verb", "label"),
    [
        (
            "What did Anton Keller promise voters on housing?",
            "keller",
            "promise",
            "what Anton Keller promised",
        ),
        (
            "What did the Supreme Court rule in the Dashly case?",
            "court",
            "rule",
            "what the Supreme Court ruled",
        ),
        # a possessed noun is the subject's head, not the verb
        ("What did IF Solberga's coach say about Ekdahl?", "coach", "say", None),
        # a yes/no question, and a past participle after "has"
        ("Did the competition authority approve the deal?", "authority", "approve", None),
        (
            "Has the fisheries ministry banned trawling?",
            "ministry",
            "ban",
            "whether the fisheries ministry has banned",
        ),
        ("When will the full council vote on the budget?", "council", "vote", None),
        # a pronoun subject: nothing to check
        ("What did she promise on housing?", None, "promise", None),
        # "season" is a noun; a name follows "of" inside the subject (found on a
        # helper-written set: both questions below were not read)
        ("When will the first season of The Blacklist premiere?", "blacklist", "premiere", None),
        (
            "What did the chief executive of Marrowhaven Port Holdings say after the deal?",
            "holdings",
            "say",
            "what the chief executive of Marrowhaven Port Holdings said",
        ),
        # a name's last word that is also an adjective ("hale") modifies no verb
        ("What did outgoing mayor Dorian Hale say about Fenwick?", "hale", "say", None),
    ],
)
def test_asked_action(question, head, verb, label):
    a = asked_action(question)
    assert a is not None and (a.head, a.verb) == (head, verb)
    if label is not None:
        assert a.label == label


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 2019 Maxwell Award?",  # the subject is the answer
        "How did the unemployment rate change between January and February?",  # change
        "What does the article call a key driver of growth?",  # the article itself
        "What will the total council tax bill in Ashcombe be?",  # the verb is "be"
        "How many beds does the new cancer wing at St Aldwyn's have?",  # ... or "have"
        "What is the population of Lessa?",  # no auxiliary
        "How much did Dunmere Constabulary pay for its drones?",  # a quantity
        "Who has been named to replace Henrik Saale?",  # a passive
        # a relative clause in the subject: "third" was read as its verb (heldout-8)
        "Which party did the candidate who came third in Brennock's race stand for?",
        # a negated action is worded otherwise in the evidence ("would not seek"); its
        # label read "why Pratt not asked" (a new user's)
        "Why did Pratt not ask for a recount?",
    ],
)
def test_no_action_is_read(question):
    assert asked_action(question) is None


def test_names_subject():
    keller = asked_action("What did Anton Keller promise voters?")
    assert keller is not None
    assert not names_subject(keller, "Brandt campaigned on a promise to build homes.")
    assert names_subject(keller, "Keller promised lower taxes.")
    assert names_subject(keller, '"We will cut taxes," he said.')
    assert names_subject(keller, "The 61-year-old promised lower taxes.")
    prosecutors = asked_action("What sentence did prosecutors ask for?")
    assert prosecutors is not None
    # a plural subject is not "he"
    assert not names_subject(prosecutors, "The judge said he would be sentenced in June.")
    assert names_subject(prosecutors, "They asked for six years.")
    # a named body is another party, though its head ("ministry") may refer back in lower case
    siemens = asked_action("What did Siemens say about the pilot programs?")
    assert siemens is not None
    ministry = "The Ministry of Industry and Information Technology has approved the pilots."
    assert not names_subject(siemens, ministry)
    # "But he said ...": a conjunction is no part of the sentence's subject (a new user's
    # "What did Tusk claim about the scanners?" was refused)
    tusk = asked_action("What did Tusk claim about the scanners?")
    assert tusk is not None
    assert names_subject(tusk, "But he said the scanners, which he claims misread 40 ballots.")
    court = asked_action("What did the Supreme Court rule?")
    assert court is not None
    # a common noun must be named: "the company" or "the bank" is not the court
    assert not names_subject(court, "The bank said the ruling was wrong.")
    # a ship is referred back to as "the vessel" (a new user's "Which vessel will the new
    # ferry replace?" was refused over its answer)
    ferry = asked_action("Which vessel will the new ferry replace?")
    assert ferry is not None
    assert names_subject(ferry, "The new vessel will replace the MV Caddon Star.")
    assert not names_subject(ferry, "The new depot will replace the old bus garage.")
    # a speaker named by office reports what "the company" does (a new user's "Where will
    # Brightwater open a second factory?" was refused over its answer), unless the office
    # is another party's
    plant = asked_action("Where will Brightwater open a second factory?")
    assert plant is not None
    said = "Finance director Kwame Mensah said the company plans to open a factory in Leeds."
    assert names_subject(plant, said)
    assert not names_subject(plant, said.replace("Finance", "Nordvik finance"))
    assert not names_subject(court, "Chief lawyer Ann Bell said the company would appeal.")


def test_a_subject_with_a_place_and_a_river_named_by_its_kind():
    # a new user's: "When did the railway line between ... reopen?" was read as "the
    # railway lined", and "What height did the River Tessel peak at?" refused over "The
    # river peaked at 4.82 metres" ("peaked" is an adjective too)
    line = asked_action("When did the railway line between Marbury and Tessford reopen?")
    assert line is not None
    assert (line.subject, line.verb) == ("the railway line between Marbury and Tessford", "reopen")
    fire = asked_action("When did the fire in Leeds start?")
    assert fire is not None and (fire.subject, fire.verb) == ("the fire in Leeds", "start")
    river = asked_action("What height did the River Tessel peak at?")
    assert river is not None
    assert names_subject(river, "The river peaked at 4.82 metres at the gauge.")
    assert not names_subject(river, "The canal peaked at 2.1 metres at the lock.")
    # the verb's subject in a later clause refers back (a new user's, refused)
    ships = asked_action("When does the Orbit X ship?")
    assert ships is not None
    assert names_subject(ships, "Pre-orders open on May 4 and the phone ships on May 9.")
    assert not names_subject(ships, "Pre-orders open on May 4 and the Nexa 5 ships on May 9.")


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # a new user's refusal read "say nothing of how much did the Harlow Gallery pay"
        (
            "How much did the Harlow Gallery pay for the painting in 1951?",
            "how much the Harlow Gallery paid for the painting in 1951",
        ),
        ("How long will the strike last?", "how long the strike will last"),
        ("What height did the River Tessel peak at?", "what height the River Tessel peaked at"),
        ("Who won the Eastgate ward by-election?", "who won the Eastgate ward by-election"),
        # two subjects: not "what the St Aldric's cancer centred and ..." (a new user's)
        (
            "What did the St Aldric's cancer centre and the tram extension each cost?",
            "what did the St Aldric's cancer centre and the tram extension each cost",
        ),
    ],
)
def test_a_question_as_a_clause(question, clause):
    assert as_asked(question) == clause


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What did Anton Keller promise voters on housing?", "what Anton Keller promised"),
        # (the subject is looked for, not its role: "Dashly said it would appeal to the
        # Supreme Court" names it, and is the quote for "... in the Dashly case?")
        (
            "What did the Supreme Court rule in the Dashly couriers case?",
            "what the Supreme Court ruled",
        ),
    ],
)
def test_what_another_party_did_is_refused(settings, question, missing):
    a = ask(settings, question)
    assert a.abstained, a.text
    assert a.text.startswith(
        f"Not found in the articles: the closest passages say nothing of {missing}."
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Lena Brandt promise voters?", "20,000 affordable homes"),
        ("What did the employment tribunal rule about Dashly couriers?", "minimum wage"),
        # the quote names the bank only as "the bank"
        ("What did Northbank say about its branch network?", "the bank said"),
    ],
)
def test_what_the_party_did_is_answered(settings, question, expected):
    a = ask(settings, question)
    assert not a.abstained, a.text
    assert expected in a.text


def test_another_years_figure_is_refused(settings):
    a = ask(settings, "How many hectares did the 2016 fire in the Monchique hills burn?")
    assert a.abstained, a.text
    assert "say nothing of 2016" in a.text
    a = ask(settings, "How many hectares did the 2018 fire in the Monchique hills burn?")
    assert not a.abstained and "27,000 hectares" in a.text, a.text


def test_an_age_is_answered_and_no_age_is_refused(settings):
    a = ask(settings, "How old is Rui Matos?")
    assert not a.abstained and "58" in a.text, a.text
    # "52.3 percent" is in the sentence that names him, but is no age
    a = ask(settings, "How old is Anton Keller?")
    assert a.abstained, a.text


# Cases a breaker helper found: answerable questions whose answer names the party another
# way, and near misses quoted from another party's sentence.
BREAKER = {
    "police.txt": (
        "Dunmere Constabulary to close three rural stations\n\nPublished: 2024-03-12\n\n"
        "Dunmere Constabulary will close three rural police stations by the end of the year "
        "to save money. The force said the closures would save 1.2 million pounds a year. "
        "Officers from the stations will move to a new hub in Carrow."
    ),
    "police2.txt": (
        "Officer dismissed over leak\n\nPublished: 2024-05-20\n\n"
        "West Marsh Police dismissed a senior officer on Wednesday for leaking details of an "
        "investigation. Officers said the leak had put a witness at risk. A police spokesman "
        "declined to name the officer."
    ),
    "bypass.txt": (
        "Harlow council backs ring road\n\nPublished: 2024-02-14\n\n"
        "Harlow District Council on Tuesday approved a new ring road around the town, and "
        "construction will run until 2027. The scheme was backed by councillors by 31 votes "
        "to 9."
    ),
    "fire.txt": (
        "Rebuilding after Tamsin Valley fire\n\nPublished: 2018-06-01\n\n"
        "Last year's wildfire in the Tamsin Valley burned about 12,000 hectares. The fire "
        "destroyed 230 homes, and rebuilding will not be complete until 2021. Investigators "
        "blamed a discarded cigarette."
    ),
    "minister.txt": (
        "Health minister resigns\n\nPublished: 2024-11-11\n\n"
        "Health Minister Sara Olsen resigned on Sunday after a row over hospital waiting "
        "lists. In a letter to the prime minister, Olsen said she had lost the confidence of "
        "doctors. Aged 57, she had been in government for a decade."
    ),
    "bank.txt": (
        "Central bank holds rates\n\nPublished: 2024-10-10\n\n"
        "The Bank of Norland kept its main interest rate at 4 percent on Wednesday. Governor "
        "Lise Aune said inflation was still too high. Commercial lender Nordbank said it "
        "would cut its mortgage rates."
    ),
    "storm.txt": (
        "Storm costs insurers dearly\n\nPublished: 2024-01-30\n\n"
        "Storm Imogen caused an estimated 400 million pounds of insured losses, according to "
        "the Association of Insurers. Flooding hit more than 3,000 homes."
    ),
}


@pytest.fixture(scope="module")
def breaker(tmp_path_factory, embeddings, counter, window) -> Settings:
    return index_of_texts(tmp_path_factory, "breaker", BREAKER, embeddings, counter, window)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Dunmere Constabulary say about the closures?", "The force said"),
        ("What did West Marsh Police say about the leak?", "Officers said"),
        ("Did councillors approve the ring road?", "approved a new ring road"),
        # the article is of the year asked; 2027 is when the works end
        ("What did Harlow District Council approve in 2024?", "ring road"),
        # "last year" in an article of 2018
        ("How many hectares did the 2017 Tamsin Valley wildfire burn?", "12,000 hectares"),
        ("What exactly did Sara Olsen say?", "lost the confidence"),
        ("How old is Sara Olsen?", "57"),
        ("How much damage did Storm Imogen cause?", "400 million pounds"),
    ],
)
def test_a_party_named_another_way_is_answered(breaker, question, expected):
    a = ask(breaker, question)
    assert not a.abstained, a.text
    assert expected in a.text


def test_another_partys_sentence_is_refused(breaker):
    a = ask(breaker, "Did the Bank of Norland cut mortgage rates?")
    assert a.abstained, a.text
    assert "whether the Bank of Norland cut" in a.text


AGES = {
    "council.txt": (
        "New faces on Tarrow council\n\nPublished: 2025-05-20\n\n"
        "Voters in Tarrow elected nine councillors on Saturday, the day Henrik Saal won "
        "the mayoralty. Elected with Henrik Saal was 23-year-old Mira Olund, a student who "
        "campaigned for a night bus. Saal's Harbour Party kept its majority."
    ),
    "mayor.txt": (
        "Ferry captain elected mayor of Tarrow\n\nPublished: 2025-05-19\n\n"
        "Henrik Saal, a former ferry captain, was elected mayor of Tarrow on Saturday. "
        "Saal, 61, won 4,210 votes against 3,880 for his nearest rival. Turnout was 51 "
        "percent."
    ),
}


def test_an_age_given_to_another_person_does_not_outscore_the_asked_one(
    tmp_path_factory, embeddings, counter, window
):
    # "How old is Orrin Castell?" was refused: "22-year-old Juno Abernathy" scored best,
    # then the age check refused it; "Castell, 58, won ..." came second (heldout-8, blind)
    ages = index_of_texts(tmp_path_factory, "ages", AGES, embeddings, counter, window)
    a = ask(ages, "How old is Henrik Saal?")
    assert not a.abstained and "Saal, 61," in a.text, a.text
    a = ask(ages, "How old is Mira Olund?")
    assert not a.abstained and "23-year-old" in a.text, a.text


def test_a_decision_is_reported_without_the_verb_decide(
    tmp_path_factory, embeddings, counter, window
):
    # "What did the council decide?" scored under the relevance threshold: the answer says
    # "voted ... to approve" (a new user's article)
    texts = {
        "bridge.txt": (
            "Harbor City Council Approves New Bridge\n\nPublished: 2024-03-12\n\n"
            "HARBOR CITY — The Harbor City Council voted 7 to 2 on Tuesday to approve a new "
            "pedestrian bridge over the Milltown River, Mayor Elena Ruiz said.\n\n"
            "The bridge will cost $48 million and is expected to open in September 2026. "
            "Construction will be carried out by Northwind Engineering, which won the "
            "contract after a two-year tender.\n\nCouncillor Tom Baker, who voted against "
            "the plan, said the money would be better spent on repairing existing roads. "
            '"We have potholes older than my children," Baker said.\n\nThe city expects '
            "about 12,000 people to cross the bridge each day once it opens."
        ),
        "floods.txt": (
            "Floods close schools\n\nPublished: 2024-01-14\n\n"
            "Heavy rain closed 45 schools across Dale County on Monday. Forecasters expect "
            "more rain by Wednesday."
        ),
    }
    settings = index_of_texts(tmp_path_factory, "decide", texts, embeddings, counter, window)
    a = ask(settings, "What did the council decide?")
    assert not a.abstained and "voted 7 to 2" in a.text, a.text


@pytest.mark.parametrize(
    ("question", "verb"),
    [
        ("Who won the Masters golf tournament in 2021?", "win"),
        ("Which bank advised Norvik Foods on its takeover of Brenna?", "advise"),
        ("Who directed Pretty Woman?", "direct"),
        ("Who is the CEO of Nintendo?", None),  # "be": nothing to check
        ("Who has been named to replace him?", None),  # an auxiliary
        ("Who took charge of the club?", None),  # "take" says nothing checkable
        ("What did the council decide?", None),  # the question word is no subject
        ("What movie won the Oscar for Best Animated Film in 2020?", "win"),
        ("Which author took home the Castellan Prize for Fiction in 2026?", "win"),
        ("What pay increase is the union asking for?", None),  # "increase": the noun's
        ("What pay increases did the union ask for?", None),
        ("What sentence did Ruth Calloway receive?", None),
        ("What cost savings did Osterfeld target?", None),  # "cost" is also the past
        ("Which company will carry out the library refurbishment?", "carry"),  # a modal
        ("Who will replace him as manager?", "replace"),
        ("Who will be the next mayor?", None),
        ("What team will Rovers play in the final?", None),  # "Rovers" is the subject
    ],
)
def test_subject_verb(question, verb):
    assert subject_verb(question) == verb


def test_the_sentence_that_says_who_did_it_is_quoted(tmp_path_factory, embeddings, counter, window):
    # "Which bank advised Norvik Foods ...?" quoted the deal's lead (heldout-3)
    texts = {
        "deal.txt": (
            "Norvik Foods to buy Brenna Dairy\n\nPublished: 2025-05-02\n\n"
            "Norvik Foods has agreed to buy Brenna Dairy in a cash-and-share deal valuing the "
            "family-controlled milk processor at 310 million euros, the two companies said. "
            "Harrow Securities advised Norvik on the deal, while Lomond & Vey advised Brenna."
        )
    }
    settings = index_of_texts(tmp_path_factory, "advised", texts, embeddings, counter, window)
    a = app.answer("Which bank advised Norvik Foods on its takeover of Brenna?",
                   persist_dir=settings.persist_dir)  # fmt: skip
    assert not a.abstained and "Harrow Securities advised Norvik" in a.text


def test_an_infinitive_does_not_say_who_did_it():
    # "which city hosted the olympic games in 2004?" took "applications to host" (rgb-en-news)
    from qa.actions import Action, says_verb

    host = Action("", None, "host", "host")
    bids = "Eleven cities submitted applications to host the 2004 Summer Olympics."
    assert says_verb(host, bids) and not says_verb(host, bids, done=True)
    assert says_verb(host, "Athens hosted the 2004 Olympic Games.", done=True)


def test_a_question_of_who_won_needs_a_result():
    # heldout-11 (blind): "Who won the Eastgate ward by-election?" quoted the candidates
    assert asks_result("Who won the Eastgate ward by-election?") == (
        "who won the Eastgate ward by-election"
    )
    assert asks_result("Who was elected mayor of Carrow?") == "who was elected mayor of Carrow"
    assert asks_result("Who is the mayor of Carrow?") is None
    # a count won is reported in any words ("Norway collected 39 medals", rgb-en-news)
    assert asks_result("Which country won the most medals at the 2018 Winter Olympics?") is None
    assert not says_result("Three candidates are competing in the by-election on Sunday.")
    assert says_result("Brannock was elected mayor on Sunday.")
    assert says_result("Rovers beat Kessel City 3-2 after extra time.")


def test_what_is_asked_as_done_is_not_answered_by_what_is_not_yet():
    # heldout-12 (blind): "Who has been appointed permanent head teacher?" quoted "The trust
    # has said it will appoint a permanent head teacher by Easter 2027"
    q = "Who has been appointed permanent head teacher of Brackwater High School?"
    assert done_verb(q) == "appoint"
    assert done_verb("When did Oatmere Foods complete its takeover?") == "complete"
    assert done_verb("Who is the head teacher?") is None
    assert only_not_yet("appoint", "The trust said it will appoint a head teacher by Easter.")
    assert only_not_yet("complete", "Oatmere plans to complete the deal in May.")
    assert not only_not_yet("appoint", "The trust appointed Jo Hale, who will appoint deputies.")
    assert not only_not_yet("appoint", "Jo Hale was named head teacher.")  # no such verb


def test_an_outcome_asked_as_done_is_not_answered_by_one_still_to_come():
    # heldout-5 and -3: "What did the committee recommend?" quoted "... which is due to
    # report in July"; "Has the ministry banned trawling?" quoted "would consider closing"
    assert only_pending("recommend", "The bill goes to the committee, which is due to report.")
    assert only_pending("ban", "The ministry said it would consider closing the area.")
    assert only_pending("show", "Marrak has asked for her B sample to be analysed.")
    assert not only_pending("recommend", "It recommended a ban, and will report again in May.")
    assert not only_pending("ban", "The ministry banned trawling over the reef on Monday.")


def test_the_noun_a_name_modifies_is_the_subjects_head():
    # a new user's: "When will the Caddon Island bridge open?" was answered by a sentence on
    # Caddon Island that says nothing of a bridge
    bridge = asked_action("When will the Caddon Island bridge open?")
    assert bridge is not None and bridge.head == "bridge"
    strike = "The strike was the first since 2011, when a stoppage left Caddon Island cut off."
    assert not names_subject(bridge, strike)
    trams = asked_action("What opening hours will the Dunmarrow trams keep?")
    assert trams is not None and trams.head == "trams"
    assert names_subject(trams, "Trams will run from 6am to midnight.")


@pytest.mark.parametrize(
    ("sentence", "name", "verb", "does"),
    [
        ("Work will be carried out by Kellow Construction.", "Kellow Construction", "carry", True),
        ("Kellow Construction will carry out the work.", "Kellow Construction", "carry", True),
        ("Kellow, the lowest bidder, has carried out the work.", "Kellow", "carry", True),
        ("Rovers beat Dunmore Town 3-1.", "Rovers", "win", True),  # news's word for a win
        ("Rovers beat Dunmore Town 3-1.", "Dunmore Town", "win", False),
        ("Ruth Adebayo said the work would add a wing.", "Ruth Adebayo", "carry", False),
        # a pronoun is nobody's name (heldout-5: quoted for "Who came second?")
        ('"I\'ve come away with nothing," said Delacroix.', "I've", "come", False),
    ],
)
def test_does_verb(sentence, name, verb, does):
    start = sentence.index(name)
    assert does_verb(verb, sentence, start, start + len(name)) is does


def test_a_question_left_open_does_not_say_the_verb():
    """heldout-4: "Which act will headline ...?" was answered by "She declined to say who
    would headline" once a modal's verb was read."""
    headline = Action("", None, "headline", "headline")
    assert not says_verb(headline, "She declined to say who would headline.", done=True)
    assert says_verb(headline, "The Salt Choir will headline on Sunday.", done=True)


def test_the_doer_of_the_asked_verb_is_quoted(tmp_path_factory, embeddings, counter, window):
    """A new user's: "Which company will carry out the library refurbishment?" quoted the
    council leader on the refurbishment, not "... carried out by Kellow Construction"."""
    text = (
        "Harbridge council approves £4.2m library borrowing\n\nPublished: 2025-02-11\n\n"
        "HARBRIDGE, February 11, 2025 — Harbridge Borough Council voted 23 to 14 on Monday "
        "night to borrow £4.2 million to refurbish the Central Library on Mill Street.\n\n"
        "The loan, from the Public Works Loan Board, will be repaid over 25 years. Council "
        "leader Ruth Adebayo said the refurbishment would add a children's wing and a new "
        "roof, and that the library would close for 14 months from September 2025.\n\n"
        "Opposition leader Colin Marsh, of the Independent group, voted against the plan.\n\n"
        "The library had 212,000 visits last year, according to council figures. Work is "
        "expected to be carried out by Kellow Construction, which submitted the lowest of "
        "four bids."
    )
    settings = index_of_texts(
        tmp_path_factory, "doer", {"library.txt": text}, embeddings, counter, window
    )
    a = ask(settings, "Which company will carry out the library refurbishment?")
    assert not a.abstained and "Kellow Construction" in a.text, a.text
    a = ask(settings, "Who will repay the loan?")  # nobody is said to: no doer to prefer
    assert "Kellow" not in a.text, a.text
