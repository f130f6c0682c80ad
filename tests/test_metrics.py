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


def test_article_recall_needs_every_gold_article():
    ids = ["/x/a.txt", "/x/a.txt", "/y/b.txt", "/y/c.txt"]
    assert M.article_recall_at_k(ids, ["a.txt", "b.txt"], 3) == 1.0
    assert M.article_recall_at_k(ids, ["a.txt", "c.txt"], 3) == 0.0  # c is 4th
    assert M.article_recall_at_k(ids, ["a.txt", "c.txt"], 4) == 1.0
    assert M.article_hit_at_k(ids, ["a.txt", "z.txt"], 2) == 1.0
    assert M.article_recall_at_k(ids, ["a.txt", "z.txt"], 4) == 0.0


def test_a_gold_source_given_as_a_path_names_that_file_only():
    # a breaker's: "sub/b/story.txt" was cut to "story.txt", so the other folder's
    # story.txt counted as the gold article in every article metric
    ids = ["/n/sub/a/story.txt", "/n/sub/b/story.txt"]
    assert M.article_hit_at_k(ids, ["sub/b/story.txt"], 1) == 0.0
    assert M.article_hit_at_k(ids, ["sub/b/story.txt"], 2) == 1.0
    assert M.article_hit_at_k(ids, ["/n/sub/b/story.txt"], 2) == 1.0
    assert M.article_hit_at_k(ids, ["story.txt"], 1) == 1.0  # a file name: either
    assert M.article_recall_at_k(ids[:1], ["b/story.txt"], 1) == 0.0
    assert M.recall_at_k(ids[:1], ["sub/a/story.txt", "sub/b/story.txt"], 1) == 0.5
    assert M.citation_recall(ids[:1], ["sub/b/story.txt"]) == 0.0
    assert M.citation_recall(ids[1:], ["b/story.txt"]) == 1.0
    assert not M.names_article("b/story.txt", "/n/sub/ab/story.txt")


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


def test_recall_at_k_hand_computed():
    retrieved = ["x/a.txt", "b.txt", "y/c.txt"]
    # gold {a, c, d}: top 2 holds a -> 1/3; top 3 holds a and c -> 2/3
    assert M.recall_at_k(retrieved, ["a.txt", "c.txt", "d.txt"], 2) == pytest.approx(1 / 3)
    assert M.recall_at_k(retrieved, ["a.txt", "c.txt", "d.txt"], 3) == pytest.approx(2 / 3)
    assert M.recall_at_k(retrieved, ["c.txt"], 3) == 1.0
    assert M.recall_at_k(retrieved, [], 3) is None


def test_abstention_precision_and_recall_hand_computed():
    abstained = [True, True, False, False, False]
    answerable = [False, True, True, False, False]
    # abstained on q0 (unanswerable) and q1 (answerable): precision 1/2
    assert M.abstention_precision(abstained, answerable) == 0.5
    # unanswerable q0, q3, q4; only q0 abstained on: recall 1/3
    assert M.abstention_recall(abstained, answerable) == pytest.approx(1 / 3)
    assert M.abstention_precision([False, False], [True, False]) is None
    assert M.abstention_recall([True, False], [True, True]) is None


def test_citation_metrics_hand_computed():
    quotes = ["Xu Gang is the CEO.", "Airbus opened a plant.", "Tesla and HSBC were approved."]
    # the first and third quote hold an accepted answer or all_of part: 2/3
    assert M.citation_precision(quotes, ["Xu Gang", "HSBC"]) == pytest.approx(2 / 3)
    assert M.citation_precision([], ["Xu Gang"]) is None
    # gold a and b; cited a (twice): 1/2
    assert M.citation_recall(["d/a.txt", "d/a.txt"], ["a.txt", "b.txt"]) == 0.5
    assert M.citation_recall([], ["a.txt"]) == 0.0
    assert M.citation_recall(["a.txt"], []) is None


def test_unsupported_sentence_rate_hand_computed():
    text = "Paris is big [1]. It has 2 million people. The mayor is Anne [2]."
    # three sentences, one flagged: 1/3
    assert M.unsupported_sentence_rate(text, ["It has 2 million people."]) == pytest.approx(1 / 3)
    assert M.unsupported_sentence_rate(text, []) == 0.0
    # more flagged than the splitter finds: capped at 1
    assert M.unsupported_sentence_rate("One sentence", ["a", "b"]) == 1.0


def test_majority_answer_hand_computed():
    answers = [["Facebook"], ["facebook"], ["Norway"], []]
    answerable = [True, True, True, False]
    # outputs: "facebook" twice, "norway" once, abstain once -> "facebook", right on 2 of 4
    assert M.majority_answer(answers, answerable) == ("facebook", 0.5)
    # a tie goes to abstaining, right on the one unanswerable question of 2
    assert M.majority_answer([["A"], []], [True, False]) == (None, 0.5)
    assert M.majority_answer([], []) == (None, None)


def test_bootstrap_ci_hand_computed():
    assert M.bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)
    # two values 0 and 1: a resample's mean is 0, 0.5 or 1 with probability 1/4, 1/2, 1/4,
    # so the 2.5th and 97.5th percentiles of 2000 resampled means are 0 and 1
    assert M.bootstrap_ci([0.0, 1.0]) == (0.0, 1.0)
    # [0, 1, 1, 1]: the number of ones in a resample is Binomial(4, 3/4); P(mean 0) = 1/256
    # < 2.5% < P(mean <= 0.25) = 13/256, and P(mean 1) = 81/256 > 2.5%: (0.25, 1.0)
    assert M.bootstrap_ci([0.0, 1.0, 1.0, 1.0]) == (0.25, 1.0)
    assert M.bootstrap_ci([]) is None
    values = [float(i % 3 == 0) for i in range(50)]
    assert M.bootstrap_ci(values) == M.bootstrap_ci(values)  # seeded: reproducible
    low, high = M.bootstrap_ci(values)
    assert low < M.mean(values) < high


def test_mean_and_std_hand_computed():
    mean, std = M.mean_and_std([0.5, 0.7])
    # sample std: sqrt(((0.5-0.6)^2 + (0.7-0.6)^2) / 1) = sqrt(0.02)
    assert mean == pytest.approx(0.6) and std == pytest.approx(math.sqrt(0.02))
    assert M.mean_and_std([0.8]) == (0.8, None)
    assert M.mean_and_std([]) == (None, None)


def test_regression_against_a_baseline():
    from evals.runner import check_regressions, gate

    baseline = {
        "k": 4,
        "metrics": {"answer_accuracy": 0.9, "false_abstention_rate": 0.05, "mrr": None},
        "correct": {},
    }
    report = {
        "metrics": {"k": 4, "answer_accuracy": 0.87, "false_abstention_rate": 0.08},
        "questions": [],
    }
    failures = check_regressions(report, baseline, {"default": 0.02})
    assert failures == [
        "answer_accuracy = 0.87 regressed from the baseline 0.9 (tolerance 0.02)",
        "false_abstention_rate = 0.08 regressed from the baseline 0.05 (tolerance 0.02)",
    ]
    # a rate may rise by its own tolerance; 0.87 >= 0.9 - 0.03 holds
    assert (
        check_regressions(report, baseline, {"default": 0.03, "false_abstention_rate": 0.05}) == []
    )
    # no tolerance stated: any drop fails; a metric undefined now fails
    assert len(check_regressions({"metrics": {"k": 4}, "questions": []}, baseline, {})) == 2
    with pytest.raises(BadInput, match="k=4, this run has k=10"):
        check_regressions({"metrics": {"k": 10}, "questions": []}, baseline, {})
    # a baseline of other questions (another suite's) does not compare
    other = {**report, "questions": [{"id": "q1"}]}
    with pytest.raises(BadInput, match="is of other questions: 0 of its 0 question ids"):
        check_regressions(other, baseline, {})
    limits = {"min": {"answer_accuracy": 0.95}, "tolerance": {"default": 0.0}}
    assert gate(report, limits, baseline)[0] == "answer_accuracy = 0.87 is below the minimum 0.95"
    assert len(gate(report, limits, baseline)) == 3


def test_thresholds_tolerance_section(tmp_path):
    f = tmp_path / "t.json"
    f.write_text(json.dumps({"min": {"hit_at_k": 0.5}, "tolerance": {"default": 0.02}}))
    assert load_thresholds(f)["tolerance"] == {"default": 0.02}
    f.write_text(json.dumps({"tolerance": {"latency_p50_ms": 5}}))
    with pytest.raises(BadInput, match=r"tolerance\.latency_p50_ms is not a metric checked"):
        load_thresholds(f)
    f.write_text(json.dumps({"tolerance": {"hit_at_k": -1}}))
    with pytest.raises(BadInput, match="must be >= 0"):
        load_thresholds(f)
