import shutil
import uuid
from pathlib import Path

import pytest

from newsdesk.errors import IndexMismatch, IndexNotFound, ModelIntegrityError
from newsdesk.settings import Settings
from tests.conftest import ARTICLE, BUNDLED, build_index
from vectorstore.embeddings import PACKAGED_MODEL_SHA256, packaged_model_path, verify_weights
from vectorstore.store import check_folder, open_store


def _settings(tmp_path: Path, **kw) -> Settings:
    return Settings.from_env({}, persist_dir=tmp_path / "index", **kw)


@pytest.fixture(params=["embedded", "server"])
def backend(request, tmp_path) -> Settings:
    """Settings for the embedded store, then for a real `chroma run` server (a fresh
    collection per test, the keyword cache in ``tmp_path``)."""
    if request.param == "embedded":
        return _settings(tmp_path)
    url = request.getfixturevalue("chroma_server")
    return _settings(tmp_path, chroma_url=url, collection=f"t-{uuid.uuid4().hex[:12]}")


def test_packaged_model_checksum(tmp_path: Path):
    weights = packaged_model_path() / "model.safetensors"
    verify_weights(weights, PACKAGED_MODEL_SHA256)
    bad = tmp_path / "model.safetensors"
    shutil.copyfile(weights, bad)
    with bad.open("r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01\x02")
    with pytest.raises(ModelIntegrityError, match="expected 53aa5117"):
        verify_weights(bad, PACKAGED_MODEL_SHA256)
    with pytest.raises(ModelIntegrityError, match="missing"):
        verify_weights(tmp_path / "nope.safetensors", PACKAGED_MODEL_SHA256)


def test_reingest_changes_nothing(backend, embeddings, counter, window):
    settings = backend
    store, first = build_index(settings, [ARTICLE], embeddings, counter, window)
    count = store._collection.count()
    assert first.chunks_added == count > 0
    # a new process would open the same folder afresh
    store2, second = build_index(settings, [ARTICLE], embeddings, counter, window)
    assert second.unchanged == [ARTICLE.resolve().as_posix()] and second.chunks_added == 0
    assert store2._collection.count() == count
    meta = store2._collection.metadata
    assert meta["embedding_model"] == settings.embedding_model
    assert (meta["chunk_size"], meta["chunk_overlap"]) == (200, 40)


def test_changed_article_replaces_its_chunks(backend, tmp_path, embeddings, counter, window):
    settings = backend
    doc = tmp_path / "story.txt"
    doc.write_text("Old headline\nThe council approved 12 new parks. " * 30)
    store, _ = build_index(settings, [doc], embeddings, counter, window)
    doc.write_text("New headline\nThe council approved 14 new bridges. " * 30)
    _, report = build_index(settings, [doc], embeddings, counter, window)
    assert report.chunks_removed > 0
    texts = store.get(where={"article_id": doc.resolve().as_posix()})["documents"]
    assert texts and all("bridges" in t and "parks" not in t for t in texts)


def test_other_model_or_chunking_is_refused(tmp_path, embeddings, counter, window):
    settings = _settings(tmp_path)
    build_index(settings, [ARTICLE], embeddings, counter, window)
    with pytest.raises(IndexMismatch) as e:
        open_store(
            settings.replace(embedding_model="BAAI/bge-small-en-v1.5"), embeddings, create=True
        )
    assert "packaged:all-MiniLM-L6-v2" in str(e.value) and "bge-small" in str(e.value)
    assert "newsdesk ingest --rebuild" in str(e.value)
    with pytest.raises(IndexMismatch, match="chunk_size 120"):
        open_store(settings.replace(chunk_size=120), embeddings, create=False)


def test_missing_index(tmp_path, embeddings):
    with pytest.raises(IndexNotFound, match="newsdesk ingest"):
        open_store(_settings(tmp_path), embeddings, create=False)


def test_article_with_more_chunks_than_one_write(tmp_path, embeddings, counter, window):
    """Chroma refuses oversized batches; writes are split, nothing is lost."""
    settings = _settings(tmp_path, chunk_size=16, chunk_overlap=0)
    doc = tmp_path / "long.txt"
    doc.write_text("Ledger\n" + " ".join(f"Entry {i} was filed today." for i in range(2500)))
    store, report = build_index(settings, [doc], embeddings, counter, window)
    assert report.chunks_added > 1000
    assert store._collection.count() == report.chunks_added


def test_syndicated_copy_is_indexed_once(backend, tmp_path, embeddings, counter, window):
    settings = backend
    story = "Port strike ends\nDock workers returned to work on Tuesday after a week."
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "reuters.txt").write_text(story)
    (tmp_path / "a" / "copy-of-reuters.txt").write_text(story)
    _, report = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    assert len(report.ingested) == 1 and "(a copy)" in report.skipped[0].reason
    # a copy arriving in a later run is recognised against the stored original
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "syndicated.txt").write_text(story)
    _, later = build_index(settings, [tmp_path / "b"], embeddings, counter, window)
    assert later.ingested == [] and "same text as" in later.skipped[0].reason


def test_a_read_only_index_is_not_called_damaged(tmp_path: Path):
    import sqlite3

    from vectorstore.store import _cannot_open

    db = tmp_path / "chroma.sqlite3"
    sqlite3.connect(db).execute("create table t (x)").connection.commit()
    ro = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as e:
        ro.execute("insert into t values (1)")
    message = _cannot_open(str(tmp_path), e.value)
    assert "read-only" in message and "write access" in message and "remove" not in message
    assert "If it is damaged" in _cannot_open(str(tmp_path), ValueError("bad header"))


def test_a_damaged_keyword_index_is_rebuilt_from_the_collection(
    tmp_path, embeddings, counter, window
):
    """A damaged BM25 file asked for `ingest --rebuild` (re-embedding everything; breaker
    helper); it holds nothing the collection does not, so it is rebuilt from it."""
    import app
    from vectorstore.store import keyword_index_path, open_keyword_index

    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    store, _ = build_index(settings, [BUNDLED], embeddings, counter, window)
    before = open_keyword_index(settings, store).chunk_ids()
    path = keyword_index_path(settings.persist_dir, settings.collection)
    path.write_bytes(b"this is no SQLite file " * 200)
    with pytest.warns(RuntimeWarning, match="rebuilt from the collection"):
        rebuilt = open_keyword_index(settings, store)
    assert rebuilt.chunk_ids() == before and len(before) == 4
    assert rebuilt.search("foreign-funded firms", 4)  # keyword search works again
    assert Path(f"{path}.corrupt").is_file()
    a = app.answer("How many foreign-funded firms were approved?", persist_dir=settings.persist_dir)
    assert "13" in a.text


def test_a_rebuild_leaves_no_copy_of_the_old_index_on_disk(tmp_path, embeddings, counter, window):
    """Chroma 1.5 deletes a collection's rows but not its HNSW folder: three rebuilds left
    three stale copies of the index beside the live one."""
    import sqlite3

    from vectorstore.store import finish_rebuild, start_rebuild

    settings = _settings(tmp_path)
    build_index(settings, [ARTICLE], embeddings, counter, window)

    def folders() -> set[str]:
        return {p.name for p in settings.persist_dir.iterdir() if p.is_dir()}

    def vector_segments() -> set[str]:
        db = sqlite3.connect(settings.persist_dir / "chroma.sqlite3")
        try:
            rows = db.execute("SELECT id FROM segments WHERE scope = 'VECTOR'").fetchall()
        finally:
            db.close()
        return {r[0] for r in rows}

    before = folders()
    assert len(before) == 1 and before == vector_segments()
    unrelated = settings.persist_dir / "my-notes"  # not a segment: never touched
    unrelated.mkdir()
    # a user's folder with a UUID name is no segment either (a breaker's lost a thesis)
    theirs = settings.persist_dir / str(uuid.uuid4())
    theirs.mkdir()
    (theirs / "thesis.txt").write_text("my draft")
    for _ in range(2):
        side = start_rebuild(settings)
        build_index(side, [ARTICLE], embeddings, counter, window)
        finish_rebuild(side, settings)
    after = folders() - {"my-notes", theirs.name}
    assert len(after) == 1 and after == vector_segments() and after != before
    assert unrelated.is_dir() and (theirs / "thesis.txt").read_text() == "my draft"
    store = open_store(settings, embeddings, create=False)
    assert store._collection.count() > 0
    hits = store.similarity_search("foreign-funded firms approved", k=1)
    assert hits and "foreign" in hits[0].page_content.lower()


def test_a_folder_of_other_files_does_not_become_an_index(tmp_path, embeddings):
    """`--persist-dir .` in a folder of the user's own files was accepted, and a rebuild
    later tidied that folder (a breaker's): only a new, empty folder, or one holding an
    index's own files, becomes an index."""
    from newsdesk.errors import BadInput

    folder = tmp_path / "work"
    (folder / "drafts").mkdir(parents=True)
    (folder / "notes.txt").write_text("mine")
    settings = Settings.from_env({}, persist_dir=folder)
    with pytest.raises(BadInput, match=r"already holds files .*drafts, notes\.txt"):
        open_store(settings, embeddings, create=True)
    assert sorted(p.name for p in folder.iterdir()) == ["drafts", "notes.txt"]
    # a folder left with only newsdesk's files (a lock, a keyword index) is reused
    own = tmp_path / "own"
    own.mkdir()
    (own / "newsdesk.keyword.sqlite3.write.lock").write_text("")
    store = open_store(Settings.from_env({}, persist_dir=own), embeddings, create=True)
    assert store._collection.count() == 0
    # only newsdesk's own names count: a user's project.lock is theirs (a breaker's)
    (folder / "drafts").rmdir()
    (folder / "notes.txt").unlink()
    (folder / "project.lock").write_text("important")
    with pytest.raises(BadInput, match=r"already holds files .*project\.lock"):
        open_store(settings, embeddings, create=True)
    # asking of it says so, rather than advising an ingest that would be refused
    with pytest.raises(IndexNotFound, match=r"that folder holds other files \(project\.lock\)"):
        open_store(settings, embeddings, create=False)


def test_an_index_folder_behind_a_dangling_symlink_is_named(tmp_path):
    # a breaker's: mkdir failed with a FileExistsError traceback
    from newsdesk.errors import NewsdeskError

    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    for where in (link, link / "index"):
        with pytest.raises(NewsdeskError, match=r"symlink .*link, which points to .*nowhere"):
            check_folder(Settings.from_env({}, persist_dir=where), create=True)
    assert not (tmp_path / "nowhere").exists()
