"""Source and date filters, through the retriever, the chain (app.answer) and the CLI,
over real Chroma and the real keyword index in temporary folders."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

import app
from newsdesk.errors import BadInput
from newsdesk.settings import Settings
from qa.filters import RetrievalFilter, parse_filters, published_day
from tests.conftest import ROOT, build_index, index_of_texts

# Three short stories about the same topic (a port strike) from different outlets and days,
# so that only a filter decides which one answers.
ARTICLES = {
    "harbor-strike-day1.txt": (
        "Dock workers walk out at Port Halden\n\nPublished: 2024-03-04\n\n"
        "Dock workers at Port Halden began a strike on Monday over pay, halting container "
        "traffic. The union said 1,200 members joined the walkout."
    ),
    "harbor-strike-day5.txt": (
        "Port Halden strike ends with pay deal\n\nPublished: 2024-03-08\n\n"
        "The strike at Port Halden ended on Friday after the union accepted a 6 percent pay "
        "rise. Container traffic is expected to resume by the weekend."
    ),
    "harbor-strike-review.txt": (
        "A month after the Port Halden strike\n\nPublished: 2024-04-10\n\n"
        "A month after the strike, Port Halden handled a record 310,000 containers in March, "
        "the port authority said, despite the week-long walkout."
    ),
}
FEED = [
    {
        "id": "halden-0309",
        "title": "Halden strike costs estimated",
        "body": "Economists at the Halden Chamber estimated that the Port Halden strike cost "
        "local exporters 40 million euros in delayed shipments.",
        "published_at": "2024-03-09T10:00:00Z",
        "source": "Halden Gazette",
    },
    {
        "id": "halden-0312",
        "title": "Lorry queues clear at Port Halden",
        "body": "Lorry queues outside Port Halden cleared on Tuesday as cranes moved 2,000 "
        "boxes a day.",
        "published_at": "2024-03-12T09:00:00Z",
        # the same publisher spelt in lower case, as a feed may (a breaker's)
        "source": "halden gazette",
    },
]


@pytest.fixture(scope="module")
def filtered_settings(tmp_path_factory, embeddings, counter, window) -> Settings:
    folder = tmp_path_factory.mktemp("filter-articles")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "feed.jsonl").write_text(
        "\n".join(json.dumps(o) for o in FEED) + "\n", encoding="utf-8"
    )
    settings = Settings.from_env({}, persist_dir=tmp_path_factory.mktemp("filter-index") / "ix")
    _, report = build_index(settings, [folder], embeddings, counter, window)
    assert len(report.ingested) == 5, report.to_dict()
    return settings


def _files(answer) -> set[str]:
    return {r.article_id.rsplit("/", 1)[-1] for r in answer.retrieved}


def _ask(settings, question, filters=None, **kw):
    return app.answer(question, persist_dir=settings.persist_dir, filters=filters, **kw)


def test_no_filter_sees_every_article(filtered_settings):
    a = _ask(filtered_settings, "What happened in the Port Halden strike?", k=8)
    assert {"harbor-strike-day1.txt", "harbor-strike-day5.txt", "harbor-strike-review.txt"} <= (
        _files(a)
    )


def test_date_range_keeps_only_articles_published_in_it(filtered_settings):
    a = _ask(
        filtered_settings,
        "What happened in the Port Halden strike?",
        {"date_from": "2024-03-05", "date_to": "2024-03-31"},
        k=8,
    )
    assert _files(a) == {
        "harbor-strike-day5.txt",
        "feed.jsonl#halden-0309",
        "feed.jsonl#halden-0312",
    }
    assert {r.published for r in a.retrieved} <= {"2024-03-08", "2024-03-09", "2024-03-12"}


def test_date_bounds_are_inclusive_and_open_ended(filtered_settings):
    q = "How many containers did Port Halden handle?"
    since = _ask(filtered_settings, q, {"date_from": "2024-04-10"}, k=8)
    assert _files(since) == {"harbor-strike-review.txt"}
    assert "310,000" in since.text
    until = _ask(filtered_settings, q, {"date_to": "2024-03-04"}, k=8)
    assert _files(until) == {"harbor-strike-day1.txt"}


def test_source_by_file_name_path_or_publisher(filtered_settings, tmp_path):
    q = "How did the Port Halden strike end?"
    by_name = _ask(filtered_settings, q, {"source": "harbor-strike-day1.txt"}, k=8)
    assert _files(by_name) == {"harbor-strike-day1.txt"}
    path = next(
        r.article_id
        for r in _ask(filtered_settings, q, k=8).retrieved
        if r.article_id.endswith("day5.txt")
    )
    assert _files(_ask(filtered_settings, q, {"source": [path]}, k=8)) == {"harbor-strike-day5.txt"}
    gazette = _ask(filtered_settings, "What did the strike cost?", {"source": ["Halden Gazette"]})
    assert _files(gazette) == {"feed.jsonl#halden-0309", "feed.jsonl#halden-0312"}
    assert "40 million" in gazette.text
    both = _ask(filtered_settings, q, {"source": ["Halden Gazette", "harbor-strike-day5.txt"]}, k=8)
    assert _files(both) == {
        "feed.jsonl#halden-0309",
        "feed.jsonl#halden-0312",
        "harbor-strike-day5.txt",
    }


def test_a_feed_item_is_a_source_by_its_id_as_cited(filtered_settings):
    # a new user's and a breaker's: "feed.jsonl#halden-0309" matched nothing
    q = "What did the strike cost?"
    item = _ask(filtered_settings, q, {"source": "feed.jsonl#halden-0309"})
    assert _files(item) == {"feed.jsonl#halden-0309"} and "40 million" in item.text
    full = next(r.article_id for r in item.retrieved)
    assert _files(_ask(filtered_settings, q, {"source": full})) == {"feed.jsonl#halden-0309"}
    other = _ask(filtered_settings, q, {"source": "feed.jsonl#no-such-item"})
    assert other.abstained and not other.retrieved


def test_a_source_matches_its_names_in_any_case(filtered_settings):
    q = "What did the strike cost?"
    gazette = _ask(filtered_settings, q, {"source": "halden GAZETTE"})
    assert "40 million" in gazette.text
    # as written, a publisher finds its items spelt in another case too (a breaker's
    # "Reuters" found none of a feed's "reuters" items)
    for spelt in ("Halden Gazette", "halden gazette", "halden GAZETTE"):
        both = _ask(filtered_settings, q, {"source": spelt}, k=8)
        assert _files(both) == {"feed.jsonl#halden-0309", "feed.jsonl#halden-0312"}, spelt
    by_name = _ask(filtered_settings, q, {"source": "Harbor-Strike-Day1.TXT"}, k=8)
    assert _files(by_name) == {"harbor-strike-day1.txt"}


def test_the_chat_and_list_offer_the_publishers_as_sources(filtered_settings):
    """The chat's source filter listed files only, so a publisher could not be chosen,
    and `newsdesk list` never showed one (a breaker's): each choice's value filters."""
    from ui.corpus import Corpus

    choices = Corpus(filtered_settings).source_choices()
    files = [label for label, _ in choices if not label.startswith("publisher: ")]
    assert files == ["feed.jsonl", *sorted(ARTICLES)]
    # one choice for the publisher spelt two ways (filters ignore case)
    (publisher,) = [c for c in choices if c[0].startswith("publisher: ")]
    assert publisher[0] == f"publisher: {publisher[1]}"
    assert publisher[1].casefold() == "halden gazette"
    chosen = _ask(filtered_settings, "What did the strike cost?", {"source": [publisher[1]]}, k=8)
    assert _files(chosen) == {"feed.jsonl#halden-0309", "feed.jsonl#halden-0312"}
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdesk.cli",
            "list",
            "--persist-dir",
            str(filtered_settings.persist_dir),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.splitlines()
    assert [line.endswith("(harbor-strike-day1.txt)") for line in listed if "day1" in line] == [
        True
    ]
    by = [line.rsplit("(", 1)[1] for line in listed if "feed.jsonl#" in line]
    assert sorted(by) == [
        "feed.jsonl#halden-0309, Halden Gazette)",
        "feed.jsonl#halden-0312, halden gazette)",
    ]


@pytest.mark.parametrize("source", ["~nosuchuser/x.txt", "a/\x00b", "nowhere/at/all.txt"])
def test_a_source_that_looks_like_a_path_but_is_none_matches_nothing(filtered_settings, source):
    """Found by a breaker helper: these crashed resolving the path (no such user's home,
    a NUL byte)."""
    a = _ask(filtered_settings, "Why did dock workers strike?", {"source": source})
    assert a.abstained and a.retrieved == []


def test_bm25_side_is_filtered_too(filtered_settings):
    # "310,000" and "record" occur only in the review; a date filter must keep BM25 from
    # bringing that article back through the keyword half of hybrid search.
    a = _ask(filtered_settings, "record 310,000 containers", {"date_to": "2024-03-31"}, k=8)
    assert "harbor-strike-review.txt" not in _files(a)
    assert "310,000" not in a.text


def test_filter_matching_nothing_abstains(filtered_settings):
    a = _ask(filtered_settings, "Why did dock workers strike?", {"source": "Other Times"})
    assert a.abstained and a.retrieved == []
    # says the filters matched nothing, not that the index is empty
    assert "no indexed article matches the filters (source Other Times)" in a.text
    assert "Undated" not in a.text  # no date filter was given
    # names the sources there are (a new user's was only told to widen the filters)
    assert "Sources in the index: " in a.text and "harbor-strike-day1.txt" in a.text
    a = _ask(filtered_settings, "Why did dock workers strike?", {"source": "harbor-strike-day"})
    assert "Did you mean: harbor-strike-day1.txt" in a.text, a.text
    assert "Sources in the index" not in a.text
    a = _ask(filtered_settings, "Why did dock workers strike?", {"date_from": "2030-01-01"})
    assert a.abstained and a.retrieved == []
    assert "(published from 2030-01-01). Widen" in a.text
    assert "Sources in the index" not in a.text  # no source filter was given
    # the source matched, the dates left it out: no name is suggested (a breaker's was
    # asked "Did you mean: council.txt?" for council.TXT)
    for source in ("HARBOR-STRIKE-DAY1.TXT", "harbor-strike-day1.txt"):
        a = _ask(
            filtered_settings,
            "Why did dock workers strike?",
            {"source": source, "date_from": "2030-01-01"},
        )
        assert a.abstained and "Did you mean" not in a.text and "Sources in" not in a.text
    # every article is dated: undated ones are not blamed (a new user's finding)
    assert "Undated" not in a.text


def test_a_refusal_under_filters_says_the_filters_narrowed_the_search(filtered_settings):
    # a new user's: the answer was in an article the date filter left out, and the refusal
    # blamed the articles ("the closest passages say nothing of ...")
    question = "What pay rise did the union accept?"
    unfiltered = _ask(filtered_settings, question)
    assert not unfiltered.abstained and "6 percent" in unfiltered.text
    a = _ask(filtered_settings, question, {"date_from": "2024-04-01"})
    assert a.abstained and _files(a) == {"harbor-strike-review.txt"}
    assert a.text.endswith(
        "Only articles matching the filters (published from 2024-04-01) were searched: "
        "widen or clear them to search every article."
    )  # every article is dated: undated ones are not blamed
    streamed = list(
        app.stream_answer(
            question, persist_dir=filtered_settings.persist_dir, filters={"date_from": "2024-04-01"}
        )
    )
    assert streamed[-1].text == a.text


def test_filter_matching_nothing_names_undated_articles(
    tmp_path_factory, embeddings, counter, window
):
    texts = {
        "dated.txt": "Ferry fares rise\n\nPublished: 2024-03-04\n\nFerry fares rose 4 percent.",
        "undated.txt": "Ferry strike called off\n\nThe ferry strike was called off on Monday.",
    }
    settings = index_of_texts(tmp_path_factory, "undated", texts, embeddings, counter, window)
    a = _ask(settings, "Why was the ferry strike called off?", {"date_from": "2030-01-01"})
    assert a.abstained and a.retrieved == []
    assert "Undated articles never match a date filter" in a.text


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"date_from": "2024-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2024-W01-1"}, "date_from"),  # an ISO week date (a breaker's)
        ({"date_from": "2024-03-09", "date_to": "2024-03-01"}, "date_from"),
        ({"source": 3}, "source"),
        ({"source": [""]}, "source"),
        ({"publisher": "x"}, "publisher"),
        ("source=x", "filters"),
    ],
)
def test_bad_filters_name_the_field(filtered_settings, filters, field):
    with pytest.raises(BadInput, match=field):
        _ask(filtered_settings, "Why did dock workers strike?", filters)


def test_an_impossible_date_says_so():
    # "2024-02-30" is written YYYY-MM-DD: the message said to write it so (a breaker's)
    with pytest.raises(BadInput, match=r"2024-02-30 is no calendar date \(day is out of range"):
        parse_filters({"date_to": "2024-02-30"})


def test_parse_filters():
    assert parse_filters(None) is None and parse_filters({}) is None
    assert parse_filters({"source": [], "date_from": ""}) is None
    f = parse_filters({"source": "a.txt", "date_from": dt.date(2024, 1, 2)})
    assert f == RetrievalFilter(("a.txt",), dt.date(2024, 1, 2), None)
    assert published_day("2024-03-09T10:00:00Z") == 20240309
    assert published_day("March 2024") is None and published_day(None) is None


def test_cli_ask_with_filters(filtered_settings):
    def ask(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "newsdesk.cli", "ask", "How many containers?", "--json",
             "--persist-dir", str(filtered_settings.persist_dir), *args],
            capture_output=True, text=True, cwd=ROOT, timeout=600,
        )  # fmt: skip

    done = ask("--since", "2024-03-01", "--until", "2024-03-31", "--source",
               "harbor-strike-day1.txt", "--source", "harbor-strike-day5.txt")  # fmt: skip
    assert done.returncode == 0, done.stderr
    files = {r["article_id"].rsplit("/", 1)[-1] for r in json.loads(done.stdout)["retrieved"]}
    assert files and files <= {"harbor-strike-day1.txt", "harbor-strike-day5.txt"}
    bad = ask("--since", "03/01/2024")
    assert bad.returncode == 2 and "--since" in bad.stderr and "YYYY-MM-DD" in bad.stderr
    empty = ask("--until=")  # was read as no filter, while an empty --source is refused
    assert empty.returncode == 2 and "--until is empty" in empty.stderr


def test_a_filter_that_keeps_the_answer_keeps_the_answer(tmp_path, embeddings, counter, window):
    """Narrowing retrieval to the article that answers must not turn the answer into a
    refusal: the answerer's term weights are not computed over a pool of four sentences."""
    folder = tmp_path / "desk"
    folder.mkdir()
    stories = {
        "city-desk.txt": "City Council Approves New Bike Lanes\n\nPublished: 2024-03-12\n\n"
        "The Riverton City Council voted 7-2 on Tuesday to approve 14 kilometres of protected "
        "bike lanes along Main Street and Harbor Avenue. Mayor Elena Ruiz said construction "
        "would begin in June and cost about 3.2 million dollars. Opponents argued the lanes "
        "would remove 180 parking spaces from the downtown area.",
        "port-strike.txt": "Dockworkers End Strike at Port of Kessel\n\nPublished: 2024-05-02\n\n"
        "Dockworkers at the Port of Kessel returned to work on Thursday after a nine-day strike "
        "ended with a new three-year contract. The union, led by Marcus Brandt, secured a wage "
        "increase of 6 percent in the first year.",
        "tech-launch.txt": "Lumora Unveils Solar Battery for Homes\n\nPublished: 2023-11-20\n\n"
        "The start-up Lumora unveiled a home solar battery named the Halo 10 at a press event "
        "in Oslo on Monday. Chief executive Ingrid Solberg said the battery stores 10 "
        "kilowatt-hours and will sell for 4,500 euros.",
    }
    for name, text in stories.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings.from_env({}, persist_dir=tmp_path / "ix")
    build_index(settings, [folder], embeddings, counter, window)
    question = "What did the council decide?"
    plain = app.answer(question, persist_dir=settings.persist_dir)
    narrowed = app.answer(
        question, persist_dir=settings.persist_dir, filters={"source": "city-desk.txt"}
    )
    assert not plain.abstained and not narrowed.abstained, (plain.confidence, narrowed.confidence)
    assert "14 kilometres" in plain.text and "14 kilometres" in narrowed.text
    assert abs(plain.confidence - narrowed.confidence) < 0.02
