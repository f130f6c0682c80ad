"""The BM25 keyword index (SQLite FTS5) on real files in tmp dirs."""

from __future__ import annotations

import sqlite3

import numpy as np

from ingest import dedup
from vectorstore.keyword import KeywordIndex

ROWS = [
    ("a-0", "a", "The harbour bridge reopened on Monday after repairs."),
    ("a-1", "a", "Traffic on the bridge was light."),
    ("b-0", "b", "A storm named Olga reached the coast at noon."),
]


def test_upsert_replace_delete_and_search(tmp_path):
    index = KeywordIndex(tmp_path / "kw.sqlite3")
    index.upsert(ROWS)
    assert index.count() == 3 and index.chunk_ids() == {"a-0", "a-1", "b-0"}
    assert index.article_chunk_ids("a") == {"a-0", "a-1"}
    assert [c for c, _ in index.search("storm Olga", 5)] == ["b-0"]

    # replacing a chunk's text: the old words are gone from the search, nothing duplicated
    index.upsert([("b-0", "b", "The storm passed without damage.")])
    assert index.count() == 3 and index.search("Olga", 5) == []
    assert [c for c, _ in index.search("damage", 5)] == ["b-0"]

    index.delete(["a-1", "no-such-chunk"])
    assert index.article_chunk_ids("a") == {"a-0"} and index.search("traffic", 5) == []
    assert [c for c, _ in index.search("bridge", 5, article_ids={"b"})] == []
    index.close()

    reopened = KeywordIndex(tmp_path / "kw.sqlite3")  # persisted
    assert reopened.chunk_ids() == {"a-0", "b-0"}
    reopened.close()


def _steps(index: KeywordIndex, call, *args) -> int:
    """SQLite virtual-machine steps (in units of 100) that ``call(*args)`` makes."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    index._db.set_progress_handler(tick, 100)
    try:
        call(*args)
    finally:
        index._db.set_progress_handler(None, 100)
    return steps[0]


def test_lookups_by_chunk_or_article_id_cost_the_same_in_a_20_times_larger_index(tmp_path):
    """A scan of the FTS table per replaced chunk made ingestion quadratic (at 40,000
    chunks, half of ingestion time); with chunk_keys each lookup is an index seek."""
    rng = np.random.default_rng(0)
    sig = {i: rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32) for i in range(1000)}
    new = rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32)
    cost = {}
    for n in (200, 4000):
        index = KeywordIndex(tmp_path / f"kw-{n}.sqlite3")
        index.upsert(
            (
                (f"art{i // 4}-{i % 4}", f"art{i // 4}", f"Report {i} on the harbour and port.")
                for i in range(n)
            ),
            {f"art{a}-0": dedup.to_bytes(sig[a]) for a in range(n // 4)},
        )
        cost[n] = (
            _steps(index, index.upsert, [("art7-1", "art7", "Replaced text.")]),
            _steps(index, index.article_chunk_ids, "art9"),
            _steps(index, index.delete, ["art11-2"]),
            _steps(index, index.signature_candidates, dedup.band_hashes(new)),
        )
        # an article's own signature finds it, a random one finds nothing
        assert index.signature_candidates(dedup.band_hashes(sig[3])) == [
            ("art3", dedup.to_bytes(sig[3]))
        ]
        assert index.signature_candidates(dedup.band_hashes(new)) == []
        assert index.count() == n - 1
        index.close()
    for small, large in zip(cost[200], cost[4000], strict=True):
        assert large <= 2 * small + 5, cost


def test_a_file_of_an_older_layout_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE chunks USING fts5(chunk_id UNINDEXED, article_id UNINDEXED, "
        "text, tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.executemany("INSERT INTO chunks (chunk_id, article_id, text) VALUES (?, ?, ?)", ROWS)
    db.commit()
    db.close()

    index = KeywordIndex(path)
    assert index.count() == 3 and index.article_chunk_ids("a") == {"a-0", "a-1"}
    index.upsert([("a-0", "a", "The bridge closed again.")])
    index.delete(["b-0"])
    assert index.count() == 2 and index.search("storm", 5) == []
    assert [c for c, _ in index.search("closed", 5)] == ["a-0"]
    assert index.search("reopened", 5) == []  # the replaced text left the FTS table too
    index.close()


def test_bands_match_exactly_when_their_minima_do():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32)
    b = a.copy()
    b[5] += 1  # one minimum differs: only band 1 (minima 4-7) changes
    ha, hb = dedup.band_hashes(a), dedup.band_hashes(b)
    assert len(ha) == dedup.BANDS and ha == dedup.band_hashes(a.copy())
    assert [i for i in range(dedup.BANDS) if ha[i] != hb[i]] == [1]


def test_signatures_deleted_with_their_chunk_leave_no_band(tmp_path):
    rng = np.random.default_rng(2)
    sig = rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32)
    index = KeywordIndex(tmp_path / "kw.sqlite3")
    index.upsert(ROWS, {"a-0": dedup.to_bytes(sig)})
    assert [a for a, _ in index.signature_candidates(dedup.band_hashes(sig))] == ["a"]
    index.upsert([("a-0", "a", "Replaced.")], {"a-0": None})  # no signature any more
    assert index.signature_candidates(dedup.band_hashes(sig)) == []
    index.set_signatures({"a-0": dedup.to_bytes(sig)})
    index.delete(["a-0"])
    assert index.signature_candidates(dedup.band_hashes(sig)) == []
    index.close()
