"""The Chroma collection, bound to the embedding model and chunking it was built with.

The collection lives in an embedded ``PersistentClient`` folder (``persist_dir``) or, with
``chroma_url``, on a Chroma server reached through ``chromadb.HttpClient`` (started with
``chroma run --path DIR --host HOST --port PORT``).

A collection's metadata records ``embedding_model``, ``chunk_size``, ``chunk_overlap`` and
``chunker``; opening it with other values raises :class:`~newsdesk.errors.IndexMismatch`
before anything is read or written, so vectors of two models are never mixed. Writes are
upserts keyed by deterministic chunk ids. Every write also stores a fresh random
``revision`` in the collection metadata, so readers can tell cheaply that it changed.

The BM25 keyword index (SQLite FTS5, :mod:`vectorstore.keyword`) is always a local file in
``persist_dir``. With a server it is a *cache* of the server's collection, not a second
source of truth: :class:`SyncedKeywordIndex` reads the collection's ``revision`` before
every search (one metadata read, about 1 ms against a local server) and, when it differs
from the revision it last synced to, diffs chunk ids with the collection and fetches only
what is missing. So a process serving answers sees articles another process (or another
machine) ingested, without a restart, and several machines may each keep their own
cache. Storing the BM25 state on the server was the alternative; Chroma has no keyword
ranking to keep it in (its full-text ``$contains`` filter does not rank), and a shared
SQLite file would not work across machines.

Not here: authentication headers for a remote Chroma server, Chroma Cloud.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
import uuid
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ingest import dedup
from ingest.models import Chunk
from newsdesk.errors import BadInput, IndexMismatch, IndexNotFound, NewsdeskError
from newsdesk.settings import Settings, chroma_address
from qa.filters import published_day
from vectorstore.embedding_cache import CachedEmbeddings
from vectorstore.keyword import KeywordIndex, keyword_index_path

if TYPE_CHECKING:
    from filelock import FileLock

#: Version of the chunking rules; bump it when chunk boundaries or ids change (v3: feed
#: items are keyed by their own id or content, not their line; an older index would hold
#: each feed item twice, under both ids, until pruned; v4: a sentence may open with a
#: capital of any script, "Łódź", not only A-Z, so such text is chunked differently; v5:
#: story lines that looked like page furniture, "Sign up numbers were ..., the board
#: said.", are indexed, see :mod:`ingest.boilerplate`; v6: more such lines; v7: a
#: table's rows of a few words a cell, "Anna Brandt | Head Baker | Harbour", are indexed;
#: v8: a quotation of a few sentences in one paragraph is one sentence, see
#: :mod:`ingest.sentences`, a sentence ends at every line break, and a vertical tab or
#: form feed is a line break, not dropped).
CHUNKER_VERSION = "sentences-v8"
_BOUND_KEYS = ("embedding_model", "chunk_size", "chunk_overlap", "chunker")
#: How to name the index folder in advice: errors reach CLI, chat and Python users alike.
PERSIST_DIR_HINT = "--persist-dir (NEWSDESK_PERSIST_DIR; persist_dir= from Python)"
#: Chunk metadata newsdesk itself keeps (positions, hashes, signatures); the rest is the
#: article's own metadata (author, url, category, page, ...).
INTERNAL_KEYS = frozenset(
    {
        "article_id",
        "chunk_index",
        "start",
        "end",
        "n_tokens",
        "content_hash",
        "minhash",
        "title",
        "source",
        "published",
        "published_day",
        "source_file",
        "score",
        "rank",
    }
)


def index_signature(settings: Settings) -> dict[str, Any]:
    """The collection metadata that binds an index to its model and chunking."""
    return {
        "embedding_model": settings.embedding_model,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "chunker": CHUNKER_VERSION,
    }


def open_store(settings: Settings, embeddings: Embeddings | None, *, create: bool) -> Chroma:
    """Open (or create) the Chroma collection described by ``settings``.

    Args:
        settings: ``chroma_url`` (a server) or ``persist_dir`` (embedded) and ``collection``
            locate it; the signature fields bind it.
        embeddings: the embedding model the collection is (to be) built with; ``None``
            opens it to read (``get``) and delete only: adding and searching then fail.
        create: create the collection when it does not exist; when ``False`` a missing
            collection raises :class:`IndexNotFound`.

    Raises:
        IndexNotFound: no such collection and ``create`` is false.
        IndexMismatch: the collection was built with another model or chunking.
        NewsdeskError: Chroma cannot open the directory, or the server cannot be reached.
    """
    client = check_location(settings, create=create)
    try:
        existing = {c.name for c in client.list_collections()}
    except Exception as e:  # chromadb raises many unrelated types for a broken directory
        raise NewsdeskError(_cannot_open(str(_where(settings)), e)) from e
    if settings.collection not in existing and recover_rebuild(settings):
        existing.add(settings.collection)  # a rebuild killed mid-swap, now finished
    wanted = index_signature(settings)
    if settings.collection in existing:
        meta = client.get_collection(settings.collection, embedding_function=None).metadata or {}
        if not settings.chroma_url:
            folder = str(settings.persist_dir)
            now = meta.get("revision")
            if folder in _IN_STEP and _IN_STEP[folder] != now:
                # another process wrote since this process's Chroma state was read: a
                # chat that had added articles itself missed those `newsdesk ingest`
                # added beside it (a breaker's)
                forget_local_client(settings)
                client = check_location(settings, create=create)
            _IN_STEP[folder] = now
        found = {k: meta.get(k) for k in _BOUND_KEYS}
        if found != wanted:
            raise IndexMismatch(
                f"the index {settings.collection!r} at {_where(settings)} was built with "
                f"{_describe(found)}, but this run uses {_describe(wanted)}. Rebuild it with "
                f"`newsdesk ingest --rebuild PATH...` (same settings), or point "
                f"{PERSIST_DIR_HINT} at another folder."
            )
    elif create:
        if not settings.chroma_url:
            _IN_STEP[str(settings.persist_dir)] = None  # a new collection, read by no one
        client.create_collection(
            settings.collection,
            metadata=wanted,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
    else:
        raise IndexNotFound(_not_found(settings))
    return Chroma(
        client=client,
        collection_name=settings.collection,
        embedding_function=embeddings,
        create_collection_if_not_exists=False,
    )


def check_location(settings: Settings, *, create: bool) -> Any:
    """Fail fast on an index location that cannot work, before any model is loaded.

    Cheap checks (no embedding model needed): those of :func:`check_folder`, or that the
    Chroma server answers. Returns the Chroma client for that location; opening it
    creates the index files in an empty folder, so a writer calls this only while it
    holds :func:`write_lock`.

    Raises:
        IndexNotFound: ``create`` is false and the folder holds no index.
        NewsdeskError: the folder is a file or cannot be written; the server cannot be
            reached.
    """
    check_folder(settings, create=create)
    return _client(settings)


def check_folder(settings: Settings, *, create: bool) -> None:
    """The checks of :func:`check_location` that open nothing: the index folder is a
    folder, can be created or written when ``create``, and holds an index when not.
    Nothing to check for a Chroma server (``settings.chroma_url``).

    Two ingests that each opened a client on one new folder at once raced to create
    Chroma's tables, and one failed ("table collections already exists"); this check
    is safe before :func:`write_lock`, opening the client is not.

    Raises:
        IndexNotFound: ``create`` is false and the folder holds no index.
        BadInput: ``create`` and the folder holds no index but other files (only an
            empty folder, or one holding newsdesk's own files, becomes an index).
        NewsdeskError: the folder is a file or cannot be written.
    """
    if settings.chroma_url:
        return
    where = settings.persist_dir
    dangling = next((p for p in (where, *where.parents) if p.is_symlink() and not p.exists()), None)
    if dangling is not None:
        # mkdir failed on it with a traceback (FileExistsError, a breaker's)
        raise NewsdeskError(
            f"the index folder {where} lies behind the symlink {dangling}, which points to "
            f"{os.readlink(dangling)}, which does not exist: create that folder, or point "
            f"{PERSIST_DIR_HINT} elsewhere"
        )
    if where.exists() and not where.is_dir():
        raise NewsdeskError(
            f"the index folder {where} is a file: point {PERSIST_DIR_HINT} at a folder"
        )
    if not create and not (where / "chroma.sqlite3").is_file():
        raise IndexNotFound(_not_found(settings))
    if create and where.is_dir() and not (where / "chroma.sqlite3").is_file():
        # `--persist-dir .` in a folder of the user's own files: a rebuild later tidies
        # the index folder, and nothing of theirs may be in reach of that (a breaker's)
        shown = _foreign_files(where)
        if shown:
            raise BadInput(
                f"the index folder {where.resolve()} already holds files that are not a newsdesk "
                f"index ({shown}): point {PERSIST_DIR_HINT} at a new or empty folder"
            )
    existing = next((p for p in (where, *where.parents) if p.exists()), None)
    if (
        create
        and existing is not None
        and (not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK))
    ):
        raise NewsdeskError(
            f"cannot write the index at {where}: {existing} is not a writable folder. "
            f"Point {PERSIST_DIR_HINT} at a folder you can write."
        )


def _foreign_files(folder: Path) -> str:
    """The names of the entries of ``folder`` that are not an index's own files (see
    :func:`_is_own_file`), the first three and how many more; ``""`` when none."""
    foreign = sorted(p.name for p in _entries(folder) if not _is_own_file(p))
    more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
    return ", ".join(foreign[:3]) + more


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _is_own_file(path: Path) -> bool:
    """Whether ``path``, in an index folder, is a file newsdesk or Chroma writes there: the
    databases (and SQLite's side files), locks, markers, segment folders."""
    name = path.name
    if _is_segment_folder(path):
        try:
            uuid.UUID(name)
            return True
        except ValueError:
            return False
    return name == ".DS_Store" or (path.is_file() and bool(_OWN_FILE.fullmatch(name)))


#: The names of the files newsdesk and Chroma write in an index folder: the databases with
#: SQLite's side files, and the keyword index's locks and rebuild marker. Exact: any
#: ``*.lock`` counted, and an index was made beside a user's ``project.lock`` (a breaker's).
_OWN_FILE = re.compile(
    r"(?:chroma|embedding-cache|.+\.keyword)\.sqlite3(?:-journal|-wal|-shm)?"
    r"|.+\.keyword\.sqlite3\.(?:write|rebuild|swap)\.lock|.+\.keyword\.sqlite3\.rebuild-complete"
)


def _client(settings: Settings) -> Any:
    """A Chroma client: ``HttpClient`` for ``settings.chroma_url``, else ``PersistentClient``.

    Raises:
        NewsdeskError: the server cannot be reached (with the command that starts one), or
            the folder cannot be opened.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    quiet = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        host, port, ssl = chroma_address(settings.chroma_url)
        try:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=quiet)
        except Exception as e:  # ValueError("Could not connect..."), httpx and OS errors
            raise NewsdeskError(
                f"cannot reach Chroma at {settings.chroma_url}: start it with "
                f"`chroma run --path DIR --host {host} --port {port}`, or fix --chroma-url "
                f"/ NEWSDESK_CHROMA_URL ({type(e).__name__}: {e})"
            ) from e
    try:
        return chromadb.PersistentClient(path=str(settings.persist_dir), settings=quiet)
    except Exception as e:  # chromadb raises many unrelated types for a broken directory
        raise NewsdeskError(_cannot_open(str(settings.persist_dir), e)) from e


def _cannot_open(where: str, e: Exception) -> str:
    """Why an index cannot be opened, and what to do: a read-only index is not damaged."""
    if "readonly" in str(e).lower() or "read-only" in str(e).lower():
        return (
            f"cannot open the index at {where}: it is read-only ({e}). Chroma writes to its "
            "folder even to read it: give this user write access to the folder and its "
            f"files, or copy the index somewhere writable and point {PERSIST_DIR_HINT} at it."
        )
    return (
        f"cannot open the index at {where}: {e}. If it is damaged, remove that index folder "
        "and run `newsdesk ingest` again."
    )


def _keyword_path(settings: Settings) -> Path:
    if not settings.chroma_url:
        return keyword_index_path(settings.persist_dir, settings.collection)
    host, port, _ = chroma_address(settings.chroma_url)
    return keyword_index_path(settings.persist_dir, f"{settings.collection}@{host}_{port}")


#: The collection revision that this process's Chroma state of each embedded index folder
#: is in step with: read when :func:`open_store` opened it, or written by this process
#: (:func:`bump_revision`). Chroma keeps one state per folder per process, so this is
#: per process too.
_IN_STEP: dict[str, Any] = {}


def bump_revision(store: Chroma) -> str:
    """Record in the collection metadata that its contents changed; returns the new
    revision (a random hex string: two writers can never store the same one)."""
    meta = store._collection.metadata or {}
    revision = uuid.uuid4().hex
    store._collection.modify(metadata={**{k: meta[k] for k in _BOUND_KEYS}, "revision": revision})
    folder = getattr(store._client, "_identifier", None)
    if isinstance(folder, str):
        _IN_STEP[folder] = revision  # this process's own write: its state has it
    return revision


def collection_revision(store: Chroma) -> str | None:
    """The collection's current ``revision``, read afresh (``None`` before the first write
    by this version of newsdesk)."""
    fresh = store._client.get_collection(store._collection.name)
    value = (fresh.metadata or {}).get("revision")
    return None if value is None else str(value)


def index_file_identity(settings: Settings) -> tuple[int, int] | None:
    """The (device, inode) of the embedded index's database file, which a deleted and
    rebuilt index changes; ``None`` for a Chroma server or when the file is missing."""
    if settings.chroma_url:
        return None
    try:
        st = (settings.persist_dir / "chroma.sqlite3").stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def forget_local_client(settings: Settings) -> None:
    """Make the next ``PersistentClient`` of ``settings.persist_dir`` in this process read
    the folder afresh.

    Chroma keeps one client state per folder per process (``SharedSystemClient``), and
    its vector segment (HNSW) is read into memory once: chunks that *another process*
    writes later are missing from this process's dense search, and fetching them by id
    fails ("Error finding id"). Dropping the cached state (objects already holding it
    keep it until they are dropped) makes the next :func:`open_store` load the folder as
    it is now. Nothing is done for a Chroma server, which is one state for every client.
    """
    if settings.chroma_url:
        return
    from chromadb.api.shared_system_client import SharedSystemClient

    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(str(settings.persist_dir), None)
        SharedSystemClient._identifier_to_refcount.pop(str(settings.persist_dir), None)


class SyncedKeywordIndex(KeywordIndex):
    """A local BM25 index that follows a (possibly remote, possibly shared) collection.

    Before each search it compares the collection's ``revision`` with the one it last
    synced to; on a difference it fetches the chunks it lacks and drops those the
    collection no longer has (see the module docstring for why). Ingestion writes to it
    directly as well, so in the ingesting process the diff finds nothing to fetch.

    Args:
        path: the local SQLite file.
        store: the collection it mirrors.
    """

    _UNSEEN = "\x00unseen"

    def __init__(self, path: Path, store: Chroma):
        super().__init__(path)
        self.store = store
        self._seen: str | None = self._UNSEEN

    def refresh(self) -> bool:
        """Bring the index in step with the collection if it changed; returns whether a
        sync ran. Costs one metadata read when nothing changed."""
        revision = collection_revision(self.store)
        if revision == self._seen:
            return False
        if revision is None or self.get_state("revision") != revision:
            self.sync()
            if revision is not None:
                self.set_state("revision", revision)
        self._seen = revision
        return True

    def sync(self, batch: int = 1000) -> tuple[int, int]:
        """Fetch chunks the collection has and this index lacks, delete those it no longer
        has. Returns ``(added, removed)``."""
        collection = self.store._collection
        remote = set(collection.get(include=[])["ids"])
        local = self.chunk_ids()
        missing, extra = sorted(remote - local), sorted(local - remote)
        for i in range(0, len(missing), batch):
            got = collection.get(ids=missing[i : i + batch], include=["documents", "metadatas"])
            metas = [m or {} for m in got["metadatas"] or []]
            signatures = {
                cid: dedup.to_bytes(sig)
                for cid, m in zip(got["ids"], metas, strict=True)
                if (sig := dedup.decode(m.get("minhash"))) is not None
            }
            self.upsert(
                (
                    (cid, str(m.get("article_id", "")), d or "")
                    for cid, d, m in zip(got["ids"], got["documents"] or [], metas, strict=True)
                ),
                signatures,
            )
        self.delete(extra)
        return len(missing), len(extra)

    def search(
        self, query: str, k: int, *, article_ids: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        self.refresh()
        return super().search(query, k, article_ids=article_ids)


def open_keyword_index(settings: Settings, store: Chroma) -> SyncedKeywordIndex:
    """The BM25 keyword index of the collection (a local file in ``persist_dir``), brought
    in step with the collection.

    The keyword index holds nothing the collection does not: a damaged file is moved
    aside (``<name>.corrupt``, with a :class:`RuntimeWarning`) and rebuilt from the
    collection's chunks, without re-embedding anything.

    Raises:
        NewsdeskError: the keyword index cannot be created even anew (e.g. a read-only
            folder).
    """
    path = _keyword_path(settings)
    try:
        index = SyncedKeywordIndex(path, store)
    except NewsdeskError as e:
        if not isinstance(e.__cause__, sqlite3.DatabaseError) or not path.is_file():
            raise
        warnings.warn(
            f"the keyword index {path} is damaged ({e.__cause__}); it is moved to "
            f"{path.name}.corrupt and rebuilt from the collection",
            RuntimeWarning,
            stacklevel=2,
        )
        _move_sqlite(path, Path(f"{path}.corrupt"))
        index = SyncedKeywordIndex(path, store)
    index.refresh()
    return index


def delete_index(settings: Settings) -> bool:
    """Delete the collection named in ``settings`` and its keyword index; returns whether
    a collection existed."""
    if not settings.chroma_url and not (settings.persist_dir / "chroma.sqlite3").is_file():
        return False
    client = _client(settings)
    try:
        if settings.collection not in {c.name for c in client.list_collections()}:
            return False
        client.delete_collection(settings.collection)
    except Exception as e:  # chromadb raises many unrelated types for a broken directory
        raise NewsdeskError(
            f"cannot open the index at {_where(settings)} to rebuild it: {e}. The index is "
            "damaged: remove that index folder yourself, then run `newsdesk ingest` again."
        ) from e
    _keyword_path(settings).unlink(missing_ok=True)
    drop_orphan_segments(settings)
    return True


#: A rebuild writes into the collection ``<collection><REBUILD_SUFFIX>`` and swaps it in
#: at the end, so an interrupted rebuild leaves the old index as it was.
REBUILD_SUFFIX = "-rebuild"


def _lock_file(settings: Settings, purpose: str) -> FileLock:
    """The (not yet acquired) file lock ``<keyword index>.<purpose>.lock`` beside the index."""
    from filelock import FileLock

    settings.persist_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(f"{_keyword_path(settings)}.{purpose}.lock")


def rebuild_lock(settings: Settings) -> FileLock:
    """Hold this (a file lock beside the index, released when the process ends, even by a
    kill) while rebuilding ``settings``' index: two rebuilds of one index at once would
    delete each other's side collection.

    Raises:
        BadInput: another process is rebuilding this index.
    """
    from filelock import Timeout

    lock = _lock_file(settings, "rebuild")
    try:
        lock.acquire(timeout=0)
    except Timeout as e:
        raise BadInput(
            f"another rebuild of the index at {_where(settings)} is running; wait for it to finish"
        ) from e
    return lock


def write_lock(settings: Settings, on_wait: Callable[[str], None] | None = None) -> FileLock:
    """Acquire, and hold while writing articles into ``settings``' index (an ingest, a
    deletion, a whole rebuild), then ``release()``: ingests into one index run one after
    another, never interleaved.

    Two ingests at once each checked their articles for copies against the index as it
    was before either wrote, so a story in both runs was stored twice. The lock is a
    file beside the index, released when the process ends, even by a kill.

    Args:
        on_wait: called once with a message when another process holds the lock (then
            this one waits for it).
    """
    from filelock import Timeout

    lock = _lock_file(settings, "write")
    try:
        lock.acquire(timeout=0.2)
    except Timeout:
        if on_wait is not None:
            on_wait(
                f"another ingest into the index at {_where(settings)} is running; "
                "waiting for it to finish…"
            )
        lock.acquire()
    return lock


def start_rebuild(settings: Settings) -> Settings:
    """Settings of the side collection a rebuild of ``settings``' index writes into (same
    folder or server, same embedding cache); what an interrupted rebuild left there is
    deleted first, unless it was complete and only its swap was cut short (then the swap
    is finished first). Hold :func:`rebuild_lock` meanwhile.

    Raises:
        NewsdeskError: the index location cannot be opened.
    """
    recover_rebuild(settings)
    side = _side(settings)
    delete_index(side)
    return side


def finish_rebuild(side: Settings, target: Settings) -> None:
    """Replace ``target``'s collection and keyword index with the rebuilt ``side`` ones.

    A marker file says the side collection is complete; then the old collection is
    deleted and Chroma renames the side one in place (``Collection.modify(name=...)``).
    A run killed between those two steps leaves no collection under the name, and
    :func:`recover_rebuild` (called when the index is next opened) finishes the swap.
    Close the side keyword index first.

    Raises:
        NewsdeskError: Chroma refused the swap (the new index stays under ``side``'s name).
    """
    marker = _complete_marker(target)
    marker.write_text("the rebuilt collection is complete\n")
    client = _client(target)
    try:
        if target.collection in {c.name for c in client.list_collections()}:
            client.delete_collection(target.collection)
    except Exception as e:  # chromadb raises many unrelated types
        marker.unlink(missing_ok=True)
        raise NewsdeskError(
            f"the rebuilt index could not replace the old one at {_where(target)}: {e}. "
            "Run `newsdesk ingest --rebuild` again."
        ) from e
    recover_rebuild(target)
    drop_orphan_segments(target)


_SEGMENT_IDS = (
    "import json, sqlite3, sys\n"
    "db = sqlite3.connect(sys.argv[1], timeout=30)\n"
    "print(json.dumps([str(r[0]) for r in db.execute('SELECT id FROM segments')]))\n"
)


def _segment_ids(database: Path) -> set[str] | None:
    """The segment ids in Chroma's ``chroma.sqlite3``, or ``None`` when unreadable.

    Read in a child process: this process's Chroma holds the file open through its own
    SQLite library, and closing a descriptor of ours on the file would drop every POSIX
    lock this process holds on it, Chroma's included.
    """
    import subprocess
    import sys

    try:
        done = subprocess.run(
            [sys.executable, "-c", _SEGMENT_IDS, str(database)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return set(json.loads(done.stdout)) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


#: The files Chroma 1.5 writes into a vector segment's folder (its HNSW index).
SEGMENT_FILES = frozenset(
    {"header.bin", "data_level0.bin", "length.bin", "link_lists.bin", "index_metadata.pickle"}
)


def _is_segment_folder(path: Path) -> bool:
    """Whether ``path`` is a real folder holding only :data:`SEGMENT_FILES` (or nothing)."""
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        return all(f.name in SEGMENT_FILES and f.is_file() for f in path.iterdir())
    except OSError:
        return False


def drop_orphan_segments(settings: Settings) -> list[Path]:
    """Delete the vector-segment folders of collections Chroma has deleted, and return them.

    Chroma 1.5 (``PersistentClient``) deletes a collection's rows but leaves its HNSW
    folder (``<persist_dir>/<segment uuid>/``) on disk, so every rebuild would leave a copy
    of the old index behind. A folder is deleted only when its name is a UUID, it holds
    nothing but the files Chroma writes there (:data:`SEGMENT_FILES`: a user's folder that
    happens to have a UUID name is kept, a breaker's), and no row of ``chroma.sqlite3``'s
    ``segments`` table names it; folders are listed before the table is read, so a
    collection being created meanwhile (its row comes before its folder) is never
    touched. Nothing is done for a Chroma server (``chroma_url``) or when the table cannot
    be read.
    """
    import shutil

    root = settings.persist_dir
    if settings.chroma_url or not (root / "chroma.sqlite3").is_file():
        return []
    folders = []
    for child in root.iterdir():
        try:
            uuid.UUID(child.name)
        except ValueError:
            continue
        if _is_segment_folder(child):
            folders.append(child)
    if not folders:
        return []
    live = _segment_ids(root / "chroma.sqlite3")
    if live is None:
        return []
    dropped = [f for f in folders if f.name not in live]
    for folder in dropped:
        shutil.rmtree(folder, ignore_errors=True)
    return dropped


def recover_rebuild(target: Settings) -> bool:
    """Finish a swap that :func:`finish_rebuild` began: when ``target``'s collection is
    missing and its complete side collection exists, rename that into place and move its
    keyword index file. Returns whether it did.

    Raises:
        NewsdeskError: Chroma refused the rename.
    """
    marker = _complete_marker(target)
    if not marker.is_file():
        return False
    # One process finishes the swap; another that saw the marker too waits, then finds it
    # done. Unserialised, the second renamed a collection that was gone and failed (a
    # breaker's: readers asking while `ingest --rebuild` ran).
    with _lock_file(target, "swap"):
        if not marker.is_file():
            return False
        side = _side(target)
        client = _client(target)
        try:
            names = {c.name for c in client.list_collections()}
            if target.collection in names or side.collection not in names:
                marker.unlink(missing_ok=True)  # nothing half-done here (an old marker)
                return False
            client.get_collection(side.collection).modify(name=target.collection)
        except Exception as e:  # chromadb raises many unrelated types
            raise NewsdeskError(
                f"the rebuilt index could not be put in place at {_where(target)}: {e}. "
                "Run `newsdesk ingest --rebuild` again."
            ) from e
        _move_sqlite(_keyword_path(side), _keyword_path(target))
        marker.unlink(missing_ok=True)
        return True


def _move_sqlite(src: Path, dst: Path) -> None:
    """Move the SQLite file ``src`` with its ``-wal``/``-shm`` companions to ``dst``,
    replacing whatever ``dst`` and its companions were (stale ones are deleted)."""
    for suffix in ("-wal", "-shm", ""):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            Path(f"{src}{suffix}").replace(Path(f"{dst}{suffix}"))


def _side(settings: Settings) -> Settings:
    return settings.replace(collection=settings.collection + REBUILD_SUFFIX)


def _complete_marker(target: Settings) -> Path:
    return Path(str(_keyword_path(target)) + ".rebuild-complete")


def chroma_metadata(meta: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    """Metadata in the types Chroma stores: ``None`` dropped, lists/tuples/sets and dicts
    as JSON strings, dates and datetimes as ISO 8601, other objects as ``str``."""
    out: dict[str, str | int | float | bool] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, bool | int | float | str):
            out[key] = value
        elif isinstance(value, datetime | date):
            out[key] = value.isoformat()
        elif isinstance(value, list | tuple | set | frozenset | dict):
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
            out[key] = json.dumps(items, ensure_ascii=False, default=str)
        else:
            out[key] = str(value)
    return out


def article_metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The article's own metadata of a stored chunk (author, url, category, page, ...):
    everything but :data:`INTERNAL_KEYS`."""
    return {k: v for k, v in meta.items() if k not in INTERNAL_KEYS}


def chunk_to_document(
    chunk: Chunk, content_hash: str, extra: Mapping[str, Any] | None = None
) -> Document:
    """The LangChain ``Document`` stored for a chunk; metadata is passed through
    :func:`chroma_metadata`, so it holds only types Chroma accepts.

    Besides the chunk's own metadata it records ``published_day`` (``YYYYMMDD`` int, when the
    article has a date) and ``source_file`` (the file's name), which retrieval filters use.
    """
    metadata: dict[str, Any] = {
        **chunk.metadata,
        **(extra or {}),
        "article_id": chunk.article_id,
        "chunk_index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "n_tokens": chunk.n_tokens,
        "content_hash": content_hash,
    }
    day = published_day(str(chunk.metadata.get("published") or ""))
    if day is not None:
        metadata["published_day"] = day
    if chunk.metadata.get("source"):
        metadata["source_file"] = PurePath(str(chunk.metadata["source"])).name
    return Document(id=chunk.id, page_content=chunk.text, metadata=chroma_metadata(metadata))


def article_chunk_ids(store: Chroma, article_id: str) -> set[str]:
    """Ids of the chunks stored for one article."""
    got = store.get(where={"article_id": article_id}, include=[])
    return set(got["ids"])


def stored_chunks(
    store: Chroma, article_id: str, content_hash: str
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """What is stored for one article, in one Chroma look-up.

    Returns:
        ``({chunk id: metadata} of the chunks stored under ``article_id``, ids of the
        other articles stored with this exact ``content_hash``)``. One ``$or`` filter
        instead of two look-ups: 15 ms against 24 ms on a 99,516-chunk index
        (bench/RESULTS.md), paid by every article an ingest run reads.
    """
    got = store.get(
        where={"$or": [{"article_id": article_id}, {"content_hash": content_hash}]},
        include=["metadatas"],
    )
    chunks: dict[str, dict[str, Any]] = {}
    copies: set[str] = set()
    for i, m in zip(got["ids"], got["metadatas"], strict=True):
        meta = dict(m or {})
        owner = str(meta.get("article_id"))
        if owner == article_id:
            chunks[i] = meta
        elif meta.get("content_hash") == content_hash:
            copies.add(owner)
    return chunks, copies


def replace_metadata(
    store: Chroma, new: Mapping[str, Mapping[str, Any]], old: Mapping[str, Mapping[str, Any]]
) -> None:
    """Give stored chunks new metadata without re-embedding them. Chroma's ``update``
    merges keys, so keys the new metadata lacks are set to ``None`` (which removes them)."""
    ids = list(new)
    if ids:
        metadatas = [{**dict.fromkeys(set(old.get(i, {})) - set(new[i])), **new[i]} for i in ids]
        store._collection.update(ids=ids, metadatas=metadatas)  # type: ignore[arg-type]


#: Documents per Chroma call; Chroma refuses batches above a server-dependent maximum
#: (5,461 for the embedded store).
WRITE_BATCH = 1000


def upsert_documents(
    store: Chroma,
    documents: Sequence[Document],
    *,
    batch: int = WRITE_BATCH,
    on_written: Callable[[int], None] | None = None,
) -> None:
    """Embed and upsert ``documents`` under their ``id``, ``batch`` at a time (at most
    :data:`WRITE_BATCH`), calling ``on_written(n)`` after each batch of ``n``."""
    docs = list(documents)
    step = max(1, min(batch, WRITE_BATCH))
    for i in range(0, len(docs), step):
        part = docs[i : i + step]
        store.add_documents(part, ids=[str(d.id) for d in part])
        if isinstance(store.embeddings, CachedEmbeddings):
            # sentence vectors at ingest: the headline readings need the article's title
            store.embeddings.embed_headline_readings(
                [(d.page_content, str(d.metadata.get("title") or "")) for d in part]
            )
        if on_written is not None:
            on_written(len(part))


def delete_chunks(store: Chroma, ids: Sequence[str]) -> None:
    """Delete chunks by id, :data:`WRITE_BATCH` at a time (unknown ids are ignored)."""
    for i in range(0, len(ids), WRITE_BATCH):
        store.delete(ids=list(ids[i : i + WRITE_BATCH]))


def _describe(sig: dict[str, Any]) -> str:
    return (
        f"embedding model {sig['embedding_model']!r}, chunk_size {sig['chunk_size']}, "
        f"chunk_overlap {sig['chunk_overlap']}, chunker {sig['chunker']!r}"
    )


def _where(settings: Settings) -> str:
    return settings.chroma_url or str(settings.persist_dir)


def _not_found(settings: Settings) -> str:
    where = (
        "--chroma-url (NEWSDESK_CHROMA_URL; chroma_url= from Python)"
        if settings.chroma_url
        else PERSIST_DIR_HINT
    )
    # the command builds this index, not the default one (a new user's: copied as given,
    # it built .newsdesk/index while --persist-dir pointed elsewhere)
    target = (
        f" --chroma-url {shlex.quote(settings.chroma_url)}"
        if settings.chroma_url
        else ""
        if settings.persist_dir == Settings().persist_dir
        else f" --persist-dir {shlex.quote(str(settings.persist_dir))}"
    )
    foreign = "" if settings.chroma_url else _foreign_files(settings.persist_dir)
    if foreign:
        # the command below would be refused there (a breaker's)
        return (
            f"no index {settings.collection!r} at {_where(settings)}: that folder holds other "
            f"files ({foreign}). Point {where} where your index lives, or at a new or empty "
            "folder and build one there with `newsdesk ingest data/articles --persist-dir "
            "FOLDER`."
        )
    return (
        f"no index {settings.collection!r} at {_where(settings)}. Build it first with "
        f"`newsdesk ingest data/articles{target}`, or point {where} where your index lives."
    )
