"""Table rows read with their header (qa.extractive.table_row_context): the pure part, and
answers from an HTML table and a text table over real Chroma and the packaged model."""

from __future__ import annotations

import json

import pytest

import app
from qa.extractive import scorable_sentences, table_row_context

ALIGNED = (
    "The three divisions all grew:\n\n"
    "  Division       Q3 revenue (m crowns)   Change on year\n"
    "  Frozen meals   164.2                   +11.3%\n"
    "  Bakery         131.9                   +4.0%\n"
    "  Snacks         116.5                   +6.9%\n\n"
    "The board declared a dividend."
)
PIPES = (
    "Results\nThe marathon was run on Sunday.\n| Place | Runner | Time |\n|---|---|---|\n"
    "| 1 | Linnea Havard | 2:24:10 |\n| 2 | Colette Amadou | 2:25:02 |\nOrganisers were pleased."
)
NO_HEADER = (
    "The main spending lines in the budget are:\n\n"
    "  Adult social care              94.5 million crowns\n"
    "  Roads and transport            38.7 million crowns\n"
    "  Housing                        22.9 million crowns\n"
)


def _context(text: str, line: str) -> str | None:
    start = text.index(line)
    return table_row_context(text, start, start + len(line))


def test_a_row_is_read_with_its_header():
    assert _context(ALIGNED, "Bakery         131.9                   +4.0%") == (
        "Division: Bakery; Q3 revenue: 131.9 million crowns; Change on year: +4.0%"
    )
    assert _context(PIPES, "| 2 | Colette Amadou | 2:25:02 |") == (
        "Place: 2; Runner: Colette Amadou; Time: 2:25:02"
    )
    # no header row: the line leading into the table
    assert _context(NO_HEADER, "Roads and transport            38.7 million crowns") == (
        "The main spending lines in the budget are: Roads and transport 38.7 million crowns"
    )
    # the header itself, a sentence, and a table cut from its header are left as they are
    assert _context(ALIGNED, "Division       Q3 revenue (m crowns)   Change on year") is None
    assert _context(ALIGNED, "The board declared a dividend.") is None
    assert (
        _context("  Bakery         131.9\n  Snacks         116.5", "Snacks         116.5") is None
    )
    # what the background embedding fills is what the answerer scores
    assert "Runner: Colette Amadou" in " ".join(scorable_sentences(PIPES))


@pytest.fixture(scope="module")
def tables(tmp_path_factory, embeddings, counter, window):
    from tests.conftest import index_of_texts

    html = (
        "<html><head><title>Havard wins Greyhaven Marathon</title></head><body><article>"
        "<h1>Havard wins Greyhaven Marathon</h1><p>Linnea Havard won the women's race at the "
        "Greyhaven Marathon on Sunday, in cool and dry conditions that organisers called close "
        "to perfect.</p><table><tr><th>Place</th><th>Runner</th><th>Time</th></tr><tr><td>1"
        "</td><td>Linnea Havard</td><td>2:24:18</td></tr><tr><td>2</td><td>Colette Amadou</td>"
        "<td>2:25:02</td></tr></table><p>A record 14,200 runners finished the race, up from "
        "12,650 last year.</p></article></body></html>"
    )
    text = (
        "Corvale Foods lifts outlook\n\nPublished: 2026-10-22\n\n"
        "Revenue for the three months to September 30 reached 412.6 million crowns, up "
        "from 382.7 million a year earlier. Corvale now expects full-year revenue of about "
        "1.6 billion crowns.\n\n" + ALIGNED
    )
    # tables of words only, once left out of the index as menus (a breaker's): a
    # Markdown table, and an HTML table in a feed item's body
    staff = (
        "# Archive appoints new staff\n\nThe city archive has filled two posts.\n\n"
        "| Name | Role | Branch |\n|------|------|--------|\n"
        "| Olga Berg | Chief Archivist | Northgate |\n| Piet Lund | Map Curator | Riverside |\n"
    )
    feed = json.dumps(
        {
            "id": "vote-1",
            "title": "Kelby ward by-election result",
            "content_html": "<p>Voters in Kelby's harbour ward chose a new councillor.</p>"
            "<table><tr><th>Candidate</th><th>Party</th><th>Result</th></tr><tr><td>Mira "
            "Sand</td><td>Green Party</td><td>Elected</td></tr><tr><td>Ola Vik</td><td>"
            "Labour</td><td>Runner-up</td></tr></table>",
        }
    )
    # a new user's: the vote counts were refused, the column naming what they count
    election = (
        "# Kelbury by-election results in full\n\nPriya Sharma won the Kelbury North "
        "by-election on Thursday.\n\nTurnout was 31.4%. The full results:\n\n"
        "| Candidate | Party | Votes | Share |\n|---|---|---|---|\n"
        "| Priya Sharma | Liberal Democrat | 1,482 | 44.1% |\n"
        "| Gordon Blake | Conservative | 1,096 | 32.6% |\n"
    )
    articles = {
        "election.md": election,
        "marathon.html": html,
        "corvale.txt": text,
        "staff.md": staff,
        "wire.jsonl": feed + "\n",
    }
    return index_of_texts(tmp_path_factory, "tables", articles, embeddings, counter, window)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the row alone holds one term of the question and lost to the sentences on revenue
        ("How much revenue did Corvale's bakery division bring in in the third quarter?", "131.9"),
        ("How fast did Colette Amadou run the Greyhaven Marathon?", "2:25:02"),
        ("What is Piet Lund's role at the archive?", "Map Curator"),
        ("Which party does Mira Sand belong to?", "Green Party"),
        ("How many votes did Gordon Blake get in the by-election?", "1,096"),
    ],
)
def test_an_answer_from_a_table_row(tables, question, expected):
    a = app.answer(question, persist_dir=tables.persist_dir)
    assert not a.abstained and expected in a.text, a.text
