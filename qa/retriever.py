"""Hybrid retrieval over the Chroma collection, as a LangChain ``BaseRetriever``.

:class:`HybridRetriever` fuses dense search with BM25 keyword search by reciprocal rank
fusion. It returns ``Document`` objects whose metadata carries ``score`` (cosine
similarity of query and chunk embeddings, clipped to [0, 1]) and ``rank`` (1-based).

``invoke(query, filters={...})`` restricts both searches to the articles a
:mod:`qa.filters` filter selects (Chroma ``where`` for dense search, the selected article
ids for BM25).

:func:`cap_per_article` moves each article's chunks beyond the first ``cap`` behind every
other article's, so that a cut to ``k`` holds as many articles as it can, or, as a soft
cap, behind those that score within a margin of it (the extractive answerer's final cut
uses the soft cap). :func:`mmr_select` picks the final ``k`` of reranked
candidates by maximal marginal relevance, so that one article's chunks or near-duplicate
copies do not fill the top ``k`` (shipped off; see evals/RESULTS.md).

Not here: the second-stage rerank by best sentence lives in ``qa.extractive`` (which calls
:func:`mmr_select` for its final cut).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np
from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.filters import parse_filters, sources_ignoring_case
from qa.text import terms
from qa.types import RetrievedChunk
from vectorstore.keyword import KeywordIndex
from vectorstore.store import article_metadata

#: The constant of reciprocal rank fusion (Cormack, Clarke & Buettcher, SIGIR 2009).
RRF_K = 60

T = TypeVar("T")


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Fuse ranked id lists: ``score(d) = sum over lists of 1 / (k + rank(d))``, rank 1-based.

    Source: Cormack, Clarke & Buettcher, "Reciprocal rank fusion outperforms Condorcet and
    individual rank learning methods", SIGIR 2009 (k = 60 there).

    Returns:
        ``[(id, fused_score), ...]`` best first; ties keep first-seen order.
    """
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def term_overlap(a: RetrievedChunk, b: RetrievedChunk) -> float:
    """Similarity of two chunks for diversity: 1.0 for chunks of the same article, else the
    Jaccard overlap of their term sets (:func:`qa.text.terms`), so near-duplicate copies
    of a story count as nearly the same passage. In [0, 1]."""
    if a.article_id == b.article_id:
        return 1.0
    ta, tb = set(terms(a.text)), set(terms(b.text))
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def cap_per_article(
    items: Sequence[T],
    cap: int | None,
    article_of: Callable[[T], str],
    *,
    score_of: Callable[[T], float] | None = None,
    margin: float | None = None,
) -> list[T]:
    """Reorder ``items`` so that each article's items beyond its first ``cap`` come last.

    A stable partition: the items that are among the first ``cap`` of their article, in
    input order, then the rest, in input order. Cut to ``k``, the result holds at most
    ``cap`` items of any article unless fewer than ``k`` items are within the cap, in which
    case the best of the rest fill the remaining places (so a one-article corpus keeps
    its order). This is field collapsing with a group size of ``cap`` (Elasticsearch's
    ``collapse`` with ``inner_hits.size``), back-filled instead of truncated.

    Args:
        items: best first.
        cap: items per article ahead of the back-fill, at least 1; ``None`` keeps the order.
        article_of: an item's article id.
        score_of, margin: a soft cap. An item beyond its article's cap then goes behind
            only the other items scoring at least its score less ``margin`` (a stable
            sort on the score, less ``margin`` for the items beyond the cap), so a second
            passage of the one article a question is about still comes before an
            unrelated article's best. Both or neither; scores of any scale, higher better.

    Returns:
        All of ``items``, reordered.

    Raises:
        ValueError: ``cap`` is below 1, or only one of ``score_of`` and ``margin`` given.
    """
    if cap is None:
        return list(items)
    if cap < 1:
        raise ValueError(f"cap must be at least 1 or None, got {cap}")
    if (score_of is None) != (margin is None):
        raise ValueError("give both score_of and margin for a soft cap, or neither")
    seen: dict[str, int] = {}
    within: list[T] = []
    beyond: list[T] = []
    for item in items:
        article = article_of(item)
        seen[article] = seen.get(article, 0) + 1
        (within if seen[article] <= cap else beyond).append(item)
    if score_of is None or margin is None:
        return within + beyond
    demoted = {id(item) for item in beyond}
    return sorted(items, key=lambda it: -(score_of(it) - (margin if id(it) in demoted else 0.0)))


def mmr_select(
    chunks: Sequence[RetrievedChunk],
    relevance: Sequence[float],
    k: int,
    *,
    diversity: float,
    similarity: Callable[[RetrievedChunk, RetrievedChunk], float] = term_overlap,
) -> list[RetrievedChunk]:
    """Pick ``k`` chunks by maximal marginal relevance.

    Each step takes the chunk maximising
    ``(1 - diversity) * relevance - diversity * max(similarity to the chunks taken)``
    (Carbonell & Goldstein, "The use of MMR, diversity-based reranking for reordering
    documents and producing summaries", SIGIR 1998, with lambda = 1 - diversity).
    ``diversity = 0`` keeps the order of ``relevance`` (ties: input order).

    Args:
        chunks: candidates.
        relevance: one score per candidate, higher is better (any scale).
        k: how many to return (fewer when there are fewer candidates).
        diversity: in [0, 1], the weight of redundancy.
        similarity: pairwise similarity in [0, 1]; :func:`term_overlap` by default.

    Returns:
        The chosen chunks, in the order chosen.
    """
    if not 0.0 <= diversity <= 1.0:
        raise ValueError(f"diversity must be in [0, 1], got {diversity}")
    left = list(range(len(chunks)))
    chosen: list[int] = []
    redundancy = [0.0] * len(chunks)
    while left and len(chosen) < k:
        best = max(left, key=lambda i: (1 - diversity) * relevance[i] - diversity * redundancy[i])
        chosen.append(best)
        left.remove(best)
        if diversity > 0:
            for i in left:
                redundancy[i] = max(redundancy[i], similarity(chunks[i], chunks[best]))
    return [chunks[i] for i in chosen]


class HybridRetriever(BaseRetriever):
    """Dense top-``fetch_k`` and BM25 top-``fetch_k``, fused by RRF, cut to ``k``.

    Keyword arguments of ``invoke``: ``k`` (overrides the attribute) and ``filters``
    (a dict or :class:`~qa.filters.RetrievalFilter`; raises ``BadInput`` when invalid).

    Attributes:
        store: the Chroma collection.
        keyword: the BM25 index kept in step with it.
        k: chunks returned.
        fetch_k: candidates taken from each list before fusion.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Chroma
    keyword: KeywordIndex
    k: int = 4
    fetch_k: int = 30

    def source_names(self) -> list[str]:
        """The names a source filter can take (publisher and file names of the stored
        chunks), sorted; for saying which there are when one matched nothing."""
        every = self.store._collection.get(include=["metadatas"])["metadatas"] or []
        return sorted(
            {
                value
                for meta in every
                for key in ("source_name", "source_file")
                if isinstance(value := (meta or {}).get(key), str) and value
            }
        )

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        selection = parse_filters(kwargs.get("filters"))
        where = selection.to_where() if selection is not None else None
        if self.store.embeddings is None:
            raise ValueError("the store has no embedding function")
        collection = self.store._collection
        article_ids = None
        if where is not None:
            assert selection is not None
            if selection.sources:
                # and the stored names that differ only in case: "Reuters" found none of a
                # feed's "reuters" items beside its "Reuters" ones (a breaker's)
                every = collection.get(include=["metadatas"])["metadatas"] or []
                folded = sources_ignoring_case(selection, every)
                if folded is not None:
                    sources = tuple(sorted({*selection.sources, *folded.sources}))
                    where = replace(selection, sources=sources).to_where()
            chosen = collection.get(where=where, include=["metadatas"])
            article_ids = {str((m or {}).get("article_id", "")) for m in chosen["metadatas"] or []}
            if not article_ids:
                return []
        vector = np.asarray(self.store.embeddings.embed_query(query), dtype=np.float32)
        dense = collection.query(
            query_embeddings=[vector.tolist()],
            n_results=self.fetch_k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        docs: dict[str, tuple[str, dict[str, Any], float]] = {}
        dense_ids = dense["ids"][0]
        for i, cid in enumerate(dense_ids):
            docs[cid] = (
                dense["documents"][0][i],  # type: ignore[index]
                dict(dense["metadatas"][0][i] or {}),  # type: ignore[index]
                1.0 - float(dense["distances"][0][i]),  # type: ignore[index]
            )
        keyword_ids = [
            cid for cid, _ in self.keyword.search(query, self.fetch_k, article_ids=article_ids)
        ]
        fused = reciprocal_rank_fusion([dense_ids, keyword_ids])[:k]
        missing = [cid for cid, _ in fused if cid not in docs]
        if missing:
            from chromadb.api.types import GetResult
            from chromadb.errors import InternalError

            got: GetResult | None
            try:
                got = collection.get(ids=missing, include=["documents", "metadatas", "embeddings"])
            except InternalError:
                # another process wrote to the index during this question: the keyword
                # index has caught up, this process's view of the vectors not yet (the next
                # question reopens it); answer from the chunks this view holds
                got = None
            for i, cid in enumerate(got["ids"] if got else []):
                if got["documents"][i] is None:  # type: ignore[index]
                    continue  # deleted by another process meanwhile
                emb = np.asarray(got["embeddings"][i], dtype=np.float32)  # type: ignore[index]
                docs[cid] = (
                    got["documents"][i],  # type: ignore[index]
                    dict(got["metadatas"][i] or {}),  # type: ignore[index]
                    float(emb @ vector),
                )
        out = []
        for rank, (cid, _) in enumerate((f for f in fused if f[0] in docs), 1):
            text, meta, score = docs[cid]
            meta.update(score=min(1.0, max(0.0, score)), rank=rank)
            out.append(Document(id=cid, page_content=text, metadata=meta))
        return out


def to_retrieved(docs: list[Document]) -> list[RetrievedChunk]:
    """Convert retriever output to :class:`RetrievedChunk` records (ranks renumbered 1..n)."""
    out = []
    for rank, d in enumerate(docs, 1):
        m = d.metadata
        out.append(
            RetrievedChunk(
                rank=rank,
                chunk_id=str(d.id),
                article_id=str(m.get("article_id", "")),
                title=str(m.get("title", "")),
                source=str(m.get("source", "")),
                published=m.get("published"),
                text=d.page_content,
                start=int(m.get("start", 0)),
                end=int(m.get("end", len(d.page_content))),
                score=float(m.get("score", 0.0)),
                metadata=article_metadata(m),
            )
        )
    return out
