"""Evaluation metrics as plain functions, each with its definition.

Undefined values (an average over zero questions) are ``None``, never 0 or 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

_MARKER = re.compile(r"\s*\[\d+\]")


def normalize_answer(text: str) -> str:
    """Lower-case, drop citation markers, thousands separators and extra whitespace.

    "2,400" and "2400" normalise alike; so do "Tampa,  Florida" and "tampa, florida".
    """
    text = _MARKER.sub("", text).lower()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def contains_answer(text: str, accepted: str) -> bool:
    """Whether ``text`` contains ``accepted`` after :func:`normalize_answer` of both."""
    return normalize_answer(accepted) in normalize_answer(text)


def is_correct(
    text: str, abstained: bool, answers: Sequence[str], all_of: Sequence[str], answerable: bool
) -> bool:
    """The gold format's rule: an abstention is correct iff the question is unanswerable;
    otherwise the answer must contain one of ``answers`` and every one of ``all_of``."""
    if not answerable:
        return abstained
    if abstained:
        return False
    return any(contains_answer(text, a) for a in answers) and all(
        contains_answer(text, a) for a in all_of
    )


def hit_at_k(retrieved_texts: Sequence[str], answers: Sequence[str], k: int) -> float:
    """1.0 if any of the top ``k`` retrieved texts contains an accepted answer, else 0.0.

    The answer-string form of hit@k used by the RGB benchmark (Chen et al., AAAI 2024).
    """
    return float(any(contains_answer(t, a) for t in retrieved_texts[:k] for a in answers))


def article_hit_at_k(retrieved_ids: Sequence[str], gold_ids: Sequence[str], k: int) -> float:
    """1.0 if any gold article is among the articles of the top ``k`` chunks, else 0.0."""
    gold = {_base(g) for g in gold_ids}
    return float(any(_base(r) in gold for r in retrieved_ids[:k]))


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, ``None`` for no values."""
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) by linear interpolation between closest ranks
    (NumPy's default "linear" method); ``None`` for no values."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def word_count(text: str) -> int:
    """Words in an answer, citation markers excluded."""
    return len(_MARKER.sub("", text).split())


def _base(article_id: str) -> str:
    return article_id.rsplit("/", 1)[-1]


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = re.compile(r"[^\w\s]")


def squad_normalize(text: str) -> str:
    """SQuAD answer normalisation: lower case, drop punctuation, articles and extra spaces.

    Source: the official SQuAD v1.1 evaluation script (Rajpurkar et al., EMNLP 2016).
    Citation markers ``[n]`` are dropped first.
    """
    text = _MARKER.sub("", text).lower()
    text = _PUNCT.sub(" ", text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 if the normalised prediction equals a normalised accepted answer (SQuAD EM)."""
    p = squad_normalize(prediction)
    return float(any(p == squad_normalize(a) for a in answers))


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """Best token-overlap F1 against the accepted answers (SQuAD v1.1 definition):
    precision = common / predicted tokens, recall = common / gold tokens, F1 their
    harmonic mean, with tokens counted as a multiset; 0.0 when nothing is shared."""
    from collections import Counter

    pred = squad_normalize(prediction).split()
    best = 0.0
    for answer in answers:
        gold = squad_normalize(answer).split()
        common = sum((Counter(pred) & Counter(gold)).values())
        if common and pred and gold:
            p, r = common / len(pred), common / len(gold)
            best = max(best, 2 * p * r / (p + r))
    return best


def reciprocal_rank(retrieved_texts: Sequence[str], answers: Sequence[str]) -> float:
    """1 / rank of the first retrieved text holding an accepted answer; 0.0 if none.
    Averaged over questions this is MRR (Voorhees, TREC-8 QA track, 1999)."""
    for rank, text in enumerate(retrieved_texts, 1):
        if any(contains_answer(text, a) for a in answers):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(retrieved_texts: Sequence[str], answers: Sequence[str], k: int) -> float:
    """nDCG@k with binary relevance (a text is relevant if it holds an accepted answer):
    DCG = sum over ranks i <= k of rel_i / log2(i + 1) (Järvelin & Kekäläinen, TOIS 2002),
    divided by the DCG of the same relevant texts ranked first. 0.0 if none is relevant."""
    rels = [float(any(contains_answer(t, a) for a in answers)) for t in retrieved_texts[:k]]
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rels))
    ideal = sum(1 / math.log2(i + 2) for i in range(int(sum(rels))))
    return dcg / ideal if ideal else 0.0
