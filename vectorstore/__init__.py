"""The vector store boundary: embeddings and the persistent Chroma collection.

``embeddings`` builds a LangChain ``Embeddings`` (the packaged, checksum-verified
all-MiniLM-L6-v2 by default); ``store`` opens the Chroma collection, binds it to the
embedding model and chunking it was built with, and upserts chunks as LangChain
``Document`` objects.

Not here: keyword (BM25) indexes and a Chroma server client; both are planned.
"""
