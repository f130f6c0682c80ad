"""Verification of generated answers (qa.verify) with the real packaged embedding model."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.types import RetrievedChunk
from qa.verify import SUPPORT_THRESHOLD, colocation, parse_markers, verify

PILOT = (
    "The ministry approved 13 foreign-funded firms for the pilot programme. "
    "The firms are in Beijing and Shanghai."
)
FOOTBALL = "France won the 2018 World Cup, beating Croatia 4-2 in Moscow."


@pytest.fixture(scope="module")
def passages() -> list[RetrievedChunk]:
    return [
        RetrievedChunk(1, "pilot#0", "/a/pilot.txt", "Pilot", "pilot.txt", "2024-01-01",
                       PILOT, 100, 100 + len(PILOT), 0.8),
        RetrievedChunk(2, "cup#0", "/a/cup.txt", "Cup", "cup.txt", None,
                       FOOTBALL, 0, len(FOOTBALL), 0.5),
    ]  # fmt: skip


def test_supported_sentence_cites_the_quote_and_its_span(passages, embeddings):
    v = verify("13 foreign-funded firms were approved for the pilot [1].", passages, embeddings)
    assert v.invalid == [] and v.unsupported == []
    (c,) = v.citations
    assert c.number == 1 and c.chunk_id == "pilot#0"
    assert c.quote == "The ministry approved 13 foreign-funded firms for the pilot programme."
    # the span is in article coordinates: the chunk starts at offset 100
    assert (c.start, c.end) == (100, 100 + len(c.quote))
    assert c.support is not None and c.support >= SUPPORT_THRESHOLD


def test_paraphrase_is_supported(passages, embeddings):
    v = verify(
        "Thirteen foreign companies got approval to join the pilot [1].", passages, embeddings
    )
    assert v.unsupported == []


@pytest.mark.parametrize(
    "text",
    [
        "The ministry approved 13 firms [2].",  # cites the wrong passage
        "Apple released a new iPhone [1].",  # not in any passage
        "The ministry approved 27 foreign-funded firms for the pilot [1].",  # wrong number
        "Apple released a new iPhone.",  # no citation, and no passage supports it
    ],
)
def test_unsupported_sentences_are_flagged_and_kept(text, passages, embeddings):
    v = verify(text, passages, embeddings)
    assert len(v.unsupported) == 1
    assert v.text.rstrip(".[]12 ") in text  # the sentence stays in the answer
    assert v.support[0] < SUPPORT_THRESHOLD


def test_invalid_markers_are_removed_and_reported_never_mapped(passages, embeddings):
    text = 'The answer is 42 [7]. Nobody knows [0]. See ["1"], [Passage 2] and [example.com] [sic].'
    v = verify(text, passages, embeddings)
    assert v.invalid == ["[7]", "[0]", '["1"]', "[Passage 2]", "[example.com]"]
    assert v.citations == []  # nothing was mapped to passage 1
    assert "[sic]" in v.text  # prose in brackets is not a marker
    assert "[7]" not in v.text and "[0]" not in v.text and "example.com" not in v.text
    assert v.text.startswith("The answer is 42. Nobody knows.")
    assert len(v.unsupported) == 3  # no sentence has a valid citation left


def test_markers_are_renumbered_in_order_of_first_use(passages, embeddings):
    v = verify(
        "France won in 2018 [2]. The pilot covers Beijing and Shanghai [1].", passages, embeddings
    )
    assert v.text == "France won in 2018 [1]. The pilot covers Beijing and Shanghai [2]."
    assert [(c.number, c.chunk_id) for c in v.citations] == [(1, "cup#0"), (2, "pilot#0")]
    assert v.citations[1].quote == "The firms are in Beijing and Shanghai."
    assert v.unsupported == []


def test_grouped_markers_split(passages, embeddings):
    _, groups, invalid = parse_markers("x [1, 2] y [2;1] z [1][3]", 2)
    assert groups == [[1, 2], [2, 1], [1]] and invalid == ["[3]"]
    v = verify("13 firms in Beijing; France won the Cup [1, 2].", passages, embeddings)
    assert v.text.endswith("[1][2].")


def test_uncited_sentence_gets_the_passage_that_supports_it(passages, embeddings):
    v = verify(
        "The ministry approved 13 foreign-funded firms for the pilot. France won in 2018 [2].",
        passages,
        embeddings,
    )
    assert v.text == (
        "The ministry approved 13 foreign-funded firms for the pilot [1]. France won in 2018 [2]."
    )
    assert [c.chunk_id for c in v.citations] == ["pilot#0", "cup#0"]
    assert v.unsupported == []


@pytest.fixture(scope="module")
def airbus_passage() -> list[RetrievedChunk]:
    """Paragraphs 3-6 of the bundled article: two people, two companies, two roles."""
    path = Path(__file__).parents[1] / "data" / "articles" / "miit-vas-pilot-foreign-firms.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    text = "\n\n".join(lines[2:6])
    return [RetrievedChunk(1, "miit#1", str(path), "MIIT", path.name, None,
                           text, 0, len(text), 0.7)]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "supported"),
    [
        ("Xu Gang is the CEO of Airbus China [1].", True),
        ("Li Wenfang is Vice President of T-Systems P.R. China Ltd. [1].", True),
        ("Airbus China's chief executive, Xu Gang, welcomed the new policy [1].", True),
        # the breaker's answer: every word is in the passage, the relation is not
        ("The CEO of Airbus China is Li Wenfang [1].", False),
        ("Xu Gang is Vice President of T-Systems P.R. China Ltd. [1].", False),
    ],
)
def test_names_moved_between_sentences_are_not_supported(
    text, supported, airbus_passage, embeddings
):
    v = verify(text, airbus_passage, embeddings)
    assert (v.unsupported == []) is supported, v.support


def test_colocation_counts_names_within_two_consecutive_sentences():
    sentences = ["Li Wenfang spoke first.", "She runs T-Systems.", "Xu Gang leads Airbus."]
    assert colocation("Li Wenfang runs T-Systems.", sentences) == 1.0
    assert colocation("Li Wenfang leads Airbus.", sentences) == pytest.approx((1 / 2) ** 2)
    assert colocation("Thirteen firms joined.", sentences) == 1.0  # no names: nothing to check


def test_names_written_in_lower_case_are_still_names(airbus_passage, embeddings):
    """Lower-casing a false claim must not slip it past the co-location check."""
    v = verify("the ceo of airbus china is li wenfang [1].", airbus_passage, embeddings)
    assert v.unsupported, v.support
    v = verify("xu gang is the ceo of airbus china [1].", airbus_passage, embeddings)
    assert v.unsupported == [], v.support


def test_the_quote_is_the_sentence_that_supports_it_not_the_headline(embeddings):
    # a breaker's: by embedding similarity alone "Zoo welcomes panda" was quoted for the
    # keeper's name, which only the next sentence gives
    text = (
        "Zoo welcomes panda\n\nThe city zoo welcomed a giant panda named Bao on Wednesday, "
        "keeper Lin Chen said."
    )
    zoo = RetrievedChunk(1, "zoo#0", "/a/zoo.txt", "Zoo welcomes panda", "zoo.txt", None,
                         text, 0, len(text), 0.7)  # fmt: skip
    v = verify("The panda keeper is the zookeeper Lin Chen [1].", [zoo], embeddings)
    (c,) = v.citations
    assert c.quote.startswith("The city zoo welcomed") and "Lin Chen" in c.quote
