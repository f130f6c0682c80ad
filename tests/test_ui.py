"""The UI's pieces without a browser: rendering, upload safety, login, corpus operations.

Real components throughout: Answers from the real chain over a Chroma index in
``tmp_path``, real files, and a real Gradio server (for the login check).
"""

from __future__ import annotations

import html
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from newsdesk.errors import BadInput
from newsdesk.settings import Settings
from qa.types import Answer, Citation
from ui import render
from ui.corpus import Corpus, safe_filename

QUOTE = "The MIIT has approved pilot programs for 13 foreign-funded firms."


def _citation(**changes) -> Citation:
    c = Citation(
        number=1,
        article_id="/data/articles/miit.txt",
        title="MIIT approves <pilot> programs",
        chunk_id="c1",
        quote=QUOTE,
        start=100,
        end=100 + len(QUOTE),
        source="/data/articles/miit.txt",
        published="2025-03-28",
        answer_span=(100 + QUOTE.index("13"), 100 + QUOTE.index("13") + 2),
        metadata={"author": "Li Wei", "url": "https://example.com/miit"},
    )
    return replace(c, **changes)


def _answer(**changes) -> Answer:
    a = Answer(
        question="How many firms?",
        text=f"{QUOTE} [1]",
        citations=[_citation()],
        abstained=False,
        retrieved=[],
    )
    return replace(a, **changes)


# --------------------------------------------------------------------------- render


def test_markers_link_to_cards_of_the_same_message() -> None:
    out = render.render_answer(_answer(), "m1")
    assert '<a class="nd-cite" href="#m1-src-1"' in out
    assert 'class="nd-card" id="m1-src-1"' in out
    assert "for <strong>13</strong> foreign-funded" in out  # answer span in the answer
    assert "<mark>13</mark>" in out  # and in the card's quote
    assert "MIIT approves &#60;pilot&#62; programs" in out  # titles are escaped
    assert "2025-03-28" in out and "Li Wei" in out and 'href="https://example.com/miit"' in out
    # "open article" goes to the article at the quote's offsets
    link = re.search(r'class="nd-open" href="([^"]+)"', out)
    assert link
    query = urllib.parse.parse_qs(html.unescape(link.group(1)).lstrip("?"))
    assert query["article"] == ["/data/articles/miit.txt"]
    assert (query["start"], query["end"]) == (["100"], [str(100 + len(QUOTE))])
    # two answers in one conversation never share an anchor
    assert 'id="m2-src-1"' in render.render_answer(_answer(), "m2")


def test_unsupported_sentences_and_invalid_citations_are_flagged() -> None:
    extra = "It was also the largest ever."
    out = render.render_answer(
        _answer(
            text=f"{QUOTE} [1] {extra}",
            unsupported_sentences=[extra],
            invalid_citations=["[7]"],
        ),
        "m1",
    )
    assert (
        f'<span class="nd-unsupported" title="No cited passage supports this sentence">{extra}'
        in out
    )
    assert "1 sentence of this answer is not supported" in out
    assert "pointed to no source were removed: &#91;7&#93;" in out


def test_abstention_is_a_notice_listing_closest_articles() -> None:
    out = render.render_answer(
        _answer(
            text="Not found in the articles. The closest articles are:\n- MIIT (miit.txt)",
            citations=[],
            abstained=True,
        ),
        "m1",
    )
    assert out.startswith('<div class="nd-abstain">')
    assert "<li>MIIT (miit.txt)</li>" in out and "nd-card" not in out


def test_an_abstention_notes_the_filters_apart_from_the_list() -> None:
    note = "Only articles matching the filters (published from 2025-01-01) were searched."
    out = render.render_answer(
        _answer(
            text=f"Not found in the articles. The closest articles are:\n- MIIT (miit.txt)\n{note}",
            citations=[],
            abstained=True,
        ),
        "m1",
    )
    assert "<li>MIIT (miit.txt)</li>" in out and f"<li>{note}" not in out
    assert f'<div class="nd-abstain-note">{note}</div>' in out


def test_an_llm_reply_replaced_by_the_extractive_answer_says_so() -> None:
    # a new user's: choosing the LLM answerer seemed to change nothing
    out = render.render_answer(_answer(answerer="llm:llamacpp -> extractive"), "m1")
    assert "reply was not supported by the passages" in out
    assert "reply was not supported" not in render.render_answer(_answer(), "m1")


def test_plain_answer_recovers_the_text_for_the_history() -> None:
    a = _answer(text=f"{QUOTE} It's *fine* <b>. [1]")
    assert render.plain_answer(render.render_answer(a, "m1")) == a.text


def test_article_view_marks_the_passage_and_the_span() -> None:
    text = "Intro. " + QUOTE + " Outro."
    start = text.index(QUOTE)
    span = (start + QUOTE.index("13"), start + QUOTE.index("13") + 2)
    out = render.render_article("T", text, start, start + len(QUOTE), span)
    assert f'<mark id="nd-passage" class="nd-passage">{QUOTE[: QUOTE.index("13")]}' in out
    assert "<strong>13</strong>" in out and out.index("Intro.") < out.index("nd-passage")
    assert "in bold: the words that answer" in out
    # no span, nothing in bold: the note does not promise any (new user)
    plain = render.render_article("T", text, start, start + len(QUOTE))
    assert "<strong>" not in plain and "Highlighted: the passage" in plain
    assert "in bold" not in plain
    # bad offsets show the article without marks instead of failing
    assert "nd-passage" not in render.render_article("T", text, 5, 10_000)
    # a headline that opens the text is shown once, as the title (a new user's)
    headed = f"Bridge reopens\n\n{text}"
    shown = render.render_article("Bridge reopens", headed, start + 16, start + 16 + len(QUOTE))
    assert shown.count("Bridge reopens") == 1 and f">{html.escape(QUOTE)}</mark>" in shown
    assert render.render_article("Other title", headed).count("Bridge reopens") == 1


# --------------------------------------------------------------------------- uploads


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../evil.txt", "evil.txt"),
        ("..\\..\\evil.txt", "evil.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        (".hidden.md", "hidden.md"),
        ("a b$c.md", "a b_c.md"),
    ],
)
def test_safe_filename_cannot_leave_the_folder(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


# "..txt", " .md": a suffix with no name (a breaker's: saved as "txt", then skipped)
@pytest.mark.parametrize("name", ["..", "...", "/", "../.", "..txt", "....md", " .md"])
def test_safe_filename_refuses_names_with_nothing_left(name: str) -> None:
    with pytest.raises(BadInput, match="no usable characters"):
        safe_filename(name)


def test_save_uploads_limits_and_names(tmp_path: Path) -> None:
    uploads = tmp_path / "data" / "uploads"
    settings = Settings.from_env({}, upload_dir=uploads, max_upload_mb=0.001)  # 1000 bytes
    temp = tmp_path / "temp"
    temp.mkdir()
    small, big, exe, other = (temp / n for n in ("a.txt", "big.txt", "x.exe", "b.txt"))
    small.write_text("Some article text.")
    big.write_bytes(b"x" * 1001)
    exe.write_bytes(b"MZ")
    other.write_text("Another article.")
    corpus = Corpus(settings)

    saved, refused = corpus.save_uploads(
        [("../../evil.txt", small), ("big.txt", big), ("x.exe", exe), ("../evil.txt", other)]
    )
    assert saved == [uploads / "evil.txt", uploads / "evil-2.txt"]  # a name taken: renamed
    assert (uploads / "evil.txt").read_text() == "Some article text."
    assert sorted(p.name for p in tmp_path.rglob("evil*")) == ["evil-2.txt", "evil.txt"]
    assert any("over the 0.001 MB upload limit" in r for r in refused)
    assert any("file type .exe is not supported" in r for r in refused)
    # the same file again is not copied a second time
    assert corpus.save_uploads([("evil.txt", small)])[0] == [uploads / "evil.txt"]


# --------------------------------------------------------------------------- corpus


def test_corpus_add_list_read_rebuild_delete(tmp_path: Path, embeddings) -> None:
    settings = Settings.from_env(
        {}, persist_dir=tmp_path / "index", upload_dir=tmp_path / "uploads"
    )
    changes: list[int] = []
    corpus = Corpus(settings, on_change=lambda: changes.append(1))
    assert corpus.articles() == []  # no index yet: an empty corpus, not an error

    src = tmp_path / "in.txt"
    src.write_text(
        "Harbour record\n\nPublished: 2025-01-15\n\nThe port handled 14.8 million boxes."
    )
    saved, _ = corpus.save_uploads([("port.txt", src)])
    report = corpus.add(saved)
    assert [Path(a).name for a in report.ingested] == ["port.txt"] and changes

    [row] = corpus.articles()
    assert (row.title, row.published, row.file_name) == ("Harbour record", "2025-01-15", "port.txt")
    title, text, _ = corpus.article_text(row.article_id)
    assert title == "Harbour record" and "14.8 million boxes" in text

    rebuilt = corpus.rebuild()  # from the articles' own files
    assert rebuilt.ingested == [row.article_id] and corpus.articles() == [row]
    # every old chunk is replaced, as `ingest --rebuild` counts them (the chat said 0)
    assert rebuilt.chunks_removed == row.chunks == rebuilt.chunks_added

    assert corpus.delete(row.article_id) == row.chunks
    assert corpus.articles() == [] and not saved[0].exists()  # an upload: its file goes too
    with pytest.raises(BadInput, match="no article"):
        corpus.delete(row.article_id)

    # an upload of which nothing is stored is deleted: no row would show it (a breaker's)
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body><script>var x = 1;</script></body></html>")
    saved, _ = corpus.save_uploads([("blank.html", blank), ("port.txt", src)])
    report = corpus.add(saved)
    (skipped,) = report.skipped
    assert skipped.reason.endswith("; the upload is deleted") and not saved[0].exists()
    assert saved[1].exists() and [Path(a).name for a in report.ingested] == ["port.txt"]


def test_a_corrected_upload_replaces_the_earlier_one(tmp_path: Path, embeddings) -> None:
    """Uploading a corrected article under its name again kept the old figures: the new
    copy was saved as riverton-2.txt and skipped as a near-duplicate (a breaker's)."""
    corpus = Corpus(
        Settings.from_env({}, persist_dir=tmp_path / "index", upload_dir=tmp_path / "up")
    )
    f = tmp_path / "riverton.txt"
    text = "Riverton boil-water advisory\n\nThe advisory covers about 45,000 households."
    f.write_text(text)
    first, _ = corpus.save_uploads([("riverton.txt", f)])
    corpus.add(first)
    f.write_text(text.replace("45,000", "62,000"))
    second, _ = corpus.save_uploads([("riverton.txt", f)])
    assert second == first
    report = corpus.add(second)
    assert not report.skipped
    [row] = corpus.articles()
    assert "62,000 households" in corpus.article_text(row.article_id)[1]
    assert sorted(p.name for p in (tmp_path / "up").iterdir()) == [
        ".newsdesk-uploads",
        "riverton.txt",
    ]


def test_another_story_under_a_used_name_is_saved_beside_it(tmp_path: Path, embeddings) -> None:
    """A second upload named like the first but holding another story replaced the first
    in the folder and the index (a breaker's two "index.html" pages); it is saved as
    ``article-2.txt`` and both are indexed."""
    corpus = Corpus(
        Settings.from_env({}, persist_dir=tmp_path / "index", upload_dir=tmp_path / "up")
    )
    f = tmp_path / "article.txt"
    f.write_text("Harbour sea wall approved\n\nThe council approved a 4.2 million euro sea wall.")
    first, _ = corpus.save_uploads([("article.txt", f)])
    corpus.add(first)
    f.write_text("Rail line reopens\n\nThe Marbury rail line reopened on Monday after repairs.")
    second, _ = corpus.save_uploads([("article.txt", f)])
    assert [p.name for p in second] == ["article-2.txt"]
    corpus.add(second)
    assert sorted(a.title for a in corpus.articles()) == [
        "Harbour sea wall approved",
        "Rail line reopens",
    ]
    assert "4.2 million euro" in (tmp_path / "up" / "article.txt").read_text()


def test_a_rebuild_does_not_bring_back_a_deleted_feed_item(tmp_path: Path, embeddings) -> None:
    """A feed item deleted in the Corpus tab came back with the rest of its feed when the
    index was rebuilt (a breaker's)."""
    feed = tmp_path / "wire.jsonl"
    feed.write_text(
        '{"id": "a", "title": "Ferry fares rise", "text": "Wend ferry fares rise 4 percent."}\n'
        '{"id": "b", "title": "Bridge opens", "text": "The Ospry Bridge opens in June."}\n'
    )
    corpus = Corpus(Settings.from_env({}, persist_dir=tmp_path / "index"))
    corpus.add([feed])
    gone = next(a.article_id for a in corpus.articles() if a.title == "Bridge opens")
    corpus.delete(gone)
    report = corpus.rebuild()
    assert [a.title for a in corpus.articles()] == ["Ferry fares rise"]
    assert [s.path for s in report.skipped] == [gone]
    assert report.chunks_added == 1 and "deleted" in report.skipped[0].reason


def test_a_hash_in_a_file_name_is_no_feed_item() -> None:
    from ui.corpus import ArticleRow

    def row(article_id: str) -> ArticleRow:
        return ArticleRow(article_id, "t", None, article_id.split("#")[0], 1)

    assert row("/news/Issue #5/strike #2.txt").file_name == "strike #2.txt"  # a breaker's
    assert row("/news/wire.jsonl#a1b2").file_name == "wire.jsonl#a1b2"


def test_a_rebuild_refuses_while_an_article_file_is_missing(tmp_path: Path, embeddings) -> None:
    """A folder renamed or a drive not mounted: the chat's rebuild dropped its articles,
    of which the index held the only copy (a breaker's)."""
    drive = tmp_path / "drive"
    drive.mkdir()
    for name, town in (("a.txt", "Halden"), ("b.txt", "Ostra")):
        (drive / name).write_text(f"{town} tram\n\nThe {town} council approved a tram line.")
    kept = tmp_path / "kept.txt"
    kept.write_text("Marlow clinics\n\nMarlow opened three flu clinics on Monday.")
    corpus = Corpus(Settings.from_env({}, persist_dir=tmp_path / "index"))
    corpus.add([drive / "a.txt", drive / "b.txt", kept])
    before = corpus.articles()
    drive.rename(tmp_path / "offline")
    with pytest.raises(BadInput, match=r"2 indexed article file\(s\) cannot be found now"):
        corpus.rebuild()
    assert corpus.articles() == before and len(before) == 3


def test_the_chat_deletes_only_the_files_it_saved(tmp_path: Path, embeddings) -> None:
    """With NEWSDESK_UPLOAD_DIR set to the folder a user ingests their own articles from,
    deleting an article in the chat deleted the user's file (a breaker's)."""
    news = tmp_path / "news"
    news.mkdir()
    own = news / "harbour.txt"
    own.write_text(
        "Harbour record\n\nPublished: 2025-01-15\n\nThe port handled 14.8 million boxes."
    )
    blank = news / "blank.html"
    blank.write_text("<html><body><script>var x = 1;</script></body></html>")
    settings = Settings.from_env({}, persist_dir=tmp_path / "index", upload_dir=news)
    corpus = Corpus(settings)
    corpus.add([own])  # as `newsdesk ingest news` stores it
    [row] = corpus.articles()
    assert corpus.delete(row.article_id) == row.chunks and corpus.articles() == []
    assert own.is_file()  # the user's own file is kept
    # an upload identical to a file of theirs is that file: kept though nothing is stored
    copy = tmp_path / "copy.html"
    copy.write_bytes(blank.read_bytes())
    saved, _ = corpus.save_uploads([("blank.html", copy)])
    assert saved == [blank]
    (skipped,) = corpus.add(saved).skipped
    assert blank.is_file() and not skipped.reason.endswith("the upload is deleted")
    # a file the chat saved there is still deleted with its article
    src = tmp_path / "in.txt"
    src.write_text(
        "Dock strike ends\n\nPublished: 2024-05-02\n\nDock workers in Brill ended a strike."
    )
    saved, _ = corpus.save_uploads([("dock.txt", src)])
    corpus.add(saved)
    [row] = corpus.articles()
    corpus.delete(row.article_id)
    assert not saved[0].exists() and own.is_file() and blank.is_file()


# --------------------------------------------------------------------------- login


def test_auth_setting_parses_pairs_and_hides_the_password() -> None:
    s = Settings.from_env({"NEWSDESK_AUTH": "ana:s3cret, ben:pa:55"})
    assert s.auth_pairs() == [("ana", "s3cret"), ("ben", "pa:55")]
    assert "s3cret" not in repr(s)
    assert Settings.from_env({}).auth_pairs() == []
    with pytest.raises(BadInput, match="user:password") as e:
        Settings.from_env({"NEWSDESK_AUTH": "zoe-secret-token"})
    assert "zoe-secret-token" not in str(e.value)  # nothing of the secret is echoed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_login_is_required_when_auth_is_set(tmp_path: Path) -> None:
    from ui.blocks import create_app, launch_options

    settings = Settings.from_env(
        {"NEWSDESK_AUTH": "ana:s3cret"}, persist_dir=tmp_path / "index", port=_free_port()
    )
    options = launch_options(settings)
    assert options["server_name"] == "127.0.0.1"  # never all interfaces unless told
    demo = create_app(settings)
    demo.launch(prevent_thread_lock=True, quiet=True, **options)
    base = f"http://127.0.0.1:{settings.port}"
    try:
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{base}/config", timeout=10)
        assert denied.value.code == 401

        def login(password: str) -> int:
            data = urllib.parse.urlencode({"username": "ana", "password": password}).encode()
            try:
                with urllib.request.urlopen(f"{base}/login", data=data, timeout=10) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code

        assert login("wrong") == 400
        assert login("s3cret") == 200
    finally:
        demo.close()


def test_gold_rows_show_accepted_answers() -> None:
    from ui.evaluate import failure_rows, metric_rows

    report = {
        "metrics": {"questions": 2, "k": 4, "mrr": None, "tokens_in_total": None, "by_type": {}},
        "questions": [
            {"id": "a", "question": "Q?", "correct": False, "answerable": True,
             "abstained": True, "answer": "Not found"},
            {"id": "b", "question": "R?", "correct": True, "answerable": True,
             "abstained": False, "answer": "x"},
        ],
    }  # fmt: skip
    assert failure_rows(report, {"a": ["13", "thirteen"]}) == [
        ["a", "Q?", "'13' or 'thirteen'", "Not found (abstained)"]
    ]
    assert ["mrr", "n/a (undefined)"] in metric_rows(report)
    # token counts only an LLM answerer has are left out, not shown as filler
    assert not any(name.startswith("tokens_") for name, _ in metric_rows(report))
    assert json.dumps(metric_rows(report))  # plain strings, shown as written


def test_example_questions_only_over_the_bundled_article(
    bundled_settings, tmp_path_factory, embeddings, counter, window
):
    # the examples ask about the bundled article; over another index they were refused,
    # which a new user took for a fault
    from tests.conftest import index_of_texts
    from ui.blocks import _holds_bundled

    assert _holds_bundled(Corpus(bundled_settings))
    text = "Dock strike ends\n\nPublished: 2024-05-02\n\nDock workers in Brill ended a strike."
    other = index_of_texts(
        tmp_path_factory, "other", {"dock.txt": text}, embeddings, counter, window
    )
    assert not _holds_bundled(Corpus(other))
    empty = Settings.from_env({}, persist_dir=tmp_path_factory.mktemp("none") / "index")
    assert not _holds_bundled(Corpus(empty))


def test_an_upload_summary_counts_one_chunk_in_the_singular():
    # a new user's "1 chunks written"
    from ingest.pipeline import IngestReport
    from ui.corpus import summarize

    assert "1 chunk written, 0 removed" in summarize(IngestReport(chunks_added=1))
    assert "2 chunks written" in summarize(IngestReport(chunks_added=2))


def test_chat_api_values_of_the_wrong_kind_are_named() -> None:
    """/chat with sources=5 or k="abc" answered "unexpected error: TypeError" (a
    breaker's): each is refused naming the field."""
    from ui.blocks import _filters, _passages

    with pytest.raises(BadInput, match="sources must be a source name or a list of names"):
        _filters(5, "", "")  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="sources must be"):
        _filters(["Wire", 3], "", "")  # type: ignore[list-item]
    assert _filters("Wire", "", "") == {"source": ["Wire"]}
    with pytest.raises(BadInput, match=r"passages \(k\) must be a whole number, got 'abc'"):
        _passages("abc")
    with pytest.raises(BadInput, match="whole number"):
        _passages(2.5)
    assert _passages(4.0) == 4 and _passages("6") == 6


def test_chat_dates_say_what_is_wrong_with_them() -> None:
    """A breaker's: "2024-02-30" was told to "write it as YYYY-MM-DD", which it is."""
    from ui.blocks import _filters

    with pytest.raises(BadInput, match=r"'2024-02-30' is no calendar date \(day is out of range"):
        _filters(None, "2024-02-30", "")
    for bad in ("14/10/2024", "2024-W01-1", "20240101"):
        with pytest.raises(BadInput, match="is not a date: write it as YYYY-MM-DD"):
            _filters(None, "", bad)
    assert _filters(None, "2024-02-29", "") == {"date_from": "2024-02-29"}
