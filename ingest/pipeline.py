"""Ingest files into the vector store: load, chunk, upsert, and say what changed.

Re-running on the same files changes nothing: chunk ids are deterministic, an article
whose chunks are all stored already (with the same metadata) is not embedded again, and a
changed article gets its new chunks written before its stale ones are deleted (so an
interrupted run leaves the index usable, and the next run finishes the job). Chunks an
edit left unchanged keep their vectors; only their metadata is rewritten when it changed.

Why not LangChain's indexing API (``langchain_core.indexing.index`` with a record
manager)? Its ``cleanup="incremental"`` mode does what this module does: per source
(here ``article_id``), documents already recorded are skipped, new ones are written and
those the source no longer yields are deleted. But its record manager is a second store
beside the vectors: ``SQLRecordManager`` (langchain-classic, SQLAlchemy) is a local
SQLite file that a Chroma server shared by several machines would not see, and a run
killed between the vector write and the record write leaves the two disagreeing. Here
the Chroma collection *is* the record: every chunk carries its ``article_id`` and
``content_hash``, and chunk ids are deterministic content ids (article id, offset,
text), so "already indexed" is a lookup of ids in the collection itself, whichever
process or machine wrote them. ``tests/test_ingest.py::test_same_outcome_as_langchain_index``
runs ``index()`` with an ``InMemoryRecordManager`` on the same chunks as the oracle:
first ingest, unchanged re-ingest (0 added, 0 deleted) and a changed article (old chunks
removed) give the same counts and the same stored texts.

Copies: an article whose normalised text is identical to one already stored or seen in
the run (a syndicated copy under another file name) is skipped with the name of the
first; a new article whose MinHash resemblance to a kept one reaches
``settings.near_duplicate_threshold`` (a lightly edited copy; see :mod:`ingest.dedup`) is
skipped with the name of that one and the estimated similarity. Its signature is stored
on the article's first chunk (``minhash``), so copies are found across runs. Which copy
is kept does not depend on the order files are read in when they differ in metadata: a
copy with a date, or else a publisher, replaces one without, stored earlier or not
(:func:`_better_described`); metadata is not merged across copies.

Files are listed first, then read one at a time: a file deleted after it was listed is
skipped with that reason and the run goes on. Progress is reported per file and per
batch of chunks embedded, so one very large file still shows movement.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_chroma import Chroma
from langchain_core.documents import Document

from ingest import dedup
from ingest.chunking import EmbeddingWindow, TokenCounter, chunk_article
from ingest.loaders import iter_files, load_entry
from ingest.models import Article, Skipped, split_item_id
from newsdesk.settings import Settings
from vectorstore.keyword import KeywordIndex
from vectorstore.store import (
    article_chunk_ids,
    bump_revision,
    chunk_to_document,
    delete_chunks,
    replace_metadata,
    stored_chunks,
    upsert_documents,
)


@dataclass(frozen=True)
class ProgressEvent:
    """Where a run stands; sent after each file and after each batch of chunks written.

    Attributes:
        files_done, files_total: files read so far, of those listed at the start.
        chunks_done: chunks embedded and written so far.
        chunks_total: chunks queued for embedding so far (grows as files are read).
        current: the file or article last read.
    """

    files_done: int
    files_total: int
    chunks_done: int
    chunks_total: int
    current: str


@dataclass
class _Counts:
    files: int = 0
    chunks: int = 0
    queued: int = 0
    current: str = ""


#: Called with a :class:`ProgressEvent`.
Progress = Callable[[ProgressEvent], None]


@dataclass
class IngestReport:
    """What one ingestion run did. Counts are of files and chunks; seconds is wall time."""

    files_seen: int = 0
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: ingested articles' metadata that was not understood, as (article id, note)
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: absolute paths of files found in folders in a format newsdesk does not read
    #: (``notes.docx``; hidden files are left out), not counted in ``files_seen``
    unsupported: list[str] = field(default_factory=list)
    chunks_added: int = 0
    chunks_updated: int = 0
    chunks_removed: int = 0
    pruned: list[str] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False
    #: files that yielded articles in this run, and the ids of every article and item
    #: read from them (kept or skipped): what :func:`prune_missing` checks feeds against
    read_files: set[str] = field(default_factory=set, repr=False)
    read_ids: set[str] = field(default_factory=set, repr=False)
    #: feeds read with a line that is not JSON: which item it held is unknown, so
    #: :func:`prune_missing` takes none of their items as gone
    partly_read: set[str] = field(default_factory=set, repr=False)

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-ready data. Every path is absolute, as article ids are
        (``ingested``, ``unchanged``, ``pruned``); a skipped path keeps its symlinks (a
        broken one has no target) and a feed item its ``#key``. ``unsupported`` (added
        after the other keys) maps an extension to the files of that type passed over."""
        return {
            "files_seen": self.files_seen,
            "ingested": self.ingested,
            "unchanged": self.unchanged,
            "skipped": [
                {"path": os.path.abspath(s.path), "reason": s.reason} for s in self.skipped
            ],
            "chunks_added": self.chunks_added,
            "chunks_updated": self.chunks_updated,
            "chunks_removed": self.chunks_removed,
            "pruned": self.pruned,
            "notes": [{"path": path, "note": note} for path, note in self.notes],
            "unsupported": self.unsupported_by_type(),
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
        }

    def unsupported_by_type(self) -> dict[str, list[str]]:
        """:attr:`unsupported` by lower-case extension (``".docx"``, ``""`` for none),
        extensions sorted, paths in the order found."""
        by_type: dict[str, list[str]] = {}
        for path in self.unsupported:
            by_type.setdefault(Path(path).suffix.lower(), []).append(path)
        return dict(sorted(by_type.items()))


class _Batch:
    """Chunks of several articles written together: embedding and Chroma's upsert have a
    large fixed cost per call. New chunks are written before stale ones are deleted, so a
    run killed between the two leaves a usable index that the next run completes."""

    def __init__(
        self,
        store: Chroma,
        keyword: KeywordIndex | None,
        write_batch: int,
        on_written: Callable[[int], None],
    ):
        self.store, self.keyword = store, keyword
        self.write_batch, self.on_written = write_batch, on_written
        self.documents: list[Document] = []
        self.rows: list[tuple[str, str, str]] = []
        self.signatures: dict[str, bytes | None] = {}
        self.stale: list[str] = []
        self.updates: dict[str, dict[str, Any]] = {}
        self.previous: dict[str, dict[str, Any]] = {}

    def add(
        self,
        documents: list[Document],
        rows: list[tuple[str, str, str]],
        signatures: dict[str, bytes | None],
        stale: list[str],
        updates: dict[str, dict[str, Any]],
        previous: dict[str, dict[str, Any]],
    ) -> None:
        self.documents += documents
        self.rows += rows
        self.signatures.update(signatures)
        self.stale += stale
        self.updates.update(updates)
        self.previous.update(previous)

    def flush(self) -> None:
        if not (self.documents or self.rows or self.stale or self.updates):
            return
        upsert_documents(
            self.store, self.documents, batch=self.write_batch, on_written=self.on_written
        )
        replace_metadata(self.store, self.updates, self.previous)
        if self.keyword is not None:
            self.keyword.upsert(self.rows, self.signatures)
            self.keyword.delete(self.stale)
        delete_chunks(self.store, self.stale)
        bump_revision(self.store)  # readers elsewhere (a server's clients) catch up
        self.documents, self.rows, self.stale, self.signatures = [], [], [], {}
        self.updates, self.previous = {}, {}

    def drop(self, article_id: str, chunk_ids: set[str]) -> int:
        """Forget what is queued for ``article_id`` (a copy replaced by a better one):
        its new chunks, keyword rows, signature and metadata updates (``chunk_ids``: its
        stored chunks, whose updates are dropped too). Returns how many new chunks were
        dropped unwritten."""
        mine = {str(d.id) for d in self.documents if d.metadata.get("article_id") == article_id}
        self.documents = [d for d in self.documents if str(d.id) not in mine]
        self.rows = [r for r in self.rows if r[1] != article_id]
        for chunk_id in mine | chunk_ids:
            self.signatures.pop(chunk_id, None)
            self.updates.pop(chunk_id, None)
            self.previous.pop(chunk_id, None)
        return len(mine)


def _item_id(path: str) -> str:
    """The article id of a skipped path: a file's resolved path, a feed item's ``#key`` kept."""
    file, item = split_item_id(path)
    try:
        return Path(file).resolve().as_posix() + item
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, skipped for that
        return Path(file).absolute().as_posix() + item


def prune_missing(
    store: Chroma,
    keyword: KeywordIndex | None,
    *,
    dry_run: bool = False,
    report: IngestReport | None = None,
) -> tuple[list[str], int]:
    """Delete the chunks of articles whose source files no longer exist (by the ``source``
    path each chunk records, so all articles of a deleted JSON feed go together), and,
    given the ``report`` of the ingest run just made, of feed items no longer in a feed
    that run read (a file that yielded no article at all is never taken as emptied, nor
    a feed with a line that is not JSON: that line may hold any of its items).

    Returns:
        ``(article ids pruned, chunks removed)``; nothing is deleted with ``dry_run``.
    """
    got = store.get(include=["metadatas"])
    gone: dict[str, list[str]] = {}
    read_files = report.read_files - report.partly_read if report is not None else set()

    @functools.cache
    def file_state(source: str) -> tuple[bool, bool]:  # (exists, read in this run)
        try:
            exists = Path(source).exists()
        except OSError as e:
            # a folder on the way is unreadable: whether the file is gone is unknown, so
            # its articles are kept and said so (a breaker's: a traceback, no summary)
            if report is not None:
                report.notes.append(
                    (source, f"not pruned: cannot check that it exists ({e.strerror})")
                )
            return True, False
        return exists, Path(source).resolve().as_posix() in read_files

    for chunk, meta in zip(got["ids"], got["metadatas"], strict=True):
        article = str((meta or {}).get("article_id", ""))
        source = str((meta or {}).get("source", ""))
        if not article or not source:
            continue
        exists, read = file_state(source)
        dropped = read and report is not None and article not in report.read_ids
        if dropped or not exists:
            gone.setdefault(article, []).append(chunk)
    ids = [c for chunks in gone.values() for c in chunks]
    if not dry_run and ids:
        if keyword is not None:
            keyword.delete(ids)
        delete_chunks(store, ids)
        bump_revision(store)
    return sorted(gone), len(ids)


class _NearCopies:
    """Near-duplicate lookup over the stored articles and this run's.

    Stored articles are found through the keyword index's LSH bands (``keyword``: only
    the candidates' signatures are read and compared) or, for an index whose keyword
    file does not hold every signature yet, were loaded into ``run`` up front.
    """

    def __init__(self, run: dedup.NearDuplicates, keyword: KeywordIndex | None):
        self.run, self.keyword = run, keyword
        self.dropped: set[str] = set()  # stored copies replaced in this run

    def stored(self, sig: Any) -> list[tuple[str, bytes]]:
        """The stored articles sharing an LSH band with ``sig``, ``[(id, signature bytes)]``
        (none without a signature or without the look-ups). Read once per article and
        handed to :meth:`rules_out_stored_copy` and :meth:`find`."""
        if sig is None or self.keyword is None:
            return []
        return self.keyword.signature_candidates(dedup.band_hashes(sig))

    def find(
        self, sig: Any, exclude: str = "", stored: list[tuple[str, bytes]] | None = None
    ) -> tuple[str, float] | None:
        """``(article id, resemblance)`` of the most similar article at or above the
        threshold, ``exclude`` left out; stored articles first on a tie. ``stored``:
        :meth:`stored` of ``sig``, when already read."""
        best = None
        if sig is not None and self.keyword is not None:
            found = self.stored(sig) if stored is None else stored
            for article_id, raw in sorted(found):
                other = dedup.from_bytes(raw)
                if (
                    article_id == exclude
                    or other is None
                    or article_id in self.run
                    or article_id in self.dropped
                ):
                    continue  # (this run's signature of an article replaces its stored one)
                score = dedup.resemblance(sig, other)
                if score >= self.run.threshold and (best is None or score > best[1]):
                    best = (article_id, score)
        mine = self.run.find(sig, exclude)
        if mine is not None and (best is None or mine[1] > best[1]):
            best = mine
        return best

    def add(self, article_id: str, sig: Any) -> None:
        self.run.add(article_id, sig)

    def drop(self, article_id: str) -> None:
        """Compare nothing more with ``article_id``: a copy replaced by a better one."""
        self.dropped.add(article_id)
        self.run.remove(article_id)

    def rules_out_stored_copy(self, sig: Any, stored: list[tuple[str, bytes]]) -> bool:
        """Whether no stored article can hold exactly the text whose signature is ``sig``
        (``stored``: :meth:`stored` of ``sig``).

        Identical texts have identical signatures, which share every LSH band, so a
        stored exact copy is always among the candidates: none with these very bytes
        means none. Only with the LSH look-ups and a signature (50 words or more); else
        ``False`` (ask Chroma).
        """
        if sig is None or self.keyword is None:
            return False
        raw = dedup.to_bytes(sig)
        return all(bytes(other) != raw for _, other in stored)


def _near_copies(store: Chroma, keyword: KeywordIndex | None, threshold: float) -> _NearCopies:
    """The near-duplicate lookup for a run writing to ``store``.

    With a keyword index that holds every signature: LSH look-ups, milliseconds however
    many articles are stored (reading all 24,078 signatures of a 99,516-chunk index took
    60-140 ms per run; from Chroma's metadata, 4-5 s). Otherwise the signatures are read
    from Chroma's metadata once, and stored in the keyword index (when there is one) so
    that later runs use the look-ups.
    """
    if keyword is not None and keyword.holds_all_signatures():
        return _NearCopies(dedup.NearDuplicates(threshold), keyword)
    known = dedup.NearDuplicates(threshold)
    got = store.get(where={"chunk_index": 0}, include=["metadatas"])
    found: dict[str, bytes | None] = {}
    for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
        sig = dedup.decode((meta or {}).get("minhash"))
        known.add(str((meta or {}).get("article_id", "")), sig)
        found[chunk_id] = None if sig is None else dedup.to_bytes(sig)
    if keyword is not None:
        keyword.set_signatures(found)
        keyword.mark_signatures_complete()
    return _NearCopies(known, None)


@dataclass
class _Run:
    """What one run has read so far, to tell a copy of a stored article from an article
    whose stored twin is itself changed or gone in this run (a file edited into another's
    text, two feed items swapped, a copy's original deleted)."""

    first_seen: dict[str, str] = field(default_factory=dict)  # content hash -> kept id
    hashes: dict[str, str] = field(default_factory=dict)  # article id -> hash read now
    pending: set[str] = field(default_factory=set)  # ids of files listed, not read yet
    read: set[str] = field(default_factory=set)  # ids of files read in this run
    partly: set[str] = field(default_factory=set)  # feeds read with a broken line
    deferred: list[Article] = field(default_factory=list)
    final: bool = False
    # kept article id -> the metadata it has of _DESCRIBED, and the new chunks it queued
    described: dict[str, frozenset[str]] = field(default_factory=dict)
    queued: dict[str, int] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)  # copies replaced by a better one

    def still_holds(self, other: str, content_hash: str) -> bool | None:
        """Whether the stored article ``other`` still has the text ``content_hash``:
        ``None`` while its file is still to be read in this run."""
        if other in self.dropped:
            return False
        if other in self.hashes:
            return self.hashes[other] == content_hash
        return self.still_there(other)

    def still_there(self, other: str) -> bool | None:
        """Whether the article ``other`` (an id: a file, or a feed item ``file#key``) is
        still in its file: ``None`` while that file is still to be read in this run (a
        feed with a broken line may still hold it)."""
        if other in self.dropped:
            return False
        if other in self.hashes:
            return True
        file_id = split_item_id(other)[0]
        if file_id in self.pending and not self.final:
            return None
        return (file_id not in self.read or file_id in self.partly) and Path(file_id).exists()


#: Metadata one copy of a story may have and another lack, in the order that decides
#: which copy is kept (the date and the publisher first: filters read them), and how a
#: report names each.
_DESCRIBED = {
    "published": "a date",
    "source_name": "a publisher",
    "author": "an author",
    "url": "a URL",
    "category": "a category",
    "tags": "tags",
}


def _described(metadata: dict[str, Any]) -> frozenset[str]:
    """The fields of :data:`_DESCRIBED` that ``metadata`` has (not blank)."""
    return frozenset(k for k in _DESCRIBED if str(metadata.get(k) or "").strip())


def _better_described(item: Article, other: str, store: Chroma | None, run: _Run) -> str:
    """What ``item`` has that ``other``, a copy of it kept earlier, lacks ("a date and a
    publisher"), when that makes ``item`` the better copy to keep; else ``""``.

    Copies are ranked by having a date, then a publisher, then how many other fields
    of :data:`_DESCRIBED` they have; a tie keeps the earlier copy. A breaker's undated
    ``a_story.txt`` was kept over ``b_story.md`` with its date and publisher, only for
    sorting first, and date and source filters then missed the story.
    """
    mine = _described({"published": item.published or "", **item.metadata})
    theirs = run.described.get(other)
    if theirs is None:
        got = (
            store.get(
                where={"$and": [{"article_id": other}, {"chunk_index": 0}]},
                include=["metadatas"],
            )
            if store is not None
            else {"metadatas": []}
        )
        theirs = _described(dict((got["metadatas"] or [{}])[0] or {}))

    def rank(fields: frozenset[str]) -> tuple[bool, bool, int]:
        return "published" in fields, "source_name" in fields, len(fields)

    if rank(mine) <= rank(theirs):
        return ""
    names = [_DESCRIBED[k] for k in _DESCRIBED if k in mine - theirs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _replace_copy(
    other: str,
    relation: str,
    has: str,
    store: Chroma | None,
    keyword: KeywordIndex | None,
    batch: _Batch | None,
    near: _NearCopies,
    run: _Run,
    report: IngestReport,
    counts: _Counts,
) -> None:
    """Take ``other``, a copy kept earlier (in this run or an earlier one), out of the
    index in favour of a better described copy: ``relation`` says how they relate
    ("near-duplicate of X (similarity 0.95)") and ``has`` what the kept copy adds."""
    ids = article_chunk_ids(store, other) if store is not None else set()
    ids |= keyword.article_chunk_ids(other) if keyword is not None else set()
    unwritten = batch.drop(other, ids) if batch is not None else run.queued.get(other, 0)
    report.chunks_added -= unwritten
    counts.queued -= unwritten
    fresh = sorted(ids - set(batch.stale if batch is not None else ()))
    reason = f"{relation}, which is indexed instead: it has {has}"
    if fresh:
        reason += f"; this copy's {len(fresh)} chunks are removed from the index"
        if batch is not None:
            batch.add([], [], {}, fresh, {}, {})
        report.chunks_removed += len(fresh)
    report.ingested = [a for a in report.ingested if a != other]
    report.unchanged = [a for a in report.unchanged if a != other]
    report.notes = [n for n in report.notes if n[0] != other]
    report.skipped.append(Skipped(other, reason))
    run.dropped.add(other)
    run.first_seen = {h: a for h, a in run.first_seen.items() if a != other}
    near.drop(other)


def ingest_paths(
    paths: Iterable[str],
    store: Chroma | None,
    settings: Settings,
    count_tokens: TokenCounter,
    window: EmbeddingWindow | None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    keyword: KeywordIndex | None = None,
    batch_size: int = 256,
) -> IngestReport:
    """Load, chunk and upsert every article under ``paths``.

    Args:
        paths: files and folders (see :func:`ingest.loaders.iter_files`).
        store: the collection to write to (see :func:`vectorstore.store.open_store`);
            ``None`` only with ``dry_run`` when no index exists yet.
        settings: ``chunk_size``, ``chunk_overlap`` and ``near_duplicate_threshold`` are
            used.
        count_tokens: cl100k_base token counter.
        window: the embedding model's window; chunks are split to fit it.
        dry_run: compute what would change, write nothing.
        progress: optional callback, after each file and each batch of chunks written.
        keyword: the BM25 keyword index kept in step with ``store``, if any.
        batch_size: chunks embedded and written together (across articles, and within a
            long article), so also the step of the chunk progress.

    Returns:
        An :class:`IngestReport`. Files that cannot be read are in ``skipped`` with the
        reason; they never stop the run.
    """
    started = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    unsupported: list[Path] = []
    listed = list(iter_files(paths, unsupported))
    report.unsupported = [p.absolute().as_posix() for p in unsupported]
    report.files_seen = sum(
        not (isinstance(i, Skipped) and i.reason == "no such file or folder") for i in listed
    )
    if store is None and not dry_run:
        raise ValueError("a store is needed unless dry_run")
    counts = _Counts()

    def tell() -> None:
        if progress is not None:
            progress(
                ProgressEvent(
                    counts.files, len(listed), counts.chunks, counts.queued, counts.current
                )
            )

    def written(n: int) -> None:
        counts.chunks += n
        tell()

    batch = (
        _Batch(store, keyword, batch_size, written) if store is not None and not dry_run else None
    )
    run = _Run(pending={e[1] for e in listed if not isinstance(e, Skipped)})
    near = (
        _near_copies(store, keyword, settings.near_duplicate_threshold)
        if store is not None
        else _NearCopies(dedup.NearDuplicates(settings.near_duplicate_threshold), None)
    )
    tell()

    def one(item: Article | Skipped) -> None:
        counts.current = item.id if isinstance(item, Article) else item.path
        _ingest_one(
            item, store, keyword, batch, near, run, report, settings, count_tokens, window, counts
        )
        tell()  # the chunks queued are known before the (slow) embedding starts
        if batch is not None and len(batch.documents) >= batch_size:
            batch.flush()

    for entry in listed:
        items = load_entry(entry)
        for item in items:
            one(item)
        if not isinstance(entry, Skipped):
            run.pending.discard(entry[1])
            if any(isinstance(i, Article) for i in items):  # a file that failed says nothing
                run.read.add(entry[1])
            if any(isinstance(i, Skipped) and i.unknown_item for i in items):
                run.partly.add(entry[1])
        counts.files += 1
        tell()
    if batch is not None:
        batch.flush()
    # articles whose stored twin's file came later in the run: decided now that all is read
    run.final = True
    for item in run.deferred:
        one(item)
    if batch is not None:
        batch.flush()
    report.read_files, report.partly_read = run.read, run.partly
    report.read_ids = set(run.hashes) | {_item_id(s.path) for s in report.skipped}
    report.seconds = time.perf_counter() - started
    return report


def _ingest_one(
    item: Article | Skipped,
    store: Chroma | None,
    keyword: KeywordIndex | None,
    batch: _Batch | None,
    near: _NearCopies,
    run: _Run,
    report: IngestReport,
    settings: Settings,
    count_tokens: TokenCounter,
    window: EmbeddingWindow | None,
    counts: _Counts,
) -> None:
    """Decide what one article needs (nothing, a write, a skip) and queue it."""
    if isinstance(item, Skipped):
        earlier = (
            article_chunk_ids(store, Path(item.path).resolve().as_posix())
            if store is not None and Path(item.path).exists()
            else set()
        )
        if earlier:  # say so: nothing is deleted on a bad read
            item = Skipped(item.path, item.reason + "; the version indexed earlier is kept")
        report.skipped.append(item)
        return
    run.hashes[item.id] = item.content_hash
    # only a kept article counts as an original (an edited copy skipped as a near
    # duplicate of the stored version must not shadow the edited original after it)
    copy_of = run.first_seen.get(item.content_hash, item.id)
    stored: dict[str, dict[str, Any]] | None = None
    signature = dedup.signature(item.text, dedup.MIN_SHINGLES)
    twins = near.stored(signature)  # LSH candidates, read once for both checks below
    if copy_of == item.id and store is not None:
        if (
            keyword is not None
            and not keyword.article_chunk_ids(item.id)
            and near.rules_out_stored_copy(signature, twins)
        ):
            # a new article (the keyword index is synced with the collection when opened)
            # with no stored twin: nothing to ask Chroma (~15 ms at 100,000 chunks)
            stored, copies = {}, set[str]()
        else:
            stored, copies = stored_chunks(store, item.id, item.content_hash)
        holds = {o: run.still_holds(o, item.content_hash) for o in copies}
        if None in holds.values():
            run.deferred.append(item)  # a twin whose file is read later in this run
            return
        copy_of = min((o for o, h in holds.items() if h), default=item.id)
    has = _better_described(item, copy_of, store, run) if copy_of != item.id else ""
    if has:  # the copy kept earlier lacks this one's date or publisher: keep this one
        relation = f"same text as {item.id} (a copy)"
        _replace_copy(copy_of, relation, has, store, keyword, batch, near, run, report, counts)
        if stored is None:
            stored = (
                stored_chunks(store, item.id, item.content_hash)[0] if store is not None else {}
            )
        copy_of = item.id
    if copy_of != item.id:
        # the same story under another file name (a syndicated copy): index it once
        reason = f"same text as {copy_of} (a copy)"
        # and whatever this file said before is no longer in it
        earlier = (
            set(stored)
            if stored is not None
            else (article_chunk_ids(store, item.id) if store is not None else set())
        )
        earlier |= keyword.article_chunk_ids(item.id) if keyword is not None else set()
        if earlier:
            reason += f"; its earlier text ({len(earlier)} chunks) is removed from the index"
            if batch is not None:
                batch.add([], [], {}, sorted(earlier), {}, {})
            report.chunks_removed += len(earlier)
        report.skipped.append(Skipped(item.id, reason))
        return
    stored = stored or {}
    chunks = chunk_article(item, count_tokens, settings.chunk_size, settings.chunk_overlap, window)
    if not chunks:
        report.skipped.append(
            Skipped(
                item.source,
                "only page boilerplate (menus, link lists, cookie or script notices, "
                "calls to action)",
            )
        )
        return
    # a new article: is it a lightly edited copy of a kept one?
    while not stored and (match := near.find(signature, exclude=item.id, stored=twins)):
        there = run.still_there(match[0])
        if there is None:
            run.deferred.append(item)  # the twin's file is read later in this run
            return
        if not there:
            break
        has = _better_described(item, match[0], store, run)
        if not has:
            report.skipped.append(
                Skipped(item.id, f"near-duplicate of {match[0]} (similarity {match[1]:.2f})")
            )
            return
        relation = f"near-duplicate of {item.id} (similarity {match[1]:.2f})"
        _replace_copy(match[0], relation, has, store, keyword, batch, near, run, report, counts)
    near.add(item.id, signature)
    run.described[item.id] = _described({"published": item.published or "", **item.metadata})
    run.first_seen.setdefault(item.content_hash, item.id)
    extra = {"minhash": dedup.encode(signature)} if signature is not None else {}
    documents = [
        chunk_to_document(c, item.content_hash, extra if c.index == 0 else None) for c in chunks
    ]
    in_keyword = keyword.article_chunk_ids(item.id) if keyword else set(stored)
    wanted = {c.id for c in chunks}
    updates = {
        str(d.id): dict(d.metadata)
        for d in documents
        if d.id in stored and stored[str(d.id)] != d.metadata
    }
    if set(stored) == wanted == in_keyword and not updates:
        report.unchanged.append(item.id)
        return
    new = [d for d in documents if d.id not in stored]
    stale = sorted((set(stored) | in_keyword) - wanted)
    if batch is not None:
        batch.add(
            new,
            [(c.id, c.article_id, c.text) for c in chunks if c.id not in in_keyword],
            {chunks[0].id: None if signature is None else dedup.to_bytes(signature)},
            stale,
            updates,
            {i: stored[i] for i in updates},
        )
    counts.queued += len(new)
    run.queued[item.id] = len(new)
    report.ingested.append(item.id)
    report.notes += [(item.id, note) for note in item.notes]
    report.chunks_added += len(new)
    report.chunks_updated += len(updates)
    report.chunks_removed += len(stale)


def unreadable_but_indexed(settings: Settings, skipped: list[Skipped]) -> list[Skipped]:
    """The ``skipped`` files that still exist and whose article ``settings``' index holds:
    a rebuild would drop them though they are there (empty or damaged for now; a plain
    ingest keeps their earlier version). Empty when the index cannot be read."""
    from vectorstore.store import check_location

    try:
        collection = check_location(settings, create=False).get_collection(settings.collection)
    except Exception:  # no index yet, or one that cannot be opened: nothing to drop
        return []
    # not cut at any "#": "strike #2.txt" is a file (a breaker's slipped past this guard)
    paths = [Path(split_item_id(item.path)[0]) for item in skipped]
    article_ids = [p.resolve().as_posix() if p.is_file() else None for p in paths]
    asked = sorted({a for a in article_ids if a is not None})
    if not asked:
        return []
    found = collection.get(where={"article_id": {"$in": asked}}, include=["metadatas"])
    indexed = {m.get("article_id") for m in found["metadatas"] or []}
    return [item for item, a in zip(skipped, article_ids, strict=True) if a in indexed]


def rebuild_would_drop(lost: list[Skipped]) -> str:
    """The error that stops a rebuild over :func:`unreadable_but_indexed` files."""
    one = len(lost) == 1
    return (
        "; ".join(f"{s.path}: {s.reason}" for s in lost)
        + f". {'It is' if one else 'They are'} in the index but cannot be read now, and a "
        f"rebuild would drop {'it' if one else 'them'}: fix or move {'it' if one else 'them'}, "
        "then rebuild again (the index was left as it is)"
    )
