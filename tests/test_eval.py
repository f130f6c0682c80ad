"""The eval suite end to end: real ingestion, real model, real Chroma."""

import json

import pytest
from langchain_core.retrievers import BaseRetriever

from evals.runner import gate, load_baseline, load_thresholds, run_eval
from tests.conftest import BUNDLED, ROOT
from tests.conftest import run_cli as run

GOLD = ROOT / "evals" / "gold" / "miit.jsonl"


def test_run_eval_report_shape(miit_report):
    report = miit_report
    m = report["metrics"]
    assert m["questions"] == len(report["questions"]) >= 30
    assert m["answer_accuracy"] >= 0.9 and m["abstention_accuracy"] >= 0.8
    assert m["hit_at_k"] == 1.0
    for q in report["questions"]:
        assert set(q) >= {"id", "answer", "correct", "abstained", "citations", "recall"}
    # the extractive answerer flags nothing and uses no tokens
    assert m["invalid_citation_rate"] == 0.0 and m["unsupported_sentence_rate"] == 0.0
    assert m["tokens_in_total"] is None and m["recall_at_k"] == 1.0
    assert m["majority_baseline"]["answer_accuracy"] < 0.2 < m["answer_accuracy"]
    low, high = report["intervals"]["answer_accuracy"]
    assert low <= m["answer_accuracy"] <= high
    t = report["timings"]
    assert set(t["per_question_ms"]) == {q["id"] for q in report["questions"]}
    assert t["retrieve_p50_ms"] > 0 and t["answer_p50_ms"] > 0
    assert t["latency_p95_ms"] >= t["latency_p50_ms"]


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


def test_a_misspelt_gold_field_is_named_other_fields_pass(tmp_path):
    """'all_off' and 'answerble' were ignored, so the check silently got weaker (found by
    a breaker helper); unrelated extra fields stay allowed."""
    from evals.gold import load_gold
    from newsdesk.errors import BadInput

    gold = tmp_path / "g.jsonl"
    for typo, fix in [("all_off", "all_of"), ("answerble", "answerable"), ("source", "sources")]:
        gold.write_text(json.dumps({"id": "a", "question": "Q?", "answers": ["x"], typo: []}))
        with pytest.raises(
            BadInput, match=f"g.jsonl:1: unknown field '{typo}'; did you mean '{fix}'"
        ):
            load_gold(gold)
    extras = {"notes": "ok", "question_id": 7, "ids": [1], "unanswerable": False}
    gold.write_text(json.dumps({"id": "a", "question": "Q?", "answers": ["x"], **extras}))
    assert [q.id for q in load_gold(gold)] == ["a"]


def test_answers_to_an_unanswerable_gold_question_are_refused(tmp_path):
    """A breaker's: the answers were ignored without a word."""
    from evals.gold import load_gold
    from newsdesk.errors import BadInput

    gold = tmp_path / "g.jsonl"
    for field in ("answers", "all_of"):
        q = {"id": "a", "question": "Q?", "answers": [], field: ["x"], "answerable": False}
        gold.write_text(json.dumps(q))
        with pytest.raises(BadInput, match=f"g.jsonl:1: field '{field}': an unanswerable"):
            load_gold(gold)
    gold.write_text(json.dumps({"id": "a", "question": "Q?", "answers": [], "answerable": False}))
    assert [q.answerable for q in load_gold(gold)] == [False]


def test_a_gold_question_empty_once_cleaned_names_its_line(tmp_path):
    """A breaker's "[1] [2]" passed the gold check, then stopped the eval mid-run naming
    neither line nor id."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"id": "a", "question": "How many firms?", "answers": ["13"]}\n'
        '{"id": "b", "question": "[1] [2]", "answers": ["13"]}\n'
    )
    from evals.gold import load_gold
    from newsdesk.errors import BadInput

    with pytest.raises(BadInput, match=r"gold\.jsonl:2: field 'question': the question is empty"):
        load_gold(gold)


@pytest.mark.parametrize(
    ("qid", "fragment"),
    [
        ("q1 ", r"'q1 ' has spaces at its ends"),
        ("q\u0000\u001b[31mRED", r"control or invisible character U\+0000"),
        ("q\u200b1", r"U\+200B"),
        ("q\n2", r"U\+000A"),
    ],
)
def test_a_gold_id_that_prints_as_another_is_refused(tmp_path, qid, fragment):
    # a breaker's: written raw into the Markdown report, or printed as another id
    from evals.gold import load_gold
    from newsdesk.errors import BadInput

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": qid, "question": "How many firms?", "answers": ["13"]}))
    with pytest.raises(BadInput, match=r"gold\.jsonl:1: field 'id': .*" + fragment):
        load_gold(gold)


def test_a_gold_folder_is_named_as_one(tmp_path):
    from evals.gold import load_gold
    from newsdesk.errors import BadInput

    with pytest.raises(BadInput, match=r"is a folder: pass the \.jsonl file in it"):
        load_gold(tmp_path)
    with pytest.raises(BadInput, match="not found"):
        load_gold(tmp_path / "none.jsonl")


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


def test_reports_are_byte_identical_without_timings(miit_report, tmp_path):
    """Same inputs, a second run over another index: the same JSON, byte for byte, once
    the timings are left out."""
    again = run_eval(GOLD, corpus=[BUNDLED], index_cache=tmp_path, timings=False)
    assert "timings" not in again and "index" not in again
    first = {k: v for k, v in miit_report.items() if k not in ("timings", "index")}
    assert json.dumps(first, indent=2) == json.dumps(again, indent=2)


def _two_articles(folder):
    folder.mkdir()
    (folder / "bridge.txt").write_text(
        "Bridge reopens\nThe harbour bridge reopened on Monday after repairs costing 12 million "
        "euros.\n"
    )
    (folder / "storm.txt").write_text("Storm warning\nA storm named Olga reached the coast.\n")
    gold = folder.parent / "g.jsonl"
    gold.write_text(
        json.dumps({"id": "b", "question": "What did the bridge repairs cost?", "answers": ["12"]})
        + "\n"
    )
    return gold


def test_rerun_on_unchanged_corpus_reuses_the_index(tmp_path):
    corpus = tmp_path / "corpus"
    gold = _two_articles(corpus)
    cache = tmp_path / "cache"
    first = run_eval(gold, corpus=[corpus], index_cache=cache)["index"]
    assert first["articles_embedded"] == 2 and first["chunks_embedded"] == 2
    again = run_eval(gold, corpus=[corpus], index_cache=cache)
    assert again["index"] == {
        **first,
        "articles_embedded": 0,
        "articles_reused": 2,
        "chunks_embedded": 0,
    }
    assert again["metrics"]["answer_accuracy"] == 1.0
    (corpus / "storm.txt").unlink()
    (corpus / "bridge.txt").write_text(
        "Bridge reopens\nThe harbour bridge reopened on Tuesday after repairs costing 12 million "
        "euros.\n"
    )
    changed = run_eval(gold, corpus=[corpus], index_cache=cache)["index"]
    assert (changed["articles_embedded"], changed["articles_reused"]) == (1, 0)
    assert changed["articles_pruned"] == 1 and changed["path"] == first["path"]
    assert len(list(cache.iterdir())) == 1


def test_runs_report_mean_and_spread(bundled_settings, tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        "".join(
            json.dumps(line) + "\n"
            for line in [
                {"id": "a", "question": "Who is the CEO of Airbus China?", "answers": ["Xu Gang"]},
                {"id": "u", "question": "Who won the 2018 World Cup?", "answerable": False},
            ]
        )
    )
    report = run_eval(gold, corpus=None, persist_dir=bundled_settings.persist_dir, runs=3)
    runs = report["runs"]
    assert runs["n"] == 3
    assert runs["answer_accuracy"] == {"mean": 1.0, "std": 0.0, "values": [1.0, 1.0, 1.0]}
    assert runs["abstention_accuracy"]["std"] == 0.0
    assert report["metrics"]["answer_accuracy"] == 1.0
    assert "runs" not in run_eval(gold, corpus=None, persist_dir=bundled_settings.persist_dir)


class LeastRelevantRetriever(BaseRetriever):
    """A deliberately broken retriever: the real one's results, keeping only the worst."""

    inner: BaseRetriever

    def _get_relevant_documents(self, query, *, run_manager):
        return self.inner.invoke(query)[-1:]


def test_broken_retriever_fails_the_suite_naming_the_metric(bundled_settings, embeddings):
    """The gate ``newsdesk eval`` exits 1 on names hit_at_k, its value, limit and baseline."""
    from qa.chain import build_chain
    from qa.extractive import ExtractiveAnswerer
    from qa.retriever import HybridRetriever
    from vectorstore.store import open_keyword_index, open_store

    s = bundled_settings
    store = open_store(s, embeddings, create=False)
    real = HybridRetriever(store=store, keyword=open_keyword_index(s, store), k=s.candidates)
    chain = build_chain(
        LeastRelevantRetriever(inner=real), ExtractiveAnswerer(embeddings, s.min_relevance, k=s.k)
    )
    report = run_eval(GOLD, corpus=None, settings=s, chain=chain)
    hit = report["metrics"]["hit_at_k"]
    assert hit < 0.95
    failures = gate(
        report,
        load_thresholds(ROOT / "evals" / "thresholds" / "miit.json"),
        load_baseline(ROOT / "evals" / "baselines" / "miit.json"),
    )
    assert f"hit_at_k = {hit} is below the minimum 0.95" in failures
    assert f"hit_at_k = {hit} regressed from the baseline 1.0 (tolerance 0.02)" in failures


def test_cli_baseline_update_then_regression_exits_1(bundled_settings, tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        json.dumps(
            {"id": "a", "question": "Who is the CEO of Airbus China?", "answers": ["Xu Gang"]}
        )
        + "\n"
    )
    base = tmp_path / "baselines" / "g.json"
    args = ["eval", "--gold", str(gold), "--persist-dir", str(bundled_settings.persist_dir)]
    out = run([*args, "--baseline-report", str(base), "--update-baseline"], tmp_path)
    assert out.returncode == 0, out.stderr
    written = json.loads(base.read_text())
    assert written["correct"] == {"a": True} and written["metrics"]["answer_accuracy"] == 1.0
    assert "latency_p50_ms" not in written["metrics"]
    assert run([*args, "--baseline-report", str(base)], tmp_path).returncode == 0
    tf1 = written["metrics"]["token_f1"]
    assert tf1 < 0.9
    written["metrics"]["token_f1"] = 0.9  # a baseline the extractive answerer cannot meet
    base.write_text(json.dumps(written))
    out = run([*args, "--baseline-report", str(base)], tmp_path)
    assert out.returncode == 1
    assert f"FAIL token_f1 = {tf1} regressed from the baseline 0.9 (tolerance 0.0)" in out.stderr
    out = run([*args, "--update-baseline"], tmp_path)
    assert out.returncode == 2 and "--update-baseline needs --baseline-report" in out.stderr
    # a metric that is no number fails before the run, exit 2, not a traceback (a breaker's)
    written["metrics"]["token_f1"] = "high"
    base.write_text(json.dumps(written))
    out = run([*args, "--baseline-report", str(base)], tmp_path)
    assert out.returncode == 2 and "metric 'token_f1' is 'high', not a finite number" in out.stderr
    # an unwritable report fails before the run too: a file stands where its folder would be
    (tmp_path / "blocked").write_text("")
    out = run([*args, "--report", str(tmp_path / "blocked" / "r.json")], tmp_path)
    assert out.returncode == 2 and "cannot write" in out.stderr and "gold:" not in out.stdout


BROKEN_CLI = """
import sys
import app
from qa.chain import build_chain
from qa.extractive import ExtractiveAnswerer
from qa.retriever import HybridRetriever
from tests.test_eval import LeastRelevantRetriever
from vectorstore.embeddings import load_embeddings
from vectorstore.store import open_keyword_index, open_store


def broken_chain(settings):
    embeddings = load_embeddings(settings.embedding_model)
    store = open_store(settings, embeddings, create=False)
    real = HybridRetriever(
        store=store, keyword=open_keyword_index(settings, store), k=settings.candidates
    )
    return build_chain(
        LeastRelevantRetriever(inner=real),
        ExtractiveAnswerer(embeddings, settings.min_relevance, k=settings.k),
    )


app.build_chain_for = broken_chain
from newsdesk.cli import app as cli
sys.argv = ["newsdesk", *sys.argv[1:]]
cli()
"""


def test_broken_retriever_makes_the_cli_exit_1_naming_the_metric(bundled_settings):
    """The real ``newsdesk eval`` command, with its retriever swapped for a broken one."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", BROKEN_CLI, "eval", "--gold", str(GOLD),
         "--persist-dir", str(bundled_settings.persist_dir),
         "--thresholds", str(ROOT / "evals" / "thresholds" / "miit.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "FAIL hit_at_k" in proc.stderr and "below the minimum 0.95" in proc.stderr


def test_eval_outputs_never_overwrite_inputs_or_a_report_half_way(bundled_settings, tmp_path):
    """Found by a breaker helper: --report naming the gold file replaced the gold
    questions; a gold answer with a lone surrogate crashed the report write (exit 1) and
    left an existing report empty; another suite's baseline was compared silently; a gold
    id with a control character made JUnit XML no parser reads (such an id is now refused
    when the gold file is read)."""
    import xml.etree.ElementTree as ET

    good = {"id": "a<1>b", "question": "Who is the CEO of Airbus China?", "answers": ["Xu Gang"]}
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps(good) + "\n")
    args = ["eval", "--gold", str(gold), "--persist-dir", str(bundled_settings.persist_dir)]

    out = run([*args, "--report", str(gold)], tmp_path)
    assert out.returncode == 2 and "--report" in out.stderr and "--gold" in out.stderr
    assert json.loads(gold.read_text()) == good

    junit = tmp_path / "g.xml"
    out = run([*args, "--junit", str(junit)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert ET.parse(junit).getroot().find("testcase").get("name") == "a<1>b"
    control = tmp_path / "control.jsonl"
    control.write_text(json.dumps({**good, "id": "a\x01b"}) + "\n")
    out = run(["eval", "--gold", str(control), *args[3:], "--junit", str(junit)], tmp_path)
    assert out.returncode == 2 and "field 'id'" in out.stderr and "U+0001" in out.stderr
    assert ET.parse(junit).getroot().find("testcase").get("name") == "a<1>b"  # kept

    other = ROOT / "evals" / "baselines" / "multi-long.json"
    out = run([*args, "--baseline-report", str(other)], tmp_path)
    assert out.returncode == 2 and "is of other questions" in out.stderr

    kept = tmp_path / "keep.json"
    kept.write_text('{"kept": true}\n')
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**good, "answers": ["Xu \ud800"]}) + "\n")
    out = run(["eval", "--gold", str(bad), "--persist-dir", "x", "--report", str(kept)], tmp_path)
    assert out.returncode == 2 and f"{bad}:1: field 'answers'" in out.stderr
    long_q = tmp_path / "long.jsonl"
    long_q.write_text(json.dumps({**good, "question": "Who " * 600 + "?"}) + "\n")
    out = run(["eval", "--gold", str(long_q), "--persist-dir", "x"], tmp_path)
    assert out.returncode == 2 and f"{long_q}:1: field 'question' is 2401 characters" in out.stderr
    assert kept.read_text() == '{"kept": true}\n'


def test_a_report_that_cannot_be_written_leaves_the_old_file(tmp_path):
    from newsdesk.cli import _write_whole

    target = tmp_path / "r.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        _write_whole(target, "new \ud800")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    _write_whole(target, "new")
    assert target.read_text() == "new"


def test_a_gold_source_naming_no_indexed_article_is_warned_about(bundled_settings, tmp_path):
    """Found by a breaker helper: a typo in `sources` silently scored the question 0."""
    gold = tmp_path / "g.jsonl"
    rows = [
        {"id": "a", "question": "Who is the CEO of Airbus China?", "answers": ["Xu Gang"],
         "sources": ["miit-vas-pilot-foreign-firms.txt"]},
        {"id": "b", "question": "Who is the CEO of Airbus China?", "answers": ["Xu Gang"],
         "sources": ["does-not-exist.txt"]},
    ]  # fmt: skip
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = tmp_path / "r.json"
    out = run(
        ["eval", "--gold", str(gold), "--persist-dir", str(bundled_settings.persist_dir),
         "--report", str(report)],
        tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "gold source 'does-not-exist.txt' names no indexed article" in out.stderr
    assert "miit-vas" not in out.stderr
    assert json.loads(report.read_text())["unknown_sources"] == ["does-not-exist.txt"]


def test_gold_answers_empty_once_compared_are_refused_and_line_separators_kept(tmp_path):
    """A breaker's: an accepted answer "[1]" is "" once compared, so every answer passed;
    and a U+2028 inside a string split the JSON line in two."""
    from evals.gold import load_gold
    from newsdesk.errors import BadInput

    gold = tmp_path / "g.jsonl"
    for field in ("answers", "all_of"):
        q = {"id": "a", "question": "Who is the CEO?", "answers": ["Xu Gang"], field: ["[1]"]}
        gold.write_text(json.dumps(q) + "\n")
        with pytest.raises(BadInput, match=f"g.jsonl:1: field '{field}': '\\[1\\]' is empty"):
            load_gold(gold)
    q = {"id": "a", "question": "How many\u2028firms were approved?", "answers": ["13\u2029"]}
    gold.write_text(json.dumps(q, ensure_ascii=False) + "\r\n", encoding="utf-8")
    assert [g.question for g in load_gold(gold)] == ["How many\u2028firms were approved?"]


def test_a_baseline_is_read_strictly(tmp_path):
    """A breaker's: NaN, a misspelt metric and a "yes" in `correct` loaded, and switched
    their checks off."""
    from newsdesk.errors import BadInput

    good = {"k": 4, "metrics": {"answer_accuracy": 1.0}, "correct": {"a": True}}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(good))
    assert load_baseline(path)["k"] == 4
    for bad, message in [
        ({"metrics": {"answer_accuracy": float("nan")}}, "not a finite number"),
        ({"metrics": {"answer_acuracy": 1.0}}, "did you mean 'answer_accuracy'"),
        ({"correct": {"a": "yes"}}, "not true or false"),
    ]:
        path.write_text(json.dumps(good | bad))
        with pytest.raises(BadInput, match=message):
            load_baseline(path)


def test_eval_flags_checked_before_the_run(bundled_settings, tmp_path):
    """A breaker's: --fresh-index beside --persist-dir ingested the corpus into that index
    for good; a baseline of another k was found only after every question was answered; an
    --index-cache that is a file failed late, naming --persist-dir."""
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"id": "a", "question": "Who?", "answers": ["Xu"]}) + "\n")
    mine = tmp_path / "mine"
    args = ["eval", "--gold", str(gold), "--corpus", str(BUNDLED), "--persist-dir", str(mine)]
    for flag in (["--fresh-index"], ["--index-cache", str(tmp_path / "cache")]):
        out = run([*args, *flag], tmp_path)
        assert out.returncode == 2 and f"{flag[0]} says where the eval index" in out.stderr
        assert not mine.exists()
    # an --index-cache that is a file warned twice of the embedding cache, then named
    # --persist-dir (a breaker's)
    out = run([*args[:5], "--index-cache", str(gold)], tmp_path)
    assert out.returncode == 2 and out.stderr.startswith("error: --index-cache"), out.stderr
    assert "is a file" in out.stderr and "warning" not in out.stderr
    base = tmp_path / "b.json"
    base.write_text(json.dumps({"k": 9, "metrics": {}, "correct": {"a": True}}))
    # the index named does not exist: the run would fail on it, the check comes first
    out = run(
        ["eval", "--gold", str(gold), "--persist-dir", str(mine), "--baseline-report", str(base)],
        tmp_path,
    )
    assert out.returncode == 2 and "made with k=9, this run has k=4" in out.stderr, out.stderr


def test_gold_read_from_a_pipe(bundled_settings, tmp_path):
    """A breaker's `--gold <(head -3 gold.jsonl)` was "not found": a pipe is read once."""
    import os
    import subprocess
    import sys

    line = json.dumps(
        {"id": "a", "question": "Who is the CEO of Airbus China?", "answers": ["Xu Gang"]}
    )
    out = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "eval", "--gold", "/dev/stdin",
         "--persist-dir", str(bundled_settings.persist_dir)],
        input=line + "\n", cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "(1 questions, k=4)" in out.stdout
