"""BM25 keyword search over chunk texts, persisted in SQLite FTS5 next to the Chroma index.

Dense embeddings miss exact names, numbers and rare terms; a keyword index finds them. The
index is written in the same ingestion pass as Chroma (upserts and deletes by chunk id, in
one transaction per batch), so it is never rebuilt per query or per process;
``vectorstore.store.SyncedKeywordIndex`` catches up with writes made by other processes.
An ordinary table ``chunk_keys`` (chunk id → FTS rowid, article id; both indexed) makes
every lookup, replace and delete by chunk or article id an index seek: FTS5 cannot index
its ``UNINDEXED`` columns, and a ``WHERE chunk_id = ?`` on the FTS table scanned all of it,
so ingestion slowed down as the index grew (at 40,000 chunks those scans took half of
ingestion time; bench/RESULTS.md, benchmark 4). ``chunk_keys.minhash`` also keeps each
article's near-duplicate signature (``ingest.dedup``, on its first chunk, as Chroma's
metadata does): reading them all from here takes milliseconds, from Chroma's metadata
seconds at 24,000 articles, and ingestion needs them on every run.

Ranking is FTS5's built-in ``bm25()`` (Okapi BM25, k1 = 1.2, b = 0.75; Robertson &
Zaragoza 2009) over the ``porter unicode61`` tokenizer. Query terms are OR-ed after
dropping stop words.

Not here: phrase or field queries; the query language is not exposed to users. Source and
date filters arrive as a set of article ids (resolved from Chroma metadata by the caller).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from newsdesk.errors import NewsdeskError
from qa.text import STOPWORDS

_TOKEN = re.compile(r"\w+", re.UNICODE)
#: ``state`` key: "0" while chunks indexed before signatures were kept here lack theirs.
SIGNATURES_COMPLETE = "signatures_complete"


class KeywordIndex:
    """A persistent FTS5 table of ``(chunk_id, article_id, text)``.

    Args:
        path: the SQLite file; created (with its folder) when missing.

    Raises:
        NewsdeskError: the file cannot be opened as an SQLite database.
    """

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # timeout: an ingesting and a serving process may share the file
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self._db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5("
                "chunk_id UNINDEXED, article_id UNINDEXED, text, "
                "tokenize='porter unicode61 remove_diacritics 2')"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            has_keys = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chunk_keys'"
            ).fetchone()
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS chunk_keys (chunk_id TEXT PRIMARY KEY, "
                "row INTEGER NOT NULL, article_id TEXT NOT NULL, minhash BLOB)"
            )
            self._db.execute(
                "CREATE INDEX IF NOT EXISTS chunk_keys_article ON chunk_keys (article_id)"
            )
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(chunk_keys)")}
            if "minhash" not in columns:  # chunk_keys of a build without signatures
                self._db.execute("ALTER TABLE chunk_keys ADD COLUMN minhash BLOB")
            if not has_keys:  # a file written before chunk_keys existed: fill it once
                self._db.execute(
                    "INSERT OR REPLACE INTO chunk_keys (chunk_id, row, article_id) "
                    "SELECT chunk_id, rowid, article_id FROM chunks"
                )
            if "minhash" not in columns or not has_keys:
                # signatures of the rows already here are only in Chroma's metadata
                empty = self._db.execute("SELECT 1 FROM chunk_keys LIMIT 1").fetchone() is None
                self._set_state(SIGNATURES_COMPLETE, "1" if empty else "0")
            has_bands = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'minhash_bands'"
            ).fetchone()
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS minhash_bands (band INTEGER NOT NULL, "
                "chunk_id TEXT NOT NULL)"
            )
            self._db.execute(
                "CREATE INDEX IF NOT EXISTS minhash_bands_band ON minhash_bands (band)"
            )
            self._db.execute(
                "CREATE INDEX IF NOT EXISTS minhash_bands_chunk ON minhash_bands (chunk_id)"
            )
            if not has_bands:  # signatures stored before the bands were: band them once
                rows = self._db.execute(
                    "SELECT chunk_id, minhash FROM chunk_keys WHERE minhash IS NOT NULL"
                ).fetchall()
                self._set_signatures(dict(rows))
            self._db.commit()
        except sqlite3.DatabaseError as e:
            raise NewsdeskError(
                f"cannot open the keyword index {path}: {e}. Remove it: it is rebuilt "
                "from the collection when next opened."
            ) from e

    def upsert(
        self,
        rows: Iterable[tuple[str, str, str]],
        signatures: Mapping[str, bytes | None] | None = None,
    ) -> None:
        """Insert or replace ``(chunk_id, article_id, text)`` rows (a later row with the
        same chunk id wins), then set the near-duplicate ``signatures`` given by chunk id
        (see :meth:`set_signatures`)."""
        rows = list({r[0]: r for r in rows}.values())
        with self._db:
            self._delete([r[0] for r in rows])
            for chunk_id, article_id, text in rows:
                cur = self._db.execute(
                    "INSERT INTO chunks (chunk_id, article_id, text) VALUES (?, ?, ?)",
                    (chunk_id, article_id, text),
                )
                self._db.execute(
                    "INSERT INTO chunk_keys (chunk_id, row, article_id) VALUES (?, ?, ?)",
                    (chunk_id, cur.lastrowid, article_id),
                )
            self._set_signatures(signatures or {})

    def set_signatures(self, signatures: Mapping[str, bytes | None]) -> None:
        """Record the near-duplicate signature (``ingest.dedup.encode`` bytes, or ``None``
        for none) of the chunks named by id; chunks not indexed are ignored."""
        with self._db:
            self._set_signatures(signatures)

    def _set_signatures(self, signatures: Mapping[str, bytes | None]) -> None:
        from ingest.dedup import band_hashes, from_bytes

        self._db.executemany(
            "UPDATE chunk_keys SET minhash = ? WHERE chunk_id = ?",
            [(sig, chunk_id) for chunk_id, sig in signatures.items()],
        )
        self._db.executemany(
            "DELETE FROM minhash_bands WHERE chunk_id = ?", [(c,) for c in signatures]
        )
        bands = []
        for chunk_id, raw in signatures.items():
            sig = None if raw is None else from_bytes(raw)
            if sig is not None:
                bands += [(h, chunk_id) for h in band_hashes(sig)]
        self._db.executemany(
            "INSERT INTO minhash_bands (band, chunk_id) SELECT ?, chunk_id FROM chunk_keys "
            "WHERE chunk_id = ?",
            bands,
        )

    def holds_all_signatures(self) -> bool:
        """Whether every indexed article's signature is here (not so for a file written
        before signatures were kept in it, until :meth:`mark_signatures_complete`)."""
        return self.get_state(SIGNATURES_COMPLETE) != "0"

    def signature_candidates(self, bands: Sequence[int]) -> list[tuple[str, bytes]]:
        """``[(article id, signature bytes), ...]`` of the indexed articles that share at
        least one of ``bands`` (``ingest.dedup.band_hashes``) with a new article: index
        seeks, however large the index. Complete only when :meth:`holds_all_signatures`."""
        if not bands:
            return []
        marks = ",".join("?" * len(bands))
        return self._db.execute(
            "SELECT k.article_id, k.minhash FROM chunk_keys k WHERE k.minhash IS NOT NULL "
            f"AND k.chunk_id IN (SELECT chunk_id FROM minhash_bands WHERE band IN ({marks}))",
            list(bands),
        ).fetchall()

    def signatures(self) -> list[tuple[str, bytes]] | None:
        """``[(article id, signature bytes), ...]`` of every indexed chunk that has one, or
        ``None`` while this file does not hold them all (an index built before signatures
        were kept here: take them from the collection and :meth:`set_signatures`, then
        :meth:`mark_signatures_complete`)."""
        if not self.holds_all_signatures():
            return None
        return self._db.execute(
            "SELECT article_id, minhash FROM chunk_keys WHERE minhash IS NOT NULL"
        ).fetchall()

    def mark_signatures_complete(self) -> None:
        with self._db:
            self._set_state(SIGNATURES_COMPLETE, "1")

    def delete(self, chunk_ids: Sequence[str]) -> None:
        """Remove chunks by id (unknown ids are ignored)."""
        with self._db:
            self._delete(chunk_ids)

    def _delete(self, chunk_ids: Sequence[str]) -> None:
        """Within the caller's transaction: rowid seeks, never a scan of the FTS table."""
        ids = [(i,) for i in chunk_ids]
        self._db.executemany(
            "DELETE FROM chunks WHERE rowid = (SELECT row FROM chunk_keys WHERE chunk_id = ?)", ids
        )
        self._db.executemany("DELETE FROM chunk_keys WHERE chunk_id = ?", ids)
        self._db.executemany("DELETE FROM minhash_bands WHERE chunk_id = ?", ids)

    def article_chunk_ids(self, article_id: str) -> set[str]:
        """Ids of the chunks indexed for one article."""
        cur = self._db.execute(
            "SELECT chunk_id FROM chunk_keys WHERE article_id = ?", (article_id,)
        )
        return {r[0] for r in cur}

    def chunk_ids(self) -> set[str]:
        """Ids of every chunk indexed."""
        return {r[0] for r in self._db.execute("SELECT chunk_id FROM chunk_keys")}

    def get_state(self, key: str) -> str | None:
        """A value recorded with :meth:`set_state` (such as the revision synced to)."""
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        with self._db:
            self._set_state(key, value)

    def _set_state(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))

    def count(self) -> int:
        """Number of chunks indexed."""
        return int(self._db.execute("SELECT count(*) FROM chunk_keys").fetchone()[0])

    def search(
        self, query: str, k: int, *, article_ids: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best chunks for ``query`` by BM25.

        Args:
            query: free text; stop words are dropped and the other terms OR-ed.
            k: chunks returned at most.
            article_ids: when given, only chunks of these articles are searched (the
                retrieval filters' selection); an empty collection matches nothing.

        Returns:
            ``[(chunk_id, score), ...]`` best first; ``score`` is the BM25 score (higher is
            better, unbounded). Empty when the query has no searchable terms.
        """
        words = [w for w in _TOKEN.findall(query.lower()) if w not in STOPWORDS]
        if not words or (article_ids is not None and not article_ids):
            return []
        match = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
        if article_ids is None:
            cur = self._db.execute(
                "SELECT chunk_id, bm25(chunks) FROM chunks WHERE chunks MATCH ? "
                "ORDER BY bm25(chunks) LIMIT ?",
                (match, k),
            )
        else:
            cur = self._db.execute(
                "SELECT chunk_id, bm25(chunks) FROM chunks WHERE chunks MATCH ? "
                "AND article_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY bm25(chunks) LIMIT ?",
                (match, json.dumps(sorted(article_ids)), k),
            )
        return [(cid, -float(score)) for cid, score in cur]

    def close(self) -> None:
        self._db.close()


def keyword_index_path(persist_dir: Path, collection: str) -> Path:
    """Where the keyword index of a collection lives: beside Chroma's files."""
    return persist_dir / f"{collection}.keyword.sqlite3"
