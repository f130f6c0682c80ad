"""Run gold questions through newsdesk and compute the report behind ``newsdesk eval``.

Report shape (JSON)::

    {"metrics": {"questions", "k", <metric>: float | None, ...,
                 "by_type": {type: {"questions", "accuracy"}},
                 "majority_baseline": {"answer", "answer_accuracy", "output",
                                       "overall_accuracy"}},
     "intervals": {<metric>: [low, high]},          # bootstrap 95% CIs
     "runs": {"n", <metric>: {"mean", "std", "values"}},   # only with runs > 1
     "questions": [{"id", "question", "answer", "correct", "abstained", ...}, ...],
     "timings": {"latency_p50_ms", ..., "per_question_ms": {id: ms}},  # left out on request
     "index": {"path", "articles_embedded", "articles_reused", "chunks_embedded"}}  # idem

Everything but ``timings`` and ``index`` is a function of the gold file, the corpus and the
settings, so with the extractive answerer two runs give byte-identical reports once those
two sections are left out (``timings=False``).

Metric definitions (undefined, ``None``, when no question qualifies):
  answer_accuracy        correct answers / answerable questions
  abstention_accuracy    abstentions / unanswerable questions
  false_abstention_rate  abstentions / answerable questions
  overall_accuracy       correct outputs / all questions
  abstention_precision   positive class "should abstain": abstentions on unanswerable
  abstention_recall      questions / abstentions, and / unanswerable questions
  hit_at_k               answerable questions with an accepted answer string in a top-k chunk
  mrr, ndcg_at_k         mean reciprocal rank and nDCG@k of chunks holding an accepted
                         answer (see evals.metrics for definitions and sources)
  exact_match, token_f1  SQuAD EM and token F1 of the answer text (Rajpurkar et al. 2016);
                         low by design for an answerer that quotes whole sentences
  article_hit_at_k       answerable questions with ``sources``: any gold article in the top k
  recall_at_k            same questions: mean share of their gold articles in the top k
  article_recall_at_k    same questions: share with *all* their gold articles in the top k
                         (multi-article questions)
  citation_precision     on correct answers: mean share of citations whose quote contains an
                         accepted answer (or an ``all_of`` part)
  citation_recall        answerable questions with ``sources``: mean share of the gold
                         articles the answer cites (an abstention scores 0)
  invalid_citation_rate  non-abstained answers with at least one invalid citation marker
                         (``Answer.invalid_citations``) / non-abstained answers
  unsupported_sentence_rate  mean over non-abstained answers of the share of sentences
                         flagged in ``Answer.unsupported_sentences``
  tokens_in_total/_mean, tokens_out_total/_mean  LLM token counts from ``Answer.usage``
                         over the questions that report usage (``None`` for extractive)
  answer_words_mean/p95  words of non-abstained answers
  by_type                accuracy per gold ``type``
  majority_baseline      the most common gold answer given to every question: its
                         answer_accuracy (answerable questions) and, with abstention as a
                         possible output, overall_accuracy (evals.metrics.majority_answer)
  timings                wall time of the final question per stage (retrieve, answer) and
                         in total, p50/p95, ms

Not here: LLM-judged metrics (faithfulness, answer relevance); they need a judge model.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals import metrics as M
from evals.gold import GoldQuestion, load_gold
from newsdesk.errors import BadInput, NewsdeskError
from newsdesk.settings import Settings
from qa.followup import Turn

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from qa.types import Answer

#: Metrics given a bootstrap 95% confidence interval in ``report["intervals"]``.
INTERVAL_METRICS = (
    "answer_accuracy", "overall_accuracy", "abstention_accuracy", "hit_at_k", "mrr",
    "ndcg_at_k", "article_hit_at_k", "recall_at_k", "token_f1",
)  # fmt: skip

#: Metrics of the answer (not of retrieval): averaged over ``runs`` with mean and spread.
ANSWER_METRICS = (
    "answer_accuracy", "abstention_accuracy", "false_abstention_rate", "overall_accuracy",
    "abstention_precision", "abstention_recall", "exact_match", "token_f1",
    "citation_precision", "citation_recall", "invalid_citation_rate",
    "unsupported_sentence_rate", "answer_words_mean",
)  # fmt: skip

#: Quality metrics checked against a baseline report, by direction.
HIGHER_IS_BETTER = (
    "answer_accuracy", "abstention_accuracy", "overall_accuracy", "abstention_precision",
    "abstention_recall", "hit_at_k", "mrr", "ndcg_at_k", "article_hit_at_k", "recall_at_k",
    "article_recall_at_k", "exact_match", "token_f1", "citation_precision", "citation_recall",
)  # fmt: skip
LOWER_IS_BETTER = ("false_abstention_rate", "invalid_citation_rate", "unsupported_sentence_rate")

TIMING_NAMES = (
    "latency_p50_ms", "latency_p95_ms", "retrieve_p50_ms", "retrieve_p95_ms",
    "answer_p50_ms", "answer_p95_ms",
)  # fmt: skip

METRIC_NAMES = [
    *HIGHER_IS_BETTER, *LOWER_IS_BETTER, "answer_words_mean", "answer_words_p95",
    "tokens_in_total", "tokens_out_total", "tokens_in_mean", "tokens_out_mean", *TIMING_NAMES,
]  # fmt: skip

#: Bootstrap settings: resamples and the fixed seed that keeps reports reproducible.
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


def run_eval(
    gold_path: Path | Sequence[GoldQuestion],
    *,
    corpus: Sequence[Path] | None,
    k: int | None = None,
    persist_dir: Path | None = None,
    settings: Settings | None = None,
    baseline: bool = False,
    chain: Runnable[dict, Answer] | None = None,
    runs: int = 1,
    index_cache: Path | None = None,
    timings: bool = True,
) -> dict[str, Any]:
    """Ingest ``corpus``, ask every gold question, and return the report (module docstring).

    Args:
        gold_path: gold questions, JSON Lines (:mod:`evals.gold`), or those questions
            as :func:`evals.gold.load_gold` read them.
        corpus: article files or folders to ingest first; ``None`` to use the index at
            ``persist_dir`` as it is.
        k: chunks retrieved per question (default: ``settings.k``).
        persist_dir: the index to use (and, with ``corpus``, to ingest into).
        settings: base settings (default: from the environment).
        baseline: also run the reference recipe of :mod:`evals.baseline` (needs ``corpus``)
            and add its figures to the metrics.
        chain: answer with this ``{"question", "history"} -> Answer`` runnable instead of
            the one built over the index (for testing other retrievers or answerers).
        runs: answer every question this many times; answer metrics are then the mean
            over runs, and ``report["runs"]`` holds each metric's mean, sample std and
            values (the ``questions`` rows are those of the first run).
        index_cache: with ``corpus`` and no ``persist_dir``: keep the index in a folder
            under this one named by a hash of the corpus paths and the embedding and
            chunking settings, so a re-run on an unchanged corpus embeds nothing (the
            ingest upserts changed articles and prunes deleted files). Without it, a fresh
            temporary index is built and deleted.
        timings: include the ``timings`` and ``index`` sections, which vary between runs.

    Raises:
        BadInput: the gold file is invalid (the message names line and field), a corpus
            path is missing, or ``runs`` < 1.
        NewsdeskError: the corpus yields no articles, or the index cannot be opened.
    """
    gold = load_gold(gold_path) if isinstance(gold_path, Path) else list(gold_path)
    if runs < 1:
        raise BadInput(f"runs must be at least 1, got {runs}")
    missing = [str(p) for p in corpus or [] if not Path(p).exists()]
    if missing:
        # a symlink loop or a link to nothing exists as a link (a breaker's read "not found")
        links = [p for p in missing if Path(p).is_symlink()]
        if links:
            raise BadInput(f"corpus path is a broken link or a symlink loop: {', '.join(links)}")
        raise BadInput(f"corpus path not found: {', '.join(missing)}")
    base = (settings or Settings.from_env()).replace(k=k)
    index_info: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="newsdesk-eval-") as tmp:
        cached = persist_dir is None and bool(corpus) and index_cache is not None
        if cached:
            assert corpus is not None and index_cache is not None
            persist_dir = index_cache / _cache_key(corpus, base)
        settings = base.replace(persist_dir=persist_dir or Path(tmp) / "index")
        if corpus:
            # the cached index is the eval's own: drop articles whose files were deleted
            index_info = _ingest(corpus, settings, prune=cached)
        unknown = _unknown_sources(gold, settings) if chain is None else []
        if chain is None:
            import app

            chain = app.build_chain_for(settings)
        per_run = [_ask_all(chain, gold, settings.k) for _ in range(runs)]
    rows, times = per_run[0]
    report: dict[str, Any] = {"metrics": _aggregate(rows, settings.k, gold)}
    if runs > 1:
        report["runs"] = _spread([_aggregate(r, settings.k, gold) for r, _ in per_run])
        for name, stats in report["runs"].items():
            if name != "n":
                report["metrics"][name] = None if stats["mean"] is None else round(stats["mean"], 4)
    report["intervals"] = _intervals(rows)
    if baseline and corpus:
        from evals.baseline import recipe_retrieval
        from vectorstore.embeddings import load_embeddings

        m = report["metrics"]
        embeddings = load_embeddings(settings.embedding_model, settings.embedding_precision)
        m.update(recipe_retrieval(corpus, gold, settings.k, embeddings))
        if m["recipe_hit_at_k"] and m["hit_at_k"] is not None:
            m["hit_at_k_vs_recipe"] = round(m["hit_at_k"] / m["recipe_hit_at_k"], 3)
    report["questions"] = rows
    if unknown:
        report["unknown_sources"] = unknown
    if timings:
        report["timings"] = _timings(times)
        if index_info is not None:
            report["index"] = index_info
    return report


def _cache_key(corpus: Sequence[Path], settings: Settings) -> str:
    from vectorstore.embeddings import resolve_precision
    from vectorstore.store import CHUNKER_VERSION

    spec = {
        "corpus": sorted(Path(p).resolve().as_posix() for p in corpus),
        "model": settings.embedding_model,
        # bf16 and fp32 vectors differ in the fifth decimal: enough to move a tie in the
        # ranking, so an eval measured with one never reuses the other's index and cache.
        "precision": resolve_precision(settings.embedding_precision),
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        # a new chunker (or feed item ids) makes a new cache: the old one was refused as
        # a mismatch, and `make evals` failed until it was deleted by hand
        "chunker": CHUNKER_VERSION,
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def _ingest(corpus: Sequence[Path], settings: Settings, *, prune: bool) -> dict[str, Any]:
    """Ingest ``corpus`` into the index of ``settings``; what was embedded and reused."""
    from ingest.chunking import cl100k_counter
    from ingest.pipeline import ingest_paths, prune_missing
    from vectorstore.embedding_cache import with_cache
    from vectorstore.embeddings import embedding_window, load_embeddings
    from vectorstore.store import open_keyword_index, open_store

    embeddings = load_embeddings(settings.embedding_model, settings.embedding_precision)
    store = open_store(settings, with_cache(embeddings, settings), create=True)
    keyword = open_keyword_index(settings, store)
    report = ingest_paths(
        [str(p) for p in corpus],
        store,
        settings,
        cl100k_counter(),
        embedding_window(embeddings),
        keyword=keyword,
    )
    for s in report.skipped:  # before the error below, which they explain (a breaker's)
        print(f"corpus: skipped {s.path}: {s.reason}", file=sys.stderr)
    if not report.ingested and not report.unchanged:
        why = f" ({len(report.skipped)} skipped, reasons above)" if report.skipped else ""
        raise NewsdeskError(f"the corpus {list(map(str, corpus))} holds no articles{why}")
    pruned: list[str] = []
    if prune:
        pruned, _ = prune_missing(store, keyword, report=report)
    return {
        "path": str(settings.persist_dir),
        "articles_embedded": len(report.ingested),
        "articles_reused": len(report.unchanged),
        "articles_pruned": len(pruned),
        "chunks_embedded": report.chunks_added,
    }


def _ask_all(
    chain: Runnable[dict, Answer], gold: list[GoldQuestion], k: int
) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """Ask every question (earlier turns first); the report rows and per-stage timings."""
    rows = []
    times: dict[str, dict[str, float]] = {}
    for q in gold:
        turns: list[Turn] = []
        for earlier in q.history:
            prior = chain.invoke({"question": earlier, "history": turns})
            turns.append(Turn(earlier, None if prior.abstained else prior.text))
        t0 = time.perf_counter()
        result = chain.invoke({"question": q.question, "history": turns})
        times[q.id] = {"total": round((time.perf_counter() - t0) * 1000, 2), **result.timings_ms}
        rows.append(_row(q, result, k))
    return rows, times


def _row(q: GoldQuestion, result: Answer, k: int) -> dict[str, Any]:
    correct = M.is_correct(result.text, result.abstained, q.answers, q.all_of, q.answerable)
    texts = [c.text for c in result.retrieved]
    articles = [c.article_id for c in result.retrieved]
    ok = q.answerable
    with_sources = ok and bool(q.sources)
    answered = not result.abstained
    return {
        "id": q.id,
        "question": q.question,
        "answer": result.text,
        "correct": correct,
        "abstained": result.abstained,
        "answerable": q.answerable,
        "confidence": result.confidence,
        "citations": [
            {
                "number": c.number,
                "article_id": c.article_id,
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
            }
            for c in result.citations
        ],
        "retrieved_articles": articles,
        "type": q.type,
        "hit": M.hit_at_k(texts, q.answers, k) if ok else None,
        "reciprocal_rank": M.reciprocal_rank(texts, q.answers) if ok else None,
        "ndcg": M.ndcg_at_k(texts, q.answers, k) if ok else None,
        "exact_match": M.exact_match(result.text, q.answers) if ok else None,
        "token_f1": M.token_f1(result.text, q.answers) if ok else None,
        "article_hit": M.article_hit_at_k(articles, q.sources, k) if with_sources else None,
        "recall": M.recall_at_k(articles, q.sources, k) if with_sources else None,
        "article_recall": (M.article_recall_at_k(articles, q.sources, k) if with_sources else None),
        "citation_precision": (
            M.citation_precision([c.quote for c in result.citations], [*q.answers, *q.all_of])
            if correct and ok
            else None
        ),
        "citation_recall": (
            M.citation_recall([c.article_id for c in result.citations], q.sources)
            if with_sources
            else None
        ),
        "invalid_citations": list(result.invalid_citations),
        "unsupported_sentences": list(result.unsupported_sentences),
        "unsupported_rate": (
            M.unsupported_sentence_rate(result.text, result.unsupported_sentences)
            if answered
            else None
        ),
        "usage": dict(result.usage),
        "answer_words": M.word_count(result.text) if answered else None,
    }


def _avg(values: Sequence[Any]) -> float | None:
    m = M.mean([float(v) for v in values if v is not None])
    return None if m is None else round(m, 4)


def _pct(values: Sequence[float], q: float) -> float | None:
    p = M.percentile(values, q)
    return None if p is None else round(p, 2)


def _aggregate(rows: list[dict[str, Any]], k: int, gold: list[GoldQuestion]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in rows if not r["abstained"]]
    abstained = [r["abstained"] for r in rows]
    flags = [r["answerable"] for r in rows]

    def rounded(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    def tokens(key: str) -> tuple[int | None, float | None]:
        counts = [r["usage"][key] for r in rows if key in r["usage"]]
        return (sum(counts), _avg(counts)) if counts else (None, None)

    words = [r["answer_words"] for r in answered]
    tin_total, tin_mean = tokens("input_tokens")
    tout_total, tout_mean = tokens("output_tokens")
    answer_only, answer_acc = M.majority_answer(
        [q.answers for q in gold if q.answerable], [True] * len(answerable)
    )
    output, overall = M.majority_answer([q.answers for q in gold], [q.answerable for q in gold])
    return {
        "questions": len(rows),
        "k": k,
        "answer_accuracy": _avg([r["correct"] for r in answerable]),
        "abstention_accuracy": _avg([r["abstained"] for r in unanswerable]),
        "false_abstention_rate": _avg([r["abstained"] for r in answerable]),
        "overall_accuracy": _avg([r["correct"] for r in rows]),
        "abstention_precision": rounded(M.abstention_precision(abstained, flags)),
        "abstention_recall": rounded(M.abstention_recall(abstained, flags)),
        "hit_at_k": _avg([r["hit"] for r in answerable]),
        "mrr": _avg([r["reciprocal_rank"] for r in answerable]),
        "ndcg_at_k": _avg([r["ndcg"] for r in answerable]),
        "exact_match": _avg([r["exact_match"] for r in answerable]),
        "token_f1": _avg([r["token_f1"] for r in answerable]),
        "article_hit_at_k": _avg([r["article_hit"] for r in rows]),
        "recall_at_k": _avg([r["recall"] for r in rows]),
        "article_recall_at_k": _avg([r["article_recall"] for r in rows]),
        "citation_precision": _avg([r["citation_precision"] for r in rows]),
        "citation_recall": _avg([r["citation_recall"] for r in rows]),
        "invalid_citation_rate": _avg([bool(r["invalid_citations"]) for r in answered]),
        "unsupported_sentence_rate": _avg([r["unsupported_rate"] for r in answered]),
        "tokens_in_total": tin_total,
        "tokens_out_total": tout_total,
        "tokens_in_mean": tin_mean,
        "tokens_out_mean": tout_mean,
        "answer_words_mean": _avg(words),
        "answer_words_p95": _pct([float(w) for w in words], 95),
        "by_type": {
            t: {"questions": len(group), "accuracy": _avg([r["correct"] for r in group])}
            for t in sorted({r["type"] for r in rows if r["type"]})
            for group in [[r for r in rows if r["type"] == t]]
        },
        "majority_baseline": {
            "answer": answer_only,
            "answer_accuracy": rounded(answer_acc),
            "output": "(abstain)" if output is None else output,
            "overall_accuracy": rounded(overall),
        },
    }


def _intervals(rows: list[dict[str, Any]]) -> dict[str, list[float] | None]:
    """Bootstrap 95% intervals of the per-question values behind each interval metric."""
    answerable = [r for r in rows if r["answerable"]]
    values = {
        "answer_accuracy": [r["correct"] for r in answerable],
        "overall_accuracy": [r["correct"] for r in rows],
        "abstention_accuracy": [r["abstained"] for r in rows if not r["answerable"]],
        "hit_at_k": [r["hit"] for r in answerable],
        "mrr": [r["reciprocal_rank"] for r in answerable],
        "ndcg_at_k": [r["ndcg"] for r in answerable],
        "article_hit_at_k": [r["article_hit"] for r in rows],
        "recall_at_k": [r["recall"] for r in rows],
        "token_f1": [r["token_f1"] for r in answerable],
    }
    out: dict[str, list[float] | None] = {}
    for name in INTERVAL_METRICS:
        ci = M.bootstrap_ci(
            [float(v) for v in values[name] if v is not None],
            resamples=BOOTSTRAP_RESAMPLES,
            seed=BOOTSTRAP_SEED,
        )
        out[name] = None if ci is None else list(ci)
    return out


def _spread(per_run: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(per_run)}
    for name in ANSWER_METRICS:
        values = [m[name] for m in per_run]
        defined = [float(v) for v in values if v is not None]
        mean, std = M.mean_and_std(defined)
        out[name] = {
            "mean": None if mean is None else round(mean, 4),
            "std": None if std is None else round(std, 4),
            "values": values,
        }
    return out


def _timings(times: dict[str, dict[str, float]]) -> dict[str, Any]:
    def stage(name: str) -> list[float]:
        return [t[name] for t in times.values() if name in t]

    out: dict[str, Any] = {}
    for prefix, key in (("latency", "total"), ("retrieve", "retrieve"), ("answer", "answer")):
        out[f"{prefix}_p50_ms"] = _pct(stage(key), 50)
        out[f"{prefix}_p95_ms"] = _pct(stage(key), 95)
    out["per_question_ms"] = {qid: t["total"] for qid, t in times.items()}
    return out


def load_thresholds(path: Path) -> dict[str, dict[str, float]]:
    """Read ``{"min": {metric: value}, "max": {metric: value}, "tolerance": {metric or
    "default": value}}`` from JSON (every section optional; ``_comment`` allowed).

    ``tolerance`` is how far a metric may fall (or, for rates where lower is better, rise)
    below its value in the baseline report before the run fails (see
    :func:`check_regressions`); ``default`` applies to metrics not named; without it, 0.

    Raises:
        BadInput: missing file, invalid JSON, an unknown metric, or a value that is not a
            number (tolerances must also be >= 0).
    """
    try:
        # a byte-order mark is accepted, as in gold files (a breaker's)
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"cannot read thresholds file {path}: {e}") from e
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: not valid JSON ({e.msg}, line {e.lineno})") from e
    if not isinstance(data, dict):
        raise BadInput(f"{path}: expected an object with 'min', 'max' and/or 'tolerance'")
    unknown = sorted(set(data) - {"min", "max", "tolerance", "_comment"})
    if unknown:
        raise BadInput(f"{path}: unknown keys {unknown}; use 'min', 'max' and 'tolerance'")
    out: dict[str, dict[str, float]] = {}
    for bound in ("min", "max", "tolerance"):
        section = data.get(bound, {})
        if not isinstance(section, dict):
            raise BadInput(f"{path}: {bound!r} must map metric names to numbers")
        known = [*HIGHER_IS_BETTER, *LOWER_IS_BETTER, "default"] if bound == "tolerance" else []
        for name, value in section.items():
            if bound == "tolerance" and name not in known:
                raise BadInput(
                    f"{path}: tolerance.{name} is not a metric checked against the baseline; "
                    f"known: {known}"
                )
            if bound != "tolerance" and name not in METRIC_NAMES:
                raise BadInput(f"{path}: {bound}.{name} is not a metric; known: {METRIC_NAMES}")
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)  # "Infinity", 1e400: no bound at all (a breaker's)
            ):
                raise BadInput(f"{path}: {bound}.{name} must be a finite number, got {value!r}")
            if bound == "tolerance" and value < 0:
                raise BadInput(f"{path}: tolerance.{name} must be >= 0, got {value!r}")
        out[bound] = {str(k): float(v) for k, v in section.items()}
    return out


def _value(report: dict[str, Any], name: str) -> Any:
    if name in TIMING_NAMES:
        return report.get("timings", {}).get(name)
    return report["metrics"].get(name)


def check_thresholds(report: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Messages for every metric that misses its threshold (an undefined metric misses).
    Latency thresholds read the report's ``timings`` section (missing if it was left out)."""
    failures = []
    for name, limit in thresholds.get("min", {}).items():
        value = _value(report, name)
        if value is None or value < limit:
            failures.append(f"{name} = {value} is below the minimum {limit}")
    for name, limit in thresholds.get("max", {}).items():
        value = _value(report, name)
        if value is None or value > limit:
            failures.append(f"{name} = {value} is above the maximum {limit}")
    return failures


def _unknown_sources(gold: list[GoldQuestion], settings: Settings) -> list[str]:
    """Gold ``sources`` that name no indexed article (compared as the article metrics do,
    :func:`evals.metrics.names_article`): a typo there scores every question that cites
    it 0, silently."""
    named = {s for q in gold for s in q.sources}
    if not named:
        return []
    from evals.metrics import names_article
    from vectorstore.embeddings import load_embeddings
    from vectorstore.store import open_store

    embeddings = load_embeddings(settings.embedding_model, settings.embedding_precision)
    got = open_store(settings, embeddings, create=False).get(include=["metadatas"])
    indexed = {str((m or {}).get("article_id", "")) for m in got["metadatas"]}
    return sorted(s for s in named if not any(names_article(s, a) for a in indexed))


def baseline_snapshot(report: dict[str, Any], gold_path: Path) -> dict[str, Any]:
    """What a committed baseline report holds: the gold file's name, ``k``, the quality
    metrics (those of :data:`HIGHER_IS_BETTER` and :data:`LOWER_IS_BETTER`), the
    intervals, and which questions were answered correctly (for the per-question tests).
    No timings, so the file changes only when the results do."""
    m = report["metrics"]
    return {
        "gold": gold_path.name,
        "k": m["k"],
        "questions": m["questions"],
        "metrics": {n: m.get(n) for n in (*HIGHER_IS_BETTER, *LOWER_IS_BETTER)},
        "intervals": report.get("intervals", {}),
        "correct": {r["id"]: r["correct"] for r in report["questions"]},
    }


def load_baseline(path: Path) -> dict[str, Any]:
    """Read a baseline written by :func:`baseline_snapshot`.

    Raises:
        BadInput: the file is missing, not JSON, or lacks ``k``, ``metrics`` or ``correct``;
            a metric is not a finite number or null, or not one of :data:`METRIC_NAMES`; a
            ``correct`` value is not a boolean.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(
            f"cannot read baseline report {path}: {e}; write one with --update-baseline"
        ) from e
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: not valid JSON ({e.msg}, line {e.lineno})") from e
    if not isinstance(data, dict):
        raise BadInput(f"{path}: expected a baseline report object")
    for key, kind in (("k", int), ("metrics", dict), ("correct", dict)):
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise BadInput(f"{path}: field {key!r} missing or not a {kind.__name__}")
    for name, value in data["metrics"].items():
        # a metric compared with this run's must be a number, or null when undefined; NaN
        # compares false with everything, so it switched its check off (a breaker's)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise BadInput(f"{path}: metric {name!r} is {value!r}, not a finite number or null")
        if name not in METRIC_NAMES:
            # "answer_acuracy" was compared with nothing, and the gate passed (a breaker's)
            close = difflib.get_close_matches(name, METRIC_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise BadInput(f"{path}: unknown metric {name!r}{hint}")
    for qid, value in data["correct"].items():
        if not isinstance(value, bool):
            raise BadInput(f"{path}: 'correct' of {qid!r} is {value!r}, not true or false")
    return data


def check_comparable(baseline: dict[str, Any], k: int, ids: set[str]) -> None:
    """Raise :class:`BadInput` when ``baseline`` was made with another ``k`` or of other
    questions (its question ids are not ``ids``): the figures do not compare. Known before
    any question is asked, so ``newsdesk eval`` checks it first (a breaker's run of every
    question ended in this error, its reports unwritten)."""
    if baseline["k"] != k:
        raise BadInput(
            f"the baseline report was made with k={baseline['k']}, this run has k={k}; "
            "run with the same k or update the baseline"
        )
    if ids != set(baseline["correct"]):
        shared = len(ids & set(baseline["correct"]))
        made_from = f" (made from {baseline['gold']})" if baseline.get("gold") else ""
        raise BadInput(
            f"the baseline report{made_from} is of other questions: {shared} of its "
            f"{len(baseline['correct'])} question ids are among this run's {len(ids)}; give "
            "the suite's own baseline, or write a new one with --update-baseline"
        )


def check_regressions(
    report: dict[str, Any], baseline: dict[str, Any], tolerance: dict[str, float]
) -> list[str]:
    """Messages for every metric that regressed beyond its tolerance from the baseline.

    A higher-is-better metric regresses when ``value < baseline - tolerance``; a
    lower-is-better rate when ``value > baseline + tolerance``; a metric defined in the
    baseline but undefined now regresses too. ``tolerance`` maps metric names (or
    ``default``) to absolute amounts, 0 when unstated. Metrics undefined in the baseline
    are not checked.

    Raises:
        BadInput: the baseline was made with another ``k`` or of other questions (its
            question ids differ from the run's): the figures do not compare.
    """
    m = report["metrics"]
    check_comparable(baseline, m["k"], {r["id"] for r in report["questions"]})
    failures = []
    for name, before in baseline["metrics"].items():
        if before is None or name not in (*HIGHER_IS_BETTER, *LOWER_IS_BETTER):
            continue
        tol = tolerance.get(name, tolerance.get("default", 0.0))
        now = m.get(name)
        worse = (
            now is None
            or (name in HIGHER_IS_BETTER and now < before - tol - 1e-9)
            or (name in LOWER_IS_BETTER and now > before + tol + 1e-9)
        )
        if worse:
            failures.append(
                f"{name} = {now} regressed from the baseline {before} (tolerance {tol})"
            )
    return failures


def gate(
    report: dict[str, Any],
    thresholds: dict[str, dict[str, float]],
    baseline: dict[str, Any] | None = None,
) -> list[str]:
    """Every reason the run fails, in order: thresholds missed, then regressions from
    ``baseline`` (with the thresholds' ``tolerance``). ``newsdesk eval`` exits 1 when the
    list is not empty, printing each as ``FAIL <message>``."""
    failures = check_thresholds(report, thresholds)
    if baseline is not None:
        failures += check_regressions(report, baseline, thresholds.get("tolerance", {}))
    return failures
