"""A persistent embedding cache: vectors keyed by model identity and text content hash.

:class:`CachedEmbeddings` wraps any LangChain ``Embeddings``. ``embed_documents`` looks
every text up by ``sha256(text)`` under the model's fingerprint (see
:func:`model_fingerprint`: model name plus the sha256 of its weights) and calls the
wrapped model only for the texts it has not seen; ``embed_query`` always passes through.
So re-ingesting unchanged chunks with an unchanged model (``ingest --rebuild``, a fresh
``--persist-dir``, an edited article whose other chunks moved) never re-embeds them, and
vectors of two models are never mixed.

The extractive answerer, given a wrapper over the same file, reads its sentence vectors
here instead of embedding ~150 sentences per question. They get there in one of three ways
(``sentence_vectors``): the default ``background`` pass of the chat and ``answer()``
(:mod:`qa.sentence_fill`), ``ingest`` (the ingest-side wrapper stores them with the
chunks), or ``lazy`` (the answerer stores what it embeds). A sentence is embedded once, ever.

The store is one SQLite file (default ``<persist_dir>/embedding-cache.sqlite3``; the
``embedding_cache`` setting moves it or turns it off). Vectors are float32 bytes, so a
cached vector is bit-for-bit the one the model returned. A file that is not a readable
SQLite cache is moved aside and rebuilt with a warning; if it cannot be rebuilt the run
goes on without a persistent cache (also with a warning), never fails.

Not here: eviction (entries are small: 1.5 KiB per 384-d vector) and sharing one file
between processes that write at the same time beyond what SQLite's own locking gives.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sqlite3
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from newsdesk.errors import BadInput
from newsdesk.settings import PACKAGED_EMBEDDING_MODEL, Settings

#: File name of the cache inside the index folder when no other place is set.
DEFAULT_CACHE_NAME = "embedding-cache.sqlite3"
#: ``embedding_cache`` setting value that turns the cache off.
CACHE_OFF = "off"
_SCHEMA = 1
_LOOKUP_BATCH = 500  # parameters per SELECT, well below SQLite's limit


def model_fingerprint(model: str) -> str:
    """A string that changes whenever the vectors a model returns could change.

    ``packaged:all-MiniLM-L6-v2`` → its name and the checked weights' sha256; a local
    folder → its resolved path and the sha256 of its weights file(s)
    (``*.safetensors``, ``pytorch_model.bin``); any other name → the name itself (a
    Hugging Face cache entry, immutable offline). ``norm`` records that vectors are
    L2-normalised, as :func:`vectorstore.embeddings.load_embeddings` makes them.
    """
    from vectorstore.embeddings import PACKAGED_MODEL_SHA256

    if model == PACKAGED_EMBEDDING_MODEL:
        return f"{model}|sha256:{PACKAGED_MODEL_SHA256}|norm"
    folder = Path(model).expanduser()
    if folder.is_dir():
        digest = hashlib.sha256()
        weights = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("pytorch_model.bin"))
        for w in weights:
            with w.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
        return f"{folder.resolve().as_posix()}|sha256:{digest.hexdigest()}|norm"
    return f"{model}|norm"


def content_hash(text: str) -> str:
    """sha256 (hex) of the UTF-8 text: the cache key of one text under one model."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cache_path(settings: Settings) -> Path | None:
    """Where the embedding cache of ``settings`` lives; ``None`` when it is turned off.

    ``embedding_cache`` empty → ``<persist_dir>/embedding-cache.sqlite3``; ``off`` →
    ``None``; an existing folder → that folder's ``embedding-cache.sqlite3``; else the
    file named.
    """
    value = settings.embedding_cache.strip()
    if value.lower() == CACHE_OFF:
        return None
    if not value:
        return settings.persist_dir / DEFAULT_CACHE_NAME
    path = Path(value).expanduser()
    return path / DEFAULT_CACHE_NAME if path.is_dir() or value.endswith("/") else path


class EmbeddingCache:
    """The SQLite table ``vectors(model, hash, vector)`` (float32 bytes).

    Args:
        path: the SQLite file (created with its folder), or ``None`` for an in-memory
            cache that lasts as long as the object.

    A file that cannot be opened as this cache is renamed to ``<name>.corrupt`` (or
    deleted) and created anew, with a :class:`RuntimeWarning`; when even that fails,
    the cache lives in memory (another warning).
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._connect(":memory:")
        _refuse_foreign_file(self.path)
        try:
            return self._connect(str(self.path))
        except (sqlite3.Error, OSError) as e:
            warnings.warn(
                f"the embedding cache {self.path} is unreadable ({e}); rebuilding it",
                RuntimeWarning,
                stacklevel=3,
            )
        try:
            self._move_aside(self.path)
            return self._connect(str(self.path))
        except (sqlite3.Error, OSError) as e:
            warnings.warn(
                f"cannot rebuild the embedding cache {self.path} ({e}); this run keeps "
                "vectors in memory only",
                RuntimeWarning,
                stacklevel=3,
            )
            self.path = None
            return self._connect(":memory:")

    @staticmethod
    def _connect(where: str) -> sqlite3.Connection:
        if where != ":memory:":
            Path(where).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(where, check_same_thread=False, timeout=30)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, _SCHEMA):
                raise sqlite3.DatabaseError(f"unknown cache schema version {version}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, hash TEXT NOT NULL, "
                "vector BLOB NOT NULL, PRIMARY KEY (model, hash)) WITHOUT ROWID"
            )
            db.execute(f"PRAGMA user_version={_SCHEMA}")
            db.execute("SELECT model, hash, vector FROM vectors LIMIT 1").fetchall()
            db.commit()
        except sqlite3.Error:
            db.close()
            raise
        return db

    @staticmethod
    def _move_aside(path: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            p = Path(f"{path}{suffix}")
            if p.exists():
                try:
                    p.replace(Path(f"{p}.corrupt"))
                except OSError:
                    p.unlink()

    def get(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors of ``hashes`` under ``model`` (absent ones are left out)."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(hashes), _LOOKUP_BATCH):
                part = list(hashes[i : i + _LOOKUP_BATCH])
                marks = ",".join("?" * len(part))
                try:
                    rows = self._db.execute(
                        f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})",
                        [model, *part],
                    ).fetchall()
                except sqlite3.DatabaseError as e:
                    self._recover(e)
                    return {}
                for h, blob in rows:
                    found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, items: Sequence[tuple[str, np.ndarray]]) -> None:
        """Store ``(hash, vector)`` pairs under ``model``, in one transaction."""
        rows = [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items]
        with self._lock:
            try:
                with self._db:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO vectors (model, hash, vector) VALUES (?, ?, ?)",
                        rows,
                    )
            except sqlite3.DatabaseError as e:
                self._recover(e)

    def count(self, model: str | None = None) -> int:
        """Vectors stored (under ``model``, or in all)."""
        with self._lock:
            if model is None:
                return int(self._db.execute("SELECT count(*) FROM vectors").fetchone()[0])
            return int(
                self._db.execute(
                    "SELECT count(*) FROM vectors WHERE model = ?", (model,)
                ).fetchone()[0]
            )

    def _recover(self, error: sqlite3.Error) -> None:
        """A read or write failed mid-run (the file was damaged or replaced): rebuild."""
        warnings.warn(
            f"the embedding cache {self.path} failed ({error}); rebuilding it",
            RuntimeWarning,
            stacklevel=4,
        )
        self._db.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                self._move_aside(self.path)
        self._db = self._open()

    def close(self) -> None:
        self._db.close()


#: SQLite's result code for a file that is not a database (no SQLite header).
_SQLITE_NOTADB = 26


#: File name endings of a file meant as a cache: one that is not a readable cache is
#: moved aside and rebuilt; any other file in the way is refused, never moved.
CACHE_SUFFIXES = (".sqlite3", ".sqlite", ".db")


def _refuse_foreign_file(path: Path) -> None:
    """Refuse a cache path that holds something else: moving it aside (as a damaged cache
    is) would rename a user's file, and the cache would then be written in its place.

    Raises:
        BadInput: ``path`` is a folder or a non-SQLite (even empty) file and not named
            like a cache (:data:`CACHE_SUFFIXES`), or a SQLite database with tables or
            columns besides the cache's.
    """
    advice = (
        "set NEWSDESK_EMBEDDING_CACHE (or embedding_cache) to a new file, a folder, or "
        "'off'; newsdesk does not move or overwrite it"
    )
    named_as_cache = path.suffix.lower() in CACHE_SUFFIXES
    if path.is_dir() and not named_as_cache:
        raise BadInput(f"the embedding cache {path} is a folder: {advice}")
    try:
        empty = path.stat().st_size == 0
    except OSError:
        return  # absent or unreadable: _open deals with it
    if not path.is_file():
        return  # a folder named like a cache: _open fails on it and says so
    foreign = BadInput(f"the embedding cache {path} is another kind of file: {advice}")
    if empty:
        if not named_as_cache:  # even an empty file is somebody's
            raise foreign
        return
    # Probed through SQLite, never with open()/close() of our own: closing any descriptor
    # of a file drops every POSIX lock this process holds on it, including those of a
    # live connection to the same cache, and another process could then delete the
    # write-ahead log under it ("disk I/O error"). SQLite's own connections share locks.
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
            columns = {str(r[1]) for r in db.execute("PRAGMA table_info(vectors)")}
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error as e:
        if getattr(e, "sqlite_errorcode", None) == _SQLITE_NOTADB and not named_as_cache:
            raise foreign from e
        return  # a damaged database: _open moves it aside as a damaged cache
    tables = {str(r[0]) for r in rows}
    # a cache of another schema version (its user_version set) is rebuilt like a damaged
    # one; a "vectors" table of other columns and no version is another program's
    foreign_columns = columns and columns != {"model", "hash", "vector"} and not version
    if tables - {"vectors"} or foreign_columns:
        raise BadInput(
            f"the embedding cache {path} is another SQLite database (tables: "
            f"{', '.join(sorted(tables))}): {advice}"
        )


class CachedEmbeddings(Embeddings):
    """``Embeddings`` that consult an :class:`EmbeddingCache` before the wrapped model.

    Args:
        inner: the model (e.g. from :func:`vectorstore.embeddings.load_embeddings`).
        cache: where vectors are kept.
        model: the model's fingerprint (:func:`model_fingerprint`), part of every key.
        sentences: also embed and store, for every text, the sentences the extractive
            answerer scores (``qa.extractive``: :func:`ingest.sentences.sentence_spans`
            with at least one term), so answering never embeds them. Their vectors are
            returned by nothing here; the answerer finds them in the cache by content.

    ``misses`` counts the texts handed to ``inner.embed_documents`` so far.
    """

    def __init__(
        self, inner: Embeddings, cache: EmbeddingCache, model: str, *, sentences: bool = False
    ):
        self.inner, self.cache, self.model = inner, cache, model
        self.sentences = sentences
        # where the sentences are embedded and stored (:func:`with_cache` sets a float32
        # one, :func:`sentence_embeddings`)
        self.sentence_side: CachedEmbeddings = self
        self.misses = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of ``texts`` in order: cached ones read, the rest embedded and stored."""
        vectors = self._embed(texts)
        if self.sentences:
            from qa.extractive import scorable_sentences

            sentences = list(dict.fromkeys(s for t in texts for s in scorable_sentences(t)))
            self.sentence_side._embed(sentences)
        return vectors

    def embed_headline_readings(self, chunks: Sequence[tuple[str, str]]) -> None:
        """With ``sentences``: also embed and store the headline readings of the chunks'
        sentences (``qa.extractive.headline_reading``: "It employs 146 people." after its
        article's title), given ``(chunk text, article title)`` pairs. The chunk texts
        alone do not say their article's title, so the writer passes it here."""
        if not self.sentences:
            return
        from qa.extractive import headline_readings

        # only the readings: embed_documents has stored the sentences themselves
        self.sentence_side._embed(
            list(dict.fromkeys(r for t, title in chunks for r in headline_readings(t, title)))
        )

    def _embed(self, texts: list[str]) -> list[list[float]]:
        hashes = [content_hash(t) for t in texts]
        found = self.cache.get(self.model, list(dict.fromkeys(hashes)))
        todo = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
        if todo:
            vectors = self.inner.embed_documents(list(todo.values()))
            self.misses += len(todo)
            fresh = [
                (h, np.asarray(v, dtype=np.float32)) for h, v in zip(todo, vectors, strict=True)
            ]
            self.cache.put(self.model, fresh)
            found.update(fresh)
        return [found[h].tolist() for h in hashes]

    def embed_query(self, text: str) -> list[float]:
        """The wrapped model's query vector (queries are not cached)."""
        return self.inner.embed_query(text)


class QueryMemo(Embeddings):
    """``Embeddings`` that remember the vectors of the last ``size`` queries.

    One question is embedded as a query twice per answer: by the retriever (dense search)
    and by the extractive answerer (sentence scoring). On a CPU that second forward pass
    was half of the answer time (profiled on rgb-en-news, bench/RESULTS.md); with this
    wrapper shared by both, a question is embedded once. Documents pass through.
    Thread-safe (the chat serves several sessions at once).

    Args:
        inner: the model.
        size: how many distinct query texts to keep (least recently used dropped).
    """

    def __init__(self, inner: Embeddings, size: int = 256):
        self.inner, self.size = inner, size
        self._memo: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """The wrapped model's vectors (documents are not memoized here)."""
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        """The query's vector: remembered if asked recently, else from the wrapped model."""
        with self._lock:
            if text in self._memo:
                self._memo.move_to_end(text)
                return list(self._memo[text])
        vector = self.inner.embed_query(text)
        with self._lock:
            self._memo[text] = list(vector)
            while len(self._memo) > self.size:
                self._memo.popitem(last=False)
        return vector


def with_cache(embeddings: Embeddings, settings: Settings, *, ingest: bool = True) -> Embeddings:
    """``embeddings`` behind the persistent cache that ``settings`` names, or unchanged
    when ``embedding_cache`` is ``off``.

    Args:
        ingest: the wrapper embeds chunks for ingestion, so with ``sentence_vectors=ingest``
            it also stores their sentences' vectors (in float32, as
            :func:`sentence_embeddings` reads them); ``False`` for the answerer's use.

    Raises:
        BadInput: ``sentence_vectors=ingest`` with the cache turned off (nowhere to keep them).
    """
    path = cache_path(settings)
    if path is None:
        if settings.sentence_vectors == "ingest":
            raise BadInput(
                "sentence_vectors=ingest keeps sentence vectors in the embedding cache, which "
                "is off: set NEWSDESK_EMBEDDING_CACHE to a file, or sentence_vectors=lazy"
            )
        return embeddings
    cached = CachedEmbeddings(
        embeddings,
        EmbeddingCache(path),
        _fingerprint(settings.embedding_model, settings.embedding_precision),
        sentences=ingest and settings.sentence_vectors == "ingest",
    )
    if cached.sentences:
        side = sentence_embeddings(settings)
        assert isinstance(side, CachedEmbeddings)  # the cache is on
        cached.sentence_side = side
    return cached


#: Precision of the extractive answerer's sentence vectors, whatever ``embedding_precision``
#: says. A bfloat16 vector depends on the batch its text is embedded in (a sentence's
#: cosine to a question moved by up to 5e-4 between batches), so answers depended on
#: whether the background pass, ingestion or the answerer embedded a sentence first: one
#: question was refused in one run and answered in the next (heldout-18, on an AMX CPU).
#: Float32 vectors agree to 1e-7 whatever the batch.
SENTENCE_PRECISION = "fp32"


def sentence_embeddings(settings: Settings, model: Embeddings | None = None) -> Embeddings:
    """The embeddings the extractive answerer reads sentence vectors from: ``model`` (by
    default the embedding model of ``settings`` in :data:`SENTENCE_PRECISION`) behind the
    persistent cache under that precision's fingerprint (unchanged with the cache off).

    ``model`` must compute float32 vectors (a query wrapper over such a model is fine).
    """
    from vectorstore.embeddings import load_embeddings

    if model is None:
        model = load_embeddings(settings.embedding_model, SENTENCE_PRECISION)
    return with_cache(
        model,
        settings.replace(embedding_precision=SENTENCE_PRECISION, sentence_vectors="lazy"),
        ingest=False,
    )


@functools.cache
def _fingerprint(model: str, precision: str) -> str:
    from vectorstore.embeddings import resolve_precision

    # bfloat16 vectors are cached apart (float32 keeps the fingerprint it always had), so
    # NEWSDESK_EMBEDDING_PRECISION=fp32 never reads a bfloat16 vector back
    bf16 = resolve_precision(precision) == "bf16"
    return model_fingerprint(model) + ("|bf16" if bf16 else "")
