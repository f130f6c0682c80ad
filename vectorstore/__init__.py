"""The vector store boundary: embeddings and the persistent Chroma collection.

``embeddings`` builds a LangChain ``Embeddings`` (the packaged, checksum-verified
all-MiniLM-L6-v2 by default); ``store`` opens the Chroma collection, binds it to the
embedding model and chunking it was built with, and upserts chunks as LangChain
``Document`` objects; ``keyword`` is the BM25 index (SQLite FTS5) kept beside it.

Not here (yet): a Chroma server client (``chromadb.HttpClient``).
"""
