"""Gold sets in other tools' formats: small files in each, converted and checked."""

import json

import pytest

from evals.gold import load_gold
from evals.importers import import_deepeval, import_multihop_rag, import_ragas, import_rgb
from evals.runner import run_eval
from newsdesk.errors import BadInput
from tests.conftest import run_cli as run

TAMPA = "Super Bowl LV was played in Tampa, Florida on February 7, 2021."
MIAMI = "Super Bowl LIV was played in Miami Gardens, Florida in 2020."


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _roundtrip(tmp_path, result):
    """The gold lines load with the gold reader; the sources name written articles."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text(result.gold_jsonl())
    questions = load_gold(gold)
    for q in questions:
        assert set(q.sources) <= set(result.articles)
    return questions


def test_ragas_samples(tmp_path):
    f = tmp_path / "ragas.json"
    f.write_text(
        json.dumps(
            [
                {
                    "user_input": "Where was Super Bowl LV played?",
                    "reference": "Tampa, Florida",
                    "reference_contexts": [TAMPA],
                    "synthesizer_name": "single_hop",
                },
                {"user_input": "Who won?", "reference": "Tampa Bay Buccaneers"},
            ]
        )
    )
    result = import_ragas(f)
    q1, q2 = _roundtrip(tmp_path, result)
    assert (q1.id, q1.question, q1.answers) == (
        "ragas-1",
        "Where was Super Bowl LV played?",
        ["Tampa, Florida"],
    )
    assert result.articles[q1.sources[0]] == TAMPA + "\n"
    assert q2.sources == [] and q2.answerable


def test_ragas_samples_with_the_field_names_before_ragas_0_2(tmp_path):
    # a new user's ragas file had these, and the import asked for "user_input"
    f = tmp_path / "ragas.json"
    sample = {"question": "Where?", "ground_truth": "Tampa, Florida", "contexts": [TAMPA]}
    f.write_text(json.dumps([sample]))
    result = import_ragas(f)
    (q,) = _roundtrip(tmp_path, result)
    assert (q.question, q.answers) == ("Where?", ["Tampa, Florida"])
    assert result.articles[q.sources[0]] == TAMPA + "\n"


def test_deepeval_goldens_as_jsonl(tmp_path):
    f = _jsonl(
        tmp_path / "goldens.jsonl",
        [
            {
                "input": "Where was Super Bowl LV played?",
                "expected_output": "Tampa",
                "context": [TAMPA, MIAMI],
                "actual_output": None,
            }
        ],
    )
    result = import_deepeval(f)
    (q,) = _roundtrip(tmp_path, result)
    assert q.answers == ["Tampa"] and len(q.sources) == 2 and len(result.articles) == 2


def test_rgb_answers_string_list_and_list_of_lists(tmp_path):
    f = _jsonl(
        tmp_path / "en.json",
        [
            {
                "id": 0,
                "query": "Super Bowl 2021 location",
                "answer": "Tampa, Florida",
                "positive": [TAMPA],
                "negative": [MIAMI],
            },
            {
                "id": 1,
                "query": "Where?",
                "answer": ["Tampa", "Tampa, FL"],
                "positive": [TAMPA],
                "negative": [],
            },
            {
                "id": 2,
                "query": "Which cities hosted?",
                "answer": [["Tampa"], ["Miami", "Miami Gardens"]],
                "positive": [TAMPA, MIAMI],
                "negative": [],
            },
        ],
    )
    result = import_rgb(f)
    q0, q1, q2 = _roundtrip(tmp_path, result)
    assert q0.id == "rgb-0" and q0.answers == ["Tampa, Florida"] and len(q0.sources) == 1
    assert q1.answers == ["Tampa", "Tampa, FL"] and q1.all_of == []
    # parts must all appear: the first part's alternatives, the later parts' first ones
    assert q2.answers == ["Tampa"] and q2.all_of == ["Miami"]
    # the same snippet in several questions is one article; the negative is one more
    assert len(result.articles) == 2 and q0.sources[0] in q2.sources


def test_multihop_rag_with_its_corpus(tmp_path):
    corpus = tmp_path / "corpus.json"
    corpus.write_text(
        json.dumps(
            [
                {
                    "title": "Bucs win Super Bowl LV",
                    "author": "A",
                    "source": "Wire",
                    "published_at": "2021-02-08T10:00:00+00:00",
                    "category": "sports",
                    "url": "https://example.com/1",
                    "body": TAMPA,
                },
                {
                    "title": "Chiefs lose",
                    "source": "Wire",
                    "published_at": "2021-02-08",
                    "body": "The Kansas City Chiefs lost Super Bowl LV 31-9.",
                },
            ]
        )
    )
    queries = tmp_path / "MultiHopRAG.json"
    queries.write_text(
        json.dumps(
            [
                {
                    "query": "Did the team that lost Super Bowl LV play in Tampa?",
                    "answer": "Yes",
                    "question_type": "inference_query",
                    "evidence_list": [
                        {"title": "Bucs win Super Bowl LV", "fact": "..."},
                        {"title": "Chiefs lose", "fact": "..."},
                    ],
                },
                {
                    "query": "Who won the 1850 Super Bowl?",
                    "answer": "Insufficient information.",
                    "question_type": "null_query",
                    "evidence_list": [],
                },
            ]
        )
    )
    result = import_multihop_rag(queries)
    q1, q2 = _roundtrip(tmp_path, result)
    assert q1.answers == ["Yes"] and q1.type == "inference_query" and len(q1.sources) == 2
    assert not q2.answerable and q2.answers == [] and q2.type == "null_query"
    first = result.articles[q1.sources[0]]
    assert first.startswith('---\ntitle: "Bucs win Super Bowl LV"\npublished: "2021-02-08')

    # the written articles load with their titles and dates
    from ingest.loaders import load_articles

    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in result.articles.items():
        (folder / name).write_text(text)
    loaded = {a.title: a for a in load_articles([folder])}
    assert loaded["Bucs win Super Bowl LV"].published == "2021-02-08"
    assert loaded["Chiefs lose"].text.strip().startswith("The Kansas City Chiefs")

    queries.write_text(
        json.dumps([{"query": "Q?", "answer": "A", "evidence_list": [{"title": "Nowhere"}]}])
    )
    with pytest.raises(BadInput, match=r"item 1: field 'evidence_list': title 'Nowhere'"):
        import_multihop_rag(queries)
    corpus.unlink()
    with pytest.raises(BadInput, match=r"corpus\.json not found"):
        import_multihop_rag(queries)


@pytest.mark.parametrize(
    ("fmt", "content", "message"),
    [
        ("ragas", '[{"user_input": "Q?"}]', "ragas.json: item 1: field 'reference'"),
        (
            "deepeval",
            '{"input": "Q?", "expected_output": "A"}\n{"input": 3}\n',
            "deepeval.json:2: field 'input'",
        ),
        ("rgb", '{"query": "Q?", "answer": [["A"], []]}\n', "rgb.json:1: field 'answer'"),
        (
            "rgb",
            '{"query": "Q?", "answer": "A", "positive": "text"}\n',
            "rgb.json:1: field 'positive'",
        ),
        ("rgb", '{"query": "Q?", "answer": "A"}\n{oops\n', "rgb.json:2: not valid JSON"),
        ("ragas", "[1, 2]", "ragas.json: item 1: expected a JSON object"),
    ],
)
def test_bad_input_names_line_and_field(tmp_path, fmt, content, message):
    f = tmp_path / f"{fmt}.json"
    f.write_text(content)
    out = run(["eval", "import", fmt, str(f), "-o", str(tmp_path / "g.jsonl")], tmp_path)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "g.jsonl").exists()


def test_cli_import_then_eval(tmp_path):
    """``newsdesk eval import rgb`` writes gold and articles that ``newsdesk eval`` scores."""
    f = _jsonl(
        tmp_path / "en.json",
        [
            {
                "id": 7,
                "query": "Where was Super Bowl LV played?",
                "answer": ["Tampa"],
                "positive": [TAMPA],
                "negative": [MIAMI, "The halftime show starred The Weeknd."],
            },
        ],
    )
    out = run(
        ["eval", "import", "rgb", str(f), "-o", str(tmp_path / "rgb" / "gold.jsonl")], tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert "1 questions written" in out.stderr and "3 articles" in out.stderr
    articles = tmp_path / "rgb" / "gold-articles"
    assert len(list(articles.iterdir())) == 3
    report = run_eval(tmp_path / "rgb" / "gold.jsonl", corpus=[articles])
    m = report["metrics"]
    assert m["answer_accuracy"] == 1.0 and m["hit_at_k"] == 1.0 and m["recall_at_k"] == 1.0
    assert m["citation_recall"] == 1.0

    printed = run(["eval", "import", "rgb", str(f)], tmp_path)
    assert json.loads(printed.stdout)["id"] == "rgb-7"
    assert "articles were not written; add --articles-dir" in printed.stderr
    out = run(["eval", "import", "csv", str(f)], tmp_path)
    assert out.returncode == 2 and "unknown format 'csv'" in out.stderr


def test_import_refuses_to_write_over_its_input(tmp_path):
    """A breaker's: ``eval import rgb en.json -o en.json`` replaced the set with its
    conversion."""
    f = _jsonl(
        tmp_path / "en.json", [{"query": "Where?", "answer": ["Tampa"], "positive": [TAMPA]}]
    )
    before = f.read_bytes()
    out = run(["eval", "import", "rgb", str(f), "-o", "en.json"], tmp_path)
    assert out.returncode == 2 and "--out en.json is an input file" in out.stderr
    assert f.read_bytes() == before
