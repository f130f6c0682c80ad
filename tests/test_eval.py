"""The eval suite end to end: real ingestion, real model, real Chroma."""

import json

from evals.runner import run_eval
from tests.conftest import BUNDLED, ROOT
from tests.test_cli import run

GOLD = ROOT / "evals" / "gold" / "miit.jsonl"


def test_run_eval_report_shape(bundled_settings):
    report = run_eval(GOLD, corpus=None, persist_dir=bundled_settings.persist_dir)
    m = report["metrics"]
    assert m["questions"] == len(report["questions"]) >= 30
    assert m["answer_accuracy"] >= 0.9 and m["abstention_accuracy"] >= 0.8
    assert m["hit_at_k"] == 1.0
    for q in report["questions"]:
        assert set(q) >= {"id", "answer", "correct", "abstained", "citations", "latency_ms"}


def test_eval_fails_when_the_corpus_cannot_answer(tmp_path):
    """A deliberately wrong corpus must make the suite exit 1 and name the metric."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "weather.txt").write_text(
        "Rain expected in Oslo\nForecasters expect heavy rain in Oslo on Monday, with 40 mm "
        "falling before noon. Ferry services may be cancelled.\n"
    )
    out = run(
        [
            "eval",
            "--corpus",
            str(other),
            "--gold",
            str(GOLD),
            "--thresholds",
            str(ROOT / "evals" / "thresholds" / "miit.json"),
            "--report",
            str(tmp_path / "r.json"),
        ],
        tmp_path,
    )
    assert out.returncode == 1, out.stderr
    assert "FAIL answer_accuracy" in out.stderr
    assert json.loads((tmp_path / "r.json").read_text())["metrics"]["answer_accuracy"] < 0.5


def test_eval_bad_gold_exits_2(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "Q?"}\n')
    out = run(
        [
            "eval",
            "--corpus",
            str(BUNDLED),
            "--gold",
            str(bad),
        ],
        tmp_path,
    )
    assert out.returncode == 2 and "bad.jsonl:1: field 'answers'" in out.stderr


def test_baseline_recipe_runs_beside_newsdesk(tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        json.dumps(
            {"id": "a", "question": "Who is the CEO of Airbus China?", "answers": ["Xu Gang"]}
        )
        + "\n"
    )
    m = run_eval(gold, corpus=[BUNDLED], baseline=True)["metrics"]
    assert m["recipe_hit_at_k"] == 1.0 and m["recipe_chunks"] >= 3
    assert m["hit_at_k_vs_recipe"] == m["hit_at_k"] / m["recipe_hit_at_k"]
