"""Ingestion killed with SIGKILL at any point leaves a usable, consistent index, and the
next run finishes the job without duplicates.

A child process runs the real pipeline and SIGKILLs itself from its progress callback at
a chosen event (after a file is read, or after a batch of chunks is written), which puts
the kill exactly where the test wants it, with no timing guesswork.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from newsdesk.settings import Settings
from tests.conftest import ROOT, build_index

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from ingest.chunking import cl100k_counter
    from ingest.pipeline import ingest_paths
    from newsdesk.settings import Settings
    from vectorstore.embeddings import embedding_window, load_embeddings
    from vectorstore.store import open_keyword_index, open_store

    docs, persist, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    settings = Settings.from_env({}, persist_dir=persist)
    embeddings = load_embeddings()
    store = open_store(settings, embeddings, create=True)
    events = []

    def progress(event):
        events.append(event)
        if len(events) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    ingest_paths([docs], store, settings, cl100k_counter(), embedding_window(embeddings),
                 keyword=open_keyword_index(settings, store), progress=progress, batch_size=4)
    """
)

TOPICS = ["port", "railway", "bank", "harvest", "election", "stadium"]


def _articles(folder):
    folder.mkdir()
    for i, topic in enumerate(TOPICS):
        sentences = [
            f"The {topic} report number {i} was published on day {d} of the month."
            f" Officials said the {topic} figure reached {100 * i + d} units in the region."
            for d in range(1, 9)
        ]
        (folder / f"{topic}.txt").write_text(f"{topic.title()} news\n\n" + " ".join(sentences))


def _state(settings: Settings, embeddings):
    from vectorstore.store import open_keyword_index, open_store

    store = open_store(settings, embeddings, create=False)
    got = store.get(include=["metadatas"])
    ids = list(got["ids"])
    keyword = open_keyword_index(settings, store)
    return ids, keyword.chunk_ids()


@pytest.mark.parametrize("kill_at", [2, 5, 9])
def test_sigkill_mid_run_then_rerun_finishes_without_duplicates(
    kill_at, tmp_path, embeddings, counter, window
):
    docs = tmp_path / "docs"
    _articles(docs)
    # the reference: one clean run
    clean = Settings.from_env({}, persist_dir=tmp_path / "clean")
    build_index(clean, [docs], embeddings, counter, window)
    want, _ = _state(clean, embeddings)

    settings = Settings.from_env({}, persist_dir=tmp_path / "killed")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(docs), str(settings.persist_dir), str(kill_at)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]  # it really died by SIGKILL

    # usable and consistent right after the kill: opens, no duplicates, and the
    # keyword index holds exactly what Chroma holds
    ids, keyword_ids = _state(settings, embeddings)
    assert len(ids) == len(set(ids)) and set(ids) <= set(want)
    assert len(ids) < len(want)  # the kill came before the end
    assert keyword_ids == set(ids)

    # the next run finishes the job: the same chunks as the clean run, nothing twice
    _, report = build_index(settings, [docs], embeddings, counter, window)
    ids, keyword_ids = _state(settings, embeddings)
    assert sorted(ids) == sorted(want)
    assert keyword_ids == set(want)
    # and a third run changes nothing
    _, report = build_index(settings, [docs], embeddings, counter, window)
    assert report.chunks_added == 0 and report.chunks_removed == 0


def _by_article(settings: Settings, embeddings) -> dict[str, set[str]]:
    from vectorstore.store import open_store

    got = open_store(settings, embeddings, create=False).get(include=["metadatas"])
    out: dict[str, set[str]] = {}
    for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
        out.setdefault(str(meta["article_id"]), set()).add(chunk_id)
    return out


@pytest.mark.parametrize("kill_at", [3, 8])
def test_sigkill_while_replacing_changed_articles_loses_no_article(
    kill_at, tmp_path, embeddings, counter, window
):
    docs = tmp_path / "docs"
    _articles(docs)
    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    build_index(settings, [docs], embeddings, counter, window)
    old = _by_article(settings, embeddings)
    for f in docs.iterdir():  # every article changes
        f.write_text(f.read_text().replace("units", "tonnes"))
    fresh = Settings.from_env({}, persist_dir=tmp_path / "fresh")
    build_index(fresh, [docs], embeddings, counter, window)
    new = _by_article(fresh, embeddings)

    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(docs), str(settings.persist_dir), str(kill_at)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == -9, proc.stderr[-2000:]
    after = _by_article(settings, embeddings)
    # each article still has a whole version, old or new: nothing is answerable from
    # half an article, nothing was lost
    for article, ids in old.items():
        assert ids <= after[article] or new[article] <= after[article], article
    assert after != new  # the kill came before the end

    build_index(settings, [docs], embeddings, counter, window)
    assert _by_article(settings, embeddings) == new


REBUILD_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    import ingest.pipeline as pipeline

    docs, persist, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    real = pipeline.ingest_paths

    def interrupted(*args, progress=None, **kw):
        seen = []

        def hook(event):
            if progress is not None:
                progress(event)
            seen.append(event)
            if len(seen) == 4:  # a few files in: the side index is half built
                if mode == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                raise KeyboardInterrupt  # what Ctrl-C raises

        return real(*args, progress=hook, **kw)

    if mode != "finish":
        pipeline.ingest_paths = interrupted
    from newsdesk.cli import app

    sys.argv = ["newsdesk", "ingest", "--rebuild", docs, "--persist-dir", persist]
    app()
    """
)


def test_an_interrupted_rebuild_keeps_the_old_index(tmp_path, embeddings, counter, window):
    """`ingest --rebuild` deleted the index first, so Ctrl-C half-way left it empty (found
    by a breaker helper). It now builds a side collection and swaps it in when done."""
    from vectorstore.store import check_location

    old_docs, new_docs = tmp_path / "old", tmp_path / "new"
    _articles(old_docs)
    new_docs.mkdir()
    for f in old_docs.iterdir():
        (new_docs / f.name).write_text(f.read_text().replace("units", "tonnes"))
    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    build_index(settings, [old_docs], embeddings, counter, window)
    before = _state(settings, embeddings)

    def rebuild(mode: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", REBUILD_CHILD, str(new_docs), str(settings.persist_dir), mode],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    killed = rebuild("kill")
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert _state(settings, embeddings) == before
    stopped = rebuild("interrupt")
    assert stopped.returncode == 130, stopped.stderr[-2000:]
    assert "interrupted: the old index is unchanged" in stopped.stderr
    assert _state(settings, embeddings) == before

    done = rebuild("finish")
    assert done.returncode == 0, done.stderr[-2000:]
    clean = Settings.from_env({}, persist_dir=tmp_path / "clean")
    build_index(clean, [new_docs], embeddings, counter, window)
    ids, keyword_ids = _state(settings, embeddings)
    want, _ = _state(clean, embeddings)
    assert sorted(ids) == sorted(want) and keyword_ids == set(want)
    client = check_location(settings, create=False)
    assert [c.name for c in client.list_collections()] == [settings.collection]


def test_a_rebuild_in_another_process_is_picked_up_killed_mid_swap_and_locked(
    tmp_path, embeddings, counter, window
):
    """Found by a second breaker helper: (1) a running chat or answer() failed for good
    with Chroma's NotFoundError after another process rebuilt the index (new collection
    id); (2) a kill between deleting the old collection and renaming the new one left no
    index; (3) two rebuilds at once crashed the first."""
    import app
    from vectorstore.store import (
        check_location,
        finish_rebuild,
        open_store,
        rebuild_lock,
        recover_rebuild,
        start_rebuild,
    )

    docs = tmp_path / "docs"
    _articles(docs)
    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    build_index(settings, [docs], embeddings, counter, window)
    question = "What did the harvest report say?"

    def answered() -> bool:  # through the process's cached chain, or a rebuilt one
        a = app.answer(question, persist_dir=settings.persist_dir)
        return not a.abstained and a.citations[0].article_id.endswith("harvest.txt")

    assert answered()
    chunks = len(_state(settings, embeddings)[0])

    # (1) rebuilt by another process: the cached chain holds a deleted collection
    done = subprocess.run(
        [sys.executable, "-c", REBUILD_CHILD, str(docs), str(settings.persist_dir), "finish"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    pieces = list(app.stream_answer(question, persist_dir=settings.persist_dir))
    assert pieces and not pieces[-1].abstained
    assert answered()

    # (2) killed after the old collection was deleted, before the rename
    side = start_rebuild(settings)
    build_index(side, [docs], embeddings, counter, window)
    real_recover = recover_rebuild
    import vectorstore.store as store_module

    store_module.recover_rebuild = lambda target: False  # "killed" before the rename
    try:
        finish_rebuild(side, settings)
    finally:
        store_module.recover_rebuild = real_recover
    client = check_location(settings, create=False)
    assert [c.name for c in client.list_collections()] == [side.collection]
    store = open_store(settings, embeddings, create=False)  # finishes the swap
    assert store._collection.count() == chunks
    assert [c.name for c in client.list_collections()] == [settings.collection]
    assert answered()

    # (3) a second rebuild while one holds the lock is refused at once
    lock = rebuild_lock(settings)
    try:
        second = subprocess.run(
            [sys.executable, "-c", REBUILD_CHILD, str(docs), str(settings.persist_dir), "finish"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        lock.release()
    assert second.returncode == 2 and "another rebuild of the index" in second.stderr

    # (4) two processes saw the swap half done: one finishes it, the other finds it done
    # (a breaker's: the second renamed a collection that was gone and told a reader to
    # rebuild)
    side = start_rebuild(settings)
    build_index(side, [docs], embeddings, counter, window)
    store_module.recover_rebuild = lambda target: False
    try:
        finish_rebuild(side, settings)  # "killed" before the rename again
    finally:
        store_module.recover_rebuild = real_recover
    swap = store_module._lock_file(settings, "swap")
    swap.acquire()
    try:
        other = subprocess.Popen(
            [sys.executable, "-c", RECOVER_CHILD, str(settings.persist_dir)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert other.stderr is not None and other.stderr.readline().strip() == "ready"
        time.sleep(3)  # it has seen the marker and waits for the lock
        assert other.poll() is None
        # this process swaps, as recover_rebuild does under the lock
        client.get_collection(side.collection).modify(name=settings.collection)
        store_module._move_sqlite(
            store_module._keyword_path(side), store_module._keyword_path(settings)
        )
        store_module._complete_marker(settings).unlink()
    finally:
        swap.release()
    out, err = other.communicate(timeout=600)
    assert other.returncode == 0 and out.strip() == "False", err[-2000:]
    assert [c.name for c in client.list_collections()] == [settings.collection]
    assert answered()


#: Finishes a half-done swap in another process; prints whether it did.
RECOVER_CHILD = textwrap.dedent(
    """
    import sys
    from newsdesk.settings import Settings
    from vectorstore.store import recover_rebuild

    print("ready", file=sys.stderr, flush=True)
    print(recover_rebuild(Settings.from_env({}, persist_dir=sys.argv[1])))
    """
)


def test_two_ingests_at_once_store_each_story_once(tmp_path, embeddings):
    """Found by a breaker helper: two `newsdesk ingest` runs into one index at the same
    time each checked for copies against the index as it was before either wrote, so a
    story in both folders was stored twice. Ingests into one index now take turns, and
    neither opens a new index before its turn."""
    import os
    import shutil
    import time

    from vectorstore.store import open_store, write_lock

    first, second = tmp_path / "first", tmp_path / "second"
    _articles(first)
    second.mkdir()
    for f in first.iterdir():
        shutil.copy(f, second / f"copy-{f.name}")
    persist = tmp_path / "index"
    settings = Settings.from_env({}, persist_dir=persist)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    held = write_lock(settings)  # both start while the lock is taken, then race for it
    try:
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "newsdesk.cli",
                    "ingest",
                    str(folder),
                    "--persist-dir",
                    str(persist),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for folder in (first, second)
        ]
        time.sleep(15)  # long enough for both to load the model and wait on the lock
        # neither opened the new index before holding the lock: two clients creating
        # Chroma's tables at once collided ("table collections already exists", CI)
        assert not (persist / "chroma.sqlite3").exists()
    finally:
        held.release()
    outputs = [r.communicate(timeout=600) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert all("waiting for it to finish" in err for _, err in outputs)
    stored = open_store(settings, embeddings, create=False).get(include=["metadatas"])
    articles = {m["article_id"] for m in stored["metadatas"]}
    assert len(articles) == len(TOPICS)  # one of each pair; the other was skipped as a copy


def test_ctrl_c_while_waiting_for_another_ingest_says_nothing_was_written(tmp_path):
    """A breaker's: Ctrl-C on an ingest waiting for another's turn exited 130 silently."""
    import os
    import signal
    import threading

    from vectorstore.store import write_lock

    _articles(tmp_path / "articles")
    persist = tmp_path / "index"
    held = write_lock(Settings.from_env({}, persist_dir=persist))
    try:
        run = subprocess.Popen(
            [sys.executable, "-m", "newsdesk.cli", "ingest", str(tmp_path / "articles"),
             "--persist-dir", str(persist)],
            cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert run.stderr is not None
        watchdog = threading.Timer(300, run.kill)  # a run that never says it waits fails
        watchdog.start()
        seen = ""
        while "waiting for it to finish" not in seen and run.poll() is None:
            seen += run.stderr.readline()  # the notice is printed before it waits
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=120)
        err = seen + err
        watchdog.cancel()
    finally:
        held.release()
    assert "waiting for it to finish" in seen and run.returncode == 130, err[-2000:]
    assert "interrupted while waiting for the other ingest: nothing was written" in err
    assert not (persist / "chroma.sqlite3").exists()
