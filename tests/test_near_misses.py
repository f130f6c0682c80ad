"""Near misses found by the fifteenth to seventeenth sessions' helpers (blind held-out
writers, a new user, a breaker), answered end to end (real model, real Chroma in a temp dir): each
question either gets the sentence that answers it, or "Not found" when the sentence that
looks like an answer is about something else."""

from __future__ import annotations

import numpy as np
import pytest

from qa.text import MONEY, answer_type
from tests.conftest import ask, index_of_texts

STORE_TITLE = "Haddow & Lisle to close Pellingford department store after 112 years"
STORE_BODY = (
    "Haddow & Lisle is to close its department store on Corn Street in Pellingford in "
    "April, ending more than a century of trading in the town centre. The retailer said "
    "sales at the branch had fallen by a third in five years.\n\n"
    "It employs 146 people, many of whom have worked there for more than twenty years. "
    "The company said it would try to find roles for as many as possible at its other "
    "stores."
)

ARTICLES = {
    # a breaker's: the sentences differ only by their flight codes
    "flights.txt": (
        "Storm disrupts flights at Kelby Airport\n\n"
        "KELBY, March 8, 2025 — A winter storm disrupted dozens of flights at Kelby Airport "
        "on Saturday, airport spokesperson Mara Lind said. Flight KA1500 to Oslo was "
        "cancelled after ice formed on the runway. Flight KA1505 to Madrid was diverted to "
        "Brenton, where passengers waited six hours. Flight KA1510 to Rome departed three "
        "hours late. Flight KA1520 to Paris was delayed by forty minutes.\n"
    ),
    # heldout-13 (blind): barley asked, wheat given; a ransom demand without its amount
    "harvest.txt": (
        "Wet summer cuts Lowther Vale wheat harvest\n\n"
        "Farmers in Lowther Vale have harvested 18% less wheat than last year after the "
        "wettest July on record, the Lowther Growers' Union said on Thursday. The union "
        "said members had brought in an estimated 312,000 tonnes of wheat. Barley fared "
        "slightly better, falling 9%.\n"
    ),
    "breach.txt": (
        "Castellan Mutual confirms cyber attack\n\n"
        "Castellan Mutual, one of the country's largest building societies, said on "
        "Tuesday that criminals had stolen the personal details of about 212,000 "
        "customers. A ransom demand had been made, according to two people familiar with "
        "the matter, but the society said it would not pay.\n"
    ),
    # heldout-13 (blind): a director is no chair; a turnout given for the other co-op
    "heritage.txt": (
        "Corn Hall reopens after restoration\n\n"
        "The Corn Hall in Marlcaster reopened on Saturday after a six-year restoration "
        "led by the Marlcaster Heritage Trust. Its director, Judith Amberley, said the "
        "trust's appeal had shown how generous the city can be. The restoration's final "
        "cost was £8.7 million.\n"
    ),
    "merger.txt": (
        "Dairy farmers back merger of Greenfold and Ashby\n\n"
        "Members of two dairy co-operatives in Lowther Vale have voted to merge. Greenfold "
        "Dairy Co-operative said 71% of its members who voted had backed the merger with "
        "Ashby Milk Partners. Turnout among Greenfold members was 88%. At Ashby, which has "
        "260 member farms, the vote in favour was 83%.\n"
    ),
    # a new user's: "the 27-year-old" is Asante; "Club chairman" is Athletic's chairman
    "athletic.txt": (
        "Asante double lifts Athletic\n\n"
        "Marlow Bay Athletic beat Dunmore 3-1 on Saturday. January signing Tiago Mendes "
        "scored the third goal in stoppage time. Dunmore had pulled one back through Callum "
        "Reid in the 71st minute, and their goalkeeper was sent off ten minutes later for a "
        "foul outside the area. The win lifts Athletic to 12th in the table, eleven points "
        "clear of the relegation places, with eight games left to play. The crowd of 8,412 "
        "was the largest at Quayside Park this season, and the club said ticket sales for "
        "the next home game were already the best since the ground opened.\n\n"
        "Kwame Asante scored twice to take his total for the season to 15. The "
        "27-year-old's contract expires in the summer of 2026. Club chairman Ronan Whelan "
        "said talks about an extension were progressing well.\n"
    ),
    # heldout-2, -8 and -9: a count given as another noun, and a count of something else
    "school.txt": (
        "St Aldhelm's Academy downgraded\n\n"
        "Inspectors have downgraded St Aldhelm's Academy in Brackenford. The school has "
        "1,140 pupils aged 11 to 18. The dairy next door said it would cut 220 jobs.\n"
    ),
    "hospital.txt": (
        "Marrowby General opens new wing\n\n"
        "Marrowby General Hospital opened a 120-bed wing on Monday with four operating "
        "theatres. The wing cost 86 million crowns.\n"
    ),
    # heldout-14 (blind): the answer in a sentence that calls the store "it"; amounts
    # asked by what was done with them; a duration asked "how quickly"
    "store.txt": f"{STORE_TITLE}\n\n{STORE_BODY}\n",
    "fraud.txt": (
        "Former finance director guilty of £4.2m charity fraud\n\n"
        "Declan Morrow, the former finance director of Calder Vale Housing Trust, has been "
        "found guilty of defrauding the charity of £4.2 million following a seven-week "
        "trial. The jury heard that he bought a vintage sports car, a holiday flat and "
        "racehorses with the money. Sentencing of his co-defendant, Gareth Linwood, who "
        "was convicted of money laundering, was adjourned so that reports could be "
        "prepared.\n"
    ),
    # a new user's: "the company pay" read as a salary; "beat" as no result
    "results.txt": (
        "Veltrix Foods posts record profit as snack sales climb\n\n"
        "LEEDS, April 24, 2025 — Veltrix Foods, the maker of Crunchwell crisps, reported a "
        "pre-tax profit of £84 million for the year to March. Veltrix paid £27 million to "
        "acquire the oat-bar brand Grainly in November.\n"
    ),
    "match.txt": (
        "Ashby Rovers edge Kelton Town in five-goal thriller\n\n"
        "KELTON, March 8, 2025 — Ashby Rovers beat Kelton Town 3-2 at Brindle Park on "
        "Saturday, moving up to fourth in the Northern Counties League. Kelton's defeat "
        "leaves the club 14th. Its next match is away at Dunmore Athletic on March 15.\n"
    ),
    "rescue.txt": (
        "Lifeboat crew rescue five from drifting trawler\n\n"
        "The trawler Morning Tern suffered engine failure about 14 nautical miles north-east "
        "of Skellhaven harbour in the early hours of Sunday. The lifeboat reached it within "
        "an hour and towed it back to port.\n"
    ),
    "enzyme.txt": (
        "Haverleigh scientists engineer enzyme that digests plastic bottles\n\n"
        "Scientists at the University of Haverleigh say they have created an enzyme that can "
        "break down the most common plastic used in drinks bottles far faster than any "
        "reported before. In laboratory tests, the enzyme, called HX-7, worked at 50C. It "
        "broke down 90% of the plastic in crushed drinks bottles in nine hours.\n"
    ),
    # a new user's: a founder, a chief executive and a country named in words
    "kettle.txt": (
        "Brightkettle unveils the Aurora smart kettle\n\n"
        "Brightkettle, a start-up from Dundee, launched the Aurora smart kettle on Tuesday. "
        "The kettle can be controlled from a phone app.\n\n"
        "The Aurora costs 89 pounds and goes on sale in the UK on October 15. Founder Ewan "
        "MacLeod said the company had taken 12,000 pre-orders. A version for the United "
        "States will follow in 2026, the company said, but no price has been set.\n"
    ),
    "sensors.txt": (
        "Veltrona reports higher third-quarter revenue but profit slips\n\n"
        "Veltrona Systems, the Lisbon-based maker of industrial sensors, said on Wednesday "
        "that revenue for the third quarter rose 14% to 312 million euros. Chief executive "
        "Marta Albuquerque said the Porto plant would open in March 2026.\n"
    ),
    # heldout-15 (blind): another month's rainfall
    "rain.txt": (
        "Ardross farmers count the cost of the wettest September on record\n\n"
        "Data from the Ardross weather station at Kilbrannan showed 212 millimetres of rain "
        "fell in September, almost double the monthly average. Growers said some potato "
        "fields were still under water.\n"
    ),
    # heldout-13 (blind): a forecast for an outcome
    "exhibition.txt": (
        "Vancourt exhibition opens at the Corn Hall\n\n"
        "An exhibition of Edith Vancourt's harbour paintings opened at the Corn Hall in "
        "Marlcaster on Saturday. The exhibition is expected to attract about 80,000 "
        "visitors over its three-month run. Tickets cost £12.\n"
    ),
    # heldout-16 (blind): a frequency, a fine, a weight, initials that are no person, and
    # a figure of the rival that an article names in passing
    "clinic.txt": (
        "Mobile clinic tours Dunmere valley villages\n\n"
        "A mobile vaccination clinic has begun touring villages in the Dunmere valley to "
        "raise low uptake of flu and RSV vaccines among older residents, health officials "
        "said on Thursday.\n\n"
        "The converted coach visits nine villages on a fixed rota and returns to each one "
        "every three weeks. The project is led by nurse practitioner Grace Adeyemi-Holt.\n"
    ),
    "treasurer.txt": (
        "Former Hollinbridge council treasurer jailed\n\n"
        "A former treasurer of Hollinbridge District Council, Dorian Fenwick, was jailed on "
        "Wednesday for diverting housing money, ending a case that has run for almost two "
        "years. The court heard that only £37,500 had so far been recovered.\n"
    ),
    "cub.txt": (
        "Rare leopard cub born at Glenholm Wildlife Park\n\n"
        "Keepers at Glenholm Wildlife Park are celebrating the birth of an Amur leopard "
        "cub, the first to be born at the park in its 51-year history. The cub will be "
        "weighed at its first health check.\n"
    ),
    "ravenport.txt": (
        "Ravenport Logistics profit rises as parcel volumes rebound\n\n"
        "Ravenport Logistics said second-quarter revenue rose 8 percent. Net profit climbed "
        "to $96 million from $71 million a year earlier. The results contrast with those of "
        "its main rival, Caldera Freight, which reported falling revenue last week.\n"
    ),
    "caldera.txt": (
        "Caldera Freight to cut 900 jobs after revenue slips\n\n"
        "Caldera Freight said on Wednesday it would cut about 900 jobs after its "
        "second-quarter revenue fell 3 percent to 1.1 billion euros.\n"
    ),
    # heldout-17 (blind): a count in the lead for a percentage asked
    "estate.txt": (
        "Larkfield councillors approve Orchard Rise estate\n\n"
        "Councillors have approved plans for a new estate of 850 homes on farmland north of "
        "Larkfield, despite objections from more than 1,200 residents.\n\n"
        "The scheme, known as Orchard Rise, was passed by seven votes to four. Thirty per "
        "cent of the homes will be classed as affordable.\n"
    ),
    # heldout-18 (blind): a subject called "the company" or "the firm", a university, a
    # saving, a designation that opens on a year, a cause said "following"; and near
    # misses: another period, a count of shops for staff, another thing's weight
    "sixthform.txt": (
        "Marlcaster college posts record A-level grades\n\n"
        "Students at Marlcaster Sixth Form College collected record A-level results on "
        "Thursday. The college said 386 students had sat at least one paper this summer. "
        "Among them was Priya Collard, who gained three A* grades. She will read chemistry "
        "at Durham University from October.\n"
    ),
    "tramstrike.txt": (
        "Kelby tram drivers to strike over pay\n\n"
        "Tram drivers at Kelby Metro will strike for 24 hours next week. The union wants a "
        "6 per cent rise. The company has offered 3.5 per cent, tied to new weekend "
        "rosters. It says the rosters would save £2.1 million a year.\n"
    ),
    "crumb.txt": (
        "Crumb & Co to open nine bakeries\n\n"
        "Bakery chain Crumb & Co is to open nine new shops this year, against the trend on "
        "the high street. The new branches will create about 90 jobs. The firm reported "
        "turnover of £6.3 million in the year to June.\n"
    ),
    "launch.txt": (
        "Skerra launch puts Corrie satellite in orbit\n\n"
        "Halvard Aerospace launched its Tern rocket from Skerra on Friday. The satellite, "
        "Corrie-2, weighs 41 kilograms and separated from the upper stage after nine "
        "minutes.\n"
    ),
    "asteroid.txt": (
        "Retired teacher finds near-Earth asteroid\n\n"
        "A retired teacher in Fennick has discovered a near-Earth asteroid. It has been "
        "given the designation 2025 QX4. Its closest approach to Earth will be in March "
        "2030, when it will pass within 9 million kilometres. The teacher, Alan Pell, spent "
        "about £3,000 on his equipment.\n"
    ),
    # a breaker's: the headline was quoted for "Who won ...?"
    "okafor.txt": (
        "Okafor wins Dunmere mayoral race in upset\n\n"
        "Ada Okafor of the Harbour Party has been elected mayor of Dunmere, ending 16 years "
        "of Civic Union rule. Okafor won 51.8 percent of the vote in Sunday's run-off.\n"
    ),
    "briskair.txt": (
        "Brisk Air adds six routes from Tollby\n\n"
        "Budget carrier Brisk Air will launch six routes from Tollby Airport in May. Brisk "
        "Air was founded in 2011 by two former pilots. It carried 1.9 million passengers "
        "last year.\n"
    ),
    "eastmoor.txt": (
        "Independent wins Eastmoor by-election\n\n"
        "An independent candidate has won the Eastmoor ward by-election in Tarrow after an "
        "overnight recount. The by-election was called following the resignation of "
        "councillor Dena Pryce in March.\n"
    ),
    # a new user's: the results lead outscored the chief executive's sentence, refused
    "brightwell.txt": (
        "Brightwell Foods profit rises as snack sales climb\n\n"
        "Brightwell Foods, the maker of Crunchy Oats cereal and Hilltop crisps, reported a 14 "
        "percent rise in third-quarter operating profit on Thursday, helped by strong demand "
        "for its snack brands.\n\n"
        "Operating profit for the three months to September reached £86 million, up from £75 "
        "million a year earlier. Revenue rose 6 percent to £1.02 billion.\n\n"
        "Chief executive Ruth Calloway said the company had benefited from lower wheat and "
        "potato costs and a price increase introduced in the spring.\n"
    ),
    # heldout-4, -5, -8 and -11 (blind): the winner's lead for the runner-up
    "marathon.txt": (
        "Havard wins Greyhaven women's marathon on debut\n\n"
        "Linnea Havard won the women's race at the Greyhaven Marathon on Sunday, on her "
        "debut over the distance, and takes home 20,000 euros in prize money. Organisers "
        "said 9,200 runners finished the course in warm conditions.\n\n"
        # "behind" then "third": the runner-up's sentence (heldout-21), not a third place's
        "Colette Amadou was 48 seconds behind, with Rosa Keane third. Keane set a personal "
        "best.\n"
    ),
    "pellow.txt": (
        "Pellow Foods profit rises 12% as snack sales grow\n\n"
        "Harbridge-based Pellow Foods reported a pre-tax profit of £18.6 million for 2024, "
        "up 12 per cent from £16.6 million a year earlier, the company said on Thursday. "
        "Revenue rose 7 per cent to £241 million.\n\nThe board proposed a final dividend of "
        "4.8p a share. Finance director Owen Pryce said energy costs had fallen.\n"
    ),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory, embeddings, counter, window):
    return index_of_texts(tmp_path_factory, "near", ARTICLES, embeddings, counter, window)


def _ask(index, question: str):
    return ask(index, question, sentence_vectors="lazy")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What happened to flight KA1505?", "Madrid"),
        # the best sentence says "cancelled" of KA1500: the runner-up names KA1520
        ("Was flight KA1520 cancelled?", "KA1520 to Paris"),
        ("How many tonnes of wheat did Lowther Vale farmers harvest?", "312,000 tonnes"),
        ("Who is the chairman of Marlow Bay Athletic?", "Ronan Whelan"),
        ("How old is Kwame Asante?", "27-year-old"),
        ("What was the final price tag of the Corn Hall restoration?", "£8.7 million"),
        ("What was the turnout among Greenfold members?", "88%"),
        ("How many students are enrolled at St Aldhelm's Academy?", "1,140 pupils"),
        ("How many positions will the dairy next to St Aldhelm's eliminate?", "220 jobs"),
        ("How many employees work at the Haddow & Lisle store in Pellingford?", "146 people"),
        ("How quickly did the HX-7 enzyme break down the plastic in drinks bottles?", "nine"),
        ("How much did the company pay to acquire Grainly?", "£27 million"),
        ("Who won the match between Ashby Rovers and Kelton Town?", "Ashby Rovers beat"),
        # the lead names neither the founder nor the chief executive: the runner-up does
        ("Who founded Brightkettle?", "Ewan MacLeod"),
        ("Who is the CEO of Veltrona?", "Marta Albuquerque"),
        ("When will the US version of the Aurora kettle follow?", "2026"),
        ("How much rain fell at the Kilbrannan weather station in September?", "212"),
        ("How often does the Dunmere valley mobile clinic return to each village?", "every"),
        ("Who leads the mobile vaccination project in the Dunmere valley?", "Adeyemi-Holt"),
        ("What was Ravenport Logistics' net profit in the second quarter?", "$96 million"),
        ("What percentage of the Orchard Rise homes in Larkfield will be affordable?", "Thirty"),
        ("Which university will Marlcaster student Priya Collard attend?", "Durham University"),
        ("What pay rise has Kelby Metro offered its tram drivers?", "3.5 per cent"),
        ("How much does Kelby Metro say the weekend rosters would save?", "£2.1 million"),
        ("What turnover did Crumb & Co report for the year to June?", "£6.3 million"),
        ("How much does the Corrie-2 satellite weigh?", "41 kilograms"),
        ("When will asteroid 2025 QX4 make its closest approach to Earth?", "March"),
        ("Why was the Eastmoor ward by-election called?", "resignation"),
        ("How many passengers did Brisk Air carry last year?", "1.9 million"),
        ("Who finished second in the women's race at the Greyhaven Marathon?", "Amadou"),
        ("Who came third in the Greyhaven women's marathon?", "Rosa Keane"),
        ("Who is the CEO of Brightwell?", "Ruth Calloway"),
        # "14 percent" was quoted: an amount is asked (a new user's)
        ("How much operating profit did Brightwell Foods make in the third quarter?", "£86"),
        # "The board proposed ..." speaks for the company (a new user's was refused)
        ("What final dividend did Pellow Foods propose?", "4.8p"),
    ],
)
def test_the_sentence_that_answers_is_quoted(index, question, expected):
    got = _ask(index, question)
    assert not got.abstained and expected in got.text, got.text


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Was flight KA1599 cancelled?", "KA1599"),
        ("How many tonnes of barley did Lowther Vale farmers harvest?", ""),
        ("How much ransom did the attackers demand from Castellan Mutual?", ""),
        ("Who chairs the board of the Marlcaster Heritage Trust?", "who chairs the board"),
        ("What was the turnout in the Ashby Milk Partners vote?", "the turnout"),
        ("How old is Tiago Mendes?", "the age of Tiago Mendes"),
        # beds and theatres are counted, nurses are not
        ("How many nurses did Marrowby General recruit for the new wing?", ""),
        # the amount he defrauded the charity of, not what he paid or what is sought back
        ("How much did Declan Morrow pay for the vintage sports car?", "paid for"),
        ("How much are prosecutors seeking to confiscate from Declan Morrow?", "confiscate"),
        # sentencing adjourned, a weekday for a year, a store closing for its buyer
        ("What sentence did Gareth Linwood receive for money laundering?", "receive"),
        ("In what year was the trawler Morning Tern built?", ""),
        ("Who bought the former Haddow & Lisle store building in Pellingford?", "bought"),
        # the UK price for the US one; a forecast for the outcome
        ("What is the price of the Aurora kettle in the United States?", "United States"),
        ("How many visitors actually attended the Vancourt exhibition?", "actually attended"),
        ("How much rain fell at the Kilbrannan weather station in August?", "August"),
        # money recovered is no fine; a park's age is no weight; the rival's profit
        ("How much was former Hollinbridge treasurer Dorian Fenwick fined?", "fined"),
        ("How much did the leopard cub at Glenholm Wildlife Park weigh at birth?", ""),
        ("What was Caldera Freight's net profit in the second quarter?", "Caldera Freight"),
        ("How many students sat an A-level paper at Marlcaster college last year?", "last year"),
        ("How many people does the bakery chain Crumb & Co employ?", ""),
        ("How much does Halvard Aerospace's Tern rocket weigh?", "the weight"),
        ("How much did the Fennick observatory's telescope cost?", "the cost"),
        # "It" is Brisk Air, which the sentence before opens on
        ("How many passengers did Tollby Airport handle last year?", "Tollby Airport"),
        # the winner's prize is not the runner-up's
        ("How much prize money did Colette Amadou win as runner-up?", "runner-up"),
    ],
)
def test_a_sentence_about_something_else_is_refused(index, question, missing):
    got = _ask(index, question)
    assert got.abstained, got.text
    assert missing in got.text


def test_the_day_or_year_of_a_date_is_no_count():
    """A new user's: "How many people attended ...?" quoted "Its next match is ... on
    March 15" for its "15"."""
    from qa.text import NUMBER, typed_candidates

    def numbers(sentence: str, question: str) -> list[str]:
        return [sentence[a:b] for a, b in typed_candidates(sentence, NUMBER, question)]

    attended = "How many people attended the match?"
    assert numbers("Its next match is away at Dunmore Athletic on March 15.", attended) == []
    crowd = "A crowd of 4,312 watched on 8 March 2025, the largest since 2019."
    assert numbers(crowd, attended) == ["4,312"]
    # a date's year may be what "how long" or "how many years" asks
    assert numbers("The store opened in 1913 as a drapery.", "How many years has it traded?")


def test_the_name_of_a_person_asks_for_a_person():
    from qa.text import OTHER, PERSON

    # heldout-22, blind: "A 58-year-old lorry driver died ..." names nobody
    assert answer_type("What was the name of the lorry driver killed in the storm?") == PERSON
    assert answer_type("What is the name of the man who found it?") == PERSON
    assert answer_type("What is the name of the new bridge?") == OTHER


def test_which_days_asks_for_dates():
    from qa.text import DATE

    # a new user's "On which days will drivers strike?" quoted "... lasted one day"
    assert answer_type("On which days will Western Counties Railway drivers strike?") == DATE
    assert answer_type("On what dates will the festival take place?") == DATE
    assert answer_type("How many days will the strike last?") != DATE
    # weekdays in the plural are days too: "on Mondays, Wednesdays and Fridays" (heldout-20)
    from qa.text import typed_candidates

    sentence = "The route would operate three times a week, on Mondays and Fridays."
    found = [sentence[a:b] for a, b in typed_candidates(sentence, DATE, "On which days?")]
    assert "Mondays" in " ".join(found) and "Fridays" in " ".join(found), found


def test_how_often_asks_for_a_frequency():
    from qa.text import FREQUENCY, ORG, typed_candidates

    assert answer_type("How often will the authority review the licences?") == FREQUENCY
    assert answer_type("How many times a week do the trains run?") == FREQUENCY
    assert answer_type("How many trains run on Sundays?") != FREQUENCY
    # two questions in one: the other part's type is read, as before "how often" had one
    # (the bundled article's lead answers "..., and which government body approved them?")
    both = "How often are the pilot programs reviewed, and which government body approved them?"
    assert answer_type(both) == ORG
    sentence = (
        "Trains will run every 30 minutes on weekdays and hourly on Sundays, and about "
        "18,500 passengers a day are expected; the line opened on Monday."
    )
    spans = [sentence[a:b] for a, b in typed_candidates(sentence, FREQUENCY, "How often?")]
    assert spans == ["every 30 minutes", "hourly", "18,500 passengers a day"]


def test_a_percentage_asked_is_a_number_given_as_one():
    from qa.text import NUMBER, span_strength

    asked = "What percentage of the homes will be affordable?"
    assert span_strength("850", NUMBER, asked, " homes on farmland") < 0.1
    assert span_strength("Thirty", NUMBER, asked, " per cent of the homes") == 1.0
    assert span_strength("23%", NUMBER, "By what percentage did sales fall?") == 1.0
    assert span_strength("850", NUMBER, "How many homes will be built?", " homes") == 1.0


def test_amount_questions_ask_for_money():
    assert answer_type("How much ransom did the attackers demand?") == MONEY
    assert answer_type("How much funding will the council get?") == MONEY
    assert answer_type("After the delays, what was the substation expected to cost?") == MONEY
    assert answer_type("What was the cost overrun blamed on?") != MONEY
    assert answer_type("What did the Wendholm tram extension cost to build?") == MONEY
    assert answer_type("How much does Tallis Home owe its creditors?") == MONEY
    assert answer_type("How much have prices risen?") != MONEY
    assert answer_type("How much was the former treasurer fined?") == MONEY


def test_a_sentence_that_calls_its_subject_it_is_read_after_its_headline(embeddings):
    """heldout-14 (blind): "It employs 146 people" scored as a sentence alone is far from
    "How many employees work at the Haddow & Lisle store?"; read after the headline that
    names the store, it is closer, and the closer reading counts. A sentence that names
    its own subject is scored as itself."""
    from qa.extractive import ExtractiveAnswerer
    from qa.types import RetrievedChunk

    text = STORE_BODY
    chunk = RetrievedChunk(
        1, "store#0", "/a/store.txt", STORE_TITLE, "store.txt", None, text, 0, len(text), 0.5
    )
    question = "How many employees work at the Haddow & Lisle store in Pellingford?"
    scored = {
        sc.text: sc.features["cosine"]
        for sc in ExtractiveAnswerer(embeddings, 0.3).score_sentences(question, [chunk])
    }
    q = np.asarray(embeddings.embed_query(question))

    def alone(sentence: str) -> float:
        return float(np.asarray(embeddings.embed_documents([sentence])[0]) @ q)

    it = "It employs 146 people, many of whom have worked there for more than twenty years."
    assert scored[it] > alone(it) + 0.05
    lead = next(s for s in scored if s.startswith("Haddow & Lisle is to close"))
    assert scored[lead] == pytest.approx(alone(lead), abs=1e-3)


def test_a_date_without_its_year_gives_way_to_the_same_date_with_it(embeddings):
    """rgb-en-news: "was released on September 20th" scored just above "released on
    September 20, 2019" in another snippet; the same date said in full answers. Another
    date, or one further below than FALLBACK_MARGIN, does not."""
    from dataclasses import replace

    from qa.extractive import FALLBACK_MARGIN, ExtractiveAnswerer, _fuller_date
    from qa.types import RetrievedChunk

    def chunk(n: int, text: str) -> RetrievedChunk:
        return RetrievedChunk(
            n, f"p{n}#0", f"/a/p{n}.txt", "iPhone 11", f"p{n}.txt", None, text, 0, len(text), 0.5
        )

    question = "When was the iPhone 11 released?"
    partial = "Apple said the iPhone 11 was released on September 20th."
    full = "The iPhone 11, released on September 20, 2019, is now considered older."
    other = "The iPhone 11, released on September 21, 2019, is now considered older."
    scored = ExtractiveAnswerer(embeddings, 0.3).score_sentences(
        question, [chunk(1, partial), chunk(2, full), chunk(3, other)]
    )
    by = {sc.text: sc for sc in scored}
    best = replace(by[partial], score=1.0)
    close = replace(by[full], score=1.0 - FALLBACK_MARGIN / 2)
    far = replace(by[full], score=1.0 - 2 * FALLBACK_MARGIN)
    rival = replace(by[other], score=1.0 - FALLBACK_MARGIN / 2)
    assert _fuller_date(question, best, [best, close], scored) is close
    assert _fuller_date(question, best, [best, far], scored) is best
    assert _fuller_date(question, best, [best, rival], scored) is best


def test_how_long_a_bridge_or_line_is_asks_for_a_length():
    """heldout-1, -10, -16: "How long will the tram line be?" asks kilometres, not the
    weeks a bridge will close for; "How long is the contract?" may be a time."""
    from qa.text import asks_physical_units, counted_units

    line = "How long will the tram line to Brackenford Airport be?"
    assert asks_physical_units(line) and "kilometr" in counted_units(line)
    assert "week" not in counted_units("How long is the Tolland Bridge?")
    contract = "How long is Jonas Ekdahl's contract with Brackenford City?"
    assert not asks_physical_units(contract) and "year" in counted_units(contract)
    assert not asks_physical_units("How long will the bridge be closed?")


def test_which_university_asks_for_a_name_that_says_university():
    from qa.text import ORG, span_strength

    asked = "Which university will Priya Collard attend?"
    assert answer_type(asked) == ORG
    assert answer_type("Which college did she attend?") == ORG
    named = span_strength("Durham University", ORG, asked)
    assert span_strength("A-level", ORG, asked) < named


def test_how_much_saved_asks_for_money_but_not_time_saved():
    assert answer_type("How much would the change save each year?") == MONEY
    assert answer_type("How much time would the new timetable save?") != MONEY


def test_a_year_that_opens_a_designation_is_no_year_asked():
    from qa.constraints import question_constraints

    assert not question_constraints("When will asteroid 2026 JH3 pass Earth?").years
    assert question_constraints("What was revenue in 2019 Q4?").years == {"2019"}
    assert question_constraints("Who won the 2024 Coastal Cup?").years == {"2024"}


def test_a_headline_is_evidence_but_never_quoted(index):
    got = _ask(index, "Who won the Dunmere mayoral race?")
    assert not got.abstained and "Okafor" in got.text, got.text
    assert "wins Dunmere mayoral race" not in got.citations[0].quote


def test_a_pay_rise_or_fee_asked_is_a_percentage_or_an_amount():
    """heldout-18 (blind): "610 conductors" answered "What pay rise has X offered?"."""
    from qa.text import NUMBER, span_strength

    rise = "What pay rise has Coastway Trains offered its conductors?"
    assert span_strength("610", NUMBER, rise, " conductors employed", "e ") < 0.1
    assert span_strength("4.2 per cent", NUMBER, rise, ", but only if") == 1.0
    assert span_strength("2,000", NUMBER, rise, " a year", " £") == 1.0
    fee = "What fee did Kessing Rovers pay Port Alder for Milan Varga?"
    assert span_strength("18.5 million", NUMBER, fee, " euros, a club record", "r ") == 1.0


def test_a_name_called_by_the_kind_asked_is_the_thing_asked():
    """heldout-22, blind: "Lyra, launched at a cost of €620 million" answers "How much did
    the space telescope used to study Orrin-3c cost?" where the article says "the Lyra
    Space Telescope"; "The satellite, Corrie-1" is no rocket."""
    from qa.extractive import _named_as

    article = "The team used the Lyra Space Telescope to watch the planet."
    assert _named_as("Lyra", "the space telescope used to study Orrin-3c", article)
    assert not _named_as("Lyra", "the Tern rocket", article)
    assert not _named_as("Corrie-1", "the Tern rocket", "The satellite, Corrie-1, weighs 38 kg.")


def test_a_place_the_answers_article_never_names_is_refused(
    tmp_path_factory, embeddings, counter, window
):
    """A new user's near miss: "How much rain did Storm Edith bring to Stanmore?" quoted
    the 61mm that fell on Harbridge, as another retrieved article (on football) names
    Stanmore."""
    articles = {
        "storm.txt": (
            "Storm Edith floods 140 homes in Harbridge\n\n"
            "Storm Edith brought 61mm of rain to Harbridge in 24 hours on Sunday, flooding "
            "about 140 homes, the fire service said. The River Harl peaked at 3.9 metres.\n"
        ),
        "cup.txt": (
            "Harbridge Rovers beat Stanmore 3-1 to reach county cup final\n\n"
            "Harbridge Rovers reached the final with a 3-1 win over Stanmore Athletic at "
            "Quarry Lane on Saturday, in heavy rain. A crowd of 2,846 watched.\n"
        ),
    }
    settings = index_of_texts(tmp_path_factory, "place", articles, embeddings, counter, window)
    got = ask(settings, "How much rain did Storm Edith bring to Stanmore?")
    assert got.abstained and "Stanmore" in got.text, got.text
    got = ask(settings, "How much rain did Storm Edith bring to Harbridge?")
    assert not got.abstained and "61mm" in got.text, got.text


def test_how_long_someone_was_jailed_asks_for_a_term_of_custody(
    tmp_path_factory, embeddings, counter, window
):
    """A new user's: "he took the money over four years" beside Tully's name was quoted
    for his sentence, and "The jury took just under three hours" for a man cleared."""
    articles = {
        "fraud.txt": (
            "Former charity treasurer jailed for stealing £86,000\n\n"
            "A former treasurer of the Harbridge Hospice Friends charity was jailed for two "
            "years and eight months at Westshire Crown Court on Tuesday for stealing £86,000 "
            "from the charity.\n\nGraham Tully, 58, of Orchard Close, Harbridge, admitted "
            "fraud by abuse of position. The court heard he took the money over four years "
            "between 2019 and 2023 and spent it on online gambling.\n"
        ),
        "assault.txt": (
            "Man cleared of assault outside Harbridge nightclub\n\n"
            "A 24-year-old man has been cleared of assault after a trial at Westshire Crown "
            "Court. Kieran Doyle, of Mill Lane, denied punching a doorman in March. The jury "
            "took just under three hours to reach its verdict.\n"
        ),
    }
    settings = index_of_texts(tmp_path_factory, "jail", articles, embeddings, counter, window)
    got = ask(settings, "How long was Graham Tully jailed for?")
    assert not got.abstained and "two years and eight months" in got.text, got.text
    got = ask(settings, "How long was Kieran Doyle jailed for?")
    assert got.abstained, got.text


@pytest.mark.parametrize(
    ("question", "sentence", "refused"),
    [
        # a new user's: the homes without power answered for the dead
        ("How many people died in Storm Imogen?", "It left 4,800 homes without power.", True),
        ("How many people died in Storm Imogen?", "Two people were killed by trees.", False),
        ("How many people were injured?", "Two people were killed by falling trees.", True),
        ("How many people were injured?", "Five others were hurt.", False),
        ("How many people visited the fair?", "A crowd of 6,412 came.", False),  # any count
    ],
)
def test_a_count_of_casualties_asks_for_the_harm(question, sentence, refused):
    from qa.extractive import _counts_nothing_asked

    assert _counts_nothing_asked(question, sentence) is refused
