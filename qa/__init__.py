"""Retrieval and answering.

``retriever`` finds chunks (a LangChain ``BaseRetriever``), ``followup`` turns a follow-up
into a standalone query, ``extractive`` is the default offline answerer, ``chain`` wires
them into one ``Runnable`` that returns an :class:`~qa.types.Answer`.

Not here (yet): LLM answerers, hybrid (BM25) retrieval, reranking.
"""

from qa.types import Answer, Citation, RetrievedChunk

__all__ = ["Answer", "Citation", "RetrievedChunk"]
