"""Who held an office before someone, and who holds it now, answered end to end (real
model, real Chroma in a temp dir): a predecessor is quoted from a sentence of succession
("succeeding Margaret Ilsley"), not from the one naming the outgoing holder, and a new
holder is never the one said to be outgoing (heldout-21 and a new user's, session 24)."""

from __future__ import annotations

import pytest

from qa.extractive import _ASKS_NEW_HOLDER, _ASKS_PREDECESSOR, _PAST_HOLDER_BEFORE, _SUCCESSION
from tests.conftest import ask, index_of_texts

ARTICLES = {
    "tarnholt.txt": (
        "Independent Calder ends Civic Alliance hold on Tarnholt\n\n"
        "TARNHOLT, 3 May - Fiona Calder, a former head teacher standing as an independent, "
        "has been elected mayor of Tarnholt, ending 16 years of Civic Alliance control of "
        "the post.\n\n"
        "Calder won 14,212 votes to 11,907 for the Civic Alliance candidate, Paul Lomax.\n\n"
        "The outgoing mayor, Derek Salter of the Civic Alliance, did not seek a third term. "
        "He was first elected in 2016, succeeding Margaret Ilsley, who had held the post for "
        "the previous eight years.\n\n"
        "Salter said he had phoned Calder to offer a briefing on the council's budget.\n"
    ),
    "museum.txt": (
        "Paintings stolen from Lindenfield museum\n\n"
        "Thieves stole three paintings from the Lindenfield Museum of Art on Sunday night.\n\n"
        "The museum's director, Dr Anika Strand, said staff were heartbroken. Strand took "
        "over in March from Peter Colville, who retired after 22 years in charge.\n"
    ),
    "orbis.txt": (
        "Orbis Freight names new chief executive\n\n"
        "Orbis Freight said on Tuesday that Dana Whitcombe would become its chief executive "
        "in June. The former chief executive, Colin Breck, left in January after six years. "
        "Chairman Ian Mott has run the company since then.\n"
    ),
    "growers.txt": (
        "Hop growers warn of a poor harvest\n\n"
        "Hop growers in the Teme valley expect their smallest harvest in a decade.\n\n"
        '"The dry spring hit every garden," said Owen Pryce, chair of the Teme Hop Growers '
        "Association, who was elected in March after Beth Carrow stood down at the end of "
        "her third term.\n"
    ),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory, embeddings, counter, window):
    return index_of_texts(tmp_path_factory, "holders", ARTICLES, embeddings, counter, window)


def _ask(index, question: str):
    return ask(index, question, sentence_vectors="lazy")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who was mayor of Tarnholt before Derek Salter?", "Margaret Ilsley"),
        ("Who preceded Derek Salter as mayor of Tarnholt?", "Margaret Ilsley"),
        ("Who became mayor of Tarnholt?", "Fiona Calder"),
        ("Who was elected mayor of Tarnholt?", "Fiona Calder"),
        # heldout-22, blind: a verb of running, and words between "took over" and "from"
        ("Who ran the Lindenfield Museum of Art before Anika Strand?", "Peter Colville"),
        # heldout-22: one elected after another stood down
        ("Who led the Teme Hop Growers Association before Owen Pryce?", "Beth Carrow"),
    ],
)
def test_the_holder_asked_is_quoted(index, question, expected):
    got = _ask(index, question)
    assert not got.abstained and expected in got.text, got.text


@pytest.mark.parametrize(
    "question",
    [
        # the articles name no mayor before Ilsley, nor anyone Breck followed
        "Who was mayor of Tarnholt before Margaret Ilsley?",
        "Who was chief executive of Orbis Freight before Colin Breck?",
    ],
)
def test_a_predecessor_not_given_is_refused(index, question):
    got = _ask(index, question)
    assert got.abstained, got.text


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Who was mayor of Tarnholt before Derek Salter?", True),
        ("Who did Dana Whitcombe replace?", True),
        ("Who was Salter's predecessor?", True),
        ("Who was mayor of Tarnholt in 2016?", False),
        ("What happened before the vote?", False),
    ],
)
def test_a_question_of_a_predecessor_is_recognised(question, asks):
    assert bool(_ASKS_PREDECESSOR.search(question)) is asks


def test_succession_and_past_holders_are_read():
    assert _SUCCESSION.search("He was first elected in 2016, succeeding Margaret Ilsley")
    assert _SUCCESSION.search("She took over from Tom Hale in May")
    # heldout-7: six words between "took over" and "from"
    assert _SUCCESSION.search("Solvay took over as chief executive in January 2023 from Draaks")
    assert _SUCCESSION.search("who was elected after Beth Carrow stood down")
    assert _SUCCESSION.search("named in May when Ali Rahim retired")
    assert not _SUCCESSION.search("after the river stood at record levels")
    assert not _SUCCESSION.search("The outgoing mayor, Derek Salter, did not stand again")
    assert _ASKS_NEW_HOLDER.search("Who became mayor of Tarnholt?")
    assert not _ASKS_NEW_HOLDER.search("Who was mayor of Tarnholt before Derek Salter?")
    assert _PAST_HOLDER_BEFORE.search("The outgoing mayor, ")
    assert _PAST_HOLDER_BEFORE.search("said former chief executive ")
    assert not _PAST_HOLDER_BEFORE.search("TARNHOLT, 3 May - ")
