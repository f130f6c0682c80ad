"""A question that asks for a name is answered by a sentence that gives one, or refused
(qa/naming.py; the held-out sets' unnamed driver, man, tool and wife were "answered" with
the sentence that spoke of them)."""

from __future__ import annotations

import pytest

from newsdesk.settings import Settings
from qa.naming import asked_name_of, gives_name
from tests.conftest import ask, index_of_texts


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("What was the name of the lorry driver killed by a falling oak?", "driver"),
        ("What is the name of the captain who was flying flight CV412?", "captain"),
        ("What is the name of the file transfer tool the hackers exploited?", "tool"),
        ("What are the names of the two Brightwell directors arrested?", "directors"),
        ("What was the name of the shell company used to move money?", "company"),
        ("What is the name of Corwin Ashdale's wife?", "wife"),
        ("What is the new octopus species called?", "species"),
        ("What is the captain's name?", "captain"),
        # no name asked: a person question, a passive of "name", a brand "name" as a noun
        ("Who was the driver?", None),
        ("Who was named player of the match?", None),
        ("What brand name will it be sold under?", None),
        # two things asked: a sentence may give one of them
        ("When was the panda cub born and what was it named?", None),
        # "who" of a relative clause asks nothing
        ("What was the name of the 72-year-old man who died in the floods?", "man"),
    ],
)
def test_the_noun_whose_name_is_asked(question, head):
    assert asked_name_of(question) == head


@pytest.mark.parametrize(
    ("head", "sentence", "gives"),
    [
        ("driver", "Lorry driver Dan Pryce, 58, died at the scene.", True),
        ("fisherman", "The fisherman, Karel Duvnjak, was last seen on Monday.", True),
        ("fisherman", "Karel Duvnjak, a 61-year-old fisherman, was last seen on Monday.", True),
        ("assistant", "Alexa, Amazon's voice assistant, is coming to Office.", True),
        ("species", "The animal, named Cirrothauma lucerna, was filmed in March.", True),
        ("operation", "The inquiry, known as Operation Kestrel, began in May.", True),
        ("man", "Police named the man as Harold Finch, of Millbeck.", True),
        ("headset", "Microsoft HoloLens is an augmented reality (AR) headset.", True),
        ("driver", "It is a lorry driver's worst fear, the union said.", False),
        # the noun without a name, and names elsewhere in the sentence
        ("driver", "A 58-year-old lorry driver died near Tremorden, police said.", False),
        ("wife", "His wife and adult son watched from the public gallery.", False),
        ("tool", "Anya Petrossian said hackers exploited a file transfer tool.", False),
        # a name the question already holds is no answer
        ("company", "The company, Brightwell, said it would cooperate.", False),
    ],
)
def test_a_sentence_gives_the_name_beside_its_noun(head, sentence, gives):
    question = f"What is the name of the {head} of Brightwell?"
    assert gives_name(head, sentence, question) is gives


ARTICLES = {
    "octopus.txt": (
        "Scientists find glowing octopus in Atlantic trench\n\nMarine biologists have "
        "identified a previously unknown species of deep-sea octopus that produces its own "
        "light, living at depths of more than 3,200 metres in the Romanche Trench.\n\nThe "
        "octopus is about 28 centimetres long and has rows of light organs along its arms."
        "\n\nThe animal, named Cirrothauma lucerna, was filmed by a remotely operated vehicle "
        "in March 2024.\n"
    ),
    "storm.txt": (
        "Storm Orla brings down trees across Penwarrick\n\nA 58-year-old lorry driver died "
        "when a falling oak struck his cab on the A390 near Tremorden on Thursday night, "
        "Penwarrick Police said.\n\nMore than 9,000 homes lost power as gusts reached 80 mph."
        "\n"
    ),
}


@pytest.fixture(scope="module")
def named(tmp_path_factory, embeddings, counter, window) -> Settings:
    return index_of_texts(tmp_path_factory, "named", ARTICLES, embeddings, counter, window)


def test_the_sentence_that_gives_the_name_answers(named):
    # a new user's: the discovery's lead was quoted, which names no species
    a = ask(named, "What is the new octopus species called?")
    assert not a.abstained and "Cirrothauma lucerna" in a.text, a.text


def test_a_name_no_sentence_gives_is_refused(named):
    # heldout-22's: "A 58-year-old lorry driver died ..." was quoted for his name
    a = ask(named, "What was the name of the lorry driver killed by a falling oak?")
    assert a.abstained and "the name of the driver" in a.text, a.text
