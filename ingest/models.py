"""Frozen records passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePath

#: File types read as feeds, whose items' ids are ``<file>#<key>``.
FEED_SUFFIXES = (".json", ".jsonl")


def split_item_id(path: str) -> tuple[str, str]:
    """``(feed file, "#key")`` for a feed item's id or path (``feed.jsonl#a1b2c3``),
    ``(path, "")`` for a file's: a ``#`` in a file's own name (``strike #2.txt``) or
    folder (``Issue #5/``) is part of it."""
    head, _, key = path.rpartition("#")
    if key and PurePath(head).suffix.lower() in FEED_SUFFIXES and not Path(path).exists():
        return head, f"#{key}"
    return path, ""


def shown_name(article_id: str) -> str:
    """An article's file name as shown to people, ``FILE#key`` for a feed's item: as its
    citations name it and as a source filter takes it (``FILE #key`` was shown, and
    matched no filter, a breaker's)."""
    file, key = split_item_id(article_id)
    return PurePath(file).name + key


@dataclass(frozen=True)
class Article:
    """One news article as read from a file.

    Attributes:
        id: stable article id: the file's absolute path with symlinks resolved (POSIX), so
            a file has one id however it is reached and same-named files never collide.
        title: the article's title (front matter, a heading or a short first line, else
            the first sentence shortened to 90 characters).
        source: absolute path of the file it was read from.
        text: the full text after normalisation; chunk offsets index into this string.
        published: ISO 8601 date (``YYYY-MM-DD``) when the text states one, else ``None``.
        content_hash: sha256 hex digest of ``text``, to detect changed articles.
        metadata: further string fields (``author``...), copied to every chunk.
        page_starts: for PDFs, the offset in ``text`` where each page begins (page 1
            first); chunks record the page they start on. Empty for other formats.
        notes: what of the file's metadata was not understood and how it was stored
            instead ("date 'next Tuesday' is not a date: stored undated"), for the report.
    """

    id: str
    title: str
    source: str
    text: str
    published: str | None
    content_hash: str
    metadata: dict[str, str] = field(default_factory=dict, compare=False)
    page_starts: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Chunk:
    """A contiguous span of an article, sized for the embedding model.

    Attributes:
        id: deterministic id, a hash of article id, start offset and text.
        article_id: :attr:`Article.id` of the article it comes from.
        index: position of the chunk within its article (0-based).
        text: exactly ``article.text[start:end]``.
        start: character offset of the first character in the article text.
        end: character offset one past the last character.
        n_tokens: length in cl100k_base tokens.
        metadata: article fields copied for the vector store (title, source, published).
    """

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int
    n_tokens: int
    metadata: dict[str, str | int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Skipped:
    """A file that was not ingested, and why.

    Attributes:
        path: the file, or a feed item (``feed.jsonl#id``, or ``feed.jsonl#line-3`` for a
            line that is no JSON object).
        reason: why, in words.
        unknown_item: a feed line that could not be parsed: which stored item it held is
            unknown, so none of the feed's items is pruned as gone.
    """

    path: str
    reason: str
    unknown_item: bool = field(default=False, compare=False)
