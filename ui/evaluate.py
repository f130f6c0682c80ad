"""The evaluation view's data: run a gold file against the current index and shape the
report for tables and a chart.

Runs :func:`evals.runner.run_eval` on the chat's own index (no corpus is ingested), so
the figures describe exactly what the chat answers from.

Not here: thresholds and report files (``newsdesk eval`` does those).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsdesk.settings import Settings


def run_gold(gold: Path, settings: Settings) -> dict[str, Any]:
    """The :func:`evals.runner.run_eval` report of ``gold`` over ``settings``' index.

    Raises:
        BadInput: the gold file is invalid (line and field named).
        IndexNotFound, IndexMismatch: the index cannot be used.
    """
    from evals.runner import run_eval

    return run_eval(gold, corpus=None, persist_dir=settings.persist_dir, settings=settings)


def metric_rows(report: dict[str, Any]) -> list[list[str]]:
    """``[metric, value]`` rows as text; undefined metrics say so instead of a number,
    except token counts, which only an LLM answerer has (four rows of "n/a" for the
    extractive one read as filler: a new user's)."""
    return [
        [name, "n/a (undefined)" if value is None else str(value)]
        for name, value in report["metrics"].items()
        if name != "by_type"
        and not isinstance(value, dict | list)
        and not (value is None and name.startswith("tokens_"))
    ]


def by_type_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """``{"type", "accuracy", "questions"}`` per question type with a defined accuracy."""
    return [
        {"type": t, "accuracy": v["accuracy"], "questions": v["questions"]}
        for t, v in report["metrics"].get("by_type", {}).items()
        if v.get("accuracy") is not None
    ]


def failure_rows(report: dict[str, Any], accepted: dict[str, list[str]]) -> list[list[Any]]:
    """``[id, question, expected, got]`` for every question answered wrongly.

    Args:
        report: a :func:`run_gold` report.
        accepted: gold question id -> accepted answers (empty for unanswerable ones).
    """
    rows = []
    for q in report["questions"]:
        if q["correct"]:
            continue
        answers = accepted.get(q["id"], [])
        expected = (
            "Not found (an abstention)"
            if not q["answerable"]
            else " or ".join(repr(a) for a in answers) or "an answer"
        )
        got = "Not found (abstained)" if q["abstained"] else q["answer"][:300]
        rows.append([q["id"], q["question"], expected, got])
    return rows
