import hashlib
import itertools

import pytest

from ingest.boilerplate import boilerplate_spans
from ingest.chunking import chunk_article, chunk_id
from ingest.loaders import load_article
from ingest.models import Article
from ingest.sentences import MAX_QUOTED, sentence_spans
from tests.conftest import ARTICLE


def _article(text: str, id: str = "t.txt") -> Article:
    return Article(id, "T", "/tmp/t.txt", text, None, hashlib.sha256(text.encode()).hexdigest())


@pytest.fixture(scope="module")
def bundled():
    return load_article(ARTICLE, ARTICLE.name)


def test_offsets_sizes_and_window(bundled, counter, window):
    chunks = chunk_article(bundled, counter, 200, 40, window)
    assert len(chunks) >= 3
    for c in chunks:
        assert bundled.text[c.start : c.end] == c.text
        assert c.n_tokens == counter(c.text) <= 200
        assert window.count(c.text) <= window.max_tokens
    # consecutive chunks overlap by whole sentences, and together cover the story
    for a, b in itertools.pairwise(chunks):  # overlap, or only a boilerplate line between
        assert b.start < a.end or bundled.text[a.end : b.start].strip().startswith("Related:")
    assert chunks[0].start == 0
    assert bundled.text[chunks[-1].end :].lstrip().startswith("Latest Reads:")
    # the page's link lists are not indexed
    assert not any("Latest Reads" in c.text or "Related:" in c.text for c in chunks)


def test_ids_are_deterministic_and_content_bound(bundled, counter, window):
    first = [c.id for c in chunk_article(bundled, counter, 200, 40, window)]
    assert first == [c.id for c in chunk_article(bundled, counter, 200, 40, window)]
    assert len(set(first)) == len(first)
    assert chunk_id("a", 0, "x") != chunk_id("a", 0, "y") != chunk_id("b", 0, "y")


def test_long_line_without_spaces_is_split_not_truncated(counter, window):
    text = "x" * 200_000
    chunks = chunk_article(_article(text), counter, 200, 40, window)
    assert "".join(c.text for c in chunks) == text
    assert all(counter(c.text) <= 200 and window.count(c.text) <= 256 for c in chunks)


def test_special_token_strings_are_plain_text(counter, window):
    text = "Before <|endoftext|> after. The model must not choke on <|fim_prefix|> either."
    (chunk,) = chunk_article(_article(text), counter, 200, 40, window)
    assert chunk.text == text


def test_cjk_and_emoji_keep_whole_characters(counter, window):
    text = ("北京市今天宣布新的电信试点。東京では新しい規則が発表されました。🚀📈 " * 60).strip()
    chunks = chunk_article(_article(text), counter, 64, 8, window)
    assert len(chunks) > 3
    for c in chunks:
        assert "\ufffd" not in c.text
        assert text[c.start : c.end] == c.text
        assert counter(c.text) <= 64


def test_boilerplate_lines():
    text = (
        "Storm hits coast\nRelated: Ferry cancelled after gale\nWinds reached 120 km/h.\n"
        "More on this later.\nMost read\nBig storm hits town\nMayor resigns\n"
        "Subscribe to our newsletter\nRelated coverage matters, editors say."
    )
    flagged = [text[s:e] for s, e in boilerplate_spans(text)]
    assert flagged == [
        "Related: Ferry cancelled after gale",
        "Most read",
        "Big storm hits town",
        "Mayor resigns",
        "Subscribe to our newsletter",
    ]


def test_story_lines_that_look_like_furniture_are_kept():
    """A breaker's story lines, left out of the index as page furniture: a table row read
    as a menu, and lines that report what someone said but open like a link list, a call
    to action, a cookie or a script notice."""
    story = [
        "Finance | Maria Lopez",
        "Latest: Coast guard officials said on Friday that all 214 passengers were rescued.",
        "Sign up numbers were far above expectations: 41,000 registered, the board said.",
        "The regulator said Shopwell placed cookies before visitors could accept them.",
        "JavaScript is required by 98 percent of websites today, chief engineer Ola Nes said.",
        # and lines that say nothing of speech (another breaker's)
        "Its chocolate cookies sold 40,000 boxes, and customers agree they are the best.",
        "Latest: the new shop on Quay Road will employ nine people from the town.",
        "Sign up for the apprenticeship scheme closes on 30 June, and 120 people have applied.",
        "JavaScript is required for the bakery's new ordering app, which launches in autumn.",
        "Our partners at the flour mill share our preferences for local wheat",
        "Follow us on the new library walking tour, which starts every Saturday at eleven.",
    ]
    furniture = [
        "Home | About",
        "World | Business | Sport",
        "Sign up for our newsletter",
        "Sign up to our daily newsletter to get the latest headlines delivered every morning.",
        "We use cookies to improve your experience. By continuing, you agree to our use of them.",
        "Accept all cookies",
        "JavaScript is required to view this page.",
        "Latest: Storm closes the Gull Point bridge",
        "We and our partners store and access information on your device, such as cookies.",
    ]
    text = "\n".join([*story, *furniture])
    assert [text[s:e] for s, e in boilerplate_spans(text)] == furniture


def test_a_tables_rows_are_no_menu():
    """A breaker's: a table's rows of one to three words a cell were left out of the
    index as menus. Another's: two menu lines, then read as a table, were indexed."""
    staff = "Name | Role | Branch\nAnna Brandt | Head Baker | Harbour\nTom Reed | Driver | Quay"
    fixtures = "Home | Away\nRovers | Dunmore"
    voters = "Candidate | Party\n--- | ---\nMira Sand | Green Party"
    kept = [staff, fixtures, voters]
    menus = [
        "World | Business | Sport",  # one line alone
        "World | Business | Sport\nPolitics | Science | Culture",  # two lines of menu
        "Home | News | Sport\nWeather | Travel | Culture",
        "Home | News | Sport\nAbout | Contact | Privacy",  # a footer
        "Home | News | Contact",  # above a table with as many cells
    ]
    text = "Staff list.\n" + "\n\n".join([*kept, *menus[:-1]]) + f"\n\n{menus[-1]}\n{staff}"
    assert [text[s:e] for s, e in boilerplate_spans(text)] == "\n".join(menus).split("\n")


def test_sentences_keep_closing_quotes():
    text = 'He said, “We can go.” Then he left. "Fine." She agreed.'
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == ["He said, “We can go.”", "Then he left.", '"Fine."', "She agreed."]


def test_a_line_break_ends_a_sentence_whatever_follows():
    # a new user's: "... chocolate range.\n\n| | Q3 2025 |" was one sentence, and the
    # table's header was quoted with the revenue
    text = "Revenue rose 4 per cent.\n\n|  | Q3 2025 | Q3 2024 |\n- a list item.\n(note)"
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "Revenue rose 4 per cent.",
        "|  | Q3 2025 | Q3 2024 |",
        "- a list item.",
        "(note)",
    ]


def test_a_quotation_of_a_few_sentences_is_one_sentence():
    # a new user's: 'said: "... penalty. Jamal was outstanding."' was quoted up to
    # "penalty." with its quote mark open, and the second half without its speaker
    text = (
        'Lee said: "The lads earned the penalty. Jamal was outstanding." Fans cheered. '
        "“We meet. We argue. We decide,” she said.\n"
        '"A quote that runs on. Into the next paragraph.\nAnd closes here." Done.'
    )
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        'Lee said: "The lads earned the penalty. Jamal was outstanding."',
        "Fans cheered.",
        "“We meet. We argue. We decide,” she said.",
        '"A quote that runs on.',
        "Into the next paragraph.",
        'And closes here."',
        "Done.",
    ]
    # a quote mark that never closes, or a quotation too long, is split as before
    unclosed = '"One. Two. Three.'
    assert len(sentence_spans(unclosed)) == 3
    long = '"' + " ".join(f"Sentence number {n} is here." for n in range(MAX_QUOTED + 1)) + '"'
    assert len(sentence_spans(long)) == MAX_QUOTED + 1


def test_sentences_respect_abbreviations():
    text = "T-Systems P.R. China Ltd. said so. Mr. Li agreed! Then the U.S. firm left.\nNew line"
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "T-Systems P.R. China Ltd. said so.",
        "Mr. Li agreed!",
        "Then the U.S. firm left.",
        "New line",
    ]


def test_a_sentence_may_open_with_a_capital_of_any_script():
    # a breaker's: "Łódź", "Österreich" and Cyrillic openings were joined to the sentence
    # before, and a Russian answer quoted a whole paragraph
    text = "The mayor spoke. Łódź council agreed. Борис Петров said so. राम आया। सीता गई।"
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "The mayor spoke.",
        "Łódź council agreed.",
        "Борис Петров said so.",
        "राम आया।",
        "सीता गई।",
    ]
    # a lower-case word after a full stop opens no sentence ("approx. half")
    assert len(sentence_spans("Over 5 km. approx. half the crowd left.")) == 1
