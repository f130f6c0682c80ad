"""Server mode: newsdesk against a real `chroma run` server on a free local port."""

import uuid

import pytest

import app
from newsdesk.errors import NewsdeskError
from newsdesk.settings import Settings
from tests.conftest import BUNDLED, free_port
from tests.conftest import run_cli as _cli
from vectorstore.keyword import KeywordIndex
from vectorstore.store import open_store


def test_serving_process_sees_articles_ingested_by_another(chroma_server, tmp_path):
    """`newsdesk ingest` in a subprocess writes to the server while this process holds an
    open answer() chain; the chain finds the new article without a restart. The two use
    different local folders, as two machines would, so BM25 follows the server too."""
    collection = f"serve-{uuid.uuid4().hex[:8]}"
    env = {
        "NEWSDESK_CHROMA_URL": chroma_server,
        "NEWSDESK_COLLECTION": collection,
        "NEWSDESK_PERSIST_DIR": str(tmp_path / "ingester"),
    }
    first = _cli(["ingest", str(BUNDLED)], tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert "1 ingested" in first.stdout and chroma_server in first.stdout
    assert not (tmp_path / "ingester" / "chroma.sqlite3").exists()  # nothing embedded

    options = {
        "chroma_url": chroma_server,
        "collection": collection,
        "persist_dir": tmp_path / "server",
    }
    a = app.answer("How many foreign-funded firms were approved for the pilot?", **options)
    assert "13" in a.text and not a.abstained
    chain = app.build_chain_for(Settings.from_env(**options))
    question = "Who is the captain of the Lakeside ferry?"
    before = app.answer(question, **options)
    assert all("ferry" not in r.article_id for r in before.retrieved)

    news = tmp_path / "news"
    news.mkdir()
    (news / "ferry.txt").write_text(
        "Lakeside ferry returns\nThe Lakeside ferry resumed service on Friday after a "
        "month-long repair. The captain of the Lakeside ferry is now Ingrid Solberg, a "
        "former navy officer. Crossings run every forty minutes until the end of October."
    )
    second = _cli(["ingest", str(news)], tmp_path, **env)
    assert second.returncode == 0, second.stderr

    after = app.answer(question, **options)
    assert app.build_chain_for(Settings.from_env(**options)) is chain  # same open chain
    assert not after.abstained and "Ingrid Solberg" in after.text
    assert after.citations[0].article_id == (news / "ferry.txt").resolve().as_posix()
    # the serving process's own keyword (BM25) cache caught up from the server: nothing
    # wrote to it but that process
    files = list((tmp_path / "server").glob(f"{collection}@127.0.0.1_*.keyword.sqlite3"))
    (hits,) = [KeywordIndex(f).search("Ingrid Solberg", 3) for f in files]
    ferry = {r.chunk_id for r in after.retrieved if r.article_id.endswith("ferry.txt")}
    assert hits and hits[0][0] in ferry


def test_unreachable_server_says_how_to_start_one(tmp_path, embeddings):
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings.from_env({}, chroma_url=url, persist_dir=tmp_path / "i")
    with pytest.raises(NewsdeskError, match=f"cannot reach Chroma at {url}: start it with"):
        open_store(settings, embeddings, create=True)
    out = _cli(["ask", "Anything?", "--chroma-url", url], tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"cannot reach Chroma at {url}" in out.stderr and "chroma run --path" in out.stderr
