"""The reference recipe newsdesk is measured against, run on the same corpus and gold set.

The LangChain tutorial recipe: ``RecursiveCharacterTextSplitter(chunk_size=1000,
chunk_overlap=200)`` over each article's text, the same all-MiniLM-L6-v2 embeddings, a Chroma
collection (in a temporary folder), and plain similarity top-k. Only retrieval is measured
(the recipe has no answerer of its own): hit@k by answer string, as in
:func:`evals.metrics.hit_at_k`, and, where the gold names sources, article hit@k.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from evals import metrics as M
from evals.gold import GoldQuestion


def recipe_retrieval(
    corpus: Sequence[Path], gold: list[GoldQuestion], k: int, embeddings: Embeddings
) -> dict[str, Any]:
    """hit@k and article hit@k of the reference recipe over answerable gold questions.

    Follow-up questions are asked as they stand (the recipe has no conversation memory).

    Returns:
        ``{"recipe_hit_at_k": float | None, "recipe_article_hit_at_k": float | None,
        "recipe_article_recall_at_k": float | None, "recipe_chunks": int}``.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.loaders import load_articles
    from ingest.models import Article

    articles = [a for a in load_articles([str(p) for p in corpus]) if isinstance(a, Article)]
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    docs = splitter.split_documents(
        [Document(page_content=a.text, metadata={"article_id": a.id}) for a in articles]
    )
    with tempfile.TemporaryDirectory(prefix="newsdesk-recipe-") as tmp:
        client = chromadb.PersistentClient(
            path=tmp, settings=ChromaSettings(anonymized_telemetry=False)
        )
        store = Chroma(
            client=client,
            collection_name=f"recipe-{uuid.uuid4().hex[:8]}",
            embedding_function=embeddings,
        )
        for i in range(0, len(docs), 1000):
            store.add_documents(docs[i : i + 1000])
        hits, article_hits, article_recalls = [], [], []
        for q in gold:
            if not q.answerable:
                continue
            found = store.similarity_search(q.question, k=k)
            hits.append(M.hit_at_k([d.page_content for d in found], q.answers, k))
            if q.sources:
                ids = [str(d.metadata["article_id"]) for d in found]
                article_hits.append(M.article_hit_at_k(ids, q.sources, k))
                article_recalls.append(M.article_recall_at_k(ids, q.sources, k))
    mean_hit, mean_article = M.mean(hits), M.mean(article_hits)
    mean_recall = M.mean(article_recalls)
    return {
        "recipe_hit_at_k": None if mean_hit is None else round(mean_hit, 4),
        "recipe_article_hit_at_k": None if mean_article is None else round(mean_article, 4),
        "recipe_article_recall_at_k": None if mean_recall is None else round(mean_recall, 4),
        "recipe_chunks": len(docs),
    }
