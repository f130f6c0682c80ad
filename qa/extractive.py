"""The default offline answerer: the sentence of the retrieved chunks that best answers.

No LLM. Every candidate sentence of the retrieved chunks gets a score in [0, 1]:

    score = 0.5 * cos(question, sentence)        # all-MiniLM-L6-v2 embeddings
          + 0.35 * idf-weighted term coverage    # share of the question's terms present
          + 0.15 * retrieval score of its chunk
          + type bonus / penalty                 # does it hold a number, date, name... of
                                                 # the kind the question asks for?
          + 0.03 for an article's lead sentence  # news leads state the key facts
          - 0.1 in a follow-up, for the sentence the previous answer quoted

The best sentence, quoted with its citation ``[1]``, is the answer; when its score is
below ``min_relevance`` the answerer abstains and lists the closest articles instead. The
weights and the threshold were set on the bundled gold set and are reported by
``newsdesk eval`` (abstention accuracy, answer accuracy).

Where the question asks for a number, date, person or place, the matching part of the
sentence is returned as ``Citation.answer_span`` so the UI can highlight it.

Deliberately not done: generating new wording. Every answer is a verbatim quote.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.sentences import sentence_spans
from prompts import load_prompt
from qa.followup import Turn
from qa.text import OTHER, answer_type, terms, typed_candidates
from qa.types import Answer, Citation, RetrievedChunk

W_COSINE, W_COVERAGE, W_CHUNK = 0.5, 0.35, 0.15
TYPE_BONUS, TYPE_PENALTY = 0.08, 0.2
LEAD_BONUS, REPEAT_PENALTY = 0.03, 0.1


@dataclass(frozen=True)
class _Candidate:
    chunk: RetrievedChunk
    start: int  # offsets in the article
    end: int
    text: str


class ExtractiveAnswerer:
    """Answers by quoting the best sentence of the retrieved chunks (see module docstring).

    Args:
        embeddings: the same model that embedded the chunks.
        min_relevance: abstention threshold on the best sentence score, in [0, 1].
        cache_size: sentence embeddings kept in memory between questions.
    """

    def __init__(self, embeddings: Embeddings, min_relevance: float, cache_size: int = 20_000):
        self.embeddings = embeddings
        self.min_relevance = min_relevance
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def __call__(
        self,
        question: str,
        retrieved: list[RetrievedChunk],
        *,
        query: str | None = None,
        history: list[Turn] | None = None,
    ) -> Answer:
        """Answer ``question`` from ``retrieved`` chunks.

        Args:
            question: the user's question.
            retrieved: chunks from retrieval, best first.
            query: the standalone retrieval query (for follow-ups); defaults to ``question``.
            history: earlier turns; the previous question's terms count at half weight.

        Returns:
            An :class:`Answer` quoting one sentence, or an abstention.
        """
        query = query or question
        candidates = self._candidates(retrieved)
        if not candidates:
            return self._abstain(question, query, retrieved, 0.0)
        texts = [c.text for c in candidates]
        sent_vecs = self._embed(texts)
        q_vec = np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        cos = sent_vecs @ q_vec
        previous = history[-1] if history and query != question else None
        if previous is not None:  # a follow-up: its own wording still counts most
            context = np.asarray(self.embeddings.embed_query(f"{previous.question} {question}"))
            cos = 0.7 * cos + 0.3 * (sent_vecs @ context)

        weights = _term_weights(question, history, texts)
        kind = answer_type(question)
        best_i, best_score, best_spans = 0, -1.0, []
        for i, cand in enumerate(candidates):
            sent_terms = set(terms(cand.text))
            total = sum(weights.values()) or 1.0
            coverage = sum(w for t, w in weights.items() if t in sent_terms) / total
            score = W_COSINE * max(0.0, float(cos[i])) + W_COVERAGE * coverage
            score += W_CHUNK * cand.chunk.score
            if cand.start == 0:
                score += LEAD_BONUS  # news leads state the key facts (inverted pyramid)
            if previous is not None and previous.answer and cand.text in previous.answer:
                score -= REPEAT_PENALTY  # a follow-up asks for something not yet quoted
            spans: list[tuple[int, int]] = []
            if kind != OTHER:
                spans = typed_candidates(cand.text, kind, question)
                score += TYPE_BONUS if spans else -TYPE_PENALTY
            if score > best_score:
                best_i, best_score, best_spans = i, score, spans
        confidence = min(1.0, max(0.0, best_score))
        if confidence < self.min_relevance:
            return self._abstain(question, query, retrieved, confidence)

        best = candidates[best_i]
        span = _closest_span(best.text, best_spans, weights, question) if best_spans else None
        citation = Citation(
            number=1,
            article_id=best.chunk.article_id,
            title=best.chunk.title,
            chunk_id=best.chunk.chunk_id,
            quote=best.text,
            start=best.start,
            end=best.end,
            source=best.chunk.source,
            published=best.chunk.published,
            answer_span=(best.start + span[0], best.start + span[1]) if span else None,
        )
        return Answer(
            question=question,
            text=f"{best.text} [1]",
            citations=[citation],
            abstained=False,
            retrieved=retrieved,
            query=query,
            confidence=round(confidence, 4),
            closest_articles=_closest(retrieved),
        )

    def _candidates(self, retrieved: list[RetrievedChunk]) -> list[_Candidate]:
        seen: set[tuple[str, int, int]] = set()
        out = []
        for chunk in retrieved:
            for s, e in sentence_spans(chunk.text):
                key = (chunk.article_id, chunk.start + s, chunk.start + e)
                if key in seen or not terms(chunk.text[s:e]):
                    continue
                seen.add(key)
                out.append(_Candidate(chunk, chunk.start + s, chunk.start + e, chunk.text[s:e]))
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for t, v in zip(missing, self.embeddings.embed_documents(missing), strict=True):
                self._cache[t] = np.asarray(v, dtype=np.float32)
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return np.stack([self._cache[t] for t in texts])

    def _abstain(
        self, question: str, query: str, retrieved: list[RetrievedChunk], confidence: float
    ) -> Answer:
        wording = load_prompt("answer")
        closest = _closest(retrieved)
        if retrieved:
            items = {c.article_id: c.title for c in retrieved}
            listing = "\n".join(
                wording["closest_item"].format(title=t, article_id=a) for a, t in items.items()
            )
            text = wording["abstention"].format(closest=listing)
        else:
            text = wording["abstention_no_articles"]
        return Answer(
            question=question,
            text=text,
            citations=[],
            abstained=True,
            retrieved=retrieved,
            query=query,
            confidence=round(confidence, 4),
            closest_articles=closest,
        )


def _term_weights(question: str, history: list[Turn] | None, texts: list[str]) -> dict[str, float]:
    """idf weights of the question's terms over the candidate sentences.

    idf(t) = ln((N + 1) / (df(t) + 0.5)), the BM25 form (Robertson & Zaragoza 2009) kept
    positive; terms of the previous question count half.
    """
    docs = [set(terms(t)) for t in texts]
    n = len(docs)

    def idf(t: str) -> float:
        df = sum(t in d for d in docs)
        return math.log((n + 1) / (df + 0.5))

    weights = {t: idf(t) for t in terms(question)}
    if history:
        for t in terms(history[-1].question):
            weights.setdefault(t, 0.5 * idf(t))
    return {t: w for t, w in weights.items() if w > 0}


def _closest_span(
    sentence: str, spans: list[tuple[int, int]], weights: dict[str, float], question: str
) -> tuple[int, int]:
    """The typed candidate to highlight: a percentage when the question asks for a rate
    or change, then the longest list (a question asking "which cities" wants all of
    them), then the one nearest the question's terms."""
    lowered = sentence.lower()
    anchors = [i for i in (lowered.find(t) for t in weights) if i >= 0] or [0]
    wants_rate = bool(_RATE.search(question))
    return min(
        spans,
        key=lambda sp: (
            wants_rate and not _PERCENT.search(sentence[sp[0] : sp[1]]),
            -sentence.count(",", sp[0], sp[1]),
            min(abs(sp[0] - a) for a in anchors),
        ),
    )


_RATE = re.compile(
    r"percent|percentage|\brate\b|increase|decrease|growth|grow|rise|fall|drop|share", re.I
)
_PERCENT = re.compile(r"%|percent|per cent", re.I)


def _closest(retrieved: list[RetrievedChunk]) -> list[str]:
    return list(dict.fromkeys(c.title for c in retrieved))[:3]
