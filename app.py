"""newsdesk's entry points: ``answer()`` for Python, the Gradio UI, and the object graph.

``from app import answer`` is cheap: nothing is loaded until the first question. The
object graph is built in one place (:func:`build_chain_for`), once per distinct settings.

    >>> from app import answer
    >>> a = answer("How many foreign-funded firms were approved for the pilot?")
    >>> a.text, a.citations[0].quote
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from newsdesk.errors import BadInput, IndexNotFound
from newsdesk.settings import Settings

if TYPE_CHECKING:
    import gradio as gr

    from qa.chain import QAChain
    from qa.sentence_fill import SentenceFill
    from qa.types import Answer


#: The store each built chain opened, and the collection's revision then (``_chain_for``).
_OPENED_AT: dict[Settings, tuple[Any, str | None, tuple[int, int] | None]] = {}
#: Background sentence passes by index (:func:`sentence_fill_for`); ``None`` where off.
_FILLS: dict[tuple[Any, ...], SentenceFill | None] = {}
_FILLS_LOCK = threading.Lock()
#: Held while chains are built, checked for staleness or reset: the chat answers up to
#: four questions at once, and two threads opening or reopening one index together
#: made Chroma fail ("'RustBindingsAPI' object has no attribute 'bindings'").
_CHAINS_LOCK = threading.RLock()


@functools.cache
def build_chain_for(settings: Settings) -> QAChain:
    """Build (once per ``settings``) the QA chain over the existing index.

    Raises:
        IndexNotFound: there is no index yet (run ``newsdesk ingest`` first).
        IndexMismatch: the index was built with another model or chunking.
    """
    from qa.chain import build_chain
    from qa.extractive import ExtractiveAnswerer
    from qa.retriever import HybridRetriever
    from vectorstore.embedding_cache import SENTENCE_PRECISION, QueryMemo, sentence_embeddings
    from vectorstore.embeddings import load_embeddings
    from vectorstore.store import (
        check_location,
        collection_revision,
        index_file_identity,
        open_keyword_index,
        open_store,
    )

    check_location(settings, create=False)  # a wrong index path fails before the model loads
    # the retriever and the answerer both embed the question: once is enough. Queries are
    # float32 at any precision, and so are the answerer's sentence vectors
    # (vectorstore.embedding_cache.SENTENCE_PRECISION): the float32 model serves both
    embeddings = QueryMemo(load_embeddings(settings.embedding_model, SENTENCE_PRECISION))
    store = open_store(settings, embeddings, create=False)
    _OPENED_AT[settings] = (store, collection_revision(store), index_file_identity(settings))
    keyword = open_keyword_index(settings, store)
    retriever = HybridRetriever(
        store=store, keyword=keyword, k=max(settings.k, settings.candidates)
    )
    # sentence vectors come from the embedding cache (filled at ingest or by earlier answers)
    vectors = sentence_embeddings(settings, embeddings)
    extractive = ExtractiveAnswerer(vectors, settings.min_relevance, k=settings.k)
    if settings.answerer == "extractive":
        return build_chain(retriever, extractive)
    from qa.llm import LLMAnswerer, build_chat_model

    model = build_chat_model(settings)
    llm = LLMAnswerer(
        model,
        extractive,
        embeddings,
        name=f"llm:{settings.llm_backend}",
        history_tokens=settings.llm_history_tokens,
    )
    # the same model rewrites follow-ups into standalone queries (qa.followup)
    return build_chain(retriever, llm, condense_llm=model)


def sentence_fill_for(settings: Settings) -> SentenceFill | None:
    """The background pass that embeds the index's sentences (:mod:`qa.sentence_fill`),
    started once per ``settings`` and index; ``None`` unless ``sentence_vectors=background``
    with the embedding cache on.

    Raises:
        IndexNotFound, IndexMismatch: as :func:`build_chain_for`.
    """
    key = _index_key(settings)
    with _FILLS_LOCK:
        if key not in _FILLS:
            _FILLS[key] = _start_fill(settings)
        return _FILLS[key]


def _index_key(settings: Settings) -> tuple[Any, ...]:
    """What one background pass is for: an index, a model and a cache file (answering
    options such as ``k`` share it)."""
    return (
        settings.persist_dir.resolve(),
        settings.chroma_url,
        settings.collection,
        settings.embedding_model,
        settings.embedding_precision,
        settings.embedding_cache,
        settings.sentence_vectors,
    )


def _start_fill(settings: Settings) -> SentenceFill | None:
    if settings.sentence_vectors != "background":
        return None
    from qa.sentence_fill import SentenceFill
    from vectorstore.embedding_cache import CachedEmbeddings, sentence_embeddings
    from vectorstore.store import open_store

    vectors = sentence_embeddings(settings)
    if not isinstance(vectors, CachedEmbeddings):  # the cache is off: nowhere to keep them
        return None
    fill = SentenceFill(open_store(settings, vectors.inner, create=False), vectors)
    atexit.unregister(_stop_fills)  # registered once, however many passes start
    atexit.register(_stop_fills)
    fill.start()
    return fill


def reset_chains() -> None:
    """Forget the built chains and stop their background passes: the index was replaced
    or changed (a rebuild, articles added in the chat); the next question reopens it and
    starts a new pass (which reads past what the cache already holds)."""
    with _CHAINS_LOCK:
        build_chain_for.cache_clear()
        _OPENED_AT.clear()
    with _FILLS_LOCK:
        fills = [f for f in _FILLS.values() if f is not None]
        _FILLS.clear()
    for fill in fills:
        fill.stop()


def _stop_fills() -> None:
    """At interpreter exit: end the background passes and wait for their batch in flight
    (a daemon thread stopped inside torch aborted the process, exit code 134)."""
    with _FILLS_LOCK:
        fills = [f for f in _FILLS.values() if f is not None]
    for fill in fills:
        fill.stop()
    for fill in fills:
        fill.join(timeout=30)


def _chain_for(settings: Settings) -> QAChain:
    """:func:`build_chain_for`, reopened when another process wrote to the embedded index
    since this process opened it (``newsdesk ingest`` beside a running chat): Chroma's
    in-process view of the vectors would miss the new chunks (and fail to fetch them)."""
    with _CHAINS_LOCK:
        chain = build_chain_for(settings)
        opened = _OPENED_AT.get(settings)
        if settings.chroma_url or opened is None:
            return chain
        from vectorstore.store import (
            collection_revision,
            forget_local_client,
            index_file_identity,
        )

        store, revision, identity = opened
        # an index deleted and built again (rm -rf, then ingest) is another file: this
        # process's Chroma would go on reading the deleted one (a breaker's)
        if index_file_identity(settings) == identity and collection_revision(store) == revision:
            return chain
        reset_chains()
        forget_local_client(settings)
        return build_chain_for(settings)


@contextlib.contextmanager
def holding_back(settings: Settings) -> Iterator[None]:
    """Hold back the background pass over ``settings``'s index, if one runs, while inside
    (the chat wraps adding and deleting articles in it)."""
    with _FILLS_LOCK:
        fill = _FILLS.get(_index_key(settings))
    with fill.foreground() if fill is not None else contextlib.nullcontext():
        yield


def _answering(settings: Settings) -> contextlib.AbstractContextManager[None]:
    """Hold the background pass of ``settings``'s index back while a question is
    answered (it is started, once, by the index's first question in this process)."""
    sentence_fill_for(settings)
    return holding_back(settings)


def answer(
    question: str,
    history: Sequence[Any] | None = None,
    *,
    filters: dict[str, Any] | None = None,
    **options: Any,
) -> Answer:
    """Answer a question about the indexed articles, with citations.

    Args:
        question: the question, plain text.
        history: earlier turns of the conversation, oldest first: question strings,
            ``(question, answer)`` pairs, or ``{"role", "content"}`` messages.
        filters: restrict retrieval to some articles: ``{"source": str | list[str],
            "date_from": "YYYY-MM-DD", "date_to": "YYYY-MM-DD"}`` (any subset; dates
            inclusive, compared with the article's ``published`` date).
        options: any :class:`~newsdesk.settings.Settings` field (``k``, ``persist_dir``,
            ``min_relevance``, ``answerer``, ...); unset fields come from ``NEWSDESK_*``
            variables.

    Returns:
        An :class:`~qa.types.Answer`: ``text`` with ``[n]`` markers, ``citations``,
        ``abstained`` and the ``retrieved`` chunks with scores.

    Raises:
        BadInput: an empty or over-long question, a malformed history, filter or option.
        IndexNotFound: no index yet; run ``newsdesk ingest data/articles`` first.
        IndexMismatch: the index was built with another embedding model or chunking.
    """
    settings = Settings.from_env(**options)
    inputs = {"question": question, "history": history, "filters": filters}
    for attempt in range(2):
        try:
            chain = _chain_for(settings)
            with _answering(settings):
                return chain.invoke(inputs)
        except Exception as e:
            if attempt or not _collection_replaced(e):
                raise
            reset_chains()  # rebuilt by another process: open the new one
    raise AssertionError("unreachable: the second attempt returns or raises")


def stream_answer(
    question: str,
    history: Sequence[Any] | None = None,
    *,
    filters: dict[str, Any] | None = None,
    **options: Any,
) -> Iterator[str | Answer]:
    """Like :func:`answer`, but yields the answer text as it is produced.

    Yields ``str`` pieces of the answer text as they arrive (one piece for the
    extractive answerer, tokens for an LLM), then, last, the final :class:`~qa.types.Answer`.
    The final ``Answer.text`` is authoritative: verification may remove invalid citation
    markers that were streamed, so a UI should re-render from it.

    Raises:
        The same errors as :func:`answer`, when called (before the iterator is
        returned): bad input, a missing or mismatched index. Errors of retrieval or of
        the LLM are raised while iterating.
    """
    from qa.chain import check_question, normalize_history
    from qa.filters import parse_filters

    settings = Settings.from_env(**options)
    check_question(question)
    # read once: an iterator given as the history would be used up by the check (a
    # breaker's: the follow-up was answered without its history)
    turns = normalize_history(history)
    parse_filters(filters)
    try:
        chain = _chain_for(settings)
    except Exception as e:
        if not _collection_replaced(e):
            raise
        reset_chains()  # rebuilt by another process: open the new one
        chain = _chain_for(settings)
    inputs = {"question": question, "history": turns, "filters": filters}
    return _stream(settings, chain, inputs)


def _stream(settings: Settings, chain: QAChain, inputs: dict[str, Any]) -> Iterator[str | Answer]:
    """The pieces of :func:`stream_answer`; reopens the chain once if the collection was
    replaced by a rebuild in another process."""
    for attempt in range(2):
        if attempt:
            chain = _chain_for(settings)
        with _answering(settings):
            pieces = chain.stream_answer(inputs)
            try:
                first = next(pieces)  # retrieval runs before the first piece
            except StopIteration:
                return
            except Exception as e:
                if attempt or not _collection_replaced(e):
                    raise
                reset_chains()  # rebuilt by another process: open the new one
                continue
            yield first
            yield from pieces
            return


def _collection_replaced(error: Exception) -> bool:
    """Whether ``error`` is Chroma saying the collection a cached chain holds is gone:
    ``ingest --rebuild`` in another process swaps in a new collection (new id, same
    name), and the chain is rebuilt once to open it."""
    from chromadb.errors import NotFoundError

    return isinstance(error, NotFoundError)


def create_app(settings: Settings) -> gr.Blocks:
    """The Gradio UI (Chat, Article, Corpus, Evaluation) over the index described by
    ``settings``, not launched; launch it with ``**ui.blocks.launch_options(settings)``."""
    from ui.blocks import create_app as build_ui

    return build_ui(settings)


def main(settings: Settings | None = None) -> None:
    """Launch the UI on ``settings.host:settings.port`` (127.0.0.1:7860 by default), with
    the login of ``settings.auth`` when one is set.

    Raises:
        BadInput: the port is taken, or ``NEWSDESK_AUTH`` is malformed.
        IndexMismatch: the index was built with another model or chunking.
    """
    import sys

    from ui.blocks import launch_options

    settings = settings or Settings.from_env()
    options = launch_options(settings)
    _check_port_free(settings.host, settings.port)
    try:
        build_chain_for(settings)  # fail early, before the server starts, on a bad index
    except IndexNotFound as e:
        print(f"note: {e} Until then, add articles in the Corpus tab.", file=sys.stderr)
    else:
        fill = sentence_fill_for(settings)
        if fill is not None:
            print(
                "Embedding the articles' sentences in the background (once; answers get "
                "faster as it goes, and it holds back while a question is answered)",
                file=sys.stderr,
            )
    # Gradio's own banner ends with advice on share=True, which means nothing here
    shown = "127.0.0.1" if settings.host == "0.0.0.0" else settings.host
    print(f"newsdesk chat on http://{shown}:{settings.port} (Ctrl-C to stop)", flush=True)
    create_app(settings).launch(**options, quiet=True)


def _check_port_free(host: str, port: int) -> None:
    """Raise :class:`BadInput` with advice when ``host:port`` cannot be bound, or ``host``
    is an IPv6 address (which Gradio cannot serve on)."""
    import errno
    import socket

    if ":" in host:
        # Gradio 6 builds its own start-up URL as http://::1:7860/ and fails on it (a
        # breaker's was told the address was wrong)
        raise BadInput(
            f"cannot listen on the IPv6 address {host!r}: the chat's web server (Gradio) "
            "serves IPv4 only. Use --host 127.0.0.1 (this machine only) or 0.0.0.0 "
            "(every network interface)."
        )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # as the server itself binds (uvicorn): sockets of a chat just stopped, left in
        # TIME_WAIT, do not make the port look taken
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL:
                # the host is what is wrong, not the port (a breaker's)
                raise BadInput(
                    f"cannot listen on host {host!r} ({e.strerror}): give an address of this "
                    "machine with --host or NEWSDESK_HOST, such as 127.0.0.1 (this machine "
                    "only) or 0.0.0.0 (every network interface)"
                ) from e
            raise BadInput(
                f"cannot listen on {host}:{port} ({e.strerror}): is newsdesk already running? "
                "Pick another port with --port or NEWSDESK_PORT."
            ) from e


if __name__ == "__main__":
    main()
