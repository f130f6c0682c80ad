"""Retrieval and answering.

``retriever`` finds candidate chunks (hybrid dense + BM25 search fused by reciprocal rank
fusion, as a LangChain ``BaseRetriever``), ``followup`` turns a follow-up into a standalone
query, ``extractive`` is the default offline answerer (it also reranks the candidates by
their best sentence), ``chain`` wires them into one ``Runnable`` that returns an
:class:`~qa.types.Answer`.

Not here (yet): LLM answerers, MMR diversity, source and date filters.
"""

from qa.types import Answer, Citation, RetrievedChunk

__all__ = ["Answer", "Citation", "RetrievedChunk"]
