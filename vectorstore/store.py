"""The persistent Chroma collection, bound to the embedding model and chunking it was built with.

A collection's metadata records ``embedding_model``, ``chunk_size``, ``chunk_overlap`` and
``chunker``; opening it with other values raises :class:`~newsdesk.errors.IndexMismatch`
before anything is read or written, so vectors of two models are never mixed. Writes are
upserts keyed by deterministic chunk ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ingest.models import Chunk
from newsdesk.errors import IndexMismatch, IndexNotFound, NewsdeskError
from newsdesk.settings import Settings
from vectorstore.keyword import KeywordIndex, keyword_index_path

#: Version of the chunking rules; bump it when chunk boundaries change.
CHUNKER_VERSION = "sentences-v2"
_BOUND_KEYS = ("embedding_model", "chunk_size", "chunk_overlap", "chunker")


def index_signature(settings: Settings) -> dict[str, Any]:
    """The collection metadata that binds an index to its model and chunking."""
    return {
        "embedding_model": settings.embedding_model,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "chunker": CHUNKER_VERSION,
    }


def open_store(settings: Settings, embeddings: Embeddings, *, create: bool) -> Chroma:
    """Open (or create) the Chroma collection described by ``settings``.

    Args:
        settings: ``persist_dir`` and ``collection`` locate it; the signature fields bind it.
        embeddings: the embedding model the collection is (to be) built with.
        create: create the collection when it does not exist; when ``False`` a missing
            collection raises :class:`IndexNotFound`.

    Raises:
        IndexNotFound: no such collection and ``create`` is false.
        IndexMismatch: the collection was built with another model or chunking.
        NewsdeskError: Chroma cannot open the directory.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if settings.persist_dir.exists() and not settings.persist_dir.is_dir():
        raise NewsdeskError(
            f"--persist-dir {settings.persist_dir} is a file, not a folder: point it at a folder"
        )
    if not create and not (settings.persist_dir / "chroma.sqlite3").is_file():
        raise IndexNotFound(_not_found(settings))
    try:
        client = chromadb.PersistentClient(
            path=str(settings.persist_dir),
            settings=ChromaSettings(anonymized_telemetry=False),
        )
        existing = {c.name for c in client.list_collections()}
    except Exception as e:  # chromadb raises many unrelated types for a broken directory
        raise NewsdeskError(
            f"cannot open the index at {settings.persist_dir}: {e}. If it is damaged, "
            "remove that index folder and run `newsdesk ingest` again."
        ) from e
    wanted = index_signature(settings)
    if settings.collection in existing:
        meta = client.get_collection(settings.collection, embedding_function=None).metadata or {}
        found = {k: meta.get(k) for k in _BOUND_KEYS}
        if found != wanted:
            raise IndexMismatch(
                f"the index {settings.collection!r} at {settings.persist_dir} was built with "
                f"{_describe(found)}, but this run uses {_describe(wanted)}. Rebuild it with "
                f"`newsdesk ingest --rebuild PATH...` (same settings), or point "
                "--persist-dir at another folder."
            )
    elif create:
        client.create_collection(
            settings.collection,
            metadata=wanted,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
    else:
        raise IndexNotFound(_not_found(settings))
    return Chroma(
        client=client,
        collection_name=settings.collection,
        embedding_function=embeddings,
        create_collection_if_not_exists=False,
    )


def open_keyword_index(settings: Settings, store: Chroma) -> KeywordIndex:
    """The BM25 keyword index beside the collection, filled from Chroma if it is empty.

    Raises:
        NewsdeskError: the keyword index file is not a usable SQLite database.
    """
    index = KeywordIndex(keyword_index_path(settings.persist_dir, settings.collection))
    if index.count() == 0:
        got = store.get(include=["documents", "metadatas"])
        index.upsert(
            (i, str((m or {}).get("article_id", "")), d or "")
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        )
    return index


def delete_index(settings: Settings) -> bool:
    """Delete the collection named in ``settings`` and its keyword index; returns whether
    a collection existed."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if not (settings.persist_dir / "chroma.sqlite3").is_file():
        return False
    try:
        client = chromadb.PersistentClient(
            path=str(settings.persist_dir), settings=ChromaSettings(anonymized_telemetry=False)
        )
        if settings.collection not in {c.name for c in client.list_collections()}:
            return False
        client.delete_collection(settings.collection)
    except Exception as e:  # chromadb raises many unrelated types for a broken directory
        raise NewsdeskError(
            f"cannot open the index at {settings.persist_dir} to rebuild it: {e}. The index is "
            "damaged: remove that index folder yourself, then run `newsdesk ingest` again."
        ) from e
    keyword_index_path(settings.persist_dir, settings.collection).unlink(missing_ok=True)
    return True


def chunk_to_document(chunk: Chunk, content_hash: str) -> Document:
    """The LangChain ``Document`` stored for a chunk (metadata: Chroma-compatible scalars)."""
    metadata: dict[str, Any] = {
        **chunk.metadata,
        "article_id": chunk.article_id,
        "chunk_index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "n_tokens": chunk.n_tokens,
        "content_hash": content_hash,
    }
    return Document(id=chunk.id, page_content=chunk.text, metadata=metadata)


def article_chunk_ids(store: Chroma, article_id: str) -> set[str]:
    """Ids of the chunks stored for one article."""
    got = store.get(where={"article_id": article_id}, include=[])
    return set(got["ids"])


#: Documents per Chroma call; Chroma refuses batches above a server-dependent maximum
#: (5,461 for the embedded store).
WRITE_BATCH = 1000


def upsert_documents(store: Chroma, documents: Sequence[Document]) -> None:
    """Embed and upsert ``documents`` under their ``id``, :data:`WRITE_BATCH` at a time."""
    docs = list(documents)
    for i in range(0, len(docs), WRITE_BATCH):
        part = docs[i : i + WRITE_BATCH]
        store.add_documents(part, ids=[str(d.id) for d in part])


def delete_chunks(store: Chroma, ids: Sequence[str]) -> None:
    """Delete chunks by id, :data:`WRITE_BATCH` at a time (unknown ids are ignored)."""
    for i in range(0, len(ids), WRITE_BATCH):
        store.delete(ids=list(ids[i : i + WRITE_BATCH]))


def _describe(sig: dict[str, Any]) -> str:
    return (
        f"embedding model {sig['embedding_model']!r}, chunk_size {sig['chunk_size']}, "
        f"chunk_overlap {sig['chunk_overlap']}, chunker {sig['chunker']!r}"
    )


def _not_found(settings: Settings) -> str:
    return (
        f"no index {settings.collection!r} at {settings.persist_dir}. Build it first: "
        "`newsdesk ingest data/articles` (or pass --persist-dir where your index lives)."
    )
