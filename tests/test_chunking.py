import hashlib
import itertools

import pytest

from ingest.chunking import chunk_article, chunk_id
from ingest.loaders import load_article
from ingest.models import Article
from ingest.sentences import sentence_spans
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
    # consecutive chunks overlap by whole sentences, and together cover the article
    assert all(b.start < a.end for a, b in itertools.pairwise(chunks))
    assert chunks[0].start == 0 and chunks[-1].end == len(bundled.text.rstrip())


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


def test_sentences_respect_abbreviations():
    text = "T-Systems P.R. China Ltd. said so. Mr. Li agreed! Then the U.S. firm left.\nNew line"
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "T-Systems P.R. China Ltd. said so.",
        "Mr. Li agreed!",
        "Then the U.S. firm left.",
        "New line",
    ]
