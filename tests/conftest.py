"""Shared fixtures: the real packaged model, real Chroma in temporary folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import app
from newsdesk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "articles"
ARTICLE = BUNDLED / "miit-vas-pilot-foreign-firms.txt"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def run_cli(args, cwd: Path, **env) -> subprocess.CompletedProcess[str]:
    """The real ``newsdesk`` CLI in a child process, run in ``cwd``, with extra ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **env},
    )


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


def index_of_texts(tmp_path_factory, name: str, articles: dict[str, str], *models) -> Settings:
    """Settings of a fresh index of ``articles`` (file name -> text), written to a folder.

    ``models`` are the ``embeddings, counter, window`` fixtures.
    """
    folder = tmp_path_factory.mktemp(f"{name}-articles")
    for file_name, text in articles.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    settings = Settings.from_env({}, persist_dir=tmp_path_factory.mktemp(name) / "index")
    build_index(settings, [folder], *models)
    return settings


def ask(settings: Settings, question: str, history=None, **kw):
    """``app.answer`` on the index of ``settings`` (keyword arguments passed through)."""
    return app.answer(question, history, persist_dir=settings.persist_dir, **kw)


@pytest.fixture(scope="session")
def bundled_settings(tmp_path_factory, embeddings, counter, window) -> Settings:
    """Settings of an index holding the bundled article (built once per test session)."""
    settings = Settings.from_env({}, persist_dir=tmp_path_factory.mktemp("bundled") / "index")
    build_index(settings, [BUNDLED], embeddings, counter, window)
    return settings


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (``chroma run``) on a free local port; yields its URL."""
    import subprocess
    import sys
    import time
    import urllib.request

    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.fail(f"the chroma CLI is missing at {chroma}: pip install chromadb")
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(folder / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("chroma run did not start: " + (folder / "server.log").read_text())
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def miit_report(bundled_settings):
    """The seed gold suite (evals/gold/miit.jsonl) run once over the bundled index."""
    from evals.runner import run_eval

    return run_eval(
        ROOT / "evals" / "gold" / "miit.jsonl",
        corpus=None,
        persist_dir=bundled_settings.persist_dir,
    )
