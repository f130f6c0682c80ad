"""Retrieval and answering.

``retriever`` finds candidate chunks (hybrid dense + BM25 search fused by reciprocal rank
fusion, as a LangChain ``BaseRetriever``, with MMR for the final cut), ``filters`` validates
source and date filters and turns them into a Chroma ``where``, ``followup`` turns a
follow-up into a standalone query (with an LLM when one is given), ``extractive`` is the
default offline answerer (it also reranks the candidates by their best sentence),
``llm`` holds the LLM answerer; ``chain`` wires them into one ``Runnable`` that returns an
:class:`~qa.types.Answer`.
"""

from qa.types import Answer, Citation, RetrievedChunk

__all__ = ["Answer", "Citation", "RetrievedChunk"]
