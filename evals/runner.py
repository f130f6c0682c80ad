"""Run gold questions through newsdesk and compute the report behind ``newsdesk eval``.

Report shape::

    {"metrics": {"questions", "k", "answer_accuracy", "abstention_accuracy",
                 "false_abstention_rate", "overall_accuracy", "hit_at_k",
                 "article_hit_at_k", "citation_precision", "answer_words_mean",
                 "answer_words_p95", "latency_p50_ms", "latency_p95_ms"},
     "questions": [{"id", "question", "answer", "correct", "abstained", "answerable",
                    "citations", "retrieved_articles", "hit", "answer_words",
                    "latency_ms"}, ...]}

Metric definitions:
  answer_accuracy        correct answers / answerable questions
  abstention_accuracy    abstentions / unanswerable questions
  false_abstention_rate  abstentions / answerable questions
  overall_accuracy       correct outputs / all questions
  hit_at_k               answerable questions with an accepted answer string in a top-k chunk
  mrr, ndcg_at_k         mean reciprocal rank and nDCG@k of chunks holding an accepted
                         answer (see evals.metrics for definitions and sources)
  exact_match, token_f1  SQuAD EM and token F1 of the answer text (Rajpurkar et al. 2016);
                         low by design for an answerer that quotes whole sentences
  by_type                accuracy per gold ``type``
  article_hit_at_k       questions with ``sources`` whose gold article is among the top k
  citation_precision     on correct answers: citations whose quote contains an accepted
                         answer / citations
  latency_*              wall time of the final question (retrieve + answer), ms
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals import metrics as M
from evals.gold import load_gold
from newsdesk.errors import BadInput, NewsdeskError
from newsdesk.settings import Settings
from qa.followup import Turn


def run_eval(
    gold_path: Path,
    *,
    corpus: Sequence[Path] | None,
    k: int | None = None,
    persist_dir: Path | None = None,
    settings: Settings | None = None,
    baseline: bool = False,
) -> dict[str, Any]:
    """Ingest ``corpus`` (into a fresh temporary index unless ``persist_dir`` is given),
    ask every gold question, and return the report (see module docstring).

    With ``baseline`` (needs ``corpus``), the reference recipe of :mod:`evals.baseline` is
    run on the same corpus, gold and k, and its figures are added to the metrics.

    Raises:
        BadInput: the gold file is invalid (the message names line and field).
        NewsdeskError: the corpus yields no articles, or the index cannot be opened.
    """
    import app
    from ingest.chunking import cl100k_counter
    from ingest.pipeline import ingest_paths
    from vectorstore.embeddings import embedding_window, load_embeddings
    from vectorstore.store import open_keyword_index, open_store

    gold = load_gold(gold_path)
    missing = [str(p) for p in corpus or [] if not Path(p).exists()]
    if missing:
        raise BadInput(f"corpus path not found: {', '.join(missing)}")
    base = settings or Settings.from_env()
    with tempfile.TemporaryDirectory(prefix="newsdesk-eval-") as tmp:
        settings = base.replace(k=k, persist_dir=persist_dir or Path(tmp) / "index")
        if corpus:
            embeddings = load_embeddings(settings.embedding_model)
            store = open_store(settings, embeddings, create=True)
            report = ingest_paths(
                [str(p) for p in corpus],
                store,
                settings,
                cl100k_counter(),
                embedding_window(embeddings),
                keyword=open_keyword_index(settings, store),
            )
            if not report.ingested and not report.unchanged:
                raise NewsdeskError(f"the corpus {list(map(str, corpus))} holds no articles")
            for s in report.skipped:
                print(f"corpus: skipped {s.path}: {s.reason}", file=sys.stderr)
        chain = app.build_chain_for(settings)
        rows = []
        for q in gold:
            turns: list[Turn] = []
            for earlier in q.history:
                prior = chain.invoke({"question": earlier, "history": turns})
                turns.append(Turn(earlier, None if prior.abstained else prior.text))
            t0 = time.perf_counter()
            result = chain.invoke({"question": q.question, "history": turns})
            latency = (time.perf_counter() - t0) * 1000
            correct = M.is_correct(result.text, result.abstained, q.answers, q.all_of, q.answerable)
            texts = [c.text for c in result.retrieved]
            rows.append(
                {
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
                    "retrieved_articles": [c.article_id for c in result.retrieved],
                    "type": q.type,
                    "hit": M.hit_at_k(texts, q.answers, settings.k) if q.answerable else None,
                    "reciprocal_rank": M.reciprocal_rank(texts, q.answers)
                    if q.answerable
                    else None,
                    "ndcg": M.ndcg_at_k(texts, q.answers, settings.k) if q.answerable else None,
                    "exact_match": M.exact_match(result.text, q.answers) if q.answerable else None,
                    "token_f1": M.token_f1(result.text, q.answers) if q.answerable else None,
                    "article_hit": (
                        M.article_hit_at_k(
                            [c.article_id for c in result.retrieved], q.sources, settings.k
                        )
                        if q.sources and q.answerable
                        else None
                    ),
                    "citation_precision": (
                        M.mean(
                            [
                                float(any(M.contains_answer(c.quote, a) for a in q.answers))
                                for c in result.citations
                            ]
                        )
                        if correct and q.answerable and result.citations
                        else None
                    ),
                    "answer_words": M.word_count(result.text) if not result.abstained else None,
                    "latency_ms": round(latency, 2),
                }
            )
    metrics = _aggregate(rows, settings.k)
    if baseline and corpus:
        from evals.baseline import recipe_retrieval

        embeddings = load_embeddings(settings.embedding_model)
        metrics.update(recipe_retrieval(corpus, gold, settings.k, embeddings))
        if metrics["recipe_hit_at_k"] and metrics["hit_at_k"] is not None:
            metrics["hit_at_k_vs_recipe"] = round(
                metrics["hit_at_k"] / metrics["recipe_hit_at_k"], 3
            )
    return {"metrics": metrics, "questions": rows}


METRIC_NAMES = [
    "answer_accuracy", "abstention_accuracy", "false_abstention_rate", "overall_accuracy",
    "hit_at_k", "article_hit_at_k", "citation_precision", "answer_words_mean",
    "mrr", "ndcg_at_k", "exact_match", "token_f1",
    "answer_words_p95", "latency_p50_ms", "latency_p95_ms",
]  # fmt: skip


def _aggregate(rows: list[dict[str, Any]], k: int) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]

    def avg(values: list[Any]) -> float | None:
        vals = [float(v) for v in values if v is not None]
        m = M.mean(vals)
        return None if m is None else round(m, 4)

    def pct(values: list[float], q: float) -> float | None:
        p = M.percentile(values, q)
        return None if p is None else round(p, 2)

    words = [r["answer_words"] for r in rows if r["answer_words"] is not None]
    latencies = [r["latency_ms"] for r in rows]
    return {
        "questions": len(rows),
        "k": k,
        "answer_accuracy": avg([r["correct"] for r in answerable]),
        "abstention_accuracy": avg([r["abstained"] for r in unanswerable]),
        "false_abstention_rate": avg([r["abstained"] for r in answerable]),
        "overall_accuracy": avg([r["correct"] for r in rows]),
        "hit_at_k": avg([r["hit"] for r in answerable]),
        "mrr": avg([r["reciprocal_rank"] for r in answerable]),
        "ndcg_at_k": avg([r["ndcg"] for r in answerable]),
        "exact_match": avg([r["exact_match"] for r in answerable]),
        "token_f1": avg([r["token_f1"] for r in answerable]),
        "article_hit_at_k": avg([r["article_hit"] for r in rows]),
        "citation_precision": avg([r["citation_precision"] for r in rows]),
        "answer_words_mean": avg(words),
        "answer_words_p95": pct([float(w) for w in words], 95),
        "latency_p50_ms": pct(latencies, 50),
        "latency_p95_ms": pct(latencies, 95),
        "by_type": {
            t: {"questions": len(group), "accuracy": avg([r["correct"] for r in group])}
            for t in sorted({r["type"] for r in rows if r["type"]})
            for group in [[r for r in rows if r["type"] == t]]
        },
    }


def load_thresholds(path: Path) -> dict[str, dict[str, float]]:
    """Read ``{"min": {metric: value}, "max": {metric: value}}`` from JSON.

    Raises:
        BadInput: missing file, invalid JSON, or a value that is not a number.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"cannot read thresholds file {path}: {e}") from e
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: not valid JSON ({e.msg}, line {e.lineno})") from e
    if not isinstance(data, dict):
        raise BadInput(f"{path}: expected an object with 'min' and/or 'max'")
    unknown = sorted(set(data) - {"min", "max", "_comment"})
    if unknown:
        raise BadInput(f"{path}: unknown keys {unknown}; use 'min' and 'max'")
    out: dict[str, dict[str, float]] = {}
    for bound in ("min", "max"):
        section = data.get(bound, {})
        if not isinstance(section, dict):
            raise BadInput(f"{path}: {bound!r} must map metric names to numbers")
        for name, value in section.items():
            if name not in METRIC_NAMES:
                raise BadInput(f"{path}: {bound}.{name} is not a metric; known: {METRIC_NAMES}")
            if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
                raise BadInput(f"{path}: {bound}.{name} must be a number, got {value!r}")
        out[bound] = {str(k): float(v) for k, v in section.items()}
    return out


def check_thresholds(report: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Messages for every metric that misses its threshold (an undefined metric misses)."""
    failures = []
    metrics = report["metrics"]
    for name, limit in thresholds.get("min", {}).items():
        value = metrics.get(name)
        if value is None or value < limit:
            failures.append(f"{name} = {value} is below the minimum {limit}")
    for name, limit in thresholds.get("max", {}).items():
        value = metrics.get(name)
        if value is None or value > limit:
            failures.append(f"{name} = {value} is above the maximum {limit}")
    return failures
