"""Dense retrieval over the Chroma collection, as a LangChain ``BaseRetriever``.

Returns ``Document`` objects whose metadata carries ``score`` (cosine similarity of
query and chunk embeddings, clipped to [0, 1]) and ``rank`` (1-based).

Not here (yet): BM25 keyword search, reciprocal rank fusion, MMR diversity, filters.
"""

from __future__ import annotations

from typing import Any

from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.types import RetrievedChunk


class ChromaRetriever(BaseRetriever):
    """Top-``k`` chunks by cosine similarity of all-MiniLM-L6-v2 embeddings.

    Attributes:
        store: the collection (see :func:`vectorstore.store.open_store`).
        k: number of chunks to return.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Chroma
    k: int = 4

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        vector = self.store.embeddings.embed_query(query) if self.store.embeddings else None
        if vector is None:
            raise ValueError("the store has no embedding function")
        hits = self.store.similarity_search_by_vector_with_relevance_scores(vector, k=k)
        docs = []
        for rank, (doc, distance) in enumerate(hits, 1):
            # langchain-chroma returns the raw cosine *distance* here
            score = min(1.0, max(0.0, 1.0 - float(distance)))
            docs.append(
                Document(
                    id=doc.id,
                    page_content=doc.page_content,
                    metadata={**doc.metadata, "score": score, "rank": rank},
                )
            )
        return docs


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
            )
        )
    return out
