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
    return float(any(names_article(g, r) for g in gold_ids for r in retrieved_ids[:k]))


def article_recall_at_k(retrieved_ids: Sequence[str], gold_ids: Sequence[str], k: int) -> float:
    """1.0 if *every* gold article is among the articles of the top ``k`` chunks, else 0.0.

    The all-or-nothing recall a question needing several articles asks for (a question
    that needs two articles is not answerable from one). Averaged over questions, this is
    the "recall@k" of issue #4's multi-article target. Articles are compared by
    :func:`names_article`.
    """
    return float(all(any(names_article(g, r) for r in retrieved_ids[:k]) for g in gold_ids))


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


def names_article(gold: str, article_id: str) -> bool:
    """Whether the gold source ``gold`` names the article ``article_id`` (an absolute
    path, ``#key`` for a feed's item): a file name (``story.txt``) by its name, a path
    (``sub/b/story.txt``, ``/news/sub/b/story.txt``) by the path's end. A path was cut to
    its file name, so that ``sub/a/story.txt`` counted for ``sub/b/story.txt`` (a
    breaker's)."""
    if "/" not in gold:
        return _base(article_id) == gold
    return article_id == gold or article_id.endswith("/" + gold.lstrip("./"))


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


def recall_at_k(retrieved_ids: Sequence[str], gold_ids: Sequence[str], k: int) -> float | None:
    """Share of the gold articles found among the articles of the top ``k`` chunks:
    |gold ∩ top-k articles| / |gold| (recall at a cut-off, Manning, Raghavan & Schütze,
    *Introduction to Information Retrieval*, 2008, ch. 8). 1.0 only when *all* gold
    articles are in the top ``k`` (what multi-article questions need); ``None`` without
    gold articles. Articles are compared by :func:`names_article`."""
    gold = set(gold_ids)
    if not gold:
        return None
    return sum(any(names_article(g, r) for r in retrieved_ids[:k]) for g in gold) / len(gold)


def abstention_precision(abstained: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Precision of abstaining, the positive class being "should abstain" (unanswerable):
    abstentions on unanswerable questions / all abstentions. ``None`` when nothing was
    abstained on. Low precision means answerable questions are refused."""
    refused = [not a for s, a in zip(abstained, answerable, strict=True) if s]
    return sum(refused) / len(refused) if refused else None


def abstention_recall(abstained: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Recall of abstaining, the positive class being "should abstain": abstentions on
    unanswerable questions / unanswerable questions (equal to ``abstention_accuracy``).
    ``None`` when every question is answerable. Low recall means made-up answers."""
    should = [s for s, a in zip(abstained, answerable, strict=True) if not a]
    return sum(should) / len(should) if should else None


def citation_precision(quotes: Sequence[str], answers: Sequence[str]) -> float | None:
    """Share of the cited passages that contain an accepted answer string (or one part of a
    multi-part answer, so each passage cited for one part counts): supporting citations /
    citations. ``None`` for an answer without citations. This is the string-match form of
    ALCE's citation precision (Gao et al., EMNLP 2023), which uses an NLI judge instead."""
    if not quotes:
        return None
    return sum(any(contains_answer(q, a) for a in answers) for q in quotes) / len(quotes)


def citation_recall(cited_ids: Sequence[str], gold_ids: Sequence[str]) -> float | None:
    """Share of the gold articles that the answer cites: |gold ∩ cited articles| / |gold|
    (:func:`names_article`). ``None`` without gold articles; an abstention (no citations)
    scores 0."""
    gold = set(gold_ids)
    if not gold:
        return None
    return sum(any(names_article(g, c) for c in cited_ids) for g in gold) / len(gold)


def unsupported_sentence_rate(text: str, unsupported: Sequence[str]) -> float:
    """Share of an answer's sentences that no cited passage supports:
    ``len(unsupported) / max(len(unsupported), sentences in text)``, the sentences counted
    by :func:`ingest.sentences.sentence_spans` after citation markers are removed (the
    ``max`` keeps the rate in [0, 1] if the answerer split sentences differently). 0.0 for
    an answer with nothing flagged (always so for the extractive answerer)."""
    if not unsupported:
        return 0.0
    from ingest.sentences import sentence_spans

    n = len(sentence_spans(_MARKER.sub("", text)))
    return len(unsupported) / max(len(unsupported), n)


def majority_answer(
    answers: Sequence[Sequence[str]], answerable: Sequence[bool]
) -> tuple[str | None, float | None]:
    """The trivial baseline: the most common gold output answered to every question.

    A question's gold output is its first accepted answer (normalised by
    :func:`normalize_answer`), or an abstention (``None``) when it is unanswerable; the most
    frequent one wins, ties going to the abstention, then to the alphabetically first
    answer. Returns ``(that output, its accuracy under the gold rule)``, where the answer
    string is correct for a question when it contains one of its accepted answers and an
    abstention is correct for unanswerable questions; ``(None, None)`` for no questions.
    A system should beat this by a clear margin (cf. the majority-class baseline of
    classification).
    """
    from collections import Counter

    if not answers:
        return None, None
    outputs = Counter(
        normalize_answer(a[0]) if ok and a else None
        for a, ok in zip(answers, answerable, strict=True)
    )
    best = min(outputs.items(), key=lambda kv: (-kv[1], kv[0] is not None, kv[0] or ""))[0]
    correct = [
        (not ok) if best is None else ok and any(contains_answer(best, x) for x in a)
        for a, ok in zip(answers, answerable, strict=True)
    ]
    return best, sum(correct) / len(correct)


def bootstrap_ci(
    values: Sequence[float], *, confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float] | None:
    """Percentile bootstrap confidence interval of the mean of ``values``.

    Draws ``resamples`` samples of ``len(values)`` values with replacement, takes each
    sample's mean, and returns the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2``
    percentiles of those means (:func:`percentile`, linear interpolation). Source: Efron &
    Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13. The generator is seeded
    (``random.Random(seed)``), so the same values give the same interval on every run.
    ``None`` for no values. Rounded to 4 decimals.
    """
    import random

    if not values:
        return None
    rng = random.Random(seed)
    n = len(values)
    means = [sum(rng.choices(values, k=n)) / n for _ in range(resamples)]
    tail = (1 - confidence) / 2 * 100
    lo, hi = percentile(means, tail), percentile(means, 100 - tail)
    assert lo is not None and hi is not None
    return round(lo, 4), round(hi, 4)


def mean_and_std(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (n - 1 in the denominator) of repeated runs;
    the std is ``None`` for fewer than two values, both are ``None`` for none."""
    import statistics

    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)
