"""Benchmark 1: ingestion throughput (chunks/s) against bare encoding and the tutorial recipe.

The generated corpus (``bench.corpus``, ``--articles`` articles, seeded) is cut into
``--slices`` slices of whole feed files. For every slice, in rotating order, in one process
with the model loaded once:

- **newsdesk**: :func:`ingest.pipeline.ingest_paths` into a fresh Chroma index with the
  keyword index, exactly what ``newsdesk ingest`` runs (load, chunk, embed, upsert, BM25),
  embedding cache off so every chunk is embedded;
- **(a) bare**: ``SentenceTransformer.encode`` of the same chunk texts (chunked before the
  clock starts), ``normalize_embeddings=True``, the batch size that was fastest for this CPU
  in a short calibration;
- **(b) tutorial**: the LangChain tutorial recipe on the same article texts:
  ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, then
  ``Chroma.from_documents`` into a fresh folder, with the same model as the tutorial
  writes it: ``HuggingFaceEmbeddings(model_name=...)`` with its defaults (batch size 32,
  sentence-transformers' default; newsdesk's own batch size is its choice, not the
  recipe's).

newsdesk embeds chunk batches in bfloat16 where the CPU has native bfloat16
(``Settings.embedding_precision``, ``--precision``); (a) and (b) run as their authors wrote
them, in float32. For transparency a fourth line, **bare bf16**, times (a) under the same
``torch.autocast`` newsdesk uses, so the share of the ratio owed to the precision is visible.

Prints chunks/s per slice and method, the ratios newsdesk/(a) and newsdesk/(b) per slice,
and their medians and spread. Targets (issue 8): newsdesk >= 0.85 x (a) and >= 1.0 x (b).
``--sentence-vectors ingest`` measures newsdesk with sentence vectors computed at ingest
(through a fresh embedding cache, so nothing is reused).

    nice -n 19 .venv/bin/python -m bench.ingest_throughput --articles 2000 --slices 4

Not measured: model loading (paid once by every method; see ``bench.cold_start``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import median_spread, print_machine


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=2000)
    p.add_argument("--slices", type=int, default=4)
    p.add_argument(
        "--max-minutes",
        type=float,
        default=0,
        help="stop starting new slices after this long (0: no limit); the result says how "
        "many slices were measured",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path, default=Path("/work/bench-cache/throughput"))
    p.add_argument("--sentence-vectors", choices=["lazy", "ingest"], default="lazy")
    p.add_argument("--precision", choices=["auto", "bf16", "fp32"], default="auto")
    args = p.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from bench.corpus import write_corpus
    from ingest.chunking import chunk_article, cl100k_counter
    from ingest.loaders import load_articles
    from ingest.models import Article
    from ingest.pipeline import ingest_paths
    from newsdesk.settings import Settings
    from vectorstore.embedding_cache import with_cache
    from vectorstore.embeddings import embedding_window, load_embeddings, resolve_precision
    from vectorstore.store import open_keyword_index, open_store

    corpus = args.work / f"corpus-{args.articles}-{args.seed}"
    if not (corpus / "questions.jsonl").is_file():
        write_corpus(corpus, args.articles, args.seed)
    feeds = sorted(str(f) for f in (corpus / "articles").glob("feed-*.jsonl"))
    per = max(1, len(feeds) // args.slices)
    slices = [feeds[i : i + per] for i in range(0, len(feeds), per)]

    print_machine("start")
    import torch

    embeddings = load_embeddings(precision=args.precision)
    print(f"newsdesk embedding precision: {resolve_precision(args.precision)}", flush=True)
    model = embeddings._client  # type: ignore[attr-defined]
    counter, window = cl100k_counter(), embedding_window(embeddings)
    from langchain_huggingface import HuggingFaceEmbeddings

    from vectorstore.embeddings import packaged_model_path

    recipe_embeddings = HuggingFaceEmbeddings(model_name=str(packaged_model_path()))
    base = Settings.from_env({}, embedding_precision=args.precision)

    # calibrate the bare batch size on a sample of real chunk texts
    sample_articles = [a for a in load_articles(slices[0][:1]) if isinstance(a, Article)]
    sample = [
        c.text
        for a in sample_articles[:40]
        for c in chunk_article(a, counter, base.chunk_size, base.chunk_overlap, window)
    ][:128]
    model.encode(sample[:8], normalize_embeddings=True)
    speeds = {}
    for bs in (16, 32, 64):
        t0 = time.perf_counter()
        model.encode(sample, batch_size=bs, normalize_embeddings=True)
        speeds[bs] = len(sample) / (time.perf_counter() - t0)
    batch = max(speeds, key=lambda b: speeds[b])
    print(
        "bare batch size calibration (chunks/s): "
        + ", ".join(f"{b}: {s:.1f}" for b, s in speeds.items())
        + f" -> {batch}",
        flush=True,
    )

    methods = ["newsdesk", "bare", "tutorial", "bare-bf16"]
    rates: dict[str, list[float]] = {m: [] for m in methods}
    cpu_rates: dict[str, list[float]] = {m: [] for m in methods}
    totals = {k: [0, 0.0] for k in rates}
    started = time.perf_counter()
    for i, files in enumerate(slices):
        if args.max_minutes and time.perf_counter() - started > 60 * args.max_minutes:
            print(f"  time budget spent: {i} of {len(slices)} slices measured", flush=True)
            break
        articles = [a for a in load_articles(files) if isinstance(a, Article)]
        texts = [
            c.text
            for a in articles
            for c in chunk_article(a, counter, base.chunk_size, base.chunk_overlap, window)
        ]
        order = methods[i % 4 :] + methods[: i % 4]
        got: dict[str, float] = {}
        cpu_got: dict[str, float] = {}
        with tempfile.TemporaryDirectory(dir=args.work, prefix="run-") as tmp:
            for what in order:
                t0, c0 = time.perf_counter(), time.process_time()
                if what == "newsdesk":
                    settings = base.replace(
                        persist_dir=Path(tmp) / "newsdesk",
                        embedding_cache=(
                            "off" if args.sentence_vectors == "lazy" else f"{tmp}/cache.sqlite3"
                        ),
                        sentence_vectors=args.sentence_vectors,
                    )
                    store = open_store(settings, with_cache(embeddings, settings), create=True)
                    report = ingest_paths(
                        files,
                        store,
                        settings,
                        counter,
                        window,
                        keyword=open_keyword_index(settings, store),
                    )
                    n = report.chunks_added
                elif what == "bare":
                    model.encode(texts, batch_size=batch, normalize_embeddings=True)
                    n = len(texts)
                elif what == "bare-bf16":
                    with torch.autocast("cpu", dtype=torch.bfloat16):
                        model.encode(texts, batch_size=batch, normalize_embeddings=True)
                    n = len(texts)
                else:
                    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
                    docs = splitter.split_documents(
                        [Document(page_content=a.text, metadata={"source": a.id}) for a in articles]
                    )
                    Chroma.from_documents(
                        docs,
                        recipe_embeddings,
                        persist_directory=str(Path(tmp) / "tutorial"),
                        collection_name="tutorial",
                    )
                    n = len(docs)
                seconds = time.perf_counter() - t0
                got[what] = n / seconds
                cpu_got[what] = n / (time.process_time() - c0)
                totals[what][0] += n
                totals[what][1] += seconds
        for what, r in got.items():
            rates[what].append(r)
            cpu_rates[what].append(cpu_got[what])
        print(
            "    per CPU-second (all threads): "
            + ", ".join(f"{w} {cpu_got[w]:.2f} chunks" for w in methods)
            + f" | newsdesk/bare {cpu_got['newsdesk'] / cpu_got['bare']:.2f}, newsdesk/tutorial "
            f"{cpu_got['newsdesk'] / cpu_got['tutorial']:.2f}",
            flush=True,
        )
        print(
            f"  slice {i + 1}/{len(slices)} ({len(articles)} articles, {len(texts)} newsdesk "
            "chunks): "
            + ", ".join(f"{w} {got[w]:.1f} chunks/s" for w in methods)
            + f" | newsdesk/bare {got['newsdesk'] / got['bare']:.2f}, newsdesk/tutorial "
            f"{got['newsdesk'] / got['tutorial']:.2f}",
            flush=True,
        )
    ra = [n / b for n, b in zip(rates["newsdesk"], rates["bare"], strict=True)]
    rb = [n / t for n, t in zip(rates["newsdesk"], rates["tutorial"], strict=True)]
    ca = [n / b for n, b in zip(cpu_rates["newsdesk"], cpu_rates["bare"], strict=True)]
    cb = [n / t for n, t in zip(cpu_rates["newsdesk"], cpu_rates["tutorial"], strict=True)]
    rc = [n / b for n, b in zip(rates["newsdesk"], rates["bare-bf16"], strict=True)]
    print_machine("end")
    print(
        f"RESULT per CPU-second (median [min-max] over slices): newsdesk/bare "
        f"{median_spread(ca)}, newsdesk/tutorial {median_spread(cb)}",
        flush=True,
    )
    overall = {w: totals[w][0] / totals[w][1] for w in totals}
    print(
        f"RESULT ingest throughput ({args.articles} articles in {len(slices)} slices, "
        f"{len(ra)} measured, sentence "
        f"vectors {args.sentence_vectors}; chunks/s median [min-max] over slices): newsdesk "
        f"{median_spread(rates['newsdesk'])} ({totals['newsdesk'][0]} chunks), bare encode "
        f"(batch {batch}) {median_spread(rates['bare'])}, tutorial recipe "
        f"{median_spread(rates['tutorial'])} ({totals['tutorial'][0]} chunks); overall "
        + ", ".join(f"{w} {v:.1f}" for w, v in overall.items())
        + f"; newsdesk/bare {median_spread(ra)} (target >= 0.85: "
        f"{'met' if statistics.median(ra) >= 0.85 else 'MISSED'}), newsdesk/tutorial "
        f"{median_spread(rb)} (target >= 1.0: "
        f"{'met' if statistics.median(rb) >= 1.0 else 'MISSED'}); for reference, bare encode "
        f"in bf16 {median_spread(rates['bare-bf16'])}, newsdesk/bare-bf16 {median_spread(rc)}",
        flush=True,
    )


if __name__ == "__main__":
    main()
