import json
import shutil
import subprocess
import sys

import pytest

import app
from newsdesk.errors import BadInput, IndexNotFound, NewsdeskError
from tests.conftest import ARTICLE, ROOT, ask

TEXT = ARTICLE.read_text(encoding="utf-8")


def test_answer_with_citation(bundled_settings):
    a = ask(bundled_settings, "How many foreign-funded firms were approved for the pilot?")
    assert not a.abstained
    assert "13" in a.text and a.text.endswith("[1]")
    (c,) = a.citations
    assert c.number == 1 and c.article_id == ARTICLE.resolve().as_posix()
    assert "13" in c.quote and TEXT[c.start : c.end] == c.quote
    assert c.answer_span is not None and TEXT[c.answer_span[0] : c.answer_span[1]].startswith("13")
    assert c.chunk_id in {r.chunk_id for r in a.retrieved}
    assert [r.rank for r in a.retrieved] == list(range(1, len(a.retrieved) + 1))
    assert all(0.0 <= r.score <= 1.0 for r in a.retrieved)
    assert a.retrieved[0].score >= a.retrieved[-1].score
    json.dumps(a.to_dict())  # serialisable for --json and the eval report


def test_out_of_scope_question_abstains(bundled_settings):
    a = ask(bundled_settings, "Who won the 2018 World Cup?")
    assert a.abstained and a.citations == []
    assert a.text.startswith("Not found in the articles")
    assert ARTICLE.name in a.text and a.closest_articles


def test_a_near_miss_name_is_refused_and_named(bundled_settings):
    """The article names Airbus China's CEO; a question about Airbus Japan's is refused,
    saying what is missing, while the question it resembles is answered."""
    a = ask(bundled_settings, "Who is the CEO of Airbus Japan?")
    assert a.abstained and "say nothing of Airbus Japan." in a.text
    a = ask(bundled_settings, "Who is the CEO of Airbus China?")
    assert not a.abstained and "Xu Gang" in a.text


def test_followup_uses_history(bundled_settings):
    first = ask(bundled_settings, "Which Deutsche Telekom affiliate was approved for the pilot?")
    a = ask(
        bundled_settings,
        "Who is its vice president?",
        [("Which Deutsche Telekom affiliate was approved for the pilot?", first.text)],
    )
    assert "Li Wenfang" in a.text
    assert a.query != a.question  # the standalone query carries the topic
    msgs = [
        {"role": "user", "content": "Who is the CEO of Airbus China?"},
        {"role": "assistant", "content": "Xu Gang [1]"},
    ]
    assert (
        "fleet management"
        in ask(bundled_settings, "What did he say the policy would help with?", msgs).text
    )


def test_stream_answer_reads_an_iterator_history_once(bundled_settings):
    # a breaker's: the history check used up an iterator, and the follow-up streamed
    # without its history
    question = "Which Deutsche Telekom affiliate was approved for the pilot?"
    first = ask(bundled_settings, question)
    history = iter([(question, first.text)])
    *_, last = app.stream_answer(
        "Who is its vice president?", history, persist_dir=bundled_settings.persist_dir
    )
    assert "Li Wenfang" in last.text and last.query != last.question


def test_k_option(bundled_settings):
    assert len(ask(bundled_settings, "Who runs Airbus China?", k=2).retrieved) == 2


@pytest.mark.parametrize("bad", ["", "   ", "x" * 5000, None])
def test_bad_questions(bundled_settings, bad):
    with pytest.raises(BadInput):
        ask(bundled_settings, bad)


@pytest.mark.parametrize("number", ["1. ", "4) ", "(2) ", "#3 ", "10 - "])
def test_a_list_number_before_a_question_is_no_part_of_it(bundled_settings, number):
    # a breaker's numbered list: "4" had to be in the answer, and "1." quoted "From 1 July"
    question = "How many foreign-funded firms were approved for the pilot?"
    plain = ask(bundled_settings, question)
    numbered = ask(bundled_settings, number + question)
    assert numbered.question == question and numbered.text == plain.text
    assert not plain.abstained and "13" in plain.text


@pytest.mark.parametrize("bad", ["?", " ?! ", "…", "42", "2024?"])
def test_a_question_without_words_is_refused(bundled_settings, bad):
    # a new user's "?" was answered "Not found" with four unrelated articles
    with pytest.raises(BadInput, match="the question has no words"):
        ask(bundled_settings, bad)


def test_bad_history(bundled_settings):
    with pytest.raises(BadInput, match="history item"):
        ask(bundled_settings, "Who runs Airbus China?", [42])
    # a message with an unknown role or no content was silently dropped (breaker helper)
    for message in ({"role": "x", "content": "Who runs Airbus China?"}, {"role": "user"}):
        with pytest.raises(BadInput, match="role of user, assistant or system, and a content"):
            ask(bundled_settings, "Who is he?", [message])
    # content that is no text was read as the text "5", a pair of numbers as "1" (breaker)
    with pytest.raises(BadInput, match="history message content 5"):
        ask(bundled_settings, "Who is he?", [{"role": "user", "content": 5}])
    with pytest.raises(BadInput, match="history item"):
        ask(bundled_settings, "Who is he?", [(1, 2)])


def test_no_index(tmp_path):
    # the advice names the Python keyword too, not only the CLI flag (new user)
    with pytest.raises(IndexNotFound, match=r"newsdesk ingest.*persist_dir= from Python"):
        app.answer("anything?", persist_dir=tmp_path / "none")
    (tmp_path / "file").write_text("not an index")
    with pytest.raises(NewsdeskError, match=r"is a file: point .*persist_dir= from Python"):
        app.answer("anything?", persist_dir=tmp_path / "file")


def test_streaming_raises_bad_input_and_no_index_on_the_call(bundled_settings, tmp_path):
    # they used to wait for the first next(): a caller's try around the call missed them
    options = {"persist_dir": bundled_settings.persist_dir}
    with pytest.raises(BadInput):
        app.stream_answer("", **options)
    with pytest.raises(BadInput, match="history item"):
        app.stream_answer("Who runs Airbus China?", [42], **options)
    with pytest.raises(BadInput):
        app.stream_answer("Who runs Airbus China?", filters={"date_from": "soon"}, **options)
    with pytest.raises(IndexNotFound, match="newsdesk ingest"):
        app.stream_answer("anything?", persist_dir=tmp_path / "none")


def test_import_is_cheap():
    heavy = "('torch', 'chromadb', 'gradio', 'sentence_transformers', 'langchain_chroma')"
    code = f"import sys, app; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("history", ["Who runs Airbus China?", {"role": "user", "content": "x"}, 5])
def test_history_must_be_a_list(bundled_settings, history):
    with pytest.raises(BadInput, match="history must be a list"):
        ask(bundled_settings, "Who is he?", history)


@pytest.mark.parametrize("bad", ["\ud800 who?", "\u200b\ufeff", "\x00\x01", " \x7f "])
def test_invalid_or_invisible_questions(bundled_settings, bad):
    with pytest.raises(BadInput):
        ask(bundled_settings, bad)


@pytest.mark.parametrize(
    "history",
    [["\ud800"], [("\ud800", "an answer")], [{"role": "user", "content": "who?\ud800"}]],
)
def test_history_with_invalid_text_is_refused_like_a_question(bundled_settings, history):
    """Found by a breaker helper: a lone surrogate in the history reached the tokenizer
    (TypeError) when the question was taken as a follow-up."""
    with pytest.raises(BadInput, match="history turn 1 holds characters that are not valid"):
        ask(bundled_settings, "How many foreign-funded firms were approved for the pilot?", history)


@pytest.mark.parametrize(
    "noisy",
    [
        "How many foreign-funded firms were approved for the pilot? [2]",
        "How many foreign-funded firms [1] were approved for the pilot?",
        "\x1b[31mHow many foreign-funded firms\x1b[0m were approved for the pilot?",
        "\x1b]0;pwned\x07How many foreign-funded firms were approved for the pilot?",
        "How many foreign-funded firms were approved\x1b]8;;http://x\x1b\\ for the pilot?",
    ],
)
def test_pasted_markers_and_terminal_colours_do_not_change_the_answer(bundled_settings, noisy):
    """Found by a breaker helper: "[2]" was read as a number the answer must hold (the
    2,400-enterprises sentence won), and "\x1b[31mHow" as "[31mHow" (abstained); an OSC
    sequence (a terminal title, a hyperlink) left its text in the question."""
    clean = ask(bundled_settings, "How many foreign-funded firms were approved for the pilot?")
    got = ask(bundled_settings, noisy)
    assert "13" in clean.text
    assert (got.text, got.abstained) == (clean.text, clean.abstained)


def test_an_answer_in_the_history_is_refused_in_a_short_message(bundled_settings):
    first = ask(bundled_settings, "Who is the CEO of Airbus China?")
    with pytest.raises(BadInput) as e:
        ask(bundled_settings, "And his deputy?", [first])
    assert len(str(e.value)) < 400


@pytest.mark.parametrize("q", ["What's the article about?", "Summarize this article", "tl;dr"])
def test_overview_questions_get_the_lead(bundled_settings, q):
    a = ask(bundled_settings, q)
    assert not a.abstained
    assert a.citations[0].quote.startswith("The Ministry of Industry and Information Technology")


def test_articles_another_process_ingests_after_this_one_wrote_are_seen(
    tmp_path, embeddings, counter, window
):
    """A breaker's: a chat that had added articles itself (Corpus tab), then asked its
    first question after `newsdesk ingest` had added more beside it, answered from its
    own stale view of the vectors: "Not found", the new article not even among the
    closest."""
    from newsdesk.settings import Settings
    from tests.conftest import build_index, run_cli

    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    app.reset_chains()
    build_index(settings, [ARTICLE], embeddings, counter, window)  # this process writes
    docs = tmp_path / "more"
    docs.mkdir()
    (docs / "crane.txt").write_text(
        "New crane at Vessby harbour\n\nThe new crane at Vessby harbour lifted its first "
        "container on Friday, the port authority said. The crane cost 14 million crowns."
    )
    done = run_cli(["ingest", str(docs), "--persist-dir", str(settings.persist_dir)], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    try:
        got = app.answer(
            "How much did the new crane at Vessby harbour cost?", persist_dir=settings.persist_dir
        )
        assert not got.abstained and "14 million" in got.text, got.text
        assert got.citations[0].article_id.endswith("crane.txt")
    finally:
        app.reset_chains()


@pytest.mark.filterwarnings("error::RuntimeWarning")  # the cache was once taken as damaged
def test_a_running_answerer_sees_articles_another_process_ingests(
    tmp_path, embeddings, counter, window
):
    """Found by a new-user helper: `newsdesk ingest` beside a running chat broke every
    question whose keyword hits included a new chunk (Chroma's in-process view of the
    vectors lacked it: InternalError "Error finding id"), and dense search missed them."""
    from newsdesk.settings import Settings
    from tests.conftest import build_index, run_cli

    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    build_index(settings, [ARTICLE], embeddings, counter, window)
    options = {"persist_dir": settings.persist_dir}
    try:
        assert "13" in app.answer("How many foreign-funded firms were approved?", **options).text
        docs = tmp_path / "more"
        docs.mkdir()
        (docs / "quarry.txt").write_text(
            "Harlow quarry to expand\n\nThe Harlow quarry will hire more staff next year. "
            "The Harlow quarry employs 412 workers, the operator said on Monday. "
            "Residents raised concerns about dust and heavy lorries on the village road."
        )
        done = run_cli(["ingest", str(docs), "--persist-dir", str(settings.persist_dir)], tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]

        got = app.answer("How many workers does the Harlow quarry employ?", **options)
        assert not got.abstained and "412" in got.text
        assert got.citations[0].article_id.endswith("quarry.txt")
        streamed = list(app.stream_answer("How many workers are at the quarry?", **options))
        assert "412" in streamed[-1].text
        # the dense side finds the new chunk by itself (not only through the keyword index)
        store = app._OPENED_AT[app.Settings.from_env(**options)][0]
        hits = store.similarity_search("quarry workers dust lorries", k=1)
        assert hits and "quarry" in hits[0].page_content
        assert "13" in app.answer("How many foreign-funded firms were approved?", **options).text

        # another process prunes it again (was: a ValidationError on every question)
        (docs / "quarry.txt").unlink()
        (docs / "note.txt").write_text("A short note on the weather, which was mild today.")
        pruned = run_cli(
            ["ingest", str(docs), "--prune", "--persist-dir", str(settings.persist_dir)], tmp_path
        )
        assert pruned.returncode == 0, pruned.stderr[-2000:]
        after = app.answer("How many workers does the Harlow quarry employ?", **options)
        assert all(not c.article_id.endswith("quarry.txt") for c in after.citations)
        assert all(not r.article_id.endswith("quarry.txt") for r in after.retrieved)
        assert "13" in app.answer("How many foreign-funded firms were approved?", **options).text

        # a breaker's: the index deleted, then built again from other articles, by another
        # process: the running answerer quoted the deleted index (or crashed in Chroma)
        shutil.rmtree(settings.persist_dir)
        with pytest.raises(IndexNotFound):
            app.answer("How many foreign-funded firms were approved?", **options)
        (docs / "quarry.txt").write_text("The Harlow quarry employs 412 workers, it said.\n")
        again = run_cli(["ingest", str(docs), "--persist-dir", str(settings.persist_dir)], tmp_path)
        assert again.returncode == 0, again.stderr[-2000:]
        gone = app.answer("How many foreign-funded firms were approved?", **options)
        assert not any("miit" in r.article_id for r in gone.retrieved)
        assert (
            "412" in app.answer("How many workers does the Harlow quarry employ?", **options).text
        )
    finally:
        app.reset_chains()


def test_a_port_is_taken_only_while_something_listens_on_it():
    """Found by a new-user helper: restarting the chat within a minute of stopping it
    was refused ("is newsdesk already running?") for connections left in TIME_WAIT."""
    import socket

    from tests.conftest import free_port

    port = free_port()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    with pytest.raises(BadInput, match="already running"):
        app._check_port_free("127.0.0.1", port)
    accepted.close()  # the server side closes first: its end stays in TIME_WAIT
    server.close()
    client.close()
    app._check_port_free("127.0.0.1", port)  # nothing listens: free to start


@pytest.mark.parametrize("host", ["bad host!", "192.0.2.1"])  # no name; not this machine's
def test_a_host_that_cannot_be_listened_on_is_blamed_not_the_port(host):
    """A breaker's: NEWSDESK_HOST='bad host!' was told to pick another port."""
    from tests.conftest import free_port

    with pytest.raises(BadInput, match=f"cannot listen on host '{host}'") as e:
        app._check_port_free(host, free_port())
    assert "port" not in str(e.value) and "NEWSDESK_HOST" in str(e.value)


def test_an_ipv6_host_is_refused_with_the_reason():
    """`chat --host ::1` was told the address was wrong, then Gradio failed on its own
    start-up URL (a breaker's): it is refused, naming the IPv4 addresses to use."""
    from tests.conftest import free_port

    with pytest.raises(BadInput, match=r"serves IPv4 only\. Use --host 127\.0\.0\.1"):
        app._check_port_free("::1", free_port())


def test_listing_the_corpus_loads_no_model(bundled_settings):
    # `newsdesk list`, the Corpus and Article tabs only read the index: they used to load
    # the embedding model first (8 s)
    code = (
        "import sys; from newsdesk.settings import Settings; from ui.corpus import Corpus; "
        f"rows = Corpus(Settings(persist_dir={str(bundled_settings.persist_dir)!r})).articles(); "
        "print(len(rows), rows[0].chunks > 0, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "True", "False"]


def test_a_quote_from_a_pdf_cites_its_own_page(tmp_path, embeddings, counter, window):
    # a breaker's: a quote from page 3 was cited with page 1, where its chunk starts
    from newsdesk.settings import Settings
    from tests.conftest import build_index
    from tests.pdf import make_pdf

    pages = [
        "Page one talks about the mayor Lena Holt.",
        "She was elected in 2019 with 61 percent of the vote.",
        "The river flooded twice in 2021, and the damage cost 4 million euros.",
    ]
    (tmp_path / "report.pdf").write_bytes(make_pdf(pages))
    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    _, report = build_index(settings, [tmp_path / "report.pdf"], embeddings, counter, window)
    assert report.chunks_added == 1  # one chunk over three pages
    try:
        a = app.answer("How much did the flood damage cost?", persist_dir=settings.persist_dir)
        (c,) = a.citations
        assert "4 million euros" in c.quote and c.metadata["page"] == 3
        assert "page_breaks" not in c.metadata
        b = app.answer("Who is the mayor?", persist_dir=settings.persist_dir)
        assert "Lena Holt" in b.text and b.citations[0].metadata["page"] == 1
    finally:
        app.reset_chains()


def test_the_closest_articles_are_one_line_each(tmp_path_factory, embeddings, counter, window):
    # a breaker's file named with a line break split its line of the refusal's listing
    from tests.conftest import index_of_texts

    settings = index_of_texts(
        tmp_path_factory,
        "odd-names",
        {"ferry\nfares.txt": "Ferry fares rise\n\nFerry fares will rise 8 percent in May.\n"},
        embeddings,
        counter,
        window,
    )
    a = ask(settings, "Who won the 2018 World Cup?")
    assert a.abstained
    listing = a.text.split("The closest articles are:", 1)[1].strip().splitlines()
    assert listing == ["- Ferry fares rise (ferry fares.txt)"], a.text
