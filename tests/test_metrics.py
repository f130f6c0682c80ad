import json
import math

import pytest

from evals import metrics as M
from evals.gold import load_gold
from evals.runner import check_thresholds, load_thresholds
from newsdesk.errors import BadInput


def test_normalisation_and_containment():
    assert M.normalize_answer("  2,400 New\n firms [1]") == "2400 new firms"
    assert M.contains_answer("There were 2400 firms.", "2,400")
    assert M.contains_answer("Tampa,  Florida hosted it", "tampa, florida")
    assert not M.contains_answer("There were 240 firms.", "2,400")


def test_is_correct_rule():
    assert M.is_correct("Tesla and HSBC [1]", False, ["Tesla"], ["HSBC"], True)
    assert not M.is_correct("Tesla only [1]", False, ["Tesla"], ["HSBC"], True)
    assert not M.is_correct("Not found", True, ["Tesla"], [], True)
    assert M.is_correct("Not found", True, [], [], False)
    assert not M.is_correct("Tesla [1]", False, [], [], False)


def test_hit_at_k_and_article_hit():
    texts = ["nothing", "also nothing", "Simona Halep won"]
    assert M.hit_at_k(texts, ["Simona Halep"], 3) == 1.0
    assert M.hit_at_k(texts, ["Simona Halep"], 2) == 0.0
    assert M.article_hit_at_k(["x/a.txt", "b.txt"], ["a.txt"], 1) == 1.0
    assert M.article_hit_at_k(["b.txt", "a.txt"], ["a.txt"], 1) == 0.0


def test_percentile_and_mean_hand_computed():
    # numpy linear method: position (n-1)*q/100 = 3*0.95 = 2.85 -> 30 + 0.85*(40-30) = 38.5
    assert M.percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert M.percentile([10, 20, 30, 40], 50) == pytest.approx(25.0)
    assert M.percentile([], 50) is None
    assert M.mean([]) is None and M.mean([1, 0, 1, 1]) == 0.75
    assert M.word_count("Three words here [1]") == 3


def test_gold_errors_name_line_and_field(tmp_path):
    good = {"id": "a", "question": "Q?", "answers": ["x"]}
    cases = [
        ("{not json", "line 2|:2: not valid JSON"),
        (json.dumps({"id": "b", "question": "", "answers": ["x"]}), ":2: field 'question'"),
        (json.dumps({"id": "b", "question": "Q", "answers": "x"}), ":2: field 'answers'"),
        (
            json.dumps({"id": "b", "question": "Q", "answers": ["x"], "answerable": "no"}),
            ":2: field 'answerable'",
        ),
        (json.dumps({"id": "a", "question": "Q", "answers": ["x"]}), ":2: field 'id': duplicate"),
    ]
    for line, pattern in cases:
        f = tmp_path / "g.jsonl"
        f.write_text(json.dumps(good) + "\n" + line + "\n")
        with pytest.raises(BadInput, match=pattern):
            load_gold(f)
    f.write_text(json.dumps({"id": "u", "question": "Q", "answerable": False}) + "\n")
    (q,) = load_gold(f)
    assert q.answers == [] and not q.answerable


def test_thresholds(tmp_path):
    f = tmp_path / "t.json"
    f.write_text(
        json.dumps(
            {"min": {"answer_accuracy": 0.9, "hit_at_k": 0.5}, "max": {"answer_words_mean": 30}}
        )
    )
    t = load_thresholds(f)
    report = {"metrics": {"answer_accuracy": 0.8, "hit_at_k": None, "answer_words_mean": 31}}
    failures = check_thresholds(report, t)
    assert len(failures) == 3
    assert "answer_accuracy = 0.8 is below the minimum 0.9" in failures
    f.write_text("{bad")
    with pytest.raises(BadInput, match="not valid JSON"):
        load_thresholds(f)


def test_squad_em_and_f1_hand_computed():
    assert M.squad_normalize("The  Tampa, Florida! [1]") == "tampa florida"
    assert M.exact_match("the Tampa, Florida [1]", ["Tampa, Florida"]) == 1.0
    assert M.exact_match("in Tampa, Florida", ["Tampa, Florida"]) == 0.0
    # pred "xu gang ceo of airbus china" (6 tokens), gold "xu gang" (2): common 2
    # precision 2/6, recall 2/2 -> F1 = 2 * (1/3) * 1 / (1/3 + 1) = 0.5
    assert M.token_f1("Xu Gang, CEO of Airbus China", ["Xu Gang"]) == pytest.approx(0.5)
    assert M.token_f1("nothing shared", ["Xu Gang"]) == 0.0


def test_rank_metrics_hand_computed():
    texts = ["no", "Halep won", "no", "Halep again"]
    assert M.reciprocal_rank(texts, ["Halep"]) == 0.5
    assert M.reciprocal_rank(["no"], ["Halep"]) == 0.0
    # relevant at ranks 2 and 4: DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert M.ndcg_at_k(texts, ["Halep"], 4) == pytest.approx(expected)
    assert M.ndcg_at_k(texts, ["Halep"], 1) == 0.0


def test_junit_and_markdown_reports():
    from xml.etree import ElementTree as ET

    from evals.reports import to_junit, to_markdown

    rows = [
        {
            "id": "a",
            "question": "Q1?",
            "answer": "13 [1]",
            "correct": True,
            "answerable": True,
            "latency_ms": 10.0,
        },
        {
            "id": "b",
            "question": "Q2?",
            "answer": "Paris [1]",
            "correct": False,
            "answerable": False,
            "latency_ms": 20.0,
        },
    ]
    report = {
        "metrics": {"answer_accuracy": 1.0, "by_type": {"x": {"questions": 2, "accuracy": 0.5}}},
        "questions": rows,
    }
    suite = ET.fromstring(to_junit(report, "gold"))
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    (failure,) = suite.iter("failure")
    assert failure.get("message") == "expected an abstention" and "Paris" in (failure.text or "")
    md = to_markdown(report, "gold", ["answer_accuracy = 0.5 is below the minimum 0.9"])
    assert md.startswith("### newsdesk eval: gold") and "**FAIL**" in md and "| x | 2 | 0.5 |" in md
