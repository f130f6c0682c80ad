"""The persistent embedding cache, with the real packaged model and real Chroma in tmp dirs."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from newsdesk.errors import BadInput
from newsdesk.settings import PACKAGED_EMBEDDING_MODEL, Settings
from tests.conftest import ARTICLE, build_index
from vectorstore.embedding_cache import (
    SENTENCE_PRECISION,
    CachedEmbeddings,
    EmbeddingCache,
    QueryMemo,
    cache_path,
    model_fingerprint,
    sentence_embeddings,
    with_cache,
)
from vectorstore.embeddings import load_embeddings


class CountingEmbeddings(Embeddings):
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, inner: Embeddings):
        self.inner = inner
        self.texts = 0
        self.queries = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return self.inner.embed_query(text)


def _settings(tmp_path, name: str) -> Settings:
    return Settings.from_env(
        {}, persist_dir=tmp_path / name, embedding_cache=str(tmp_path / "cache.sqlite3")
    )


def test_second_ingest_of_the_same_chunks_does_not_call_the_model(
    tmp_path, embeddings, counter, window
):
    first = CountingEmbeddings(embeddings)
    settings = _settings(tmp_path, "a")
    wrapped = with_cache(first, settings)
    store, report = build_index(settings, [ARTICLE], wrapped, counter, window)
    assert report.chunks_added > 0 and first.texts == report.chunks_added

    # a fresh index (another folder, a new process's objects) over the same cache file
    second = CountingEmbeddings(embeddings)
    settings_b = _settings(tmp_path, "b")
    store_b, report_b = build_index(
        settings_b, [ARTICLE], with_cache(second, settings_b), counter, window
    )
    assert report_b.chunks_added == report.chunks_added
    assert second.texts == 0
    got_a = store.get(include=["embeddings"])
    got_b = store_b.get(include=["embeddings"])
    vec_a = dict(zip(got_a["ids"], got_a["embeddings"], strict=True))
    vec_b = dict(zip(got_b["ids"], got_b["embeddings"], strict=True))
    assert vec_a.keys() == vec_b.keys()
    for cid, v in vec_a.items():  # bit-for-bit the vectors the model returned
        assert np.array_equal(np.asarray(v, dtype=np.float32), np.asarray(vec_b[cid]))

    # queries are never cached: same vector as the bare model
    q = "How many foreign-funded firms were approved?"
    assert wrapped.embed_query(q) == embeddings.embed_query(q)


def test_a_different_model_does_not_reuse_vectors(tmp_path, embeddings):
    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    texts = ["The pilot covers Beijing and Shanghai.", "Airbus China has a new CEO."]
    one = CountingEmbeddings(embeddings)
    CachedEmbeddings(one, cache, model_fingerprint(PACKAGED_EMBEDDING_MODEL)).embed_documents(texts)
    assert one.texts == 2
    other = CountingEmbeddings(embeddings)
    CachedEmbeddings(other, cache, "some-other-model|norm").embed_documents(texts)
    assert other.texts == 2  # same texts, other model: embedded again, stored separately
    assert cache.count() == 4

    # a local model folder is identified by its weights: changing them changes the key
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights v1")
    before = model_fingerprint(str(folder))
    (folder / "model.safetensors").write_bytes(b"weights v2")
    assert model_fingerprint(str(folder)) != before


@pytest.mark.parametrize("damage", ["garbage", "directory", "other-schema"])
def test_a_corrupt_cache_is_rebuilt_with_a_warning(tmp_path, embeddings, damage):
    path = tmp_path / "cache.sqlite3"
    if damage == "garbage":
        path.write_bytes(b"this is not an SQLite database, " * 100)
    elif damage == "directory":
        path.mkdir()
    else:
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE vectors (x)")
        db.execute("PRAGMA user_version=99")
        db.commit()
        db.close()
    counting = CountingEmbeddings(embeddings)
    with pytest.warns(RuntimeWarning, match="embedding cache"):
        cached = CachedEmbeddings(
            counting, EmbeddingCache(path), model_fingerprint(PACKAGED_EMBEDDING_MODEL)
        )
    texts = ["Shares rose 3 percent.", "The council met on Monday."]
    vectors = cached.embed_documents(texts)
    assert vectors == embeddings.embed_documents(texts)
    assert path.is_file() and EmbeddingCache(path).count() == 2  # rebuilt, and it persists


def test_a_cache_damaged_mid_run_is_rebuilt_not_a_crash(tmp_path, embeddings):
    path = tmp_path / "cache.sqlite3"
    cached = CachedEmbeddings(embeddings, EmbeddingCache(path), "m")
    cached.embed_documents(["first text"])
    cached.cache._db.close()  # as if the file went away under us
    path.write_bytes(b"\0garbage" * 512)
    with pytest.warns(RuntimeWarning, match="embedding cache"):
        vectors = cached.embed_documents(["first text", "second text"])
    assert vectors == embeddings.embed_documents(["first text", "second text"])


def test_cache_location_follows_the_setting(tmp_path):
    s = Settings.from_env({}, persist_dir=tmp_path / "idx")
    assert cache_path(s) == tmp_path / "idx" / "embedding-cache.sqlite3"
    assert cache_path(s.replace(embedding_cache="off")) is None
    (tmp_path / "dir").mkdir()
    assert cache_path(s.replace(embedding_cache=str(tmp_path / "dir"))) == (
        tmp_path / "dir" / "embedding-cache.sqlite3"
    )
    env = {"NEWSDESK_EMBEDDING_CACHE": str(tmp_path / "c.db")}
    assert cache_path(Settings.from_env(env)) == tmp_path / "c.db"


def test_sentence_vectors_at_ingest_leave_nothing_to_embed_when_answering(
    tmp_path, embeddings, counter, window
):
    from qa.chain import build_chain
    from qa.extractive import ExtractiveAnswerer
    from qa.retriever import HybridRetriever
    from vectorstore.store import open_keyword_index

    settings = _settings(tmp_path, "idx").replace(sentence_vectors="ingest")
    ingesting = CountingEmbeddings(embeddings)
    store, report = build_index(
        settings, [ARTICLE], with_cache(ingesting, settings), counter, window
    )
    # the chunks; their sentences by the float32 model, as the answerer reads them
    assert ingesting.texts == report.chunks_added

    fp32 = load_embeddings(precision=SENTENCE_PRECISION)
    answering = CountingEmbeddings(fp32)
    retriever = HybridRetriever(
        store=store, keyword=open_keyword_index(settings, store), k=settings.candidates
    )
    answerer = ExtractiveAnswerer(
        sentence_embeddings(settings, answering), settings.min_relevance, k=settings.k
    )
    lazy = ExtractiveAnswerer(fp32, settings.min_relevance, k=settings.k)
    q = {"question": "How many foreign-funded firms were approved for the pilot?"}
    got = build_chain(retriever, answerer).invoke(q)
    assert answering.texts == 0  # every sentence vector came from the cache
    expected = build_chain(retriever, lazy).invoke(q)
    assert (got.text, got.confidence) == (expected.text, expected.confidence)


def test_sentence_vectors_do_not_depend_on_the_batch_they_are_embedded_in(tmp_path):
    """With bfloat16 batches a sentence's cosine to a question moved by up to 5e-4 with
    the batch (on an AMX CPU), and answers with it: whichever of the background pass and
    the answerer embedded a sentence first decided a heldout-18 near miss."""
    settings = Settings.from_env({}, persist_dir=tmp_path, embedding_precision="bf16")
    vectors = sentence_embeddings(settings.replace(embedding_cache="off"))
    sentence = "It carried 2.4 million passengers across its network last year."
    alone = vectors.embed_documents([sentence, "Short."])[0]
    longer = "A much longer sentence, here to pad the batch, with many more words " * 3
    fillers = [f"Another sentence, number {i}, in the batch." for i in range(30)]
    batched = vectors.embed_documents([longer, *fillers, sentence])[-1]
    assert np.abs(np.asarray(alone) - np.asarray(batched)).max() < 1e-6


def test_sentence_vectors_at_ingest_need_the_cache(tmp_path, embeddings):
    from newsdesk.errors import BadInput

    settings = Settings.from_env(
        {}, persist_dir=tmp_path, embedding_cache="off", sentence_vectors="ingest"
    )
    with pytest.raises(BadInput, match="embedding cache"):
        with_cache(embeddings, settings)


def test_a_question_is_embedded_once_per_answer(tmp_path, embeddings, counter, window):
    """The retriever and the extractive answerer share one QueryMemo (as app.py wires them)."""
    from qa.chain import build_chain
    from qa.extractive import ExtractiveAnswerer
    from qa.retriever import HybridRetriever
    from vectorstore.store import open_keyword_index, open_store

    settings = _settings(tmp_path, "idx")
    build_index(settings, [ARTICLE], embeddings, counter, window)
    model = CountingEmbeddings(embeddings)
    shared = QueryMemo(model, size=2)
    store = open_store(settings, shared, create=False)
    chain = build_chain(
        HybridRetriever(store=store, keyword=open_keyword_index(settings, store), k=8),
        ExtractiveAnswerer(with_cache(shared, settings, ingest=False), 0.34, k=4),
    )
    q = "How many foreign-funded firms were approved for the pilot?"
    got = chain.invoke({"question": q})
    assert model.queries == 1 and "13" in got.text
    assert shared.embed_query(q) == embeddings.embed_query(q)  # the same vector, remembered
    for other in ("a", "b"):
        shared.embed_query(other)  # two newer queries push the first one out (size 2)
    shared.embed_query(q)
    assert model.queries == 4


@pytest.mark.parametrize("kind", ["article", "empty", "folder", "database", "vectors-table"])
def test_a_cache_path_holding_something_else_is_refused_and_left_alone(tmp_path, kind):
    """NEWSDESK_EMBEDDING_CACHE pointed at an article renamed it to story.txt.corrupt and
    wrote the cache in its place, which the same ingest then read as an article (found
    by a breaker helper). Only a file named like a cache is moved aside when unreadable."""
    path = tmp_path / ("story.txt" if kind == "article" else "stuff")
    if kind == "article":
        path.write_text("Council approves budget\n\nThe council approved the budget.")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    else:  # another program's database, even one with a table named "vectors"
        path = tmp_path / "app.sqlite3"
        db = sqlite3.connect(path)
        table = "users" if kind == "database" else "vectors"
        db.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
        db.commit()
        db.close()
    before = sorted(p.name for p in tmp_path.iterdir())
    content = path.read_bytes() if path.is_file() else None
    with pytest.raises(BadInput, match="does not move or overwrite it"):
        EmbeddingCache(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (path.read_bytes() if path.is_file() else None) == content
