"""Ingestion behaviour: near-duplicates, the LangChain indexing oracle, metadata types,
files deleted mid-run and progress, with the real model and real Chroma in tmp_path."""

import json
import math
from datetime import date
from pathlib import Path

import pytest

from ingest import dedup
from ingest.loaders import DELETED
from ingest.pipeline import ingest_paths
from newsdesk.settings import Settings
from tests.conftest import build_index
from ui.render import render_answer
from vectorstore.store import chroma_metadata, open_keyword_index, open_store

STORY = """Port strike ends after nine days
Dock workers at the port of Rotterdam returned to work on Tuesday after a nine-day strike \
over pay that had left more than 200 container ships waiting at anchor in the North Sea. The \
union said its members had accepted an offer of a 7.5 percent raise over two years, along \
with a one-off payment of 1,500 euros for every worker. The port authority estimated that the \
strike had cost shippers about 40 million euros a day in delays. Terminal operators said it \
would take at least a week to clear the backlog of containers, and several shipping lines \
warned customers that deliveries to Germany and Switzerland would arrive late. The transport \
minister welcomed the agreement and said the government would review how essential services \
at ports are protected during industrial action. Union leader Marieke Janssen told reporters \
that the deal showed what workers could win when they stood together, and she thanked the \
public for its patience during the dispute."""
#: A syndicated copy: another headline, the outlet's footer, two words changed.
COPY = (
    STORY.replace(
        "Port strike ends after nine days", "Rotterdam dockers back at work as strike ends"
    )
    .replace("returned to work on Tuesday", "returned to work on Tuesday morning")
    .replace("told reporters", "told journalists")
    + "\n\nCopyright 2024 Global Wire. All rights reserved. This article may not be republished."
)
#: Another story on the same event: shares the opening, reports new facts.
FOLLOWUP = """Rotterdam backlog clears slowly
Dock workers at the port of Rotterdam returned to work on Tuesday after a nine-day strike \
over pay. A week later, terminal operators said the backlog of containers was still growing, \
with 80 ships waiting at anchor in the North Sea. Shipping lines have begun diverting cargo to \
Antwerp and Hamburg, and retailers in Germany warned of empty shelves before the holidays. The \
port authority now puts the total cost of the dispute at more than 500 million euros."""


def _settings(tmp_path: Path, **kw) -> Settings:
    return Settings.from_env({}, persist_dir=tmp_path / "index", **kw)


def test_minhash_estimates_the_exact_resemblance():
    """The exact Jaccard similarity of the shingle sets is the oracle."""
    for a, b in [(STORY, COPY), (STORY, FOLLOWUP), (STORY, STORY)]:
        sa, sb = dedup.shingles(a), dedup.shingles(b)
        exact = len(sa & sb) / len(sa | sb)
        estimate = dedup.resemblance(dedup.signature(a), dedup.signature(b))
        standard_error = math.sqrt(max(exact * (1 - exact), 0.01) / dedup.PERMUTATIONS)
        assert abs(estimate - exact) <= 3 * standard_error, (exact, estimate)
    sig = dedup.signature(STORY)
    assert sig is not None and (dedup.decode(dedup.encode(sig)) == sig).all()
    assert dedup.signature("  ") is None
    assert dedup.signature(" ".join(STORY.split()[:40]), dedup.MIN_SHINGLES) is None
    assert len(dedup.shingles("北京市今天宣布")) == 3  # one token per CJK character


def test_near_duplicate_copy_is_skipped(tmp_path, embeddings, counter, window):
    settings = _settings(tmp_path)
    (tmp_path / "a").mkdir()
    for name, text in [("followup.txt", FOLLOWUP), ("wire.txt", STORY), ("zz-copy.txt", COPY)]:
        (tmp_path / "a" / name).write_text(text)
    wire = (tmp_path / "a" / "wire.txt").resolve().as_posix()
    _, report = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    assert sorted(Path(i).name for i in report.ingested) == ["followup.txt", "wire.txt"]
    (skip,) = report.skipped
    similarity = dedup.resemblance(dedup.signature(STORY), dedup.signature(COPY))
    assert skip.reason == f"near-duplicate of {wire} (similarity {similarity:.2f})"
    assert 0.7 <= similarity < 1.0  # 0.76 measured
    # a copy arriving in a later run is found through the signature stored in Chroma
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "copy2.txt").write_text(COPY.replace("journalists", "the press"))
    _, later = build_index(settings, [tmp_path / "b"], embeddings, counter, window)
    assert later.ingested == [] and later.skipped[0].reason.startswith(f"near-duplicate of {wire}")
    # re-ingesting the kept articles changes nothing; threshold 1 keeps the edited copy
    _, again = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    assert len(again.unchanged) == 2 and again.chunks_added == again.chunks_updated == 0
    strict = settings.replace(near_duplicate_threshold=1.0)
    _, kept = build_index(strict, [tmp_path / "b"], embeddings, counter, window)
    assert [Path(i).name for i in kept.ingested] == ["copy2.txt"]


DATED = "---\ndate: 2024-08-12\nsource: Border Gazette\nauthor: Kate Hume\n---\n"


def _chunk_metadata(store, name: str) -> list[dict]:
    got = store.get(include=["metadatas"])
    return [m for m in got["metadatas"] if Path(m["article_id"]).name == name]


@pytest.mark.parametrize("copy", [COPY, STORY], ids=["near-duplicate", "same text"])
def test_the_copy_with_a_date_and_publisher_is_kept(tmp_path, embeddings, counter, window, copy):
    """Of two copies of a story, the one with a date and a publisher is kept, though the
    bare one sorts first (a breaker's: the bare copy was kept, and date and source
    filters missed the story); re-running changes nothing."""
    settings = _settings(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "a_story.md").write_text(STORY)
    (tmp_path / "a" / "b_story.md").write_text(DATED + copy)
    bare, dated = ((tmp_path / "a" / n).resolve().as_posix() for n in ("a_story.md", "b_story.md"))
    store, report = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    assert report.ingested == [dated] and report.chunks_removed == 0
    (skip,) = report.skipped
    assert skip.path == bare
    relation = "same text as" if copy == STORY else "near-duplicate of"
    assert skip.reason.startswith(f"{relation} {dated}")
    assert skip.reason.endswith(
        "which is indexed instead: it has a date, a publisher and an author"
    )
    assert _chunk_metadata(store, "a_story.md") == []
    kept = {(m["published"], m["source_name"]) for m in _chunk_metadata(store, "b_story.md")}
    assert kept == {("2024-08-12", "Border Gazette")}
    assert report.chunks_added == len(store.get()["ids"])
    _, again = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    assert again.unchanged == [dated] and again.chunks_added == again.chunks_removed == 0
    assert [s.path for s in again.skipped] == [bare]


def test_a_stored_bare_copy_gives_way_to_a_dated_one(tmp_path, embeddings, counter, window):
    """A dated copy arriving in a later run replaces the bare copy stored earlier (its
    chunks removed); ingesting the bare one again then skips it as the copy."""
    settings = _settings(tmp_path)
    for name, text in [("a", STORY), ("b", DATED + COPY)]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "story.md").write_text(text)
    bare, dated = ((tmp_path / n / "story.md").resolve().as_posix() for n in "ab")
    store, _ = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    stored = len(store.get()["ids"])
    _, later = build_index(settings, [tmp_path / "b"], embeddings, counter, window)
    assert later.ingested == [dated] and later.chunks_removed == stored
    (skip,) = later.skipped
    assert skip.path == bare and f"; this copy's {stored} chunks are removed" in skip.reason
    assert {Path(m["article_id"]).parent.name for m in store.get()["metadatas"]} == {"b"}
    _, again = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    assert again.ingested == [] and again.skipped[0].reason.startswith(f"near-duplicate of {dated}")
    # and a dry run of the first step says the same without writing
    other = _settings(tmp_path / "dry")
    build_index(other, [tmp_path / "a"], embeddings, counter, window)
    dry_store = open_store(other, embeddings, create=False)
    keyword = open_keyword_index(other, dry_store)
    dry = ingest_paths(
        [str(tmp_path / "b")], dry_store, other, counter, window, dry_run=True, keyword=keyword
    )
    assert dry.ingested == [dated] and dry.skipped[0].path == bare
    assert {Path(m["article_id"]).parent.name for m in dry_store.get()["metadatas"]} == {"a"}


def test_signatures_are_read_from_the_keyword_index_and_backfilled_once(
    tmp_path, embeddings, counter, window
):
    """Reading every signature from Chroma's metadata took seconds at 24,000 articles, on
    every ingest run; the keyword index keeps them (bench/RESULTS.md, benchmark 4)."""
    import sqlite3

    from vectorstore.keyword import SIGNATURES_COMPLETE

    settings = _settings(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "wire.txt").write_text(STORY)
    (tmp_path / "a" / "followup.txt").write_text(FOLLOWUP)
    store, _ = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    keyword = open_keyword_index(settings, store)
    got = store.get(where={"chunk_index": 0}, include=["metadatas"])
    in_chroma = {m["article_id"]: m["minhash"] for m in got["metadatas"]}
    kept = keyword.signatures()
    assert kept is not None and {a: dedup.encode(dedup.from_bytes(b)) for a, b in kept} == (
        in_chroma
    )
    keyword.close()

    # a keyword file of an older build: no signatures in it
    path = settings.persist_dir / "newsdesk.keyword.sqlite3"
    db = sqlite3.connect(path)
    db.execute("UPDATE chunk_keys SET minhash = NULL")
    db.execute("UPDATE state SET value = '0' WHERE key = ?", (SIGNATURES_COMPLETE,))
    db.commit()
    db.close()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "copy.txt").write_text(COPY)
    _, later = build_index(settings, [tmp_path / "b"], embeddings, counter, window)
    assert later.skipped[0].reason.startswith("near-duplicate of")  # found through Chroma
    keyword = open_keyword_index(settings, open_store(settings, embeddings, create=False))
    kept = keyword.signatures()  # and stored back for the next run
    assert kept is not None and len(kept) == 2
    keyword.close()


def test_an_edited_original_is_updated_though_an_edited_copy_comes_first(
    tmp_path, embeddings, counter, window
):
    """The copy (first by name) is skipped as a near-duplicate of the stored original;
    the original, edited the same way, must still be updated, not skipped as a copy of
    the skipped copy."""
    settings = _settings(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "wire.txt").write_text(STORY)
    build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    edited = STORY.replace("7.5 percent", "8.5 percent")
    (tmp_path / "a" / "wire.txt").write_text(edited)
    (tmp_path / "a" / "a-copy.txt").write_text(edited)
    store, report = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    assert [Path(i).name for i in report.ingested] == ["wire.txt"]
    assert [Path(s.path).name for s in report.skipped] == ["a-copy.txt"]
    docs = store.get(include=["documents"])["documents"]
    assert any("8.5 percent" in d for d in docs) and not any("7.5 percent" in d for d in docs)


def test_same_outcome_as_langchain_index(tmp_path, embeddings, counter, window):
    """LangChain's indexing API (record manager, cleanup="incremental") is the oracle for
    what re-ingesting adds and deletes."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from langchain_core.indexing import InMemoryRecordManager, index

    from ingest.chunking import chunk_article
    from ingest.loaders import load_articles
    from ingest.models import Article
    from vectorstore.store import chunk_to_document

    settings = _settings(tmp_path)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "short.txt").write_text(FOLLOWUP)
    long_text = "Council budget\n" + " ".join(
        f"Item {i}: the council approved {i * 3} new street lights for district {i}."
        for i in range(60)
    )
    (docs / "long.txt").write_text(long_text)
    oracle_store = Chroma(
        collection_name="oracle",
        embedding_function=DeterministicFakeEmbedding(size=16),
        client=chromadb.PersistentClient(path=str(tmp_path / "oracle")),
    )
    records = InMemoryRecordManager("oracle")
    records.create_schema()

    def oracle() -> dict:
        documents = []
        for article in load_articles([docs]):
            assert isinstance(article, Article)
            for c in chunk_article(article, counter, 200, 40, window):
                d = chunk_to_document(c, article.content_hash)
                d.metadata.pop("content_hash")  # article-level: would mark every chunk new
                documents.append(d)
        return index(
            documents,
            records,
            oracle_store,
            cleanup="incremental",
            source_id_key="article_id",
            key_encoder="sha256",
        )

    def ours():
        return build_index(settings, [docs], embeddings, counter, window)

    def texts(store) -> list[str]:
        return sorted(store.get()["documents"])

    rounds = []
    for change in (None, None, "edit"):
        if change:
            (docs / "long.txt").write_text(long_text.replace("district 59.", "district 60."))
        store, report = ours()
        expected = oracle()
        rounds.append((report.chunks_added, report.chunks_removed))
        assert (report.chunks_added, report.chunks_removed) == (
            expected["num_added"],
            expected["num_deleted"],
        )
        assert texts(store) == texts(oracle_store)
    first, unchanged, edited = rounds
    assert first[0] > 3 and unchanged == (0, 0) and edited == (1, 1)


def test_metadata_is_stored_in_chroma_types_and_cited(tmp_path, embeddings, counter, window):
    import app

    assert chroma_metadata(
        {"a": None, "d": date(2024, 5, 2), "l": ["x", 1], "m": {"k": 1}, "n": 3, "b": True}
    ) == {"d": "2024-05-02", "l": '["x", 1]', "m": '{"k": 1}', "n": 3, "b": True}
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "harbour.md").write_text(
        "---\ntitle: Harbour bridge reopens\nauthor: Ann Lee\ntags: [transport, city]\n"
        "date: 2024-03-03\nurl:\n---\nThe harbour bridge reopened on Monday after a two-year "
        "repair costing 40 million euros, the city council said.\n"
    )
    feed = [
        {
            "title": "Rates held",
            "body": "The central bank held its main interest rate at 4.25 percent on Thursday.",
            "url": "https://example.org/rates",
            "author": None,
            "category": ["economy", "banks"],
            "published_at": "2024-05-02T08:00:00Z",
        }
    ]
    (docs / "feed.json").write_text(json.dumps(feed))
    settings = _settings(tmp_path)
    store, report = build_index(settings, [docs], embeddings, counter, window)
    assert len(report.ingested) == 2
    metas = {Path(m["article_id"]).name: m for m in store.get(include=["metadatas"])["metadatas"]}
    for meta in metas.values():
        assert all(isinstance(v, str | int | float | bool) for v in meta.values()), meta
    md = metas["harbour.md"]
    (item,) = (m for name, m in metas.items() if name.startswith("feed.json#"))
    assert (md["author"], md["published"], json.loads(md["tags"])) == (
        "Ann Lee",
        "2024-03-03",
        ["transport", "city"],
    )
    assert "url" not in md and "author" not in item
    assert json.loads(item["category"]) == ["economy", "banks"]
    assert item["published"] == "2024-05-02" and item["url"] == "https://example.org/rates"

    a = app.answer("How much did the harbour bridge repair cost?", persist_dir=settings.persist_dir)
    (c,) = a.citations
    assert c.metadata["author"] == "Ann Lee" and json.loads(c.metadata["tags"])[0] == "transport"
    assert "minhash" not in c.metadata and "content_hash" not in c.metadata
    assert "Ann Lee" in render_answer(a, "m1")
    b = app.answer(
        "At what level did the central bank hold its rate?", persist_dir=settings.persist_dir
    )
    assert b.citations[0].metadata["url"] == "https://example.org/rates"
    assert "https://example.org/rates" in render_answer(b, "m2")


def test_file_deleted_while_the_run_is_under_way(tmp_path, embeddings, counter, window):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (docs / name).write_text(f"Story {name}\nThe {name[0]} story is told here in full.")
    settings = _settings(tmp_path)
    store = open_store(settings, embeddings, create=True)

    def delete_next(event):  # after the first file is read, the second one disappears
        if event.files_done == 1:
            (docs / "b.txt").unlink(missing_ok=True)

    report = ingest_paths(
        [str(docs)],
        store,
        settings,
        counter,
        window,
        progress=delete_next,
        keyword=open_keyword_index(settings, store),
    )
    assert report.files_seen == 3
    assert [Path(i).name for i in report.ingested] == ["a.txt", "c.txt"]
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("b.txt", DELETED)]
    stored = {Path(m["article_id"]).name for m in store.get(include=["metadatas"])["metadatas"]}
    assert stored == {"a.txt", "c.txt"}


def test_progress_counts_files_and_chunks(tmp_path, embeddings, counter, window):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a-ledger.txt").write_text(
        "Ledger\n" + " ".join(f"Entry {i} was filed today." for i in range(300))
    )
    (docs / "b-note.txt").write_text("Note\nA short note closes the run.")
    settings = _settings(tmp_path, chunk_size=16, chunk_overlap=0)
    store = open_store(settings, embeddings, create=True)
    events = []
    report = ingest_paths(
        [str(docs)], store, settings, counter, window, progress=events.append, batch_size=32
    )
    total = report.chunks_added
    assert total > 100 and store._collection.count() == total
    last = events[-1]
    assert (last.files_done, last.files_total) == (2, 2)
    assert last.chunks_done == last.chunks_total == total
    # the large file's chunk count is shown before its (slow) embedding starts
    known = next(e for e in events if e.chunks_total)
    assert (known.chunks_done, known.chunks_total, known.files_done) == (0, total - 1, 0)
    # the one large file alone shows chunk progress, one step per embedding batch
    during_first = [e.chunks_done for e in events if e.files_done == 0 and e.chunks_done]
    steps = [b - a for a, b in zip([0, *during_first], during_first, strict=False)]
    assert len(steps) >= 4 and set(steps[:-1]) == {32} and 0 < steps[-1] <= 32
    assert during_first[-1] == total - 1  # the note's one chunk is written at the end
    assert [e.chunks_done for e in events] == sorted(e.chunks_done for e in events)


@pytest.mark.parametrize("url", ["localhost:8000", "ftp://h:1", "http://h:99999"])
def test_bad_chroma_url(url):
    from newsdesk.errors import BadInput

    with pytest.raises(BadInput, match="chroma_url"):
        Settings.from_env({}, chroma_url=url)


def _stored_texts(settings: Settings, embeddings) -> dict[str, str]:
    """Article id -> the text of its stored chunks, in order, as Chroma holds them."""
    store = open_store(settings, embeddings, create=False)
    got = store.get(include=["documents", "metadatas"])
    parts: dict[str, list[tuple[int, str]]] = {}
    for doc, meta in zip(got["documents"], got["metadatas"], strict=True):
        parts.setdefault(str(meta["article_id"]), []).append((int(meta["start"]), doc))
    return {a: " ".join(d for _, d in sorted(p)) for a, p in parts.items()}


def test_a_file_edited_into_a_copy_leaves_no_stale_text(tmp_path, embeddings, counter, window):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    (folder / "b.txt").write_text(FOLLOWUP, encoding="utf-8")
    settings = _settings(tmp_path)
    build_index(settings, [folder], embeddings, counter, window)
    (folder / "b.txt").write_text(STORY, encoding="utf-8")  # b now says what a says
    store, report = build_index(settings, [folder], embeddings, counter, window)
    b = (folder / "b.txt").resolve().as_posix()
    [skip] = report.skipped
    assert skip.path == b and "same text as" in skip.reason and "earlier text" in skip.reason
    texts = _stored_texts(settings, embeddings)
    assert b not in texts and not any("still growing" in t for t in texts.values())
    assert open_keyword_index(settings, store).article_chunk_ids(b) == set()


def test_swapped_feed_items_are_both_reindexed(tmp_path, embeddings, counter, window):
    feed = tmp_path / "feed.jsonl"
    items = [{"id": "a", "body": STORY}, {"id": "b", "body": FOLLOWUP}]
    feed.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    settings = _settings(tmp_path)
    build_index(settings, [feed], embeddings, counter, window)
    # the same items in another order: nothing changes
    feed.write_text("\n".join(json.dumps(i) for i in items[::-1]) + "\n", encoding="utf-8")
    _, report = build_index(settings, [feed], embeddings, counter, window)
    assert report.ingested == [] and len(report.unchanged) == 2, report.to_dict()
    # the items' texts swapped: each is a copy of the other's stored text
    swapped = [{"id": "a", "body": FOLLOWUP}, {"id": "b", "body": STORY}]
    feed.write_text("\n".join(json.dumps(i) for i in swapped) + "\n", encoding="utf-8")
    _, report = build_index(settings, [feed], embeddings, counter, window)
    assert len(report.ingested) == 2 and report.skipped == [], report.to_dict()
    texts = _stored_texts(settings, embeddings)
    first, second = sorted(texts)  # feed.jsonl#a, feed.jsonl#b
    assert (
        first.endswith("feed.jsonl#a") and "backlog of containers was still growing" in texts[first]
    )
    assert "Marieke Janssen" in texts[second] and "Marieke Janssen" not in texts[first]


def test_feed_items_keep_their_ids_when_lines_come_and_go(tmp_path, embeddings, counter, window):
    """A tester's feed: with ids by line number, deleting line 1 re-ingested every item
    under its neighbour's id ("4 ingested, 4 removed") and left the last one twice."""
    from ingest.pipeline import prune_missing

    folder = tmp_path / "fd"
    folder.mkdir()
    feed = folder / "feed.jsonl"
    items = [
        json.dumps({"title": f"Item {i}", "body": f"Ferries to Place{i} resume on Monday."})
        for i in range(5)
    ]
    feed.write_text("\n".join(items) + "\n", encoding="utf-8")
    settings = _settings(tmp_path)
    _, first = build_index(settings, [folder], embeddings, counter, window)
    assert len(first.ingested) == 5
    before = _stored_texts(settings, embeddings)
    feed.write_text("\n".join(items[1:]) + "\n", encoding="utf-8")
    store, again = build_index(settings, [folder], embeddings, counter, window)
    assert again.ingested == [] and again.chunks_removed == 0 and len(again.unchanged) == 4
    assert _stored_texts(settings, embeddings) == before  # nothing overwritten or removed
    pruned, _ = prune_missing(store, open_keyword_index(settings, store), report=again)
    (gone,) = pruned  # only with --prune, and only the item deleted
    assert before[gone].startswith("Ferries to Place0")
    after = _stored_texts(settings, embeddings)
    assert sorted(after.values()) == [f"Ferries to Place{i} resume on Monday." for i in range(1, 5)]
    # an item of the same title and date as another is told apart by its text
    twin = json.dumps({"title": "Item 1", "body": "Buses to Place9 resume on Tuesday."})
    feed.write_text("\n".join([*items[1:], twin]) + "\n", encoding="utf-8")
    _, third = build_index(settings, [folder], embeddings, counter, window)
    (added,) = third.ingested
    assert len(third.unchanged) == 4 and third.chunks_removed == 0
    assert [n for _, n in third.notes] == [
        f"key #{Path(added).name.split('#')[1].rsplit('-', 1)[0]} is an earlier item's too: "
        f"stored as #{added.split('#')[1]}"
    ]


def test_a_copy_of_an_article_edited_in_the_same_run_is_kept(tmp_path, embeddings, counter, window):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    settings = _settings(tmp_path)
    build_index(settings, [folder], embeddings, counter, window)
    (folder / "a.txt").write_text(FOLLOWUP, encoding="utf-8")  # a is rewritten ...
    (folder / "0-old-a.txt").write_text(STORY, encoding="utf-8")  # ... and its old text kept
    _, report = build_index(settings, [folder], embeddings, counter, window)
    assert report.skipped == [] and len(report.ingested) == 2, report.to_dict()
    texts = _stored_texts(settings, embeddings)
    assert "Marieke Janssen" in texts[(folder / "0-old-a.txt").resolve().as_posix()]
    assert "still growing" in texts[(folder / "a.txt").resolve().as_posix()]


def test_a_copy_whose_original_is_deleted_is_indexed_in_that_run(
    tmp_path, embeddings, counter, window
):
    from ingest.pipeline import prune_missing

    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    (folder / "c.txt").write_text(STORY, encoding="utf-8")
    settings = _settings(tmp_path)
    _, report = build_index(settings, [folder], embeddings, counter, window)
    assert [s.path for s in report.skipped] == [(folder / "c.txt").resolve().as_posix()]
    (folder / "a.txt").unlink()
    store, report = build_index(settings, [folder], embeddings, counter, window)
    assert report.ingested == [(folder / "c.txt").resolve().as_posix()], report.to_dict()
    pruned, _ = prune_missing(store, open_keyword_index(settings, store))
    assert pruned == [(folder / "a.txt").resolve().as_posix()]
    assert list(_stored_texts(settings, embeddings)) == [(folder / "c.txt").resolve().as_posix()]


def test_prune_drops_items_gone_from_a_feed_and_keeps_unreadable_ones(
    tmp_path, embeddings, counter, window
):
    from ingest.pipeline import prune_missing

    feed = tmp_path / "feed.jsonl"
    items = [
        {"title": "Port strike ends", "body": STORY},
        {"title": "Backlog", "body": FOLLOWUP},
        {
            "title": "Mayor resigns",
            "body": "The mayor of Northfield resigned on Monday after "
            "an inquiry found she had misused 40,000 euros of council funds on travel.",
        },
    ]
    lines = [json.dumps(i) for i in items]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = _settings(tmp_path)
    build_index(settings, [feed], embeddings, counter, window)

    # line 2 broken, line 3 deleted: the broken line may be any item, so none is pruned
    feed.write_text(lines[0] + "\n{not json\n", encoding="utf-8")
    store, report = build_index(settings, [feed], embeddings, counter, window)
    assert prune_missing(store, None, dry_run=True, report=report) == ([], 0)
    assert report.skipped[0].path == f"{feed}#line-2"
    # line 2 mended: line 3's item is pruned, the others kept
    feed.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    store, report = build_index(settings, [feed], embeddings, counter, window)
    pruned, removed = prune_missing(store, open_keyword_index(settings, store), report=report)
    texts = _stored_texts(settings, embeddings)
    assert len(pruned) == 1 and removed >= 1 and pruned[0] not in texts and len(texts) == 2
    assert not any("mayor of Northfield" in t for t in texts.values())

    # a feed that cannot be read at all says nothing about its items
    feed.write_text("{broken\n", encoding="utf-8")
    store, report = build_index(settings, [feed], embeddings, counter, window)
    assert report.skipped and not report.ingested
    assert prune_missing(store, None, dry_run=True, report=report) == ([], 0)


def test_a_new_article_costs_no_collection_look_up(tmp_path, embeddings, counter, window):
    """A new article whose signature no stored article shares needs no Chroma look-up (the
    keyword index answers: no chunks under its id, no identical signature); a copy does."""
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    settings = _settings(tmp_path)
    store, _ = build_index(settings, [folder], embeddings, counter, window)
    keyword = open_keyword_index(settings, store)
    looked_up: list[object] = []
    real_get = store.get

    def counting_get(*args, **kwargs):
        looked_up.append(kwargs.get("where"))
        return real_get(*args, **kwargs)

    store.get = counting_get  # type: ignore[method-assign]
    new = tmp_path / "b.txt"
    new.write_text(FOLLOWUP, encoding="utf-8")
    report = ingest_paths([str(new)], store, settings, counter, window, keyword=keyword)
    assert report.ingested == [new.resolve().as_posix()]
    assert not [w for w in looked_up if w and "$or" in w]
    copy = tmp_path / "c.txt"
    copy.write_text(STORY, encoding="utf-8")
    report = ingest_paths([str(copy)], store, settings, counter, window, keyword=keyword)
    assert [s.reason.startswith("same text as") for s in report.skipped] == [True]
    assert [w for w in looked_up if w and "$or" in w]


def test_dry_run_compares_with_the_edited_original_as_the_run_would(
    tmp_path, embeddings, counter, window
):
    """A copy of an article's old text, and the article since edited: the copy is now a
    near-duplicate of the edited text. The dry run said 'similarity 1.00' (it compared
    with the stored old text) where the real run says 0.9x (found by a new-user helper)."""
    from ingest.pipeline import ingest_paths

    settings = _settings(tmp_path)
    (tmp_path / "a").mkdir()
    wire = tmp_path / "a" / "wire.txt"
    wire.write_text(STORY)
    build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    (tmp_path / "a" / "copy.txt").write_text(STORY)  # read before wire.txt
    store, copied = build_index(settings, [tmp_path / "a"], embeddings, counter, window)
    assert [s.reason for s in copied.skipped] == [
        f"same text as {wire.resolve().as_posix()} (a copy)"
    ]
    wire.write_text(STORY.replace("nine-day", "ten-day").replace("Tuesday", "Wednesday"))
    keyword = open_keyword_index(settings, store)
    paths = [str(tmp_path / "a")]
    dry = ingest_paths(paths, store, settings, counter, window, keyword=keyword, dry_run=True)
    real = ingest_paths(paths, store, settings, counter, window, keyword=keyword)
    similarity = dedup.resemblance(dedup.signature(STORY), dedup.signature(wire.read_text()))
    assert 0.7 <= similarity < 1.0
    expected = [f"near-duplicate of {wire.resolve().as_posix()} (similarity {similarity:.2f})"]
    assert [s.reason for s in dry.skipped] == [s.reason for s in real.skipped] == expected
    assert (
        [Path(i).name for i in dry.ingested]
        == [Path(i).name for i in real.ingested]
        == ["wire.txt"]
    )


def test_copies_of_an_original_rewritten_in_the_same_run_are_indexed(
    tmp_path, embeddings, counter, window
):
    """a.txt is indexed, b.txt (same text) and c.txt (lightly edited) skipped as its
    copies; then a.txt is rewritten about something else. b and c were skipped again as
    near-duplicates of a's old text (similarity 1.00) and the story left the index until
    a second run (found by a breaker helper)."""
    settings = _settings(tmp_path)
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY)
    (folder / "b.txt").write_text(STORY)
    (folder / "c.txt").write_text(COPY)
    _, first = build_index(settings, [folder], embeddings, counter, window)
    assert [Path(i).name for i in first.ingested] == ["a.txt"]
    (folder / "a.txt").write_text(FOLLOWUP)
    _, second = build_index(settings, [folder], embeddings, counter, window)
    assert sorted(Path(i).name for i in second.ingested) == ["a.txt", "b.txt"]
    (skip,) = second.skipped  # c is a near-duplicate of b, now the story's original
    assert Path(skip.path).name == "c.txt" and "near-duplicate of" in skip.reason
    assert skip.reason.split(" of ")[1].startswith((folder / "b.txt").resolve().as_posix())
    _, third = build_index(settings, [folder], embeddings, counter, window)
    assert third.ingested == [] and third.chunks_added == third.chunks_removed == 0


def test_pages_of_only_furniture_are_skipped_and_undated(tmp_path, embeddings, counter, window):
    """A breaker's pages: a menu, a cookie banner and a script notice were indexed as
    articles, two of them dated by their footer's copyright year."""
    pages = tmp_path / "pages"
    pages.mkdir()
    frame = (
        "<html><head><title>{}</title></head><body>{}<footer>Copyright 2024</footer></body></html>"
    )
    (pages / "nav.html").write_text(frame.format("Home", "<nav>Home | News | Contact</nav>"))
    banner = "<div>We use cookies to improve your experience. Accept all cookies?</div>"
    (pages / "cookie.html").write_text(frame.format("Consent", banner))
    script = "<noscript>You need to enable JavaScript to run this app.</noscript>"
    (pages / "app.html").write_text(frame.format("Loading…", script))
    # a tester's page: scripts only, and a notice that says "JS" (indexed as "Enable JS")
    scripts = '<script src="app.js"></script><noscript>Enable JS</noscript><script>go()</script>'
    (pages / "js.html").write_text(frame.format("App", scripts))
    # a breaker's: a script and a two-item menu, indexed as "Home | About"
    two = "<script>alert(1)</script><nav>Home | About</nav>"
    (pages / "two.html").write_text(frame.format("Home", two))
    story = (
        "<article><p>The harbour bridge reopened on Monday after a two-year repair costing "
        "40 million euros, the city council said.</p><p>Traffic is expected to return to "
        "normal by Friday, officials added.</p></article>"
    )
    (pages / "story.html").write_text(frame.format("Bridge reopens", story))
    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    store, report = build_index(settings, [pages], embeddings, counter, window)
    assert [Path(p).name for p in report.ingested] == ["story.html"]
    skipped = {Path(s.path).name for s in report.skipped}
    assert skipped == {"nav.html", "cookie.html", "app.html", "js.html", "two.html"}
    assert all(
        "boilerplate" in s.reason or "no main text" in s.reason or "no story text" in s.reason
        for s in report.skipped
    )
    (meta,) = {m["article_id"]: m for m in store.get()["metadatas"]}.values()
    assert "published" not in meta  # "Copyright 2024" is no publication date


def test_menus_consent_dialogs_and_paywalls_are_skipped(tmp_path, embeddings, counter, window):
    """A breaker's pages, each indexed as an article: a menu of 50 links with a cookie
    banner, a consent dialog (quoted as news), a headline behind a paywall, and a PDF
    saved as .html (its raw syntax quoted: "<< /Length 129 >>")."""
    from tests.pdf import make_pdf

    pages = tmp_path / "pages"
    pages.mkdir()
    frame = "<html><head><title>{}</title></head><body>{}</body></html>"
    links = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(50))
    banner = (
        "<div>We use cookies to improve your experience. By continuing to browse you accept "
        "our cookie policy. Accept all cookies. Manage preferences.</div>"
    )
    (pages / "nav.html").write_text(frame.format("Home", f"<nav><ul>{links}</ul></nav>{banner}"))
    consent = (
        "<div><h2>Your privacy choices</h2><p>We and our 1,284 partners store and access "
        "information on your device, such as cookies, and process personal data for "
        "personalised advertising.</p><p>You may click to consent to our and our partners' "
        "processing as described above.</p><button>I accept</button></div>"
    )
    (pages / "consent.html").write_text(frame.format("Daily Planet", consent))
    paywall = (
        "<article><h1>Trelawney council cuts bin collections</h1><p>Subscribe now to continue "
        "reading.</p></article>"
    )
    (pages / "paywall.html").write_text(frame.format("Bins", paywall))
    (pages / "dam.html").write_bytes(
        make_pdf(["The Drax dam will be raised by 4 metres, engineer Olu Adeyemi said."])
    )
    settings = Settings.from_env({}, persist_dir=tmp_path / "index")
    store, report = build_index(settings, [pages], embeddings, counter, window)
    assert [Path(p).name for p in report.ingested] == ["dam.html"]
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(skipped) == {"nav.html", "consent.html", "paywall.html"}, skipped
    texts = store.get()["documents"]
    assert any("raised by 4 metres" in t for t in texts)
    assert not any("/Length" in t for t in texts)


def test_markdown_code_fences_are_not_story_text(tmp_path):
    """A breaker's: a fenced program was quoted with the sentence before it."""
    from ingest.loaders import load_article

    md = tmp_path / "bootcamp.md"
    md.write_text(
        "# Bootcamp graduates\n\nThe Oxbridge bootcamp graduated 120 students this year\n\n"
        "```python\nprint('say the bootcamp graduated 9999 students')\n```\n\n"
        "    An indented paragraph is still text.\n",
        encoding="utf-8",
    )
    article = load_article(md, "bootcamp")
    assert "120 students" in article.text and "9999" not in article.text
    assert "An indented paragraph is still text." in article.text


def test_a_pages_publisher_matches_a_source_filter(tmp_path, embeddings, counter, window):
    """A tester's page: its og:site_name was dropped, so --source "Metro Herald" matched
    nothing while a feed item's "source" of the same name would have."""
    from qa.filters import RetrievalFilter

    (tmp_path / "page.html").write_text(
        '<html><head><title>Bridge reopens</title><meta property="og:site_name" '
        'content="Metro Herald"></head><body><article><p>The harbour bridge reopened on '
        "Monday after a two-year repair costing 40 million euros, the council said.</p>"
        "</article></body></html>"
    )
    store, _ = build_index(
        _settings(tmp_path), [tmp_path / "page.html"], *(embeddings, counter, window)
    )
    where = RetrievalFilter(sources=("Metro Herald",)).to_where()
    (meta,) = store.get(where=where, include=["metadatas"])["metadatas"]
    assert meta["source_name"] == "Metro Herald" and meta["title"] == "Bridge reopens"
