"""Embedding precision: bfloat16 document batches against float32, with the packaged model."""

import numpy as np
import pytest

from newsdesk.errors import BadInput, NewsdeskError
from newsdesk.settings import Settings
from tests.conftest import ARTICLE
from vectorstore.embeddings import load_embeddings, native_bf16, resolve_precision


@pytest.fixture(scope="module")
def passages() -> list[str]:
    text = ARTICLE.read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n") if len(p.split()) >= 12][:12]


def test_bf16_batches_stay_within_a_rounding_of_fp32(passages):
    fp32 = load_embeddings(precision="fp32")
    bf16 = load_embeddings(precision="bf16")
    a = np.asarray(fp32.embed_documents(passages))
    b = np.asarray(bf16.embed_documents(passages))
    assert a.shape == b.shape == (len(passages), 384)
    # bfloat16 really ran (the vectors are not the float32 ones) ...
    assert not np.array_equal(a, b)
    # ... and is a rounding away from them: unit length, cosine near 1
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(axis=1).min()) > 0.9995

    # a question ranks the passages the same way with either
    question = "Which foreign companies were approved for value-added telecom services?"
    q = np.asarray(fp32.embed_query(question))
    assert np.array_equal(q, np.asarray(bf16.embed_query(question)))  # queries stay float32
    assert list(np.argsort(-(a @ q))[:3]) == list(np.argsort(-(b @ q))[:3])


def test_auto_precision_follows_the_cpu():
    assert resolve_precision("auto") == ("bf16" if native_bf16() else "fp32")
    assert resolve_precision("fp32") == "fp32"
    with pytest.raises(NewsdeskError, match="bf16, fp32"):
        resolve_precision("fp16")


def test_precision_setting_is_checked():
    assert Settings.from_env({"NEWSDESK_EMBEDDING_PRECISION": "fp32"}).embedding_precision == "fp32"
    with pytest.raises(BadInput, match="embedding_precision"):
        Settings.from_env({"NEWSDESK_EMBEDDING_PRECISION": "int8"})


def test_precisions_do_not_share_cached_vectors(tmp_path, passages):
    from vectorstore.embedding_cache import with_cache

    fp32 = Settings.from_env(
        {},
        persist_dir=tmp_path / "ix",
        embedding_cache=str(tmp_path / "cache.sqlite3"),
        embedding_precision="fp32",
    )
    bf16 = fp32.replace(embedding_precision="bf16")
    first = with_cache(load_embeddings(precision="fp32"), fp32)
    a = first.embed_documents(passages)
    other = with_cache(load_embeddings(precision="bf16"), bf16)
    b = other.embed_documents(passages)
    assert other.misses == len(set(passages))  # nothing read back from the float32 entries
    again = with_cache(load_embeddings(precision="fp32"), fp32)
    assert again.embed_documents(passages) == a and again.misses == 0
    assert a != b
