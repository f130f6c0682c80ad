"""Benchmark 4: newsdesk at 100,000 chunks.

Stages (run in order; each reuses what the one before left in ``--work``):

``corpus``  writes a seeded generated corpus (``bench.corpus``) big enough for ``--chunks``
            chunks, estimated by chunking a sample with the real chunker.
``embed``   the one-off: ``newsdesk ingest`` of the whole corpus into ``WORK/idx-full``
            with the embedding cache at ``WORK/embedding-cache.sqlite3``; prints wall time,
            chunks/s and the peak RSS of the ingest process. Embedding 100,000 chunks takes
            on the order of an hour on 2 cores; run it once, niced, in the background.
``measure`` (a) re-ingests the corpus into a fresh index from the cache (index cost only,
            peak RSS); (b) builds the 10,000-chunk index from the first feeds (cache);
            (c) warm answer latency p50/p95 over ``--questions`` gold questions of those
            feeds, asked of both indexes alternately, repeated ``--repeats`` times;
            (d) adding one new article to the full index (cache off, so it is embedded)
            against embedding that article's chunks alone, repeated; the added articles
            are deleted again afterwards.

Targets (issue 8): peak memory < 4 GiB; p95 at 100k <= 2 x p95 at 10k; adding one
article <= 2 x embedding it alone.

    nice -n 19 .venv/bin/python -m bench.scale corpus --work /work/bench-cache/scale
    nice -n 19 .venv/bin/python -m bench.scale embed --work /work/bench-cache/scale
    nice -n 19 .venv/bin/python -m bench.scale measure --work /work/bench-cache/scale

Not done: other models, Chroma server mode, concurrency.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import median_spread, percentile, print_machine, venv_bin


def _env(work: Path, persist: Path, cache: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(
        HF_HUB_OFFLINE="1",
        NEWSDESK_PERSIST_DIR=str(persist),
        NEWSDESK_EMBEDDING_CACHE=cache or str(work / "embedding-cache.sqlite3"),
    )
    return env


def stage_corpus(work: Path, chunks: int, seed: int) -> None:
    from bench.corpus import write_corpus
    from ingest.chunking import chunk_article, cl100k_counter
    from ingest.loaders import load_articles
    from ingest.models import Article
    from newsdesk.settings import Settings
    from vectorstore.embeddings import embedding_window, load_embeddings

    settings = Settings.from_env({})
    counter, window = cl100k_counter(), embedding_window(load_embeddings())
    n = 0
    with tempfile.TemporaryDirectory(prefix="newsdesk-sample-") as tmp:
        sample = [
            a
            for a in load_articles([str(write_corpus(Path(tmp), 300, seed))])
            if isinstance(a, Article)
        ]
        for art in sample:
            n += len(
                chunk_article(art, counter, settings.chunk_size, settings.chunk_overlap, window)
            )
    per_article = n / len(sample)
    articles = math.ceil(chunks / per_article)
    write_corpus(work / "corpus", articles, seed)
    meta = {"articles": articles, "chunks_per_article_est": per_article, "seed": seed}
    (work / "corpus" / "meta.json").write_text(json.dumps(meta))
    print(f"corpus: {articles} articles, about {per_article:.2f} chunks each -> {work}/corpus")


def _ingest(work: Path, persist: Path, paths: list[str], cache: str | None = None) -> dict:
    """Run ``newsdesk ingest --json`` in a child process; wall time and its peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    out = subprocess.run(
        [venv_bin("newsdesk"), "ingest", "--json", *paths],
        env=_env(work, persist, cache),
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over children
    if out.returncode != 0:
        raise SystemExit(f"ingest failed ({out.returncode}): {out.stderr[-2000:]}")
    report = json.loads(out.stdout)
    return {
        "seconds": seconds,
        "chunks_added": report["chunks_added"],
        "articles": len(report["ingested"]),
        "peak_rss_gib": peak / 2**20 if peak > before else None,
    }


def _feeds(work: Path) -> list[str]:
    return sorted(str(p) for p in (work / "corpus" / "articles").glob("feed-*.jsonl"))


def stage_embed(work: Path) -> None:
    print_machine("before")
    r = _ingest(work, work / "idx-full", _feeds(work))
    print_machine("after")
    print(
        f"one-off ingest with embedding: {r['chunks_added']} chunks of {r['articles']} "
        f"articles in {r['seconds']:.0f} s ({r['chunks_added'] / r['seconds']:.1f} chunks/s); "
        f"peak RSS {r['peak_rss_gib']:.2f} GiB (target < 4 GiB: "
        f"{'met' if r['peak_rss_gib'] < 4 else 'MISSED'})",
        flush=True,
    )
    (work / "embed-result.json").write_text(json.dumps(r))


def _chunk_count(persist: Path) -> int:
    from vectorstore.keyword import KeywordIndex, keyword_index_path

    index = KeywordIndex(keyword_index_path(persist, "newsdesk"))
    try:
        return index.count()
    finally:
        index.close()


def stage_measure(
    work: Path, small: int, questions: int, repeats: int, adds: int, reingest: bool = True
) -> None:
    print_machine("start")
    feeds = _feeds(work)
    meta = json.loads((work / "corpus" / "meta.json").read_text())
    full = work / "idx-full"
    n_full = _chunk_count(full)
    print(f"full index: {n_full} chunks ({full})", flush=True)

    # (a) the same corpus into a fresh index, vectors from the cache
    if reingest:
        with tempfile.TemporaryDirectory(dir=work, prefix="reingest-") as tmp:
            r = _ingest(work, Path(tmp) / "index", feeds)
        print(
            f"(a) re-ingest from the cache into a fresh index: {r['chunks_added']} chunks in "
            f"{r['seconds']:.0f} s ({r['chunks_added'] / r['seconds']:.0f} chunks/s); peak RSS "
            f"{r['peak_rss_gib']:.2f} GiB (target < 4 GiB: "
            f"{'met' if r['peak_rss_gib'] < 4 else 'MISSED'})",
            flush=True,
        )

    # (b) the small index: the first feeds, enough for `small` chunks
    per_feed = meta["chunks_per_article_est"] * 100
    small_feeds = feeds[: max(1, math.ceil(small / per_feed))]
    small_dir = work / f"idx-{small // 1000}k"
    if not (small_dir / "chroma.sqlite3").is_file():
        r = _ingest(work, small_dir, small_feeds)
        print(f"(b) small index: {r['chunks_added']} chunks in {r['seconds']:.0f} s", flush=True)
    n_small = _chunk_count(small_dir)
    print(f"(b) small index: {n_small} chunks ({small_dir})", flush=True)

    # (c) warm answer latency on both indexes, alternating
    import app
    from newsdesk.settings import Settings

    gold = [json.loads(line) for line in (work / "corpus" / "questions.jsonl").open()]
    asked = [g["question"] for g in gold[: len(small_feeds) * 100]]
    step = max(1, len(asked) // questions)
    asked = asked[::step][:questions]
    chains = {
        size: app.build_chain_for(Settings.from_env({}, persist_dir=d))
        for size, d in (("small", small_dir), ("full", full))
    }
    for chain in chains.values():  # warm-up on questions not measured
        for q in ("Who said the plan was sound?", "How much will the training fund get?"):
            chain.invoke({"question": q, "history": None})
    p95: dict[str, list[float]] = {"small": [], "full": []}
    p50: dict[str, list[float]] = {"small": [], "full": []}
    correct = {"small": 0, "full": 0}
    for rep in range(repeats):
        lat: dict[str, list[float]] = {"small": [], "full": []}
        for i, q in enumerate(asked):
            order = ("small", "full") if (i + rep) % 2 == 0 else ("full", "small")
            for size in order:
                t0 = time.perf_counter()
                ans = chains[size].invoke({"question": q, "history": None})
                lat[size].append((time.perf_counter() - t0) * 1000)
                if rep == 0:
                    correct[size] += gold_answer(gold, q) in ans.text
        for size in lat:
            p50[size].append(percentile(lat[size], 50))
            p95[size].append(percentile(lat[size], 95))
        print(
            f"  round {rep + 1}: small p50 {p50['small'][-1]:.1f} ms p95 "
            f"{p95['small'][-1]:.1f} ms | full p50 {p50['full'][-1]:.1f} ms p95 "
            f"{p95['full'][-1]:.1f} ms",
            flush=True,
        )
    ratios = [f / s for f, s in zip(p95["full"], p95["small"], strict=True)]
    print(
        f"(c) answer latency over {len(asked)} questions x {repeats} rounds (median "
        f"[min-max] of rounds): {n_small} chunks p50 {median_spread(p50['small'])} ms, p95 "
        f"{median_spread(p95['small'])} ms; {n_full} chunks p50 {median_spread(p50['full'])} "
        f"ms, p95 {median_spread(p95['full'])} ms; p95 ratio full/small "
        f"{median_spread(ratios)} (target <= 2: "
        f"{'met' if statistics.median(ratios) <= 2 else 'MISSED'}); answers containing the "
        f"gold figure: small {correct['small']}/{len(asked)}, full {correct['full']}/{len(asked)}",
        flush=True,
    )

    # (d) one new article into the full index, against embedding it alone
    stage_add(work, full, adds)


def gold_answer(gold: list[dict], question: str) -> str:
    return next(g["answers"][0] for g in gold if g["question"] == question)


def stage_add(work: Path, full: Path, adds: int) -> None:
    from bench.corpus import generate
    from ingest.chunking import chunk_article, cl100k_counter
    from ingest.loaders import load_articles
    from ingest.models import Article
    from ingest.pipeline import ingest_paths
    from newsdesk.settings import Settings
    from vectorstore.embeddings import embedding_window, load_embeddings
    from vectorstore.store import delete_chunks, open_keyword_index, open_store

    settings = Settings.from_env({}, persist_dir=full, embedding_cache="off")
    embeddings = load_embeddings()
    counter, window = cl100k_counter(), embedding_window(embeddings)
    store = open_store(settings, embeddings, create=False)
    keyword = open_keyword_index(settings, store)
    add_s, alone_s, ratios = [], [], []
    with tempfile.TemporaryDirectory(prefix="newsdesk-add-") as tmp:
        new = list(generate(adds + 1, seed=987_654))  # a seed the corpus does not use
        embeddings.embed_documents(["warm up"])
        for i, a in enumerate(new[1:]):
            path = Path(tmp) / f"new-{i}.jsonl"
            obj = {"title": a.title, "body": a.body, "published_at": a.published_at}
            path.write_text(json.dumps(obj) + "\n")
            article = next(x for x in load_articles([str(path)]) if isinstance(x, Article))
            texts = [
                c.text
                for c in chunk_article(
                    article, counter, settings.chunk_size, settings.chunk_overlap, window
                )
            ]
            order = ("alone", "add") if i % 2 == 0 else ("add", "alone")
            for what in order:
                t0 = time.perf_counter()
                if what == "alone":
                    embeddings.embed_documents(texts)
                    alone = time.perf_counter() - t0
                else:
                    report = ingest_paths(
                        [str(path)], store, settings, counter, window, keyword=keyword
                    )
                    added = time.perf_counter() - t0
                    assert report.chunks_added == len(texts), report
            add_s.append(added * 1000)
            alone_s.append(alone * 1000)
            ratios.append(added / alone)
            ids = [c for c in keyword.article_chunk_ids(article.id)]
            keyword.delete(ids)
            delete_chunks(store, ids)
    print(
        f"(d) adding one article ({len(texts)} chunks) to the {_chunk_count(full)}-chunk "
        f"index: {median_spread(add_s)} ms; embedding it alone {median_spread(alone_s)} ms; "
        f"ratio {median_spread(ratios)} over {adds} articles (target <= 2: "
        f"{'met' if statistics.median(ratios) <= 2 else 'MISSED'})",
        flush=True,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("stage", choices=["corpus", "embed", "measure", "add"])
    p.add_argument("--work", type=Path, default=Path("/work/bench-cache/scale"))
    p.add_argument("--chunks", type=int, default=100_000)
    p.add_argument("--small", type=int, default=10_000, help="chunks of the small index")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--questions", type=int, default=100)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--adds", type=int, default=5)
    p.add_argument(
        "--no-reingest",
        dest="reingest",
        action="store_false",
        help="measure: skip (a), the re-ingest from the cache (the embed stage already "
        "reported the ingest's peak memory)",
    )
    args = p.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.work.mkdir(parents=True, exist_ok=True)
    if args.stage == "corpus":
        stage_corpus(args.work, args.chunks, args.seed)
    elif args.stage == "embed":
        stage_embed(args.work)
    elif args.stage == "measure":
        stage_measure(args.work, args.small, args.questions, args.repeats, args.adds, args.reingest)
    else:
        stage_add(args.work, args.work / "idx-full", args.adds)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
