"""Turn article files into typed, deterministic chunks.

``loaders`` reads ``.txt``/``.md``/``.html``/``.pdf`` files and JSON feeds into
:class:`Article` records (or a :class:`Skipped` with the reason), ``chunking`` cuts
articles into token-bounded :class:`Chunk` records that keep their character offsets,
``dedup`` finds lightly edited copies (MinHash). Only ``pipeline`` touches the vector
store, through ``vectorstore.store``; LangChain ``Document`` objects first appear there.
"""

from ingest.models import Article, Chunk, Skipped

__all__ = ["Article", "Chunk", "Skipped"]
