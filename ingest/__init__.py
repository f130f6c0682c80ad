"""Turn article files into typed, deterministic chunks.

``loaders`` reads ``.txt``/``.md`` files into :class:`Article` records (or a
:class:`Skipped` with the reason), ``chunking`` cuts articles into token-bounded
:class:`Chunk` records that keep their character offsets. Nothing here touches the
vector store; LangChain ``Document`` objects first appear in ``vectorstore``.
"""

from ingest.models import Article, Chunk, Skipped

__all__ = ["Article", "Chunk", "Skipped"]
