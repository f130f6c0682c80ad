"""newsdesk: question answering over news articles with citations to the exact passages.

This package holds what every stage shares: the frozen :class:`Settings`, the error
hierarchy and the command line. The pipeline stages live in their own top-level packages:
``ingest`` (files to chunks), ``vectorstore`` (chunks to a Chroma collection), ``qa``
(retrieval and answering) and ``evals`` (gold questions and metrics).
"""

__version__ = "0.1.0"
