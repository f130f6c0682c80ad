"""Shared fixtures: the real packaged model, real Chroma in temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsdesk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "articles"
ARTICLE = BUNDLED / "miit-vas-pilot-foreign-firms.txt"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embeddings():
    from vectorstore.embeddings import load_embeddings

    return load_embeddings()


@pytest.fixture(scope="session")
def counter():
    from ingest.chunking import cl100k_counter

    return cl100k_counter()


@pytest.fixture(scope="session")
def window(embeddings):
    from vectorstore.embeddings import embedding_window

    w = embedding_window(embeddings)
    assert w is not None and w.max_tokens == 256
    return w


def build_index(settings: Settings, paths, embeddings, counter, window):
    from ingest.pipeline import ingest_paths
    from vectorstore.store import open_keyword_index, open_store

    store = open_store(settings, embeddings, create=True)
    keyword = open_keyword_index(settings, store)
    report = ingest_paths(
        [str(p) for p in paths], store, settings, counter, window, keyword=keyword
    )
    return store, report


@pytest.fixture(scope="session")
def bundled_settings(tmp_path_factory, embeddings, counter, window) -> Settings:
    """Settings of an index holding the bundled article (built once per test session)."""
    settings = Settings.from_env({}, persist_dir=tmp_path_factory.mktemp("bundled") / "index")
    build_index(settings, [BUNDLED], embeddings, counter, window)
    return settings


@pytest.fixture(scope="session")
def miit_report(bundled_settings):
    """The seed gold suite (evals/gold/miit.jsonl) run once over the bundled index."""
    from evals.runner import run_eval

    return run_eval(
        ROOT / "evals" / "gold" / "miit.jsonl",
        corpus=None,
        persist_dir=bundled_settings.persist_dir,
    )
