"""Ingest files into the vector store: load, chunk, upsert, and say what changed.

Re-running on the same files changes nothing: chunk ids are deterministic, an article
whose chunks are all stored already is not embedded again, and a changed article gets its
new chunks written before its stale ones are deleted (so an interrupted run leaves the
index usable, and the next run finishes the job).

An article whose normalised text is identical to one already stored or seen in the run
(a syndicated copy under another file name) is skipped with the name of the first.
Near-duplicates (the same story lightly edited) are not detected yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.documents import Document

from ingest.chunking import EmbeddingWindow, TokenCounter, chunk_article
from ingest.loaders import load_articles
from ingest.models import Article, Skipped
from newsdesk.settings import Settings
from vectorstore.keyword import KeywordIndex
from vectorstore.store import article_chunk_ids, chunk_to_document, delete_chunks, upsert_documents

#: Called as ``progress(article, done_files, total_files)`` after each file.
Progress = Callable[[Article | Skipped, int, int], None]


@dataclass
class IngestReport:
    """What one ingestion run did. Counts are of files and chunks; seconds is wall time."""

    files_seen: int = 0
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks_added: int = 0
    chunks_removed: int = 0
    pruned: list[str] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "files_seen": self.files_seen,
            "ingested": self.ingested,
            "unchanged": self.unchanged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "chunks_added": self.chunks_added,
            "chunks_removed": self.chunks_removed,
            "pruned": self.pruned,
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
        }


class _Batch:
    """Chunks of several articles written together: embedding and Chroma's upsert have a
    large fixed cost per call. New chunks are written before stale ones are deleted, so a
    run killed between the two leaves a usable index that the next run completes."""

    def __init__(self, store: Chroma, keyword: KeywordIndex | None):
        self.store, self.keyword = store, keyword
        self.documents: list[Document] = []
        self.rows: list[tuple[str, str, str]] = []
        self.stale: list[str] = []

    def add(
        self, documents: list[Document], rows: list[tuple[str, str, str]], stale: list[str]
    ) -> None:
        self.documents += documents
        self.rows += rows
        self.stale += stale

    def flush(self) -> None:
        upsert_documents(self.store, self.documents)
        if self.keyword is not None:
            self.keyword.upsert(self.rows)
            self.keyword.delete(self.stale)
        delete_chunks(self.store, self.stale)
        self.documents, self.rows, self.stale = [], [], []


def _stored_copy(store: Chroma, article: Article) -> str | None:
    """Id of another stored article with exactly the same normalised text, if any."""
    got = store.get(where={"content_hash": article.content_hash}, include=["metadatas"])
    others = {str((m or {}).get("article_id")) for m in got["metadatas"]} - {article.id}
    return min(others) if others else None


def prune_missing(
    store: Chroma, keyword: KeywordIndex | None, *, dry_run: bool = False
) -> tuple[list[str], int]:
    """Delete the chunks of articles whose source files no longer exist (by the ``source``
    path each chunk records, so all articles of a deleted JSON feed go together).

    Returns:
        ``(article ids pruned, chunks removed)``; nothing is deleted with ``dry_run``.
    """
    got = store.get(include=["metadatas"])
    gone: dict[str, list[str]] = {}
    for chunk, meta in zip(got["ids"], got["metadatas"], strict=True):
        article = str((meta or {}).get("article_id", ""))
        source = str((meta or {}).get("source", ""))
        if article and source and not Path(source).exists():
            gone.setdefault(article, []).append(chunk)
    ids = [c for chunks in gone.values() for c in chunks]
    if not dry_run and ids:
        if keyword is not None:
            keyword.delete(ids)
        delete_chunks(store, ids)
    return sorted(gone), len(ids)


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
        settings: ``chunk_size`` and ``chunk_overlap`` are used.
        count_tokens: cl100k_base token counter.
        window: the embedding model's window; chunks are split to fit it.
        dry_run: compute what would change, write nothing.
        progress: optional callback after each file.
        keyword: the BM25 keyword index kept in step with ``store``, if any.
        batch_size: chunks embedded and written together (across articles).

    Returns:
        An :class:`IngestReport`. Files that cannot be read are in ``skipped`` with the
        reason; they never stop the run.
    """
    started = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    items = list(load_articles(paths))
    report.files_seen = sum(
        not (isinstance(i, Skipped) and i.reason == "no such file or folder") for i in items
    )
    if store is None and not dry_run:
        raise ValueError("a store is needed unless dry_run")
    batch = _Batch(store, keyword) if store is not None and not dry_run else None
    first_seen: dict[str, str] = {}  # content hash -> article id, in this run
    for n, item in enumerate(items, 1):
        copy_of = None
        if isinstance(item, Article):
            copy_of = first_seen.setdefault(item.content_hash, item.id)
            if copy_of == item.id and store is not None:
                copy_of = _stored_copy(store, item) or item.id
        if isinstance(item, Article) and copy_of != item.id:
            # the same story under another file name (a syndicated copy): index it once
            report.skipped.append(Skipped(item.id, f"same text as {copy_of} (a copy)"))
        elif isinstance(item, Skipped):
            earlier = (
                article_chunk_ids(store, Path(item.path).resolve().as_posix())
                if store is not None and Path(item.path).exists()
                else set()
            )
            if earlier:  # say so: nothing is deleted on a bad read
                item = Skipped(item.path, item.reason + "; the version indexed earlier is kept")
            report.skipped.append(item)
        else:
            chunks = chunk_article(
                item, count_tokens, settings.chunk_size, settings.chunk_overlap, window
            )
            if not chunks:
                report.skipped.append(
                    Skipped(item.source, "only page boilerplate (link lists, calls to action)")
                )
            else:
                stored = article_chunk_ids(store, item.id) if store is not None else set()
                in_keyword = keyword.article_chunk_ids(item.id) if keyword else stored
                wanted = {c.id for c in chunks}
                if stored == wanted == in_keyword:
                    report.unchanged.append(item.id)
                else:
                    new = [
                        chunk_to_document(c, item.content_hash)
                        for c in chunks
                        if c.id not in stored
                    ]
                    stale = sorted((stored | in_keyword) - wanted)
                    if batch is not None:
                        batch.add(
                            new,
                            [
                                (c.id, c.article_id, c.text)
                                for c in chunks
                                if c.id not in in_keyword
                            ],
                            stale,
                        )
                        if len(batch.documents) >= batch_size:
                            batch.flush()
                    report.ingested.append(item.id)
                    report.chunks_added += len(new)
                    report.chunks_removed += len(stale)
        if progress is not None:
            progress(item, n, len(items))
    if batch is not None:
        batch.flush()
    report.seconds = time.perf_counter() - started
    return report
