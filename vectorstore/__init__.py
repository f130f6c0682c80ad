"""The vector store boundary: embeddings and the Chroma collection.

``embeddings`` builds a LangChain ``Embeddings`` (the packaged, checksum-verified
all-MiniLM-L6-v2 by default); ``store`` opens the Chroma collection (embedded, or on a
``chroma run`` server through ``chromadb.HttpClient``), binds it to the embedding model
and chunking it was built with, and upserts chunks as LangChain ``Document`` objects;
``keyword`` is the BM25 index (SQLite FTS5) kept beside it, a local cache that follows
the collection.

Not here: authentication to a remote Chroma server, Chroma Cloud.
"""
