"""The structured answer every caller gets: Python, CLI, chat UI and evals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk returned by retrieval.

    Attributes:
        rank: 1-based position in the retrieved list.
        chunk_id, article_id, title, source, published: where it comes from.
        text: the chunk text; ``start``/``end`` are its character offsets in the article.
        score: relevance in [0, 1]; cosine similarity of the query and chunk embeddings
            (``1 - cosine distance``).
        metadata: the article's other metadata (author, url, category, page, ...).
    """

    rank: int
    chunk_id: str
    article_id: str
    title: str
    source: str
    published: str | None
    text: str
    start: int
    end: int
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """One numbered citation: the quoted sentence and where it stands in its article.

    Attributes:
        number: the ``n`` of the ``[n]`` marker in the answer text (1-based).
        quote: exactly ``article_text[start:end]``.
        start, end: character offsets of the quote in the article text.
        answer_span: offsets (in the article) of the part of the quote that answers the
            question, when one was found, else ``None``.
        support: how well the answer sentence citing this passage is supported by it, in
            [0, 1], for generated (LLM) answers; ``None`` for extractive quotes, which are
            the passage itself.
        source: the file the article was read from (absolute path); the publisher, when
            the article names one, is ``metadata["source_name"]``.
        published: the article's ISO date (``YYYY-MM-DD``), or ``None``.
        metadata: the article's other metadata (author, url, category, ...), as stored.
    """

    number: int
    article_id: str
    title: str
    chunk_id: str
    quote: str
    start: int
    end: int
    source: str
    published: str | None = None
    answer_span: tuple[int, int] | None = None
    support: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def quote_page(metadata: dict[str, Any], start: int) -> dict[str, Any]:
    """A citation's ``metadata``: its chunk's, with ``page`` the page the quote starts on
    (``start``: its article offset), not the page its chunk starts on, for a chunk that
    runs over a page break (``page_breaks``, see :func:`ingest.chunking.chunk_article`).
    A chunk without pages is returned as it is."""
    out = dict(metadata)
    breaks = out.pop("page_breaks", None)
    if isinstance(out.get("page"), int) and isinstance(breaks, str) and breaks:
        out["page"] += sum(int(b) <= start for b in breaks.split(","))
    return out


@dataclass(frozen=True)
class Answer:
    """The result of asking a question.

    Attributes:
        question: as asked.
        text: the answer, with ``[n]`` markers that refer to ``citations``; for an
            abstention, the abstention message naming the closest articles.
        citations: numbered citations, ``citations[i].number == i + 1``.
        abstained: ``True`` when the articles do not hold the answer.
        retrieved: the chunks retrieval returned, best first, with scores.
        query: the standalone query used for retrieval (differs from ``question`` for
            follow-ups).
        confidence: the answer score the abstention threshold was applied to, in [0, 1].
        closest_articles: titles of the best-matching articles (for abstentions).
        timings_ms: wall time per stage (``retrieve``, ``answer``), milliseconds.
        answerer: which answerer produced it (``extractive`` or ``llm:<backend>``;
            ``llm:<backend> -> extractive`` when the model's reply was replaced by the
            extractive answer: not plain text, or no sentence of it supported).
        invalid_citations: citation markers a generated answer contained that did not
            refer to a shown passage (``[7]`` of 3, ``[0]``, ``["1"]``); they are removed
            from ``text`` and listed here, verbatim.
        unsupported_sentences: sentences of a generated answer that no cited passage
            supports; they stay in ``text`` and are flagged here (and in the UI).
        usage: LLM token counts, ``{"input_tokens": int, "output_tokens": int}``, plus
            ``"estimated": 1`` when the endpoint reported none and they were counted with
            cl100k_base; empty for the extractive answerer.
    """

    question: str
    text: str
    citations: list[Citation]
    abstained: bool
    retrieved: list[RetrievedChunk]
    query: str = ""
    confidence: float = 0.0
    closest_articles: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    answerer: str = "extractive"
    invalid_citations: list[str] = field(default_factory=list)
    unsupported_sentences: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field."""
        return asdict(self)


def final_answer(items: Iterable[str | Answer]) -> Answer:
    """Drain a stream of text pieces and return its last item, the :class:`Answer`.

    Raises:
        ValueError: the stream held no Answer.
    """
    result: Answer | None = None
    for item in items:
        if isinstance(item, Answer):
            result = item
    if result is None:
        raise ValueError("the answer stream ended without an Answer")
    return result
