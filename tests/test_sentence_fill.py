"""The background pass over the index's sentences (qa.sentence_fill), with the real model,
real Chroma and the real cache file in tmp dirs."""

from __future__ import annotations

import time

import pytest

import app
from newsdesk.settings import Settings
from qa.extractive import scorable_sentences
from qa.sentence_fill import SentenceFill
from tests.conftest import ARTICLE, build_index
from tests.test_embedding_cache import CountingEmbeddings
from vectorstore.embedding_cache import (
    CachedEmbeddings,
    content_hash,
    sentence_embeddings,
    with_cache,
)

QUESTION = "How many foreign-funded firms were approved for the pilot?"


def _settings(tmp_path, **over) -> Settings:
    return Settings.from_env(
        {},
        persist_dir=tmp_path / "idx",
        embedding_cache=str(tmp_path / "cache.sqlite3"),
        **over,
    )


@pytest.fixture
def indexed(tmp_path, embeddings, counter, window):
    settings = _settings(tmp_path)
    store, report = build_index(
        settings, [ARTICLE], with_cache(embeddings, settings), counter, window
    )
    return settings, store, report


def _fill(store, settings, inner, **kw) -> SentenceFill:
    vectors = sentence_embeddings(settings, inner)
    assert isinstance(vectors, CachedEmbeddings)
    return SentenceFill(store, vectors, **kw)


def test_after_the_pass_answering_embeds_no_sentence(indexed, embeddings):
    from qa.chain import build_chain
    from qa.extractive import ExtractiveAnswerer
    from qa.retriever import HybridRetriever
    from vectorstore.store import open_keyword_index

    settings, store, report = indexed
    filling = CountingEmbeddings(embeddings)
    fill = _fill(store, settings, filling)
    fill.start()
    assert fill.wait(120), "the pass did not end"
    assert fill.error is None
    assert fill.chunks_done == fill.chunks_total == report.chunks_added
    stored = store.get(include=["documents", "metadatas"])
    sentences = {
        s
        for text, meta in zip(stored["documents"], stored["metadatas"], strict=True)
        for s in scorable_sentences(text, meta["title"])
    }
    # the headline readings of sentences that say "it" are among them
    assert any(s.startswith(f"{stored['metadatas'][0]['title']}. ") for s in sentences)
    assert fill.embedded == filling.texts == len(sentences) > 10
    cached = fill.vectors.cache.get(fill.vectors.model, [content_hash(s) for s in sentences])
    assert len(cached) == len(sentences)

    answering = CountingEmbeddings(embeddings)
    retriever = HybridRetriever(
        store=store, keyword=open_keyword_index(settings, store), k=settings.candidates
    )
    answerer = ExtractiveAnswerer(
        sentence_embeddings(settings, answering), settings.min_relevance, k=settings.k
    )
    got = build_chain(retriever, answerer).invoke({"question": QUESTION})
    assert answering.texts == 0  # every sentence vector came from the pass
    assert "13" in got.text and not got.abstained

    again = _fill(store, settings, CountingEmbeddings(embeddings))
    again.start()
    assert again.wait(60) and again.error is None
    assert again.embedded == 0 and again.chunks_done == report.chunks_added


def test_the_pass_holds_back_while_a_question_is_answered(indexed, embeddings):
    settings, store, _ = indexed
    fill = _fill(store, settings, embeddings, batch=4)
    with fill.foreground():
        fill.start()
        time.sleep(1.5)
        assert fill.embedded == 0 and not fill.finished.is_set()
    assert fill.wait(120) and fill.error is None
    assert fill.embedded > 0


def test_stop_ends_the_pass_early(indexed, embeddings):
    settings, store, _ = indexed
    fill = _fill(store, settings, embeddings, batch=2)
    with fill.foreground():
        fill.start()
        fill.stop()
    assert fill.wait(30)
    assert fill.embedded == 0 and fill.error is None


def test_a_replaced_collection_ends_the_pass_with_the_error_kept(indexed, embeddings):
    settings, store, _ = indexed
    fill = _fill(store, settings, embeddings)
    store._client.delete_collection(settings.collection)
    fill.start()
    assert fill.wait(30)
    assert fill.error is not None and fill.embedded == 0


def test_answer_starts_one_pass_per_index_and_only_when_asked_for(indexed):
    settings, _, _ = indexed
    options = {"persist_dir": settings.persist_dir, "embedding_cache": settings.embedding_cache}
    try:
        got = app.answer(QUESTION, **options)
        assert "13" in got.text
        fill = app.sentence_fill_for(Settings.from_env(**options))
        assert fill is not None and (fill.is_alive() or fill.finished.is_set())
        app.answer(QUESTION, **options)
        assert app.sentence_fill_for(Settings.from_env(**options)) is fill
        assert fill.wait(120) and fill.error is None
        assert fill.chunks_done == fill.chunks_total > 0

        assert app.sentence_fill_for(Settings.from_env(**options, sentence_vectors="lazy")) is None
        off = {**options, "embedding_cache": "off"}
        assert app.sentence_fill_for(Settings.from_env(**off)) is None
    finally:
        app.reset_chains()


EXIT_CHILD = """
import sys, time, app
a = app.answer("Who leads the dockworkers union?", persist_dir=sys.argv[1],
               embedding_cache=sys.argv[2])
fill = app.sentence_fill_for(app.Settings.from_env(persist_dir=sys.argv[1],
                                                   embedding_cache=sys.argv[2]))
deadline = time.monotonic() + 120  # a loaded machine may take seconds for the first batch
while fill.embedded == 0 and fill.is_alive() and time.monotonic() < deadline:
    time.sleep(0.05)
print(fill.is_alive(), fill.embedded > 0)
"""


def test_a_script_that_answers_and_exits_mid_pass_exits_cleanly(
    tmp_path, embeddings, counter, window
):
    """Found by a second breaker helper: the process aborted at exit (exit code 134,
    "terminate called without an active exception") when the pass was mid-batch."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    settings = _settings(tmp_path)
    build_index(settings, [ROOT / "evals" / "multi" / "articles"], embeddings, counter, window)
    for n in range(2):  # a fresh cache each time: the pass is busy when the script ends
        done = subprocess.run(
            [sys.executable, "-c", EXIT_CHILD, str(settings.persist_dir),
             str(tmp_path / f"fresh-{n}.sqlite3")],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.stdout.strip() == "True True", done.stderr[-2000:]  # exited mid-pass
        assert done.returncode == 0, done.stderr[-2000:]


def test_first_questions_from_several_threads_at_once(indexed):
    """Found by a second breaker helper: four threads asking their first question (the
    chat answers four at once) opened the index together and all failed."""
    from concurrent.futures import ThreadPoolExecutor

    settings, _, _ = indexed
    app.reset_chains()
    options = {"persist_dir": settings.persist_dir, "embedding_cache": settings.embedding_cache}
    try:
        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(lambda _: app.answer(QUESTION, **options).text, range(8)))
        assert all("13" in text for text in got)
    finally:
        app.reset_chains()
